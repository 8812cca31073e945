/// The one error type of LoupeFormats: which file, what is wrong, where (byte offset, tensor name,
/// metadata key or line:column), and what to do about it.
public struct FormatError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem, so callers and tests can tell cases apart without parsing text.
    public enum Kind: String, Sendable {
        case notFound            // file or model missing
        case unreadable          // exists but cannot be opened or mapped
        case badMagic            // not this format at all
        case unsupportedVersion
        case truncated           // a read runs past the end of the file
        case tooLarge            // a count or length that cannot fit in what is left of the file
        case invalidValue        // a field holds a value the format does not allow
        case invalidUTF8
        case duplicate           // duplicate metadata key or tensor name
        case unsupportedType     // dtype / ggml type / value type Loupe does not handle
        case outOfRange          // tensor data outside the data section
        case sizeMismatch        // shape x dtype does not match the byte range
        case misaligned
        case overlap             // two tensors share bytes
        case invalidJSON
        case unsupportedFormat   // e.g. pytorch_model.bin
        case noSuchTensor
    }

    public var kind: Kind
    /// Path of the file (or model name) concerned.
    public var file: String
    /// Byte offset in `file` where the problem was found, when known.
    public var offset: Int?
    /// Tensor name, metadata key or JSON path, when the problem belongs to one.
    public var item: String?
    public var message: String
    /// What the user can do, when there is something to say.
    public var hint: String?

    public init(_ kind: Kind, file: String, offset: Int? = nil, item: String? = nil, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.item = item
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var s = file + ": "
        if let item { s += "'\(item)': " }
        if let offset { s += "at byte \(offset): " }
        s += message
        if let hint { s += " (\(hint))" }
        return s
    }
}
