import Foundation

/// Python's backslash escapes, decoded in one place for string literals and for the literal text of
/// f-strings (never inside their `{…}` fields): `\\ \' \" \a \b \f \n \r \t \v`, octal `\o` to `\ooo` (so
/// `\0`), `\xhh`, `\uXXXX`, `\UXXXXXXXX`, `\N{NAME}`, and a backslash before a line break, which joins
/// the lines (both vanish). Any other `\c` stays as written, backslash included, as in Python.
public enum StringEscapes {
    /// A malformed escape; `offset` is the index of its backslash in the decoded characters.
    public struct Failure: Error, Sendable {
        public var message: String
        public var offset: Int
    }

    /// Decodes `chars`; a failure's offset is an index of `chars` (a slice keeps its base's indices).
    public static func decode(_ chars: ArraySlice<Character>) throws(Failure) -> String {
        var out = ""
        var i = chars.startIndex
        while i < chars.endIndex {
            let c = chars[i]
            guard c == "\\", i + 1 < chars.endIndex else {
                out.append(c)
                i += 1
                continue
            }
            let backslash = i
            let e = chars[i + 1]
            i += 2
            switch e {
            case "\\", "'", "\"": out.append(e)
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "\n", "\r\n", "\r": break  // line continuation
            case "x", "u", "U":
                let width = e == "x" ? 2 : e == "u" ? 4 : 8
                var value: UInt32 = 0
                for k in 0..<width {
                    guard i + k < chars.endIndex, let d = hexValue(chars[i + k]) else {
                        let digits = String(repeating: e == "x" ? "h" : "X", count: width)
                        throw Failure(message: "truncated `\\\(e)\(digits)` escape: `\\\(e)` takes exactly \(width) hex digits",
                                      offset: backslash)
                    }
                    value = value << 4 | d
                }
                i += width
                out.unicodeScalars.append(try scalar(value, spelled: String(chars[backslash..<i]), at: backslash))
            case "N":
                guard i < chars.endIndex, chars[i] == "{",
                      let close = chars[i...].firstIndex(of: "}"), close > i + 1 else {
                    throw Failure(message: "malformed `\\N` escape: write `\\N{NAME}` with a Unicode character name",
                                  offset: backslash)
                }
                let name = String(chars[(i + 1)..<close])
                guard let s = scalar(named: name) else {
                    throw Failure(message: "unknown Unicode character name `\(name)` in `\\N{…}`", offset: backslash)
                }
                out.unicodeScalars.append(s)
                i = close + 1
            default:
                if let first = octalValue(e) {
                    var value = first
                    var k = 0
                    while k < 2, i < chars.endIndex, let d = octalValue(chars[i]) { value = value << 3 | d; i += 1; k += 1 }
                    out.unicodeScalars.append(try scalar(value, spelled: String(chars[backslash..<i]), at: backslash))
                } else {
                    out.append("\\")
                    out.append(e)
                }
            }
        }
        return out
    }

    /// Line and column of `chars[offset]`, given that `chars[chars.startIndex]` sits at `start`.
    public static func position(of offset: Int, in chars: ArraySlice<Character>,
                                from start: (line: Int, column: Int)) -> (line: Int, column: Int) {
        var (line, column) = start
        for c in chars[chars.startIndex..<min(offset, chars.endIndex)] {
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    private static func scalar(_ value: UInt32, spelled: String, at offset: Int) throws(Failure) -> Unicode.Scalar {
        if (0xD800...0xDFFF).contains(value) {
            throw Failure(message: "`\(spelled)` is a surrogate code point, which cannot stand alone in a string",
                          offset: offset)
        }
        guard let s = Unicode.Scalar(value) else {
            throw Failure(message: "`\(spelled)` is past the last Unicode code point U+10FFFF", offset: offset)
        }
        return s
    }

    /// The character with this Unicode name or name alias, compared ignoring case as Python does.
    static func scalar(named name: String) -> Unicode.Scalar? {
        let wanted = name.uppercased()
        guard !wanted.isEmpty else { return nil }
        // planes 0-3 and 14 hold every named character; 4-13 are unassigned, 15-16 private use
        for range in [UInt32(0)..<0x40000, 0xE0000..<0xF0000] {
            for value in range {
                guard let s = Unicode.Scalar(value) else { continue }
                if s.properties.name == wanted || s.properties.nameAlias == wanted { return s }
            }
        }
        return nil
    }

    private static func hexValue(_ c: Character) -> UInt32? {
        guard let a = c.asciiValue else { return nil }
        switch a {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(a - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(a - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(a - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func octalValue(_ c: Character) -> UInt32? {
        guard let a = c.asciiValue, a >= UInt8(ascii: "0"), a <= UInt8(ascii: "7") else { return nil }
        return UInt32(a - UInt8(ascii: "0"))
    }
}
