import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupePlot
import LoupeReport
import LoupeScript
import LoupeTensor

/// What `loupe run` asks for.
public struct NotebookRunOptions: Sendable {
    /// papermill-style overrides, injected after the `parameters` cell.
    public var parameters: [NotebookParameter]
    /// Run every cell even after one fails (the failed cells still make the run fail).
    public var keepGoing: Bool
    /// Where relative paths the notebook writes to land (the report's folder); nil: the script's folder.
    public var outputDirectory: URL?
    /// How `sweep(...)` loops run (one machine, one shard, or a merge); nil: one machine.
    public var sweep: SweepSession?

    public init(parameters: [NotebookParameter] = [], keepGoing: Bool = false, outputDirectory: URL? = nil,
                sweep: SweepSession? = nil) {
        self.parameters = parameters
        self.keepGoing = keepGoing
        self.outputDirectory = outputDirectory
        self.sweep = sweep
    }
}

/// What the runner reports while it works; the caller decides what to print.
public enum NotebookRunEvent {
    /// A code cell is about to run: its 1-based number among the code cells, their count, and the
    /// seconds since the run started.
    case cellStarted(number: Int, total: Int, title: String?, elapsed: Double)
    /// Something the running cell showed, as it happens.
    case output(CellOutput)
    /// A code cell finished; `elapsed` counts from the start of the run.
    case cellFinished(number: Int, total: Int, seconds: Double, elapsed: Double, failed: Bool)
    /// Something worth telling the user that is not a cell output (e.g. an unknown parameter).
    case warning(String)

    /// The progress line: `[cell 3/7 · Title · 1.20 s elapsed]` when a cell starts,
    /// `[cell 3/7 failed after 0.41 s]` or `[cell 3/7 took 4.2 s]` when it ends (nil for quick cells).
    public var progressLine: String? {
        switch self {
        case .cellStarted(let n, let total, let title, let elapsed):
            return "[cell \(n)/\(total)" + (title.map { " · \($0)" } ?? "") + " · \(Self.format(elapsed)) elapsed]"
        case .cellFinished(let n, let total, let seconds, _, let failed):
            if failed { return "[cell \(n)/\(total) failed after \(Self.format(seconds))]" }
            return seconds >= 1 ? "[cell \(n)/\(total) took \(Self.format(seconds))]" : nil
        default:
            return nil
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds < 10 ? String(format: "%.2f s", seconds) : String(format: "%.1f s", seconds)
    }
}

/// The outcome of a run: the executed document for the report writers, and whether every cell ran.
public struct NotebookRunResult {
    public var report: ReportDocument
    public var succeeded: Bool
    /// 1-based numbers (among code cells) of the cells that failed.
    public var failedCells: [Int]
    public var interrupted: Bool
}

/// Runs a notebook's code cells top to bottom in one interpreter (one shared state), collecting each
/// cell's outputs, time and execution count. Never prints: output streams through `onEvent`.
/// `@unchecked Sendable`: only `interrupt()` may be called from another thread (or a signal handler).
public final class NotebookRunner: @unchecked Sendable {
    public let document: NotebookDocument
    public let options: NotebookRunOptions
    private let sink = CellSink()
    private var interpreter: Interpreter?

    /// `document` is the notebook as read; parameters are injected here.
    public init(document: NotebookDocument, options: NotebookRunOptions = NotebookRunOptions()) {
        self.document = document.injectingParameters(options.parameters)
        self.options = options
    }

    /// Stops the running cell (it fails with an "interrupted" error) and the run. Safe from a signal
    /// handler: it only sets the interpreter's flag.
    public func interrupt() { interpreter?.interrupt() }

