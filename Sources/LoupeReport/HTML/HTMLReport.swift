import LoupeNotebook
import Foundation

/// How `HTMLReport` renders.
public struct ReportOptions: Sendable {
    /// false hides every cell's code and prompt, like `jupyter nbconvert --no-input`.
    public var includeInput: Bool
    /// Show the table of contents (built from Markdown headings, cell titles and figure titles).
    public var includeTableOfContents: Bool
    /// Footer timestamp; nil keeps the output byte-for-byte deterministic.
    public var generatedAt: String?

    public init(includeInput: Bool = true, includeTableOfContents: Bool = true, generatedAt: String? = nil) {
        self.includeInput = includeInput
        self.includeTableOfContents = includeTableOfContents
        self.generatedAt = generatedAt
    }
}

/// An executed notebook as one self-contained HTML page: every style, script, picture and datum
/// inlined, nothing fetched, so it opens from file:// offline and keeps working forever.
public enum HTMLReport {
    public static func render(_ doc: ReportDocument, options: ReportOptions = ReportOptions()) -> String {
        var doc = doc
        if doc.title.trimmingCharacters(in: .whitespaces).isEmpty {
            doc.title = doc.sourcePath.isEmpty ? "Loupe report" : URL(fileURLWithPath: doc.sourcePath).deletingPathExtension().lastPathComponent
        }
        var ids = IDAllocator()
        for reserved in ["loupe-toc", "loupe-main", "loupe-script-errors", "loupe-status", "top"] { _ = ids.make(reserved) }
        var toc: [ReportHeading] = []
        var cellsHTML = ""
        var failed: [(Int, String)] = []
        var hasViews = false

        for (index, cell) in doc.cells.enumerated() {
            switch cell.kind {
            case .markdown:
                var (html, headings) = MarkdownRenderer.render(cell.source, ids: &ids)
                // A notebook that opens with its own title as a heading: the page header shows it once.
                if index == 0, let first = headings.first, first.level == 1,
                   first.text == doc.title.trimmingCharacters(in: .whitespaces),
                   let open = html.range(of: "<h1 id=\"\(first.id)\">"),
                   let close = html.range(of: "</h1>", range: open.upperBound..<html.endIndex) {
                    html.removeSubrange(open.lowerBound..<close.upperBound)
                    headings[0].id = "top"
                }
                toc += headings.filter { $0.level <= 3 }
                cellsHTML += "<section class=\"cell cell-markdown markdown\">\(html)</section>\n"
            case .code:
                let rendered = renderCode(cell, index: index, options: options, ids: &ids, toc: &toc)
                if rendered.failed { failed.append((index, rendered.id)) }
                hasViews = hasViews || rendered.hasViews
                cellsHTML += rendered.html
            }
        }

        var s = "<!DOCTYPE html>\n<html lang=\"en\" data-theme=\"auto\">\n<head>\n<meta charset=\"utf-8\">\n"
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        s += "<meta name=\"generator\" content=\"Loupe \(Escape.html(doc.loupeVersion))\">\n"
        s += "<title>\(Escape.html(doc.title))</title>\n"
        s += "<script>\(ReportAssets.text("report-early.js"))</script>\n"
        s += "<style>\(ReportAssets.text("report.css"))</style>\n"
        if hasViews { s += ReportAssets.block("views.css") + "\n" }
        s += "<noscript><style>.loupe-page[hidden]{display:table-row-group}.loupe-theme-toggle{display:none}</style></noscript>\n"
        s += "</head>\n<body>\n<div class=\"loupe-layout\(options.includeTableOfContents && !toc.isEmpty ? " has-toc" : "")\">\n"
        if options.includeTableOfContents && !toc.isEmpty { s += tableOfContents(toc) }
        s += "<main class=\"loupe-main\" id=\"loupe-main\">\n"
        s += header(doc, failed: failed)
        s += "<div id=\"loupe-script-errors\" class=\"loupe-script-errors\" role=\"alert\" hidden><strong>Script error in this page</strong></div>\n"
        s += cellsHTML
        s += footer(doc, options: options)
        s += "</main>\n</div>\n"
        s += "<script>\(ReportAssets.text("report.js"))</script>\n"
        s += "</body>\n</html>\n"
        return ReportAssets.deduplicate(s)
    }

