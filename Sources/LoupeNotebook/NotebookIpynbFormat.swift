import Foundation
import LoupeFormats

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
        let root: JSONValue
        do {
            root = try JSONValue.parse(data, file: path, options: .ordered)
        } catch let error as FormatError {
            throw fail("not a notebook: the file is not valid JSON (\(error.message) at byte \(error.offset ?? 0))")
        }
        guard let top = root.object else { throw fail("not a notebook: the top level is not a JSON object") }
        guard let major = top["nbformat"]?.int else { throw fail("not a notebook: no \"nbformat\" version field") }
        guard major == 4 else {
            throw fail("nbformat \(major) is not supported; convert it with `jupyter nbconvert --to notebook --nbformat 4`")
        }
        guard let rawCells = top["cells"]?.array else { throw fail("not a notebook: no \"cells\" array") }
        let name = (path as NSString).lastPathComponent
        var cells: [NotebookCell] = []
        for (index, raw) in rawCells.enumerated() {
            let where_ = "cell \(index + 1)"
            guard let cell = raw.object else { throw fail("\(where_) is not a JSON object") }
            guard let typeName = cell["cell_type"]?.string else { throw fail("\(where_) has no \"cell_type\"") }
            guard let kind = NotebookCell.Kind(rawValue: typeName) else {
                throw fail("\(where_) has cell_type \"\(typeName)\"; expected code, markdown or raw")
            }
            let source: String
            switch cell["source"] {
            case .string(let text)?: source = text
            case .array(let lines)?:
                guard let strings = JSONValue.array(lines).stringArray else { throw fail("\(where_): \"source\" holds a non-string") }
                source = strings.joined()
            case nil: source = ""
            default: throw fail("\(where_): \"source\" is neither a string nor a list of strings")
            }
            let metadata = cell["metadata"]?.object
            let tags = (metadata?["tags"]?.array ?? []).compactMap(\.string)
            let title = metadata?["title"]?.string
            let (trimmed, skipped) = Self.trimBlankLines(source)
            cells.append(NotebookCell(kind: kind, source: trimmed, title: title, tags: tags,
                                      firstLine: 1 + skipped, sourceName: "\(name)#cell\(index + 1)",
                                      id: cell["id"]?.string))
        }
        self.init(path: path, format: .ipynb, cells: cells)
    }

    /// A sources-only nbformat 4.5 notebook, keys sorted and indented as Foundation's pretty printer does.
    public func ipynbData() throws -> Data {
        var usedIDs = Set<String>()
        var jsonCells: [JSONValue] = []
        for (index, cell) in cells.enumerated() {
            var id = cell.id ?? "cell-\(index + 1)"
            while !usedIDs.insert(id).inserted { id += "-\(index + 1)" }
            var metadata: [(String, JSONValue)] = []
            if !cell.tags.isEmpty { metadata.append(("tags", .array(cell.tags.map { .string($0) }))) }
            if let title = cell.title { metadata.append(("title", .string(title))) }
            var json: [(String, JSONValue)] = [
                ("cell_type", .string(cell.kind.rawValue)),
                ("id", .string(id)),
                ("metadata", .object(JSONObject(uniquing: metadata))),
                ("source", .array(Self.sourceLines(cell.source).map { .string($0) })),
            ]
            if cell.kind == .code {
                json.append(("outputs", .array([])))
                json.append(("execution_count", .null))
            }
            jsonCells.append(.object(JSONObject(uniquing: json)))
        }
        let top = JSONValue.object(JSONObject(uniquing: [
            ("cells", .array(jsonCells)),
            ("metadata", Self.loupeNotebookMetadata),
            ("nbformat", .int(4)),
            ("nbformat_minor", .int(5)),
        ]))
        return Data(top.serialized(.sortedPretty).utf8)
    }

    /// The kernel and language metadata Jupyter uses to label the notebook.
    public static let loupeNotebookMetadata = JSONValue.object(JSONObject([
        "kernelspec": .object(JSONObject(["display_name": .string("Loupe"), "language": .string("loupe"), "name": .string("loupe")])),
        "language_info": .object(JSONObject(["name": .string("loupe"), "file_extension": .string(".loupe"),
                                             "mimetype": .string("text/x-loupe")])),
    ]))

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