    public func run(onEvent: @escaping (NotebookRunEvent) -> Void = { _ in }) -> NotebookRunResult {
        // A run starts from the default plot theme, as a fresh kernel would, and leaves the caller's as it was.
        let callerTheme = Theme.current
        Theme.current = .light
        defer { Theme.current = callerTheme }
        if let declared = document.declaredParameterNames {
            for p in options.parameters where !declared.contains(p.name) {
                onEvent(.warning("parameter `\(p.name)` is not set in the notebook's parameters cell; injecting it anyway"))
            }
        } else if !options.parameters.isEmpty {
            onEvent(.warning("the notebook has no cell tagged \"parameters\"; injecting the parameters at the top"))
        }
        let scriptDirectory = URL(fileURLWithPath: document.path).deletingLastPathComponent()
        let interpreter = Library.interpreter(sink: sink, scriptDirectory: scriptDirectory)
        interpreter.outputDirectory = options.outputDirectory?.standardizedFileURL
        self.interpreter = interpreter
        defer { self.interpreter = nil }
        options.sweep?.attach(to: interpreter)
        defer { SweepSession.detach(from: interpreter) }
        var shardDone = false

        let total = document.cells.filter { $0.kind == .code }.count
        var reportCells: [ReportCell] = []
        var number = 0
        var failed: [Int] = []
        var interrupted = false
        let start = Date()
        for cell in document.cells {
            switch cell.kind {
            case .raw:
                continue
            case .markdown:
                reportCells.append(ReportCell(kind: .markdown, source: cell.source, title: cell.title, tags: cell.tags))
                continue
            case .code:
                break
            }
            number += 1
            var reportCell = ReportCell(kind: .code, source: cell.source, title: cell.title, tags: cell.tags)
            let stopped = interrupted || shardDone || (!failed.isEmpty && !options.keepGoing)
            if stopped {
                reportCells.append(reportCell)
                continue
            }
            onEvent(.cellStarted(number: number, total: total, title: cell.title, elapsed: Date().timeIntervalSince(start)))
            sink.forward = { onEvent(.output($0)) }
            let cellStart = Date()
            var cellFailed = false
            do {
                if let session = options.sweep, session.isShard {
                    shardDone = try ShardCells.run(cell.source, file: document.sourceName(of: cell), firstLine: cell.firstLine,
                                                   interpreter: interpreter, session: session)
                } else if let value = try interpreter.execute(cell.source, file: document.sourceName(of: cell), firstLine: cell.firstLine),
                   let shown = interpreter.display(value) {
                    sink.emit(shown)
                }
            } catch let error as LoupeError {
                cellFailed = true
                interrupted = error.isInterrupted
                sink.emit(.error(message: error.message, detail: error.rendered))
            } catch {
                cellFailed = true
                sink.emit(.error(message: "\(error)", detail: "\(error)"))
            }
            let seconds = Date().timeIntervalSince(cellStart)
            if cellFailed { failed.append(number) }
            reportCell.outputs = sink.take()
            reportCell.seconds = seconds
            reportCell.executionCount = number
            reportCells.append(reportCell)
            sink.forward = nil
            onEvent(.cellFinished(number: number, total: total, seconds: seconds,
                                  elapsed: Date().timeIntervalSince(start), failed: cellFailed))
        }
        let report = ReportDocument(
            title: Self.title(of: document), sourcePath: document.path, cells: reportCells,
            models: interpreter.modelsUsed, loupeVersion: LoupeVersion.string,
            parameterList: options.parameters.map { .init(name: $0.name, value: $0.value.loupeSource) })
        return NotebookRunResult(report: report, succeeded: failed.isEmpty && !interrupted,
                                 failedCells: failed, interrupted: interrupted)
    }

    /// The first Markdown heading, else the first cell title, else the file name without extension.
    static func title(of document: NotebookDocument) -> String {
        for cell in document.cells where cell.kind == .markdown {
            for line in cell.source.split(separator: "\n") where line.hasPrefix("#") {
                let text = line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)
                if !text.isEmpty { return text }
            }
        }
        if let title = document.cells.lazy.compactMap(\.title).first { return title }
        return URL(fileURLWithPath: document.path).deletingPathExtension().lastPathComponent
    }
}

/// Collects the running cell's outputs and forwards each one as it is emitted.
final class CellSink: OutputSink {
    var outputs: [CellOutput] = []
    var forward: ((CellOutput) -> Void)?

    func emit(_ output: CellOutput) {
        outputs.append(output)
        forward?(output)
    }

    func take() -> [CellOutput] {
        defer { outputs = [] }
        return outputs
    }
}
