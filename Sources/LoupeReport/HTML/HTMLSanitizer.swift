import Foundation

/// Keeps the harmless part of HTML that Markdown may carry (Ink passes raw HTML through, and notebooks
/// use it: `<div style=…><img src=…></div>`), and turns everything else into visible text: scripts,
/// event-handler attributes, `javascript:` URLs, unknown tags. Like Jupyter, authors may format; nothing
/// may run.
public enum HTMLSanitizer {
    static let allowedTags: Set<String> = [
        "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "dd", "del", "details", "div", "dl",
        "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
        "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    ]
    static let allowedAttributes: Set<String> = [
        "href", "src", "alt", "title", "class", "style", "align", "width", "height", "colspan", "rowspan",
        "open", "start", "lang", "dir",
    ]

    public static func sanitize(_ html: String) -> String {
        let chars = Array(html.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "<" {
                if let (tag, end) = parseTag(chars, from: i) {
                    if let safe = rebuild(tag) { out.append(contentsOf: safe.unicodeScalars) }
                    else { out.append(contentsOf: Escape.html(String(String.UnicodeScalarView(chars[i..<end]))).unicodeScalars) }
                    i = end
                    continue
                }
                if i + 3 < chars.count, chars[i + 1] == "!", chars[i + 2] == "-", chars[i + 3] == "-" {
                    // A comment: drop it whole (it could hide conditional markup).
                    var j = i + 4
                    while j + 2 < chars.count, !(chars[j] == "-" && chars[j + 1] == "-" && chars[j + 2] == ">") { j += 1 }
                    i = min(chars.count, j + 3)
                    continue
                }
                out.append(contentsOf: "&lt;".unicodeScalars)
            } else if c == ">" {
                out.append(contentsOf: "&gt;".unicodeScalars)
            } else {
                out.append(c)
            }
            i += 1
        }
        return String(out)
    }

    struct Tag {
        var name: String
        var closing: Bool
        var selfClosing: Bool
        var attributes: [(String, String?)]
    }

    /// Parses `<name attr="v" ...>` or `</name>` starting at `start`; nil if it isn't a well-formed tag.
    static func parseTag(_ c: [Unicode.Scalar], from start: Int) -> (Tag, Int)? {
        var i = start + 1
        var closing = false
        if i < c.count, c[i] == "/" { closing = true; i += 1 }
        let nameStart = i
        while i < c.count, c[i].properties.isAlphabetic || (c[i] >= "0" && c[i] <= "9") { i += 1 }
        guard i > nameStart, c[nameStart].properties.isAlphabetic else { return nil }
        let name = String(String.UnicodeScalarView(c[nameStart..<i])).lowercased()
        var attributes: [(String, String?)] = []
        var selfClosing = false
        while i < c.count {
            while i < c.count, c[i].properties.isWhitespace { i += 1 }
            guard i < c.count else { return nil }
            if c[i] == ">" { return (Tag(name: name, closing: closing, selfClosing: selfClosing, attributes: attributes), i + 1) }
            if c[i] == "/" { selfClosing = true; i += 1; continue }
            if c[i] == "<" { return nil }
            let attrStart = i
            while i < c.count, !c[i].properties.isWhitespace, c[i] != "=", c[i] != ">", c[i] != "/", c[i] != "<" { i += 1 }
            guard i > attrStart else { return nil }
            let attrName = String(String.UnicodeScalarView(c[attrStart..<i])).lowercased()
            while i < c.count, c[i].properties.isWhitespace { i += 1 }
            var value: String? = nil
            if i < c.count, c[i] == "=" {
                i += 1
                while i < c.count, c[i].properties.isWhitespace { i += 1 }
                guard i < c.count else { return nil }
                if c[i] == "\"" || c[i] == "'" {
                    let quote = c[i]
                    i += 1
                    let vStart = i
                    while i < c.count, c[i] != quote { i += 1 }
                    guard i < c.count else { return nil }
                    value = String(String.UnicodeScalarView(c[vStart..<i]))
                    i += 1
                } else {
                    let vStart = i
                    while i < c.count, !c[i].properties.isWhitespace, c[i] != ">" { i += 1 }
                    value = String(String.UnicodeScalarView(c[vStart..<i]))
                }
            }
            attributes.append((attrName, value))
        }
        return nil
    }

    static func rebuild(_ tag: Tag) -> String? {
        guard allowedTags.contains(tag.name) else { return nil }
        if tag.closing { return "</\(tag.name)>" }
        var s = "<" + tag.name
        for (name, value) in tag.attributes {
            guard allowedAttributes.contains(name) else { continue }
            guard let raw = value else { s += " \(name)"; continue }
            let decoded = decodeEntities(raw)
            if name == "href" || name == "src" {
                guard isSafeURL(decoded, isImage: name == "src") else { continue }
            }
            if name == "style" {
                let lower = decoded.lowercased()
                if lower.contains("url(") || lower.contains("expression") || lower.contains("@import") { continue }
            }
            s += " \(name)=\"\(Escape.html(decoded))\""
        }
        if tag.name == "a" { s += " rel=\"noopener noreferrer\"" }
        return s + (tag.selfClosing ? " />" : ">")
    }

    /// Relative URLs, fragments, http(s), mailto; for images also data:image/png|jpeg|gif|webp.
    static func isSafeURL(_ url: String, isImage: Bool) -> Bool {
        let compact = String(String.UnicodeScalarView(url.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F })).lowercased()
        guard let colon = compact.firstIndex(of: ":") else { return true }
        let scheme = compact[..<colon]
        if scheme.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { return true }
        if ["http", "https", "mailto"].contains(String(scheme)) { return true }
        if isImage, scheme == "data" {
            let rest = compact[compact.index(after: colon)...]
            return ["image/png", "image/jpeg", "image/gif", "image/webp"].contains { rest.hasPrefix($0) }
        }
        return false
    }

    /// Decodes the entities an attacker could use to hide a scheme (`&#106;avascript:`), and the basic
    /// named ones; the result is re-escaped on output.
    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "colon": ":",
                                       "tab": "\t", "newline": "\n", "nbsp": "\u{A0}"]
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.firstIndex(of: ";"), after.distance(from: after.startIndex, to: semi) <= 10 {
                let body = String(after[..<semi])
                var decoded: String? = named[body.lowercased()]
                if body.hasPrefix("#x") || body.hasPrefix("#X"), let v = UInt32(body.dropFirst(2), radix: 16) {
                    decoded = Unicode.Scalar(v).map { String($0) } ?? ""
                } else if body.hasPrefix("#"), let v = UInt32(body.dropFirst()) {
                    decoded = Unicode.Scalar(v).map { String($0) } ?? ""
                }
                if let decoded {
                    out += decoded
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        return out + rest
    }
}
