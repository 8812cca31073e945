import Foundation
import LoupeFormats

/// A notebook as a list of cells, read from a `.loupe` percent-format script or an `.ipynb` file.
/// Only sources travel through here (outputs are the runner's business), so `.ipynb` ⇄ `.loupe`
/// conversion round-trips cell kinds, sources, titles and tags.
public struct NotebookDocument: Sendable, Equatable {
    public enum Format: String, Sendable { case percent, ipynb }

    /// The path the document was read from (used in error locations and report titles).
    public var path: String
    public var format: Format
    public var cells: [NotebookCell]
    /// A jupytext YAML header (`# ---` … `# ---` at the top of a script), kept verbatim so writing the
    /// script back preserves it; it is not a cell.
    public var header: String?

    public init(path: String, format: Format, cells: [NotebookCell], header: String? = nil) {
        self.path = path
        self.format = format
        self.cells = cells
        self.header = header
    }

    /// Reads `.ipynb` files as nbformat 4 JSON and everything else as a percent-format script.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw NotebookFormatError(file: url.path, line: nil, message: "cannot read the file (\(Self.reason(error)))")
        }
        if url.pathExtension.lowercased() == "ipynb" {
            self = try NotebookDocument(ipynb: data, path: url.path)
        } else {
            let text: String
            do { text = try UTF8Text.decode(data, file: url.path) } catch let e as UTF8Text.InvalidError {
                throw NotebookFormatError(file: url.path, line: e.position.line, message: "column \(e.position.column): \(e.message)")
            }
            self = NotebookDocument(percent: text, path: url.path)
        }
    }

    /// The source name to report for errors in `cell`: the file for scripts, `file#cellN` for
    /// notebooks (where line numbers count from the cell's first line, as Jupyter shows them).
    public func sourceName(of cell: NotebookCell) -> String {
        cell.sourceName ?? path
    }

    /// Writes the document in the format its extension asks for (`.ipynb` or percent format).
    public func write(to url: URL) throws {
        let data: Data
        if url.pathExtension.lowercased() == "ipynb" {
            data = try ipynbData()
        } else {
            data = Data(percentText().utf8)
        }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw NotebookFormatError(file: url.path, line: nil, message: "cannot write the file (\(Self.reason(error)))")
        }
    }

    static func reason(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

/// One cell: its kind, source (Markdown without the `# ` prefixes), title, tags and where it starts.
public struct NotebookCell: Sendable, Equatable {
    public enum Kind: String, Sendable { case code, markdown, raw }

    public var kind: Kind
    public var source: String
    public var title: String?
    public var tags: [String]
    /// 1-based line of the source's first line in `sourceName` (or in the document's file).
    public var firstLine: Int
    /// Overrides the document path in error locations (notebook cells, injected cells).
    public var sourceName: String?
    /// The nbformat cell id, kept so a converted notebook keeps its ids.
    public var id: String?

    public init(kind: Kind, source: String, title: String? = nil, tags: [String] = [],
                firstLine: Int = 1, sourceName: String? = nil, id: String? = nil) {
        self.kind = kind
        self.source = source
        self.title = title
        self.tags = tags
        self.firstLine = firstLine
        self.sourceName = sourceName
        self.id = id
    }

    /// Cells compare for round-trips by what a reader sees, not where they came from.
    public func sameContent(as other: NotebookCell) -> Bool {
        kind == other.kind && source == other.source && title == other.title && tags == other.tags
    }
}

/// A notebook file that cannot be read: names the file, the line or cell, and what is wrong.
public struct NotebookFormatError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
