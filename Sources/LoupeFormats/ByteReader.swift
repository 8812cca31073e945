/// A cursor over untrusted little-endian bytes. Every read is bounds-checked and every error names the
/// file, the field being read, its byte offset and the offending value. Field names are autoclosures so
/// building them costs nothing on the happy path.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    public let file: String
    public private(set) var position: Int

    public init(_ bytes: UnsafeRawBufferPointer, file: String, position: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.position = position
    }

    public var remaining: Int { bytes.count - position }
    public var atEnd: Bool { position >= bytes.count }

    public func error(_ kind: FormatError.Kind, at offset: Int? = nil, item: String? = nil,
                      _ message: String, hint: String? = nil) -> FormatError {
        FormatError(kind, file: file, offset: offset ?? position, item: item, message, hint: hint)
    }

    /// Throws unless `count` more bytes are available.
    @inline(__always)
    public func need(_ count: Int, _ field: @autoclosure () -> String) throws {
        if count < 0 || count > remaining {
            throw error(.truncated, "\(field()) needs \(count) bytes but only \(max(remaining, 0)) are left (file is \(bytes.count) bytes)",
                        hint: "the file is truncated or corrupt")
        }
    }

    @inline(__always)
    private mutating func fixed<T: FixedWidthInteger>(_ type: T.Type, _ field: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        try need(size, field())
        let v = T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
        position += size
        return v
    }

    public mutating func u8(_ field: @autoclosure () -> String) throws -> UInt8 { try fixed(UInt8.self, field()) }
    public mutating func i8(_ field: @autoclosure () -> String) throws -> Int8 { try fixed(Int8.self, field()) }
    public mutating func u16(_ field: @autoclosure () -> String) throws -> UInt16 { try fixed(UInt16.self, field()) }
    public mutating func i16(_ field: @autoclosure () -> String) throws -> Int16 { try fixed(Int16.self, field()) }
    public mutating func u32(_ field: @autoclosure () -> String) throws -> UInt32 { try fixed(UInt32.self, field()) }
    public mutating func i32(_ field: @autoclosure () -> String) throws -> Int32 { try fixed(Int32.self, field()) }
    public mutating func u64(_ field: @autoclosure () -> String) throws -> UInt64 { try fixed(UInt64.self, field()) }
    public mutating func i64(_ field: @autoclosure () -> String) throws -> Int64 { try fixed(Int64.self, field()) }
    public mutating func f32(_ field: @autoclosure () -> String) throws -> Float {
        Float(bitPattern: try fixed(UInt32.self, field()))
    }
    public mutating func f64(_ field: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try fixed(UInt64.self, field()))
    }

    /// A one-byte boolean that must be 0 or 1.
    public mutating func bool(_ field: @autoclosure () -> String) throws -> Bool {
        let at = position
        let b = try u8(field())
        guard b <= 1 else { throw error(.invalidValue, at: at, "\(field()) is \(b), expected a boolean 0 or 1") }
        return b == 1
    }

    /// A u64 count or length that must fit in Int and, taking at least `minBytesEach` bytes per item,
    /// in the rest of the file. This is what stops allocations sized by hostile counts.
    public mutating func count(_ field: @autoclosure () -> String, minBytesEach: Int) throws -> Int {
        let at = position
        let raw = try u64(field())
        let each = max(minBytesEach, 1)
        guard raw <= UInt64(Int.max), Int(raw) <= (remaining / each) else {
            throw error(.tooLarge, at: at,
                        "\(field()) is \(raw), but only \(max(remaining, 0)) bytes are left (each item needs at least \(minBytesEach))",
                        hint: "the file is corrupt or truncated")
        }
        return Int(raw)
    }

    /// `count` raw bytes as a view into the underlying buffer.
    public mutating func raw(_ count: Int, _ field: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        try need(count, field())
        let view = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        position += count
        return view
    }

    /// UTF-8 text of `count` bytes; invalid UTF-8 is an error naming the field.
    public mutating func utf8(_ count: Int, _ field: @autoclosure () -> String) throws -> String {
        let at = position
        let view = try raw(count, field())
        guard let s = String(validating: view, as: UTF8.self) else {
            throw error(.invalidUTF8, at: at, "\(field()) is not valid UTF-8 (\(count) bytes)")
        }
        return s
    }

    /// Moves the cursor; `offset` must lie within the buffer (the end is allowed).
    public mutating func seek(to offset: Int) throws {
        guard offset >= 0, offset <= bytes.count else {
            throw error(.truncated, "seek to byte \(offset) is past the end of the \(bytes.count)-byte file")
        }
        position = offset
    }
}
