import Foundation
import LoupeReport
import LoupeInterpreter
import LoupeLibrary
import LoupeNotebook
import LoupeTensor

/// Shows cell outputs on a terminal: text as is, tables aligned, errors on stderr, and figures and
/// views saved as files (when there is a directory for them) with their path printed.
final class TerminalPrinter {
    /// Where the REPL saves figures and views; nil when someone else writes them (`loupe run`).
    private let figureDirectory: URL?
    private var saved = 0

    init(figureDirectory: URL?) {
        self.figureDirectory = figureDirectory
    }

    /// `$LOUPE_OUT`, else a per-process folder in the temp directory (created on first use).
    static var defaultFigureDirectory: URL {
        ProcessInfo.processInfo.environment["LOUPE_OUT"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("loupe-\(getpid())")
    }

    /// The value of a line typed at the prompt: a picture as its one line (the report shows the picture),
    /// anything else as the interpreter displays it.
    func show(value: Value, interpreter: Interpreter) {
        if let text = Library.terminalText(value) { show(.value(text)) }
        else if let shown = interpreter.display(value) { show(shown) }
    }

    func show(_ output: CellOutput) {
        switch output {
        case .stream(let text):
            Console.out(text, newline: false)
        case .value(let text):
            Console.out(text)
        case .markdown(let text):
            Console.out(text)
        case .table(let columns, let rows, let totalRows):
            Console.out(TableRenderer.text(columns: columns, rows: rows, totalRows: totalRows))
        case .figure(let svg, let name):
            Console.out(save(svg, stem: name, ext: "svg").map { "figure saved: \($0)" } ?? "[figure \(name)]")
        case .view(_, _, let title):
            // A view needs the report's scripts and styles around it to work from a file.
            let page = StandalonePage.html(output, title: title, loupeVersion: LoupeVersion.string)
            Console.out(save(page, stem: title, ext: "html").map { "view saved: \($0)" } ?? "[view \(title)]")
        case .error(let message, let detail):
            // After Ctrl-C the terminal has echoed "^C" without a newline.
            Console.error((message.hasPrefix("interrupted") && Console.stderrIsTerminal ? "\n" : "") + detail)
        }
    }

    private func save(_ text: String, stem: String, ext: String) -> String? {
        guard let directory = figureDirectory else { return nil }
        saved += 1
        let safe = String(stem.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        let url = directory.appendingPathComponent(String(format: "%02d-", saved) + (safe.isEmpty ? "figure" : safe) + "." + ext)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return url.path
        } catch {
            Console.error("cannot save \(url.path): \(error.localizedDescription)")
            return nil
        }
    }
}
