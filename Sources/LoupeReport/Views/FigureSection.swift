import LoupeNotebook
import Foundation

/// `figure(plot, title=, description=, footer=)`: a titled section with a Markdown
/// description above the plot and a small footer below, shown as one output.
public enum FigureSection {
    static let marker = "<section class=\"loupe-figure-section\""

    /// The plot as a complete SVG document.
    public static func make(svg: String, title: String, description: String = "", footer: String = "") -> CellOutput {
        let body = "<div class=\"loupe-figure-plot\">" + SVGInline.html(svg, prefix: "fs-\(idSuffix(svg))", alt: title) + "</div>"
        return .view(html: html(title: title, description: description, footer: footer, body: body),
                     fallbackSVG: svg, title: title)
    }

    /// The plot as an interactive view (`CellOutput.view`); other outputs are returned unchanged.
    public static func make(view: CellOutput, title: String, description: String = "", footer: String = "") -> CellOutput {
        guard case let .view(inner, fallback, _) = view else { return view }
        let body = "<div class=\"loupe-figure-plot\">" + inner + "</div>"
        return .view(html: html(title: title, description: description, footer: footer, body: body),
                     fallbackSVG: fallback, title: title)
    }

    static func html(title: String, description: String, footer: String, body: String) -> String {
        var s = marker + ">"
        if !title.isEmpty { s += "<h3 class=\"loupe-figure-title\">\(Escape.html(title))</h3>" }
        let desc = dedent(description)
        if !desc.isEmpty { s += "<div class=\"loupe-figure-description markdown\">\(MarkdownRenderer.render(desc))</div>" }
        s += body
        let foot = dedent(footer)
        if !foot.isEmpty { s += "<div class=\"loupe-figure-footer markdown\">\(MarkdownRenderer.render(foot))</div>" }
        return s + "</section>" + ReportAssets.block("views.css")
    }

    /// Triple-quoted descriptions arrive indented like the code around them; Markdown
    /// would read four spaces as a code block, so the common indentation goes.
    static func dedent(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let indents = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix(while: { $0 == " " || $0 == "\t" }).count }
        let common = indents.min() ?? 0
        return lines.map { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "" : String($0.dropFirst(common)) }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func idSuffix(_ s: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in s.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return String(hash & 0xFFFFFF, radix: 16)
    }
}
