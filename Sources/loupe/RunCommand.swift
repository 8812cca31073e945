import ArgumentParser
import Foundation
import LoupeReport
import LoupeInterpreter
import LoupeLibrary
import LoupeNotebook
import LoupeScript

/// `loupe run FILE [-p name=value]... [--out DIR] [--keep-going] [--no-input]`
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a notebook (.loupe or .ipynb) top to bottom and write its report.",
        discussion: "Writes DIR/index.html, DIR/notebook.ipynb and DIR/figures/*.svg. Exits 1 unless every cell ran.")

    @ArgumentParser.Argument(help: "The notebook to run (.loupe percent format or .ipynb).")
    var file: String

    @Option(name: .customShort("p"), parsing: .singleValue,
            help: ArgumentHelp("Set a parameter, typed like a Python literal (n=3, name=\"x\", xs=[1,2], flag=True).",
                               valueName: "name=value"))
    var parameters: [String] = []

    @Option(name: .long, help: "Output directory (default: reports/<notebook name>).")
    var out: String?

    @Flag(name: .long, help: "Keep running the cells after one fails.")
    var keepGoing = false

    @Flag(name: .long, help: "Leave the code out of the HTML report.")
    var noInput = false

    @Flag(name: .shortAndLong, help: "Print only errors and the report path.")
    var quiet = false

    @Option(name: .long, help: ArgumentHelp("Run only shard K of N of the notebook's sweep and publish OUT/shards/K-of-N/ (K from 0); `loupe merge OUT` runs the reduce. Exit 0 done, 75 retry, else a deterministic error.", valueName: "K/N"))
    var shard: String?

    func run() throws {
        if let shard { return try runShard(shard) }
        let input = URL(fileURLWithPath: file)
        let document: NotebookDocument
        let parsed: [NotebookParameter]
        do {
            document = try NotebookDocument(contentsOf: input)
            parsed = try parameters.map(NotebookParameter.init(assignment:))
        } catch {
            throw CLIFailure.usage("\(error)")
        }
        let name = input.deletingPathExtension().lastPathComponent
        let outDirectory = URL(fileURLWithPath: out ?? "reports/\(name)")

        let sweeps = SweepSession(mode: .single)
        let runner = NotebookRunner(document: document, options: NotebookRunOptions(parameters: parsed, keepGoing: keepGoing, outputDirectory: outDirectory, sweep: sweeps))
        let printer = TerminalPrinter(figureDirectory: nil)
        let quiet = self.quiet
        var namer = FigureNamer()
        let result = Interrupts.whileRunning({ runner.interrupt() }) {
            runner.run { event in
                switch event {
                case .cellStarted, .cellFinished:
                    if !quiet, let line = event.progressLine { Console.error(Console.dim(line)) }
                case .output(let output):
                    if case .figure(_, let name) = output {
                        let path = outDirectory.appendingPathComponent("figures/\(namer.stem(for: name)).svg").path
                        if !quiet { Console.out("[figure: \(path)]") }
                    } else if case .error = output {
                        printer.show(output)
                    } else if !quiet {
                        printer.show(output)
                    }
                case .warning(let text):
                    Console.error("warning: " + text)
                }
            }
        }
        do {
            let written = try NotebookArtifacts.write(result.report, to: outDirectory, includeInput: !noInput)
            _ = try sweeps.writeResults(to: outDirectory)
            let figures = written.figures.isEmpty ? "" : ", \(written.figures.count) figure\(written.figures.count == 1 ? "" : "s")"
            Console.error("report: \(written.html.path) (notebook.ipynb\(figures))")
        } catch {
            throw CLIFailure(message: "\(error)", code: 1)
        }
        if !result.succeeded {
            let cells = result.failedCells.map(String.init).joined(separator: ", ")
            let what = result.interrupted ? "interrupted" : "failed in cell\(result.failedCells.count == 1 ? "" : "s") \(cells)"
            throw CLIFailure(message: "\(file): \(what)", code: 1)
        }
    }
}
