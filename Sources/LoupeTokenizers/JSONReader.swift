import Foundation

/// A strict JSON reader (RFC 8259) for tokenizer files, giving Foundation-style values (`[String: Any]`,
/// `[Any]`, `String`, `Int`, `Double`, `Bool`, `NSNull`).
///
/// Why not JSONSerialization: Swift dictionaries compare String keys by canonical equivalence, so a
/// vocabulary holding both "é" (U+00E9) and "e\u{301}" — different tokens with different ids — loses one.
/// This reader also returns the key/value pairs of one object (the vocabulary, at `capture`) exactly
/// as the file spells them, in file order.
struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let source: String
    private var i = 0
    private var path: [String] = []
    private let capture: [String]
    private(set) var captured: [(String, Any)]?
    private static let maxDepth = 256

    /// Parse `data`; the pairs of the object at key path `capture` (e.g. ["model", "vocab"]; [] for
    /// the top level) are also kept in `captured`.
    static func parse(_ data: Data, source: String, capture: [String]) throws -> (Any, [(String, Any)]?) {
        try data.withUnsafeBytes { raw in
            var reader = JSONReader(bytes: raw.bindMemory(to: UInt8.self), source: source, capture: capture)
            reader.skipSpace()
            let value = try reader.value(depth: 0)
            reader.skipSpace()
            guard reader.i == reader.bytes.count else { throw reader.fail("unexpected \(reader.describe()) after the value") }
            return (value, reader.captured)
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, source: String, capture: [String]) {
        self.bytes = bytes
        self.source = source
        self.capture = capture
    }

    private func fail(_ message: String) -> TokenizerError {
        TokenizerError(source: source, location: "byte \(i)", "not valid JSON: \(message)")
    }

    private func describe() -> String {
        i < bytes.count ? "character '\(Unicode.Scalar(bytes[i]))'" : "end of input"
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ literal: String, _ value: Any) throws -> Any {
        for byte in literal.utf8 {
            guard i < bytes.count, bytes[i] == byte else { throw fail("unexpected \(describe()) in '\(literal)'") }
            i += 1
        }
        return value
    }

    private mutating func value(depth: Int) throws -> Any {
        guard depth < JSONReader.maxDepth else { throw fail("nested deeper than \(JSONReader.maxDepth) levels") }
        guard i < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t"): return try expect("true", true)
        case UInt8(ascii: "f"): return try expect("false", false)
        case UInt8(ascii: "n"): return try expect("null", NSNull())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected \(describe()), expected a value")
        }
    }

    private mutating func object(depth: Int) throws -> Any {
        i += 1
        let capturing = path == capture
        var pairs: [(String, Any)] = []
        var result: [String: Any] = [:]
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            if capturing { captured = pairs }
            return result
        }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("unexpected \(describe()), expected a key") }
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("unexpected \(describe()), expected ':'") }
            i += 1
            skipSpace()
            path.append(key)
            let item = try value(depth: depth + 1)
            path.removeLast()
            // A captured object is returned only as pairs (its dictionary would be built for nothing).
            if capturing { pairs.append((key, item)) } else { result[key] = item }
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of input, expected ',' or '}'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "}") else { throw fail("unexpected \(describe()), expected ',' or '}'") }
            i += 1
            if capturing { captured = pairs }
            return result
        }
    }

    private mutating func array(depth: Int) throws -> Any {
        i += 1
        var items: [Any] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            return items
        }
        path.append("[]")
        defer { path.removeLast() }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of input, expected ',' or ']'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "]") else { throw fail("unexpected \(describe()), expected ',' or ']'") }
            i += 1
            return items
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("bad hex digit in \\u escape")
            }
            code = code << 4 | UInt32(digit)
            i += 1
        }
        return code
    }

    private mutating func string() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self) else {
                throw fail("invalid UTF-8 in a string")
            }
            i += 1
            return text
        }
        var out = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                break
            }
            guard c >= 0x20 else { throw fail("control character in a string") }
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
                   bytes[i + 1] == UInt8(ascii: "u") {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                    }
                }
                // A lone surrogate cannot be in a Swift string; it becomes U+FFFD.
                out.append(contentsOf: String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
            default:
                throw fail("unknown escape \\\(Unicode.Scalar(e))")
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
        return text
    }

    private mutating func number() throws -> Any {
        let start = i
        var isInteger = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        while i < bytes.count {
            let c = bytes[i]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                i += 1
            } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                        || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                isInteger = false
                i += 1
            } else {
                break
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if isInteger, let value = Int(text) { return value }
        guard let value = Double(text) else { throw fail("bad number \(text)") }
        return value
    }
}
