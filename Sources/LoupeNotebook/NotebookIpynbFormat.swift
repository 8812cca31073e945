import Foundation

// nbformat 4 (https://nbformat.readthedocs.io/en/latest/format_description.html), the parts read here:
//
//     { "nbformat": 4, "nbformat_minor": 5, "metadata": {...},
//       "cells": [ { "cell_type": "code" | "markdown" | "raw", "id": "...",
//                    "source": "text" | ["line\n", "line"], "metadata": { "tags": [...], "title": ... },
//                    "outputs": [...], "execution_count": n | null } ] }
//
// Outputs are ignored when reading; the writer here writes sources only (the report writer in
// LoupeReport writes executed notebooks). Blank lines around a source are dropped, as the percent
// reader does, so conversions round-trip.

extension NotebookDocument {
    /// Parses an nbformat 4 notebook. Errors name the file and the cell.
    public init(ipynb data: Data, path: String) throws {
        func fail(_ message: String) -> NotebookFormatError {
            NotebookFormatError(file: path, line: nil, message: message)
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw fail("not a notebook: the file is not valid JSON (\(Self.reason(error)))")
        }
        guard let top = root as? [String: Any] else { throw fail("not a notebook: the top level is not a JSON object") }
        guard let major = top["nbformat"] as? Int else { throw fail("not a notebook: no \"nbformat\" version field") }
        guard major == 4 else {
            throw fail("nbformat \(major) is not supported; convert it with `jupyter nbconvert --to notebook --nbformat 4`")
        }
        guard let rawCells = top["cells"] as? [Any] else { throw fail("not a notebook: no \"cells\" array") }
        let name = (path as NSString).lastPathComponent
        var cells: [NotebookCell] = []
        for (index, raw) in rawCells.enumerated() {
            let where_ = "cell \(index + 1)"
            guard let cell = raw as? [String: Any] else { throw fail("\(where_) is not a JSON object") }
            guard let typeName = cell["cell_type"] as? String else { throw fail("\(where_) has no \"cell_type\"") }
            guard let kind = NotebookCell.Kind(rawValue: typeName) else {
                throw fail("\(where_) has cell_type \"\(typeName)\"; expected code, markdown or raw")
            }
            let source: String
            switch cell["source"] {
            case let text as String: source = text
            case let lines as [Any]:
                guard let strings = lines as? [String] else { throw fail("\(where_): \"source\" holds a non-string") }
                source = strings.joined()
            case nil: source = ""
            default: throw fail("\(where_): \"source\" is neither a string nor a list of strings")
            }
            let metadata = cell["metadata"] as? [String: Any] ?? [:]
            let tags = (metadata["tags"] as? [Any] ?? []).compactMap { $0 as? String }
            let title = metadata["title"] as? String
            let (trimmed, skipped) = Self.trimBlankLines(source)
            cells.append(NotebookCell(kind: kind, source: trimmed, title: title, tags: tags,
                                      firstLine: 1 + skipped, sourceName: "\(name)#cell\(index + 1)",
                                      id: cell["id"] as? String))
        }
        self.init(path: path, format: .ipynb, cells: cells)
    }

    /// A sources-only nbformat 4.5 notebook, keys sorted and indented by one space as Jupyter writes.
    public func ipynbData() throws -> Data {
        var usedIDs = Set<String>()
        var jsonCells: [[String: Any]] = []
        for (index, cell) in cells.enumerated() {
            var id = cell.id ?? "cell-\(index + 1)"
            while !usedIDs.insert(id).inserted { id += "-\(index + 1)" }
            var metadata: [String: Any] = [:]
            if !cell.tags.isEmpty { metadata["tags"] = cell.tags }
            if let title = cell.title { metadata["title"] = title }
            var json: [String: Any] = [
                "cell_type": cell.kind.rawValue,
                "id": id,
                "metadata": metadata,
                "source": Self.sourceLines(cell.source),
            ]
            if cell.kind == .code {
                json["outputs"] = [Any]()
                json["execution_count"] = NSNull()
            }
            jsonCells.append(json)
        }
        let top: [String: Any] = [
            "cells": jsonCells,
            "metadata": Self.loupeNotebookMetadata,
            "nbformat": 4,
            "nbformat_minor": 5,
        ]
        return try JSONSerialization.data(withJSONObject: top, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The kernel and language metadata Jupyter uses to label the notebook.
    public static let loupeNotebookMetadata: [String: Any] = [
        "kernelspec": ["display_name": "Loupe", "language": "loupe", "name": "loupe"],
        "language_info": ["name": "loupe", "file_extension": ".loupe", "mimetype": "text/x-loupe"],
    ]

    /// nbformat's multi-line string: every line but the last keeps its "\n".
    public static func sourceLines(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        lines[lines.count - 1].removeLast()
        if lines[lines.count - 1].isEmpty { lines.removeLast() }
        return lines
    }

    /// Drops blank lines at both ends; returns the text and how many lines were dropped at the start.
    static func trimBlankLines(_ text: String) -> (String, Int) {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var skipped = 0
        while let first = lines.first, first.allSatisfy(\.isWhitespace) {
            lines.removeFirst()
            skipped += 1
        }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return (lines.joined(separator: "\n"), skipped)
    }
}
