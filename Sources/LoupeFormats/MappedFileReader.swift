import Foundation

/// A reader that parses a whole memory-mapped file (GGUF, safetensors): opening it by path or URL maps
/// the file, then parses the mapping.
public protocol MappedFileReader {
    /// Parses an already mapped file.
    init(mapped: MappedFile) throws
}

extension MappedFileReader {
    public init(path: String) throws { try self.init(url: URL(fileURLWithPath: path)) }

    public init(url: URL) throws { try self.init(mapped: MappedFile(url: url)) }
}
