import Foundation

/// Puts a complete SVG document inside an HTML page: drops the XML prolog and doctype, gives every
/// `id` a page-unique prefix (two figures each defining `clip0` would otherwise clip each other), and
/// embeds anything that could run script as an `<img>` data URL, where SVG script never runs.
public enum SVGInline {
    public static func html(_ svg: String, prefix: String, alt: String) -> String {
        var body = stripProlog(svg)
        if looksActive(body) {
            let data = Data(body.utf8).base64EncodedString()
            return "<img class=\"loupe-svg-img\" alt=\"\(Escape.html(alt))\" src=\"data:image/svg+xml;base64,\(data)\">"
        }
        body = prefixIDs(body, prefix: prefix)
        return body
    }

    static func stripProlog(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return Escape.html(svg) }
        return String(svg[start.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Script elements, foreignObject, and event-handler attributes or javascript: URLs inside tags
    /// (text between tags is escaped, so it may say anything).
    static func looksActive(_ svg: String) -> Bool {
        let lower = svg.lowercased()
        if lower.contains("<script") || lower.contains("<foreignobject") { return true }
        let s = Array(lower.unicodeScalars)
        var i = 0
        var inTag = false
        var quote: Unicode.Scalar? = nil
        while i < s.count {
            let c = s[i]
            if !inTag {
                if c == "<" { inTag = true }
            } else if let q = quote {
                if c == q { quote = nil }
                else if c == "j", i + 11 <= s.count,
                        String(String.UnicodeScalarView(s[i..<(i + 11)])) == "javascript:" { return true }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == ">" {
                inTag = false
            } else if c.properties.isWhitespace, i + 2 < s.count, s[i + 1] == "o", s[i + 2] == "n" {
                var j = i + 3
                while j < s.count, s[j] >= "a", s[j] <= "z" { j += 1 }
                while j < s.count, s[j].properties.isWhitespace { j += 1 }
                if j > i + 3, j < s.count, s[j] == "=" { return true }
            }
            i += 1
        }
        return false
    }

    /// `id="x"` -> `id="P-x"`, and `#x` references inside `url(#x)` / `href="#x"` likewise.
    static func prefixIDs(_ svg: String, prefix: String) -> String {
        var ids: [String] = []
        var search = svg[...]
        while let r = search.range(of: " id=\"") {
            let after = search[r.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            ids.append(String(after[..<end]))
            search = after[end...]
        }
        guard !ids.isEmpty else { return svg }
        var out = svg
        for id in Set(ids) {
            out = out.replacingOccurrences(of: " id=\"\(id)\"", with: " id=\"\(prefix)-\(id)\"")
            out = out.replacingOccurrences(of: "url(#\(id))", with: "url(#\(prefix)-\(id))")
            out = out.replacingOccurrences(of: "href=\"#\(id)\"", with: "href=\"#\(prefix)-\(id)\"")
        }
        return out
    }
}
