import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeReport

/// Writes a run's files into its output directory:
///
///     DIR/index.html         the self-contained report (HTMLReport)
///     DIR/notebook.ipynb     the executed notebook, nbformat 4 (NotebookWriter)
///     DIR/figures/NN-name.svg  every figure, in the order the cells showed them
///
/// The two LoupeReport calls below are the runner's only contact with the report writers.
public enum NotebookArtifacts {
    public struct Written {
        public var html: URL
        public var notebook: URL
        public var figures: [URL]
    }

    public static func write(_ report: ReportDocument, to directory: URL, includeInput: Bool = true) throws -> Written {
        let fm = FileManager.default
        let figuresDirectory = directory.appendingPathComponent("figures")
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            // Figures from an earlier run of the same notebook would be stale.
            if fm.fileExists(atPath: figuresDirectory.path) { try fm.removeItem(at: figuresDirectory) }
        } catch {
            throw ArtifactError(path: directory.path, reason: "\(error.localizedDescription)")
        }
        let html = directory.appendingPathComponent("index.html")
        let notebook = directory.appendingPathComponent("notebook.ipynb")
        try write(HTMLReport.render(report, options: ReportOptions(includeInput: includeInput)), to: html)
        try write(NotebookWriter.ipynb(report), to: notebook)

        var figures: [URL] = []
        var namer = FigureNamer()
        for output in report.cells.flatMap(\.outputs) {
            guard case .figure(let svg, let name) = output else { continue }
            if figures.isEmpty {
                do {
                    try fm.createDirectory(at: figuresDirectory, withIntermediateDirectories: true)
                } catch {
                    throw ArtifactError(path: figuresDirectory.path, reason: "\(error.localizedDescription)")
                }
            }
            let stem = namer.stem(for: name)
            let url = figuresDirectory.appendingPathComponent(stem + ".svg")
            try write(svg, to: url)
            figures.append(url)
        }
        return Written(html: html, notebook: notebook, figures: figures)
    }

    static func write(_ text: String, to url: URL) throws {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw ArtifactError(path: url.path, reason: "\(error.localizedDescription)")
        }
    }
}

/// Names figure files `NN-name` in the order figures appear: keeps a name that already starts with a
/// number, numbers the others, never repeats one. The terminal uses it too, to show where each
/// figure will be written.
public struct FigureNamer {
    private var used = Set<String>()
    private var count = 0

    public init() {}

    public mutating func stem(for name: String) -> String {
        count += 1
        var safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        if safe.isEmpty { safe = "figure" }
        let base = safe.first?.isNumber == true ? safe : String(format: "%02d-", count) + safe
        var stem = base
        var k = 2
        while !used.insert(stem).inserted {
            stem = base + "-\(k)"
            k += 1
        }
        return stem
    }
}

public struct ArtifactError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
