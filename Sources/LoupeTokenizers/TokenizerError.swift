import Foundation

/// Why a tokenizer could not be built: which file, where in it, and what to do.
public struct TokenizerError: Error, CustomStringConvertible {
    /// The file (or GGUF key prefix) being read.
    public var source: String
    /// The JSON path, line or metadata key where the problem is.
    public var location: String
    public var message: String

    public init(source: String, location: String, _ message: String) {
        self.source = source
        self.location = location
        self.message = message
    }

    public var description: String {
        location.isEmpty ? "\(source): \(message)" : "\(source): \(location): \(message)"
    }
}
