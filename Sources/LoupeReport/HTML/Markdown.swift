import Foundation
import Ink

/// Hands out unique HTML ids within one page.
public struct IDAllocator: Sendable {
    private var used: Set<String> = []
    public init() {}

    public mutating func make(_ base: String) -> String {
        let stem = Escape.slug(base)
        var candidate = stem
        var n = 2
        while used.contains(candidate) { candidate = "\(stem)-\(n)"; n += 1 }
        used.insert(candidate)
        return candidate
    }
}

/// A heading found in rendered Markdown, for the table of contents.
public struct ReportHeading: Sendable, Equatable {
    public var level: Int
    public var text: String
    public var id: String
}

/// Markdown to safe HTML with Ink, headings given ids.
public enum MarkdownRenderer {
    public static func render(_ markdown: String, ids: inout IDAllocator) -> (html: String, headings: [ReportHeading]) {
        let raw = MarkdownParser().html(from: markdown)
        let safe = HTMLSanitizer.sanitize(raw)
        return addHeadingIDs(safe, ids: &ids)
    }

    /// Markdown that code produced (outputs, figure descriptions and footers) may hold model text:
    /// it gets Markdown formatting but no raw HTML, so `<img ...>` in a prompt reads as text. Each `<`
    /// travels through Ink as a private-use character and comes back as `&lt;`.
    public static func render(_ markdown: String) -> String {
        let placeholder: Character = "\u{E000}"
        let hidden = markdown.replacingOccurrences(of: String(placeholder), with: "").replacingOccurrences(of: "<", with: String(placeholder))
        let html = MarkdownParser().html(from: hidden).replacingOccurrences(of: String(placeholder), with: "&lt;")
        return HTMLSanitizer.sanitize(html)
    }

    static func addHeadingIDs(_ html: String, ids: inout IDAllocator) -> (html: String, headings: [ReportHeading]) {
        var out = ""
        var headings: [ReportHeading] = []
        var rest = Substring(html)
        while let open = rest.range(of: "<h") {
            let afterH = rest[open.upperBound...]
            guard let levelChar = afterH.first, let level = levelChar.wholeNumberValue, (1...6).contains(level),
                  afterH.dropFirst().first == ">",
                  let close = afterH.range(of: "</h\(level)>") else {
                out += rest[..<open.upperBound]
                rest = afterH
                continue
            }
            let inner = afterH[afterH.index(afterH.startIndex, offsetBy: 2)..<close.lowerBound]
            let text = plainText(String(inner))
            let id = ids.make(text)
            out += rest[..<open.lowerBound]
            out += "<h\(level) id=\"\(id)\">\(inner)<a class=\"anchor\" href=\"#\(id)\" aria-label=\"link to this section\">#</a></h\(level)>"
            headings.append(ReportHeading(level: level, text: text, id: id))
            rest = afterH[close.upperBound...]
        }
        out += rest
        return (out, headings)
    }

    /// Tag-free, entity-decoded text of an HTML fragment.
    static func plainText(_ html: String) -> String {
        var out = ""
        var inTag = false
        for ch in html {
            if ch == "<" { inTag = true } else if ch == ">" { inTag = false } else if !inTag { out.append(ch) }
        }
        return HTMLSanitizer.decodeEntities(out).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
