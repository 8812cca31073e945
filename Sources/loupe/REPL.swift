import Foundation
import LoupeInterpreter
import LoupeLibrary
import LoupeNotebook
import LoupeTensor

/// The interactive loop, shaped like Lua's lua.c: read a line; if the interpreter says the input is
/// incomplete, read continuation lines; run it and show the value of a final expression; keep going
/// after errors. History keeps only non-empty input.
final class REPL {
    private let printer: TerminalPrinter
    private let interpreter: Interpreter
    private let editor: LineEditor
    private var inputNumber = 0

    init() {
        printer = TerminalPrinter(figureDirectory: TerminalPrinter.defaultFigureDirectory)
        interpreter = Library.interpreter(sink: PrinterSink(printer),
                                  scriptDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        editor = LineEditor(historyFile: URL(fileURLWithPath: home).appendingPathComponent(".loupe_history").path)
    }

    func run() {
        Console.out("Loupe \(LoupeVersion.string). help() lists everything; Ctrl-C interrupts, Ctrl-D exits.")
        let completer = Completer(interpreter: interpreter)
        editor.complete = { line, word in completer.candidates(line: line, word: word) }
        Interrupts.install()
        while let source = readInput() {
            guard !source.allSatisfy(\.isWhitespace) else { continue }
            inputNumber += 1
            execute(source)
        }
        Console.out("")
    }

    /// One complete input (several lines for a block), "" after Ctrl-C, nil at end of input.
    private func readInput() -> String? {
        var lines: [String] = []
        while true {
            let prompt = lines.isEmpty ? ">>> " : "... "
            switch editor.readLine(prompt: prompt) {
            case .endOfInput:
                return lines.isEmpty ? nil : lines.map { $0 + "\n" }.joined()
            case .interrupted:
                Console.out("^C")  // libedit leaves the cursor on the abandoned line
                return ""
            case .line(let line):
                editor.remember(line)
                lines.append(line)
                // Each line keeps its newline, so a final blank line reads as "\n\n" (ends a block).
                let source = lines.map { $0 + "\n" }.joined()
                if !interpreter.isIncomplete(source) { return source }
            }
        }
    }

    private func execute(_ source: String) {
        let interpreter = self.interpreter
        do {
            let value = try Interrupts.whileRunning({ interpreter.interrupt() }) {
                try interpreter.execute(source, file: "<input-\(inputNumber)>")
            }
            if let value { printer.show(value: value, interpreter: interpreter) }
        } catch let error as LoupeError {
            // The terminal echoed "^C" without a newline.
            Console.error((error.isInterrupted ? "\n" : "") + error.rendered)
        } catch {
            Console.error("\(error)")
        }
        Interrupts.install()
    }
}
