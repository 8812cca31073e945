import ArgumentParser
import Foundation
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
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw CLIFailure.usage("cannot read \(script)")
            }
            try ScriptMode.run(source: text, file: script, directory: url.deletingLastPathComponent())
        } else if !Console.stdinIsTerminal {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            try ScriptMode.run(source: String(decoding: data, as: UTF8.self), file: "<stdin>", directory: nil)
        } else {
            REPL().run()
        }
    }
}

/// Runs a whole input as one script: outputs shown as they come, the first error ends it (exit 1).
enum ScriptMode {
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
