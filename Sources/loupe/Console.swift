import Foundation

/// Writing to the terminal: stdout for program output, stderr for errors and progress. Both are
/// flushed at once so output interleaves in the order it happened.
enum Console {
    static func out(_ text: String, newline: Bool = true) {
        FileHandle.standardOutput.write(Data((newline ? text + "\n" : text).utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Dim text on a terminal (progress lines), plain otherwise.
    static func dim(_ text: String) -> String { stderrIsTerminal ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
}
