import Foundation

/// Escaping for every place report text can land. Anything that came from a model, a file or a user
/// goes through one of these before it touches markup.
public enum Escape {
    /// Text content and attribute values: `&`, `<`, `>`, `"`, `'` become entities. Control characters
    /// other than tab/newline/CR become visible `\xNN` escapes (XML 1.0 forbids most C0 controls even as
    /// references), and the noncharacters U+FFFE/U+FFFF become U+FFFD, so none can confuse a parser.
    public static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if let entity = entities[scalar] {
                out += entity
            } else if isControl(scalar) {
                out += String(format: "\\x%02X", scalar.value)
            } else {
                out.unicodeScalars.append(scalar.value == 0xFFFE || scalar.value == 0xFFFF ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }

    /// The characters markup gives a meaning to, and the entity that stands for each.
    private static let entities: [Unicode.Scalar: String] = [
        "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;",
    ]

    /// C0 controls (but tab, newline and carriage return) and DEL.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || scalar.value == 0x7F
    }

    /// JSON placed inside `<script type="application/json">` or a JS literal: a JSON string is already
    /// valid, but `<`, `>`, `&` and the JS line separators must not appear raw, or `</script>` and
    /// `<!--` could end or confuse the script element.
    public static func jsonForScript(_ json: String) -> String {
        // Works on UTF-8 bytes, copying runs: view data can be tens of megabytes.
        var out = [UInt8]()
        out.reserveCapacity(json.utf8.count + 64)
        let bytes = Array(json.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x3C: out += Array("\\u003c".utf8)
            case 0x3E: out += Array("\\u003e".utf8)
            case 0x26: out += Array("\\u0026".utf8)
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                out += Array((bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                i += 2
            default: out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A string usable as an HTML id / URL fragment: lowercase letters, digits and dashes.
    public static func slug(_ text: String) -> String {
        var out = ""
        var lastDash = true
        for ch in text.lowercased().unicodeScalars {
            if (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") {
                out.unicodeScalars.append(ch)
                lastDash = false
            } else if !lastDash {
                out += "-"
                lastDash = true
            }
            if out.count >= 48 { break }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "section" : out
    }
}
