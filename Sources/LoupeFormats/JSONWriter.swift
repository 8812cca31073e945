import Foundation

// JSON text out (RFC 8259). Strings escape '"', '\\', \n \r \t, other bytes below 0x20 as \u00xx
// (lower-case hex; \b and \f optionally short), and optionally '/' and DEL; everything else is written as
// UTF-8. Numbers: integers as decimal; doubles as Swift's shortest round-trip digits ("0.1", "1e-07",
// "1e+20"), an integral double either keeping ".0", without it, or (below 1e15) as integer digits; NaN and
// infinities become null. The same value and style always give the same bytes (golden files, stable
// .ipynb diffs).

/// How JSON text is laid out. Start from one of the presets and set the fields that differ.
public struct JSONWriteStyle: Sendable, Equatable {
    /// Spaces per nesting level, one member per line; nil writes everything on one line.
    public var indent: Int? = nil
    /// Between a key and its value when indented: ": " or " : ".
    public var colon = ": "
    /// Object keys in the order Foundation's `.sortedKeys` gives (numeric-aware, case-insensitive, in the
    /// system locale) instead of their stored order.
    public var sortsKeys = false
    /// An empty array or object, when indented, opens and closes on separate lines with a blank line
    /// between ("[\n\n  ]"), as Foundation's pretty printer writes them; otherwise "[]" and "{}".
    public var breaksEmptyContainers = false
    /// A double with an integral value keeps its ".0" (so it reads back as a double).
    public var keepsIntegralFraction = false
    /// A double with an integral value below 1e15 in magnitude written as integer digits ("3", "0" for -0),
    /// as JavaScript writes numbers; larger integral doubles follow `keepsIntegralFraction`.
    public var writesIntegralDoublesAsIntegers = false
    /// '/' written as "\/".
    public var escapesSlash = false
    /// DEL (0x7F) written as "\u007f".
    public var escapesDelete = false
    /// Backspace and form feed written as "\b" and "\f" rather than "\u0008" and "\u000c".
    public var shortControlEscapes = false

    /// One line, keys in stored order, doubles that read back as doubles.
    public static let compact = JSONWriteStyle(keepsIntegralFraction: true)
    /// One line, keys sorted, integral doubles without ".0": Foundation's `.sortedKeys` output.
    public static let sortedCompact = JSONWriteStyle(sortsKeys: true, shortControlEscapes: true)
    /// Two-space indent, "key" : value, keys sorted: Foundation's `[.prettyPrinted, .sortedKeys]` output.
    public static let sortedPretty = JSONWriteStyle(indent: 2, colon: " : ", sortsKeys: true, breaksEmptyContainers: true,
                                                    shortControlEscapes: true)
    /// Jupyter's layout: one-space indent, keys in stored order, DEL escaped.
    public static let notebook = JSONWriteStyle(indent: 1, escapesDelete: true)
    /// Data for a web page's scripts: one line, keys in stored order, integral numbers as integers (as
    /// JavaScript writes them), DEL escaped.
    public static let script = JSONWriteStyle(keepsIntegralFraction: true, writesIntegralDoublesAsIntegers: true,
                                              escapesDelete: true)
}

extension JSONValue {
    /// JSON text in `style`.
    public func serialized(_ style: JSONWriteStyle = .compact) -> String {
        var out = ""
        JSONWriter(style: style).write(self, into: &out, level: 0)
        return out
    }

    /// `text` as a JSON string literal, quotes included.
    public static func quoted(_ text: String, style: JSONWriteStyle = .compact) -> String {
        var out = ""
        JSONWriter(style: style).writeString(text, into: &out)
        return out
    }
}

struct JSONWriter {
    let style: JSONWriteStyle

    func write(_ value: JSONValue, into out: inout String, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += format(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out += "["
            writeMembers(count: items.count, into: &out, level: level) { i, out in
                write(items[i], into: &out, level: level + 1)
            }
            out += "]"
        case .object(let object):
            let order = style.sortsKeys ? JSONWriter.sortedIndices(object.keys) : Array(object.keys.indices)
            out += "{"
            writeMembers(count: order.count, into: &out, level: level) { i, out in
                writeString(object.keys[order[i]], into: &out)
                out += style.indent == nil ? ":" : style.colon
                write(object.items[order[i]], into: &out, level: level + 1)
            }
            out += "}"
        }
    }

    /// The members between the brackets: separated by commas, each on its own indented line when indenting.
    private func writeMembers(count: Int, into out: inout String, level: Int, _ member: (Int, inout String) -> Void) {
        guard let indent = style.indent else {
            for i in 0..<count {
                if i > 0 { out += "," }
                member(i, &out)
            }
            return
        }
        let inner = "\n" + String(repeating: " ", count: indent * (level + 1))
        let outer = "\n" + String(repeating: " ", count: indent * level)
        if count == 0 {
            if style.breaksEmptyContainers { out += "\n" + outer }
            return
        }
        for i in 0..<count {
            if i > 0 { out += "," }
            out += inner
            member(i, &out)
        }
        out += outer
    }

    func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if style.writesIntegralDoublesAsIntegers, d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        let text = d.description
        return !style.keepsIntegralFraction && text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    func writeString(_ s: String, into out: inout String) {
        out += "\""
        // Nothing to escape is the common case (tokens, base64 data).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x2F || $0 == 0x7F }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += style.escapesSlash ? "\\/" : "/"
            case "\u{08}" where style.shortControlEscapes: out += "\\b"
            case "\u{0C}" where style.shortControlEscapes: out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (scalar.value == 0x7F && style.escapesDelete) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Indices of `keys` in Foundation's sorted-keys order.
    static func sortedIndices(_ keys: [String]) -> [Int] {
        let locale = NSLocale.system
        return keys.indices.sorted { a, b in
            keys[a].compare(keys[b], options: [.numeric, .caseInsensitive, .forcedOrdering],
                            range: keys[a].startIndex..<keys[a].endIndex, locale: locale) == .orderedAscending
        }
    }
}