    struct RenderedCell { var html: String; var id: String; var failed: Bool; var hasViews: Bool }

    static func renderCode(_ cell: ReportCell, index: Int, options: ReportOptions, ids: inout IDAllocator,
                           toc: inout [ReportHeading]) -> RenderedCell {
        let id = ids.make(cell.title ?? "cell-\(index + 1)")
        if let title = cell.title { toc.append(ReportHeading(level: 3, text: title, id: id)) }
        var failed = false
        var hasViews = false
        var outputs = ""
        for (n, output) in cell.outputs.enumerated() {
            switch output {
            case .stream(let text):
                outputs += "<pre class=\"out out-stream\">\(Escape.html(text))</pre>\n"
            case .value(let text):
                outputs += "<pre class=\"out out-value\">\(Escape.html(text))</pre>\n"
            case let .figure(svg, name):
                let figureID = ids.make("figure-\(name)")
                outputs += "<figure class=\"out out-figure\" id=\"\(figureID)\">"
                    + SVGInline.html(svg, prefix: figureID, alt: name) + "</figure>\n"
            case let .view(html, _, title):
                hasViews = true
                let isSection = html.hasPrefix(FigureSection.marker)
                let viewID = ids.make(isSection ? title : "view-\(index + 1)-\(n + 1)")
                if isSection, !title.isEmpty { toc.append(ReportHeading(level: 3, text: title, id: viewID)) }
                outputs += "<div class=\"out out-view\" id=\"\(viewID)\">\(uniqueViewIDs(html, ids: &ids))</div>\n"
            case let .table(columns, rows, totalRows):
                outputs += "<div class=\"out out-table\">\(TableRenderer.html(columns: columns, rows: rows, totalRows: totalRows))</div>\n"
            case .markdown(let text):
                outputs += "<div class=\"out out-markdown markdown\">\(MarkdownRenderer.render(text))</div>\n"
            case let .error(message, detail):
                failed = true
                outputs += "<div class=\"out out-error\" role=\"alert\"><div class=\"error-message\">\(Escape.html(message))</div>"
                if !detail.isEmpty && detail != message { outputs += "<pre class=\"error-detail\">\(Escape.html(detail))</pre>" }
                outputs += "</div>\n"
            }
        }
        if !options.includeInput && outputs.isEmpty && cell.title == nil {
            return RenderedCell(html: "", id: id, failed: failed, hasViews: hasViews)
        }
        var s = "<section class=\"cell cell-code\(failed ? " cell-failed" : "")\" id=\"\(id)\">\n"
        if options.includeInput || cell.title != nil {
            s += "<div class=\"cell-head\">"
            if options.includeInput {
                s += "<span class=\"prompt\">In&nbsp;[\(cell.executionCount.map(String.init) ?? " ")]</span>"
            }
            if let title = cell.title { s += "<span class=\"cell-title\">\(Escape.html(title))</span>" }
            if options.includeInput, let seconds = cell.seconds { s += "<span class=\"cell-time\" title=\"time this cell took\">\(Escape.html(formatSeconds(seconds)))</span>" }
            s += "</div>\n"
        }
        if options.includeInput {
            s += "<div class=\"cell-input\"><pre class=\"code\"><code>\(SyntaxHighlighter.html(cell.source))</code></pre></div>\n"
        }
        if !outputs.isEmpty { s += "<div class=\"cell-outputs\">\n\(outputs)</div>\n" }
        s += "</section>\n"
        return RenderedCell(html: s, id: id, failed: failed, hasViews: hasViews)
    }

