import LoupeNotebook
import LoupeFormats
import Foundation

/// An executed notebook as nbformat 4.5 JSON (what Jupyter, VS Code and GitHub open): cell ids,
/// a "loupe" kernelspec and language_info, execution counts, and outputs as Jupyter would have
/// recorded them: `stream`, `execute_result` (text/plain), `display_data` (image/svg+xml, text/html,
/// text/markdown, each with a text/plain fallback) and `error` (ename, evalue, traceback).
public enum NotebookWriter {
    public static func ipynb(_ doc: ReportDocument) -> String {
        var usedIDs: Set<String> = []
        let cells = doc.cells.enumerated().map { index, cell in
            self.cell(cell, id: cellID(index: index, cell: cell, used: &usedIDs))
        }
        var loupeMeta: [(String, JSONValue)] = [("version", .string(doc.loupeVersion))]
        if !doc.sourcePath.isEmpty { loupeMeta.append(("source", .string(doc.sourcePath))) }
        if !doc.models.isEmpty { loupeMeta.append(("models", .array(doc.models.map { .string($0) }))) }
        if !doc.parameterList.isEmpty {
            loupeMeta.append(("parameters", .pairs(doc.parameterList.map { ($0.name, .string($0.value)) })))
        }
        let notebook = JSONValue.pairs([
            ("cells", .array(cells)),
            ("metadata", .pairs([
                ("kernelspec", .pairs([
                    ("display_name", "Loupe"), ("language", "loupe"), ("name", "loupe"),
                ])),
                ("language_info", .pairs([
                    ("codemirror_mode", "python"), ("file_extension", ".loupe"), ("mimetype", "text/x-loupe"),
                    ("name", "loupe"), ("pygments_lexer", "python3"), ("version", .string(doc.loupeVersion)),
                ])),
                ("loupe", .pairs(loupeMeta)),
                ("title", .string(doc.title)),
            ])),
            ("nbformat", 4),
            ("nbformat_minor", 5),
        ])
        return notebook.serialized(.notebook) + "\n"
    }

    /// Ids must match ^[a-zA-Z0-9-_]+$ and be unique; derived from position and source so they stay
    /// stable across re-runs of the same notebook.
    static func cellID(index: Int, cell: ReportCell, used: inout Set<String>) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in (cell.kind.rawValue + cell.source).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        var id = "cell-\(index + 1)-" + String(hash & 0xFFFFFFFF, radix: 16)
        while used.contains(id) { id += "x" }
        used.insert(id)
        return id
    }

    /// Jupyter's multi-line string form: a list of lines, each keeping its newline but the last.
    static func lines(_ text: String) -> JSONValue {
        var out: [JSONValue] = []
        var current = ""
        for ch in text {
            current.append(ch)
            if ch == "\n" { out.append(.string(current)); current = "" }
        }
        if !current.isEmpty { out.append(.string(current)) }
        return .array(out)
    }

    static func cell(_ cell: ReportCell, id: String) -> JSONValue {
        var metadata: [(String, JSONValue)] = []
        if !cell.tags.isEmpty { metadata.append(("tags", .array(cell.tags.map { .string($0) }))) }
        var loupe: [(String, JSONValue)] = []
        if let title = cell.title { loupe.append(("title", .string(title))) }
        if let seconds = cell.seconds { loupe.append(("seconds", .rounded(seconds, decimals: 4))) }
        if !loupe.isEmpty { metadata.append(("loupe", .pairs(loupe))) }
        switch cell.kind {
        case .markdown:
            return .pairs([("cell_type", "markdown"), ("id", .string(id)), ("metadata", .pairs(metadata)),
                            ("source", lines(cell.source))])
        case .code:
            return .pairs([
                ("cell_type", "code"),
                ("execution_count", cell.executionCount.map { .int($0) } ?? .null),
                ("id", .string(id)),
                ("metadata", .pairs(metadata)),
                ("outputs", .array(mergedStreams(cell.outputs).map { output($0, executionCount: cell.executionCount) })),
                ("source", lines(cell.source)),
            ])
        }
    }

    /// Jupyter records consecutive prints as one stream output.
    static func mergedStreams(_ outputs: [CellOutput]) -> [CellOutput] {
        var out: [CellOutput] = []
        for o in outputs {
            if case .stream(let b) = o, case .stream(let a)? = out.last {
                out[out.count - 1] = .stream(a.hasSuffix("\n") || a.isEmpty ? a + b : a + "\n" + b)
            } else {
                out.append(o)
            }
        }
        return out
    }

    public static func output(_ output: CellOutput, executionCount: Int?) -> JSONValue {
        func display(_ data: [(String, JSONValue)]) -> JSONValue {
            .pairs([("data", .pairs(data)), ("metadata", .pairs([])), ("output_type", "display_data")])
        }
        switch output {
        case .stream(let text):
            let t = text.hasSuffix("\n") ? text : text + "\n"
            return .pairs([("name", "stdout"), ("output_type", "stream"), ("text", lines(t))])
        case .value(let text):
            return .pairs([
                ("data", .pairs([("text/plain", lines(text))])),
                ("execution_count", executionCount.map { .int($0) } ?? .null),
                ("metadata", .pairs([])),
                ("output_type", "execute_result"),
            ])
        case let .figure(svg, name):
            return display([("image/svg+xml", lines(svg)), ("text/plain", lines("<Figure \(name)>"))])
        case let .view(html, fallbackSVG, title):
            return display([("image/svg+xml", lines(fallbackSVG)), ("text/html", lines(html)),
                            ("text/plain", lines("<\(title.isEmpty ? "View" : title)>"))])
        case let .table(columns, rows, totalRows):
            let html = TableRenderer.html(columns: columns, rows: rows, totalRows: totalRows, maxRows: TableRenderer.pageSize)
            return display([("text/html", lines(html)),
                            ("text/plain", lines(TableRenderer.text(columns: columns, rows: rows, totalRows: totalRows)))])
        case .markdown(let text):
            return display([("text/markdown", lines(text)), ("text/plain", lines(text))])
        case let .error(message, detail):
            let (ename, evalue) = splitErrorName(message)
            let traceback = (detail.isEmpty ? message : detail).split(separator: "\n", omittingEmptySubsequences: false).map { JSONValue.string(String($0)) }
            return .pairs([("ename", .string(ename)), ("evalue", .string(evalue)), ("output_type", "error"),
                            ("traceback", .array(traceback))])
        }
    }

    /// "NameError: name 'x' is not defined" -> ("NameError", "name 'x' is not defined"); a message
    /// without such a prefix is a generic "LoupeError".
    static func splitErrorName(_ message: String) -> (String, String) {
        if let colon = message.firstIndex(of: ":") {
            let head = message[..<colon]
            if !head.isEmpty, head.count <= 40, head.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
               head.first?.isUppercase == true {
                return (String(head), message[message.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
        }
        return ("LoupeError", message)
    }
}
