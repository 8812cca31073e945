import CCrypto
import Foundation
import LoupeFormats

// The Jupyter wire protocol (messaging spec 5.3, "The Wire Protocol"): one ZeroMQ multipart message is
//   [routing identities…] | "<IDS|MSG>" | HMAC signature (lower-case hex) | header | parent_header |
//   metadata | content | [extra raw buffers…]
// header, parent_header, metadata and content are UTF-8 JSON objects. The signature is HMAC-SHA256 under
// the connection file's key over those four frames in order; with an empty key it is the empty string
// and nothing is checked.

/// One message of the protocol, decoded.
public struct KernelMessage: Sendable {
    /// The ROUTER envelope: where a reply goes back to.
    public var identities: [[UInt8]]
    public var header: JSONValue
    public var parentHeader: JSONValue
    public var metadata: JSONValue
    public var content: JSONValue
    public var buffers: [[UInt8]]

    public var msgType: String { header["msg_type"]?.string ?? "" }
    public var msgID: String { header["msg_id"]?.string ?? "" }

    public init(identities: [[UInt8]] = [], header: JSONValue, parentHeader: JSONValue = .object(JSONObject([:])),
                metadata: JSONValue = .object(JSONObject([:])), content: JSONValue, buffers: [[UInt8]] = []) {
        self.identities = identities
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }
}

/// Why a received message was dropped: the kernel logs it and goes on.
public struct WireError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Signs and checks messages with the connection's key, and frames them.
public struct MessageSigner: Sendable {
    static let delimiter = Array("<IDS|MSG>".utf8)
    private let key: [UInt8]?

    /// `key` is the connection file's `key` (its UTF-8 bytes are the HMAC key); empty disables signing.
    public init(key: String, scheme: String = "hmac-sha256") throws {
        guard scheme == "hmac-sha256" else {
            throw WireError("signature_scheme \"\(scheme)\" is not supported (only hmac-sha256)")
        }
        self.key = key.isEmpty ? nil : Array(key.utf8)
    }

    /// The hex HMAC of the four JSON frames ("" without a key).
    public func signature(_ frames: [[UInt8]]) -> String {
        guard let key else { return "" }
        return Self.hmacSHA256(key: key, frames.flatMap { $0 }).map { String(format: "%02x", $0) }.joined()
    }

    /// HMAC-SHA256 of `data` under `key` (OpenSSL's libcrypto).
    static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.bindMemory(to: UInt8.self).baseAddress, d.count, &out, &length) }
        }
        return Array(out.prefix(Int(length)))
    }

    /// The multipart frames of `message`, signed.
    public func encode(_ message: KernelMessage) -> [[UInt8]] {
        let json = [message.header, message.parentHeader, message.metadata, message.content]
            .map { Array($0.serialized(.compact).utf8) }
        return message.identities + [Self.delimiter, Array(signature(json).utf8)] + json + message.buffers
    }

    /// Decodes and checks received frames: the delimiter present, the signature valid (compared in
    /// constant time), each JSON frame an object with a header naming msg_type and msg_id.
    public func decode(_ frames: [[UInt8]]) throws -> KernelMessage {
        guard let split = frames.firstIndex(of: Self.delimiter) else {
            throw WireError("no <IDS|MSG> delimiter among \(frames.count) frames")
        }
        let rest = frames[(split + 1)...]
        guard rest.count >= 5 else {
            throw WireError("\(rest.count) frames after the delimiter; a message needs a signature and 4 JSON frames")
        }
        let signatureFrame = rest[rest.startIndex]
        let json = Array(rest[(rest.startIndex + 1)...(rest.startIndex + 4)])
        if let key {
            let expected = Self.hmacSHA256(key: key, json.flatMap { $0 })
            guard let given = Self.bytes(hex: signatureFrame), given.count == expected.count,
                  CRYPTO_memcmp(given, expected, expected.count) == 0   // constant time
            else { throw WireError("invalid signature") }
        }
        let names = ["header", "parent_header", "metadata", "content"]
        var values: [JSONValue] = []
        for (name, frame) in zip(names, json) {
            let value: JSONValue
            do { value = try JSONValue.parse(Data(frame), file: name) } catch {
                throw WireError("malformed JSON in \(name): \(error)")
            }
            guard case .object = value else { throw WireError("\(name) must be a JSON object, not \(value.typeName)") }
            values.append(value)
        }
        let message = KernelMessage(identities: Array(frames[..<split]), header: values[0], parentHeader: values[1],
                                    metadata: values[2], content: values[3],
                                    buffers: Array(rest.dropFirst(5)))
        guard !message.msgType.isEmpty else { throw WireError("the header has no msg_type") }
        return message
    }

    /// Lower-case or upper-case hex to bytes; nil for anything else.
    static func bytes(hex frame: [UInt8]) -> [UInt8]? {
        guard frame.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(frame.count / 2)
        var i = 0
        while i < frame.count {
            guard let hi = nibble(frame[i]), let lo = nibble(frame[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

/// Headers for the messages a kernel sends.
public struct MessageHeaders: Sendable {
    public let session: String
    public init(session: String = UUID().uuidString.lowercased()) { self.session = session }

    public func header(_ msgType: String) -> JSONValue {
        .object(JSONObject([
            "msg_id": .string(UUID().uuidString.lowercased()),
            "session": .string(session),
            "username": "loupe",
            "date": .string(Self.timestamp(Date())),
            "msg_type": .string(msgType),
            "version": "5.3",
        ]))
    }

    /// ISO 8601 in UTC with microseconds, as Jupyter writes dates.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let micros = Int((seconds - Double(whole)) * 1_000_000)
        var parts = tm()
        gmtime_r(&whole, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }
}
