import Foundation

// JSON text (RFC 8259), read over untrusted UTF-8 bytes:
//   value  = object | array | string | number | true | false | null, with optional whitespace (space, \t, \n, \r)
//   object = '{' [ string ':' value { ',' string ':' value } ] '}'      array = '[' [ value { ',' value } ] ']'
//   string = '"' { UTF-8 except '"' '\\' and bytes < 0x20 | '\\' ( '"' '\\' '/' b f n r t | 'u' 4 hex digits ) } '"'
//   number = [ '-' ] ( '0' | 1-9 { digit } ) [ '.' digit { digit } ] [ ( 'e' | 'E' ) [ '+' | '-' ] digit { digit } ]
// A leading UTF-8 byte order mark is skipped. Integers that fit in Int stay exact; other numbers are Doubles.

/// How a JSON document is read beyond the RFC.
public struct JSONReadOptions: Sendable, Equatable {
    /// Keep every key/value pair of an object in file order, a repeated key included (lookups see the
    /// last). Tokenizer vocabularies need this: keys that Swift's String equality merges (canonically
    /// equivalent spellings such as "é" and "e\u{301}") are distinct tokens with distinct ids.
    public var keepsDuplicateKeys: Bool
    /// A lone UTF-16 surrogate escape (`\ud800` with no partner) reads as U+FFFD instead of failing, as
    /// Hugging Face tokenizer files may carry one.
    public var replacesLoneSurrogates: Bool

    public init(keepsDuplicateKeys: Bool = false, replacesLoneSurrogates: Bool = false) {
        self.keepsDuplicateKeys = keepsDuplicateKeys
        self.replacesLoneSurrogates = replacesLoneSurrogates
    }

    /// RFC 8259 with duplicate keys and lone surrogates refused.
    public static let strict = JSONReadOptions()
    /// Every pair kept in file order, lone surrogates replaced: tokenizer files, user data.
    public static let ordered = JSONReadOptions(keepsDuplicateKeys: true, replacesLoneSurrogates: true)
}

