import ArgumentParser
import Foundation
import LoupeLibrary
import LoupeNotebook

/// `loupe merge OUT [MORE_OUT...]`: checks the shards' manifests against each other, then runs the
/// notebook once with every `sweep(...)` reading the shards' records instead of running items, so the
/// reduce writes what a single-machine `loupe run` writes (index.html, notebook.ipynb, figures/,
/// sweeps/, and whatever the notebook saves).
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shards of a sweep (loupe run --shard K/N) and write the single-machine report.",
        discussion: """
        Refuses, naming the shard and the manifest field, shards of another notebook, model, parameters or N, a \
        missing shard, a shard present twice with different bytes, and files whose SHA-256 differ from the manifest.
        """)

    @ArgumentParser.Argument(help: "Output folders holding shards/K-of-N/ (a shard found in two is accepted if both copies hash equal).")
    var directories: [String]

    @Option(name: .long, help: "The notebook, when it is no longer at the path the manifests record (its SHA-256 must match).")
    var notebook: String?

    @Option(name: .long, help: "Where to write the report (default: the first folder).")
    var out: String?

    @Flag(name: .long, help: "Leave the code out of the HTML report.")
    var noInput = false

    @Flag(name: .shortAndLong, help: "Print only errors and the report path.")
    var quiet = false

    func run() throws {
        let folders = directories.map { URL(fileURLWithPath: $0).standardizedFileURL }
        let plan: MergePlan
        do { plan = try MergePlan(outputDirectories: folders) } catch let e as SweepError {
            throw CLIFailure(message: e.message, code: 1)
        }
        let manifest = plan.manifest
        let input = URL(fileURLWithPath: notebook ?? manifest.notebook).standardizedFileURL
        let document: NotebookDocument
        let parameters: [NotebookParameter]
        do {
            let bytes = try Data(contentsOf: input)
            guard Digest.sha256(bytes) == manifest.notebookSHA256 else {
                throw CLIFailure(message: "\(input.path): field notebook_sha256: the notebook changed since the shards ran (SHA-256 \(Digest.sha256(bytes)), shards \(manifest.notebookSHA256))", code: 1)
            }
            document = try NotebookDocument(contentsOf: input)
            parameters = try manifest.parameters.map(NotebookParameter.init(assignment:))
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            throw CLIFailure.usage("\(error)")
        }
        let outDirectory = out.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? folders[0]
        let session = SweepSession(mode: .merge(plan))
        let runner = NotebookRunner(document: document, options: NotebookRunOptions(
            parameters: parameters, keepGoing: false, outputDirectory: outDirectory, sweep: session))
        let printer = TerminalPrinter(figureDirectory: nil)
        let quiet = self.quiet
        if !quiet {
            Console.error(Console.dim("merging \(manifest.shards) shards of \(manifest.sweep) (\(manifest.totalItems) items) from \(input.lastPathComponent)"))
        }
        let result = Interrupts.whileRunning({ runner.interrupt() }) {
            runner.run { event in
                switch event {
                case .cellStarted, .cellFinished:
                    if !quiet, let line = event.progressLine { Console.error(Console.dim(line)) }
                case .output(let output):
                    if case .error = output { printer.show(output) } else if !quiet { printer.show(output) }
                case .warning(let text):
                    Console.error("warning: " + text)
                }
            }
        }
        do {
            let written = try NotebookArtifacts.write(result.report, to: outDirectory, includeInput: !noInput)
            let sweeps = try session.writeResults(to: outDirectory)
            Console.error("report: \(written.html.path) (notebook.ipynb, \(written.figures.count) figures, \(sweeps.count) sweep files)")
        } catch {
            throw CLIFailure(message: "\(error)", code: 1)
        }
        if !result.succeeded {
            let cells = result.failedCells.map(String.init).joined(separator: ", ")
            throw CLIFailure(message: "merge of \(input.lastPathComponent): failed in cell \(cells)", code: 1)
        }
    }
}
