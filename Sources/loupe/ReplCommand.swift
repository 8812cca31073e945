import ArgumentParser
import Foundation
import LoupeFormats
import LoupeReport
import LoupeInterpreter
import LoupeLibrary
import LoupeNotebook

/// `loupe [repl] [-c CODE] [FILE]`: the REPL on a terminal; otherwise the code from `-c`, FILE or
/// stdin runs as one script (no prompts, exit 1 on error).
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl", abstract: "Start the interactive REPL (the default command).")

    @Option(name: .customShort("c"), help: ArgumentHelp("Run CODE as a script and exit.", valueName: "code"))
    var code: String?

    @ArgumentParser.Argument(help: "A script to run without a report (use `loupe run` for notebooks and reports).")
    var script: String?

    func run() throws {
        if let code {
            try ScriptMode.run(source: code, file: "<string>", directory: nil)
        } else if let script {
            let url = URL(fileURLWithPath: script)
            guard let data = try? Data(contentsOf: url) else {
                throw CLIFailure.usage("cannot read \(script)")
            }
            try ScriptMode.run(source: try ScriptMode.text(data, file: script), file: script,
                               directory: url.deletingLastPathComponent())
        } else if !Console.stdinIsTerminal {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            try ScriptMode.run(source: try ScriptMode.text(data, file: "<stdin>"), file: "<stdin>", directory: nil)
        } else {
            REPL().run()
        }
    }
}

/// Runs a whole input as one script: outputs shown as they come, the first error ends it (exit 1).
enum ScriptMode {
    /// A script's bytes as text; invalid UTF-8 is reported at its line and column and ends the run.
    static func text(_ data: Data, file: String) throws -> String {
        do { return try UTF8Text.decode(data, file: file) } catch let e as UTF8Text.InvalidError {
            Console.error(e.description)
            throw CLIFailure.scriptFailed
        }
    }

    static func run(source: String, file: String, directory: URL?) throws {
        let printer = TerminalPrinter(figureDirectory: TerminalPrinter.defaultFigureDirectory)
        let sink = PrinterSink(printer)
        let interpreter = Library.interpreter(sink: sink, scriptDirectory: directory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        do {
            try Interrupts.whileRunning({ interpreter.interrupt() }) {
                _ = try interpreter.execute(source, file: file)
            }
        } catch let error as LoupeError {
            Console.error(error.rendered)
            throw CLIFailure.scriptFailed
        } catch {
            Console.error("\(error)")
            throw CLIFailure.scriptFailed
        }
    }
}

/// Sends the interpreter's outputs straight to the terminal.
final class PrinterSink: OutputSink {
    let printer: TerminalPrinter
    init(_ printer: TerminalPrinter) { self.printer = printer }
    func emit(_ output: CellOutput) { printer.show(output) }
}