    /// Gives every `id="lv-…"` in a view fragment a page-unique value (the same view shown twice).
    static func uniqueViewIDs(_ html: String, ids: inout IDAllocator) -> String {
        var out = ""
        var rest = Substring(html)
        while let r = rest.range(of: " id=\"lv-") {
            let after = rest[r.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            let id = "lv-" + after[..<end]
            out += rest[..<r.lowerBound] + " id=\"" + ids.make(id)
            rest = after[end...]
        }
        return out + rest
    }

    static func tableOfContents(_ toc: [ReportHeading]) -> String {
        let base = toc.map(\.level).min() ?? 1
        var s = "<nav class=\"loupe-toc\" id=\"loupe-toc\" aria-label=\"Contents\"><div class=\"toc-title\">Contents</div><ul>\n"
        for h in toc {
            s += "<li class=\"toc-level-\(min(3, h.level - base + 1))\"><a href=\"#\(h.id)\">\(Escape.html(h.text))</a></li>\n"
        }
        return s + "</ul></nav>\n"
    }

    static func header(_ doc: ReportDocument, failed: [(Int, String)]) -> String {
        var s = "<header class=\"loupe-header\" id=\"top\">"
        s += "<button type=\"button\" class=\"loupe-theme-toggle\" title=\"Switch between automatic, light and dark theme\">◐ auto</button>"
        s += "<h1 class=\"loupe-title\">\(Escape.html(doc.title))</h1>"
        let codeCells = doc.cells.filter { $0.kind == .code }
        let total = codeCells.compactMap(\.seconds).reduce(0, +)
        var meta: [String] = []
        if !doc.sourcePath.isEmpty { meta.append("<span class=\"meta-source\">\(Escape.html(doc.sourcePath))</span>") }
        meta.append("\(codeCells.count) code cell\(codeCells.count == 1 ? "" : "s") · \(Escape.html(formatSeconds(total)))")
        if !doc.models.isEmpty { meta.append(doc.models.map(Escape.html).joined(separator: ", ")) }
        s += "<div class=\"loupe-meta\">" + meta.joined(separator: "<span class=\"sep\"> · </span>") + "</div>"
        if !failed.isEmpty {
            let links = failed.map { "<a href=\"#\($0.1)\">cell \($0.0 + 1)</a>" }.joined(separator: ", ")
            s += "<div class=\"loupe-failed-summary\">\(failed.count) cell\(failed.count == 1 ? "" : "s") failed: \(links)</div>"
        }
        if !doc.parameterList.isEmpty {
            s += "<table class=\"loupe-parameters\"><caption>Parameters</caption>"
            for p in doc.parameterList {
                s += "<tr><th>\(Escape.html(p.name))</th><td><code>\(Escape.html(p.value))</code></td></tr>"
            }
            s += "</table>"
        }
        return s + "</header>\n"
    }

    static func footer(_ doc: ReportDocument, options: ReportOptions) -> String {
        var s = "<footer class=\"loupe-footer\">"
        s += "<div>Made with <strong>Loupe \(Escape.html(doc.loupeVersion))</strong>"
        if !doc.sourcePath.isEmpty { s += " from <code>\(Escape.html(doc.sourcePath))</code>" }
        if let at = options.generatedAt { s += " on \(Escape.html(at))" }
        s += ".</div>"
        s += "<div>Model\(doc.models.count == 1 ? "" : "s"): "
            + (doc.models.isEmpty ? "none" : doc.models.map(Escape.html).joined(separator: ", ")) + "</div>"
        return s + "</footer>\n"
    }

    static func formatSeconds(_ s: Double) -> String {
        if s < 0.001 { return "<1 ms" }
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        if s < 60 { return String(format: "%.2f s", s) }
        let m = Int(s) / 60
        return "\(m) min \(Int(s) - m * 60) s"
    }
}
