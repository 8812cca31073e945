import Foundation

/// Text files (scripts, notebooks) as strings: invalid UTF-8 is an error that says where the first bad
/// byte is (its offset, line and column), never a silent U+FFFD.
public enum UTF8Text {
    /// Where a byte sits in a text: `offset` 0-based in bytes; `line` and `column` 1-based, the column
    /// counting the characters before it on its line.
    public struct Position: Sendable, Equatable {
        public var offset: Int
        public var line: Int
        public var column: Int
    }

    /// Invalid UTF-8 in `file`: `file:line:column: …` with the byte and its offset.
    public struct InvalidError: Error, CustomStringConvertible, Sendable {
        public var file: String
        public var position: Position
        public var byte: UInt8?

        public var message: String {
            let what = byte.map { String(format: "byte 0x%02X", $0) } ?? "an incomplete sequence"
            return "not valid UTF-8 text: \(what) at byte offset \(position.offset)"
        }

        public var description: String { "\(file):\(position.line):\(position.column): \(message)" }
    }

    /// `data` as a string, or an `InvalidError` naming `file` and the first bad byte's position.
    public static func decode(_ data: Data, file: String) throws -> String {
        let bytes = [UInt8](data)
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        let at = firstInvalid(bytes) ?? Position(offset: 0, line: 1, column: 1)
        throw InvalidError(file: file, position: at, byte: at.offset < bytes.count ? bytes[at.offset] : nil)
    }

    /// The position of the first byte that does not start a valid UTF-8 sequence (overlong forms,
    /// surrogates and code points past U+10FFFF included), or nil when all of `bytes` is valid.
    public static func firstInvalid(_ bytes: [UInt8]) -> Position? {
        var i = 0, line = 1, lineStart = 0
        while i < bytes.count {
            let n = sequenceLength(bytes, at: i)
            if n == 0 {
                let column = String(decoding: bytes[lineStart..<i], as: UTF8.self).count + 1
                return Position(offset: i, line: line, column: column)
            }
            if bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
            i += n
        }
        return nil
    }

    /// The length of the valid sequence starting at `i`, or 0 (RFC 3629's table of well-formed sequences).
    static func sequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        func cont(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool { i + k < b.count && range.contains(b[i + k]) }
        switch c {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0...0xBF) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80...0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90...0xBF) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80...0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
