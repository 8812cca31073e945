import Foundation
import LoupeFormats

// The percent format of jupytext and VS Code:
//
//     # %% [markdown]                     <- Markdown cell; its lines are prefixed "# " (or a bare "#")
//     # # A heading
//     #
//     # Some text.
//
//     # %% Optional title tags=["parameters"]   <- code cell with a title and metadata (key=JSON)
//     n = 3
//
// A marker is a line starting with "# %%" (or "#%%"); after it come an optional title, an optional
// cell type in brackets ([markdown], [md], [raw]) and optional key=value metadata whose values are
// JSON. Text before the first marker is a code cell too, except a jupytext YAML header (commented
// lines from "# ---" to "# ---" at the very top), which is kept as the document's header. Blank
// lines around a cell's body are not part of it (the writer puts one blank line between cells).

extension NotebookDocument {
    /// Parses a percent-format script. Never fails: any text is a valid script.
    public init(percent text: String, path: String) {
        // "\r\n" is one Character in Swift, so normalise line ends before splitting.
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        var cells: [NotebookCell] = []
        var header: PercentMarker? = nil      // nil: the text before the first marker
        var body: [Substring] = []
        let yaml = Self.yamlHeaderLength(lines)
        var bodyStart = yaml + 1

        func flush() {
            guard let cell = Self.makeCell(marker: header, lines: body, firstLine: bodyStart) else { return }
            cells.append(cell)
        }
        for (i, line) in lines.enumerated() where i >= yaml {
            if let marker = PercentMarker(line: line) {
                flush()
                header = marker
                body = []
                bodyStart = i + 2
            } else {
                body.append(line)
            }
        }
        flush()
        let yamlText = yaml > 0 ? lines[..<yaml].joined(separator: "\n") : nil
        self.init(path: path, format: .percent, cells: cells, header: yamlText)
    }

    /// How many lines at the top form a jupytext YAML header ("# ---" … "# ---"), 0 if there is none.
    private static func yamlHeaderLength(_ lines: [Substring]) -> Int {
        guard lines.first == "# ---" else { return 0 }
        for i in 1..<lines.count {
            if lines[i] == "# ---" { return i + 1 }
            if !lines[i].hasPrefix("#") { return 0 }
        }
        return 0
    }

    /// The percent-format text of the document (the inverse of `init(percent:path:)`).
    public func percentText() -> String {
        var blocks: [String] = []
        for cell in cells {
            var marker = "# %%"
            if let title = cell.title, !title.isEmpty { marker += " " + title }
            switch cell.kind {
            case .code: break
            case .markdown: marker += " [markdown]"
            case .raw: marker += " [raw]"
            }
            if !cell.tags.isEmpty { marker += " tags=" + Self.jsonStringArray(cell.tags) }
            var block = marker
            if !cell.source.isEmpty {
                let body = cell.source.split(separator: "\n", omittingEmptySubsequences: false)
                for line in body {
                    switch cell.kind {
                    case .code: block += "\n" + line
                    case .markdown, .raw: block += line.isEmpty ? "\n#" : "\n# " + line
                    }
                }
            }
            blocks.append(block)
        }
        if let header { blocks.insert(header, at: 0) }
        return blocks.joined(separator: "\n\n") + (blocks.isEmpty ? "" : "\n")
    }

    private static func makeCell(marker: PercentMarker?, lines: [Substring], firstLine: Int) -> NotebookCell? {
        var start = 0, end = lines.count
        while start < end, lines[start].allSatisfy(\.isWhitespace) { start += 1 }
        while end > start, lines[end - 1].allSatisfy(\.isWhitespace) { end -= 1 }
        let kind = marker?.kind ?? .code
        // An empty preamble is no cell; an empty cell after a marker is kept (the author wrote it).
        if marker == nil && start == end { return nil }
        let body = lines[start..<end].map { line -> Substring in
            kind == .code ? line : Self.uncomment(line)
        }
        return NotebookCell(kind: kind, source: body.joined(separator: "\n"), title: marker?.title,
                            tags: marker?.tags ?? [], firstLine: firstLine + start)
    }

    /// "# text" -> "text", "#" -> "", anything else unchanged (jupytext is as lenient).
    private static func uncomment(_ line: Substring) -> Substring {
        if line.hasPrefix("# ") { return line.dropFirst(2) }
        if line == "#" { return "" }
        return line
    }

    static func jsonStringArray(_ items: [String]) -> String {
        "[" + items.map { JSONValue.quoted($0) }.joined(separator: ", ") + "]"
    }
}

/// The parsed "# %% title [type] key=value" line.
struct PercentMarker {
    var title: String?
    var kind: NotebookCell.Kind = .code
    var tags: [String] = []

    init?(line: Substring) {
        var rest: Substring
        if line.hasPrefix("# %%") {
            rest = line.dropFirst(4)
        } else if line.hasPrefix("#%%") {
            rest = line.dropFirst(3)
        } else {
            return nil
        }
        // "# %%%" and "# %%foo" are not markers.
        if let first = rest.first, !first.isWhitespace { return nil }
        rest = rest.drop(while: \.isWhitespace)

        // Metadata starts at the first `identifier=` that follows a space (or the start).
        var metadata: Substring = ""
        if let range = PercentMarker.metadataStart(in: rest) {
            metadata = rest[range.lowerBound...]
            rest = rest[..<range.lowerBound]
        }
        for (name, kind) in [("[markdown]", NotebookCell.Kind.markdown), ("[md]", .markdown), ("[raw]", .raw)] {
            if let r = rest.range(of: name) {
                self.kind = kind
                rest = rest[..<r.lowerBound] + rest[r.upperBound...]
                break
            }
        }
        let title = rest.trimmingCharacters(in: .whitespaces)
        self.title = title.isEmpty ? nil : title
        self.tags = PercentMarker.parseTags(metadata)
    }

    private static func metadataStart(in s: Substring) -> Range<Substring.Index>? {
        var i = s.startIndex
        while i < s.endIndex {
            let atWordStart = i == s.startIndex || s[s.index(before: i)] == " "
            if atWordStart, s[i].isLetter || s[i] == "_" {
                var j = i
                while j < s.endIndex, s[j].isLetter || s[j].isNumber || s[j] == "_" || s[j] == "-" { j = s.index(after: j) }
                if j < s.endIndex, s[j] == "=" { return i..<j }
            }
            i = s.index(after: i)
        }
        return nil
    }

    /// Reads `tags=[...]` out of `key=JSON key=JSON ...`; other keys are ignored.
    private static func parseTags(_ metadata: Substring) -> [String] {
        guard let r = metadata.range(of: "tags=") else { return [] }
        let after = metadata[r.upperBound...]
        guard after.first == "[", let close = after.firstIndex(of: "]") else { return [] }
        let json = String(after[...close])
        guard let value = (try? JSONValue.parse(json, options: .ordered))?.array else { return [] }
        return value.compactMap(\.string)
    }
}