/// A recursive-descent reader: UTF-8 validated, nesting limited (so hostile input cannot exhaust the
/// stack), errors naming the file, byte offset and line:column.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    let file: String
    let baseOffset: Int
    let options: JSONReadOptions
    var i = 0
    var depth = 0
    static let maxDepth = 512

    init(_ bytes: UnsafeRawBufferPointer, file: String, baseOffset: Int, options: JSONReadOptions = .strict) {
        self.bytes = bytes
        self.file = file
        self.baseOffset = baseOffset
        self.options = options
    }

    mutating func parseDocument() throws -> JSONValue {
        // A UTF-8 byte order mark is tolerated.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        skipSpace()
        let v = try value()
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected \(describe(i)) after the JSON value") }
        return v
    }

    func fail(_ message: String, at position: Int? = nil, kind: FormatError.Kind = .invalidJSON, item: String? = nil) -> FormatError {
        let at = min(position ?? i, bytes.count)
        var line = 1, column = 1
        for k in 0..<at {
            if bytes[k] == 0x0A { line += 1; column = 1 } else if bytes[k] & 0xC0 != 0x80 { column += 1 }
        }
        return FormatError(kind, file: file, offset: baseOffset + at, item: item, "line \(line):\(column): \(message)")
    }

    func describe(_ k: Int) -> String {
        guard k < bytes.count else { return "end of input" }
        let b = bytes[k]
        return b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : String(format: "byte 0x%02x", b)
    }

    /// After an array element or object member: true past a ',' (another one follows), false past
    /// `closer` (the container ends); anything else is an error expecting one of them.
    mutating func anotherMember(before closer: UInt8) throws -> Bool {
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1; return true }
        if i < bytes.count, bytes[i] == closer { i += 1; return false }
        let expected = "expected ',' or '\(Character(Unicode.Scalar(closer)))'"
        throw fail(i < bytes.count ? "unexpected \(describe(i)), \(expected)" : "unexpected end of input, \(expected)")
    }

    @inline(__always)
    mutating func skipSpace() {
        while i < bytes.count {
            let b = bytes[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    mutating func value() throws -> JSONValue {
        guard i < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected \(describe(i)), expected a value")
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        let w = UnsafeRawBufferPointer(start: word.utf8Start, count: n)
        guard i + n <= bytes.count, (0..<n).allSatisfy({ bytes[i + $0] == w[$0] }) else {
            throw fail("unexpected \(describe(i)), expected \(word)")
        }
        i += n
    }

    mutating func enter() throws {
        depth += 1
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels") }
    }

    mutating func object() throws -> JSONValue {
        try enter()
        i += 1
        var keys: [String] = []
        var items: [JSONValue] = []
        var values: [String: JSONValue] = [:]
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(JSONObject(keys: [], items: [], values: [:]))
        }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw fail("unexpected \(describe(i)), expected a string key")
            }
            let keyAt = i
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("unexpected \(describe(i)), expected ':'") }
            i += 1
            skipSpace()
            let v = try value()
            if values.updateValue(v, forKey: key) != nil, !options.keepsDuplicateKeys {
                throw fail("duplicate key \"\(key)\"", at: keyAt, kind: .duplicate, item: key)
            }
            keys.append(key)
            items.append(v)
            if try !anotherMember(before: UInt8(ascii: "}")) { break }
        }
        depth -= 1
        return .object(JSONObject(keys: keys, items: items, values: values))
    }

    mutating func array() throws -> JSONValue {
        try enter()
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array([])
        }
        while true {
            skipSpace()
            items.append(try value())
            if try !anotherMember(before: UInt8(ascii: "]")) { break }
        }
        depth -= 1
        return .array(items)
    }

    mutating func number() throws -> JSONValue {
        let start = i
        var isInteger = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number: expected a digit") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < bytes.count, isDigit(bytes[i]) { throw fail("invalid number: leading zero", at: start) }
        } else {
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number: expected a digit after '.'") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number: expected a digit in the exponent") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if isInteger, let v = Int(text) { return .int(v) }
        guard let d = Double(text) else { throw fail("invalid number \(text)", at: start) }
        return .double(d)
    }

    @inline(__always)
    func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    mutating func string() throws -> String {
        let open = i
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
                i += 1
                guard let s = String(validating: raw, as: UTF8.self) else { throw fail("string is not valid UTF-8", at: start, kind: .invalidUTF8) }
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("control character \(String(format: "0x%02x", b)) in a string (must be escaped)") }
            i += 1
        }
        guard i < bytes.count else { throw fail("unterminated string", at: open) }
        // Slow path: collect bytes, decoding escapes.
        var out: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        while true {
            guard i < bytes.count else { throw fail("unterminated string", at: open) }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw fail("control character \(String(format: "0x%02x", b)) in a string (must be escaped)") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            let escAt = i
            i += 1
            guard i < bytes.count else { throw fail("unterminated string", at: open) }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code) {
                    let afterHigh = i
                    var low: UInt32 = 0
                    if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        low = try hex4()
                    }
                    if (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if options.replacesLoneSurrogates {
                        i = afterHigh
                        code = 0xFFFD
                    } else {
                        throw fail("unpaired surrogate \\u\(String(code, radix: 16))", at: escAt)
                    }
                } else if (0xDC00...0xDFFF).contains(code) {
                    guard options.replacesLoneSurrogates else { throw fail("unpaired surrogate \\u\(String(code, radix: 16))", at: escAt) }
                    code = 0xFFFD
                }
                guard let scalar = Unicode.Scalar(code) else { throw fail("invalid code point", at: escAt) }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail("invalid escape '\\\(describe(i - 1))'", at: escAt)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("string is not valid UTF-8", at: start, kind: .invalidUTF8) }
        return s
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw fail("invalid hex digit \(describe(i)) in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}
