import CCrypto
import Foundation

/// SHA-256 through OpenSSL's libcrypto, as lowercase hex: the hashes in shard manifests.
public enum Digest {
    public static func sha256(_ data: Data) -> String {
        var context = SHA256_CTX()
        SHA256_Init(&context)
        data.withUnsafeBytes { _ = SHA256_Update(&context, $0.baseAddress, $0.count) }
        return finish(&context)
    }

    public static func sha256(_ text: String) -> String { sha256(Data(text.utf8)) }

    /// The hash of a whole file, read in 4 MiB pieces.
    public static func sha256(file url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw SweepError("cannot read \(url.path)")
        }
        defer { try? handle.close() }
        var context = SHA256_CTX()
        SHA256_Init(&context)
        while true {
            let piece = try handle.read(upToCount: 4 << 20) ?? Data()
            if piece.isEmpty { break }
            piece.withUnsafeBytes { _ = SHA256_Update(&context, $0.baseAddress, $0.count) }
        }
        return finish(&context)
    }

    /// A cheap identity for a large file: its size and the hash of its first and last MiB. Tells apart
    /// two checkpoints (or one re-exported) without reading gigabytes on every shard.
    public static func fingerprint(file url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw SweepError("cannot read \(url.path)")
        }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let window: UInt64 = 1 << 20
        try handle.seek(toOffset: 0)
        var data = try handle.read(upToCount: Int(min(size, window))) ?? Data()
        if size > window {
            try handle.seek(toOffset: size - window)
            data += try handle.read(upToCount: Int(window)) ?? Data()
        }
        return "\(size):" + sha256(data)
    }

    private static func finish(_ context: inout SHA256_CTX) -> String {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        SHA256_Final(&out, &context)
        return out.map { String(format: "%02x", $0) }.joined()
    }
}

/// A sweep, shard or merge problem, with the file or shard it is about in the message.
public struct SweepError: Error, CustomStringConvertible {
    public var message: String
    /// Worth running again (an I/O failure or an interruption), as opposed to a deterministic error.
    public var retryable: Bool
    public init(_ message: String, retryable: Bool = false) { self.message = message; self.retryable = retryable }
    public var description: String { message }
}
