import Foundation
import LoupeLibrary
import LoupeNotebook
import LoupeTensor

/// `loupe run NOTEBOOK --shard K/N -p … --out OUT`: runs shard K's items of the notebook's sweep and
/// publishes OUT/shards/K-of-N/. Exit codes, for schedulers: 0 done (or already complete), 75 worth
/// retrying (interrupted or terminated, an I/O failure while publishing), anything else a deterministic
/// error that a retry would repeat (1 the notebook failed, 2 usage).
extension RunCommand {
    static let retryExitCode: Int32 = 75

    func runShard(_ text: String) throws {
        let spec: ShardSpec
        do { spec = try ShardSpec(parsing: text) } catch { throw CLIFailure.usage("\(error)") }
        let input = URL(fileURLWithPath: file).standardizedFileURL
        let notebookBytes: Data
        let document: NotebookDocument
        let parsed: [NotebookParameter]
        do {
            notebookBytes = try Data(contentsOf: input)
            document = try NotebookDocument(contentsOf: input)
            parsed = try parameters.map(NotebookParameter.init(assignment:))
        } catch {
            throw CLIFailure.usage("\(error)")
        }
        let outDirectory = URL(fileURLWithPath: out ?? "reports/\(input.deletingPathExtension().lastPathComponent)").standardizedFileURL
        do {
            if try ShardStore.published(outDirectory, spec) != nil {
                Console.error("shard \(spec): already complete in \(ShardStore.directory(outDirectory, spec).path)")
                return
            }
        } catch let e as SweepError {
            throw CLIFailure(message: e.message, code: e.retryable ? Self.retryExitCode : 1)
        }

        let session = SweepSession(mode: .shard(spec))
        let options = NotebookRunOptions(parameters: parsed, keepGoing: false, outputDirectory: outDirectory, sweep: session)
        let runner = NotebookRunner(document: document, options: options)
        let printer = TerminalPrinter(figureDirectory: nil)
        let quiet = self.quiet
        let started = Date()
        let result = Terminations.whileRunning({ runner.interrupt() }) {
            Interrupts.whileRunning({ runner.interrupt() }) {
                runner.run { event in
                    switch event {
                    case .cellStarted, .cellFinished:
                        if !quiet, let line = event.progressLine { Console.error(Console.dim("[shard \(spec)] " + line)) }
                    case .output(let output):
                        if case .error = output { printer.show(output) } else if !quiet { printer.show(output) }
                    case .warning(let text):
                        Console.error("warning: " + text)
                    }
                }
            }
        }
        if result.interrupted {
            throw CLIFailure(message: "shard \(spec) of \(file): interrupted before it finished; nothing was published (exit \(Self.retryExitCode): run it again)", code: Self.retryExitCode)
        }
        if !result.succeeded {
            let cells = result.failedCells.map(String.init).joined(separator: ", ")
            throw CLIFailure(message: "shard \(spec) of \(file): failed in cell \(cells) (a deterministic error: retrying will not help)", code: 1)
        }
        let base = ShardManifest(
            notebook: input.path, notebookSHA256: Digest.sha256(notebookBytes),
            parameters: parsed.map { "\($0.name)=\($0.value.loupeSource)" },
            loupeVersion: LoupeVersion.string, blasThreads: Blas.threads, spec: spec)
        do {
            let outcome = try ShardStore.publish(session, spec: spec, base: base, out: outDirectory)
            let path = ShardStore.directory(outDirectory, spec).path
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            switch outcome {
            case .published: Console.error("shard \(spec): \(path) (\(seconds) s)")
            case .alreadyIdentical: Console.error("shard \(spec): another run published identical files at \(path) first")
            }
        } catch let e as SweepError {
            throw CLIFailure(message: e.message, code: e.retryable ? Self.retryExitCode : 1)
        }
    }
}

/// SIGTERM (a scheduler preempting or cancelling the task) stops the running cell like Ctrl-C, so the
/// shard exits 75 without publishing anything.
enum Terminations {
    nonisolated(unsafe) private static var onTerminate: (() -> Void)?

    static func whileRunning<T>(_ terminate: @escaping () -> Void, _ body: () throws -> T) rethrows -> T {
        onTerminate = terminate
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Terminations.onTerminate?() }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        defer { onTerminate = nil; signal(SIGTERM, SIG_DFL) }
        return try body()
    }
}
