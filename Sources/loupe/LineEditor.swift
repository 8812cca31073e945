import CEditLine
import Foundation

/// Line editing on libedit's readline interface: history in a file, tab completion through a
/// closure, and a Ctrl-C at the prompt reported as `.interrupted` rather than end of input.
final class LineEditor {
    enum Input { case line(String), interrupted, endOfInput }

    private let historyFile: String
    /// Candidates for the word before the cursor (`pri`, `t.sha`, `blocks.0.at`), given the whole
    /// line before the cursor and that word.
    var complete: (_ line: String, _ word: String) -> [String] {
        get { LineEditor.completer ?? { _, _ in [] } }
        set { LineEditor.completer = newValue }
    }

    // libedit calls back through C function pointers, which cannot capture: the completer is global.
    nonisolated(unsafe) private static var completer: ((String, String) -> [String])?
    // Word breaks for completion: '.' is not one (so `model.to_` completes as a whole), quotes are
    // (so a hook name or path inside a string is its own word).
    nonisolated(unsafe) private static let wordBreaks = strdup(" \t\n\"'`@$><=;|&{([,:+-*/%~^!")

    init(historyFile: String) {
        self.historyFile = historyFile
        rl_readline_name = UnsafePointer(strdup("loupe"))
        rl_initialize()
        using_history()
        stifle_history(2000)
        _ = read_history(historyFile)
        rl_basic_word_break_characters = UnsafePointer(LineEditor.wordBreaks)
        rl_completer_word_break_characters = LineEditor.wordBreaks
        rl_completion_append_character = 0
        rl_attempted_completion_function = { text, _, end in
            rl_attempted_completion_over = 1
            let word = text.map { String(cString: $0) } ?? ""
            var line = ""
            if let buffer = rl_line_buffer {
                // `end` is a byte offset into the line buffer.
                let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(max(0, min(end, Int32(strlen(buffer))))))
                line = String(decoding: bytes, as: UTF8.self)
            }
            let candidates = LineEditor.completer?(line, word) ?? []
            return LineEditor.matchArray(word: word, candidates: candidates)
        }
    }

    func readLine(prompt: String) -> Input {
        _ = Interrupts.takePromptInterrupt()
        guard let raw = readline(prompt) else {
            return Interrupts.takePromptInterrupt() ? .interrupted : .endOfInput
        }
        defer { free(raw) }
        if Interrupts.takePromptInterrupt() { return .interrupted }
        return .line(String(cString: raw))
    }

    /// Adds a non-empty line to the history and saves the file.
    func remember(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace) else { return }
        add_history(line)
        _ = write_history(historyFile)
    }

    /// readline's match list: [replacement, candidates..., NULL], malloc'd (libedit frees it). The
    /// replacement is the single candidate, or the longest common prefix of several.
    private static func matchArray(word: String, candidates: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        let unique = Array(Set(candidates)).sorted()
        guard !unique.isEmpty else { return nil }
        let entries = unique.count == 1 ? unique : [commonPrefix(unique)] + unique
        guard let array = malloc(MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (entries.count + 1))?
            .bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: entries.count + 1) else { return nil }
        for (i, entry) in entries.enumerated() { array[i] = strdup(entry) }
        array[entries.count] = nil
        return array
    }

    private static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first.map(Array.init) else { return "" }
        for word in words.dropFirst() {
            let w = Array(word)
            var n = 0
            while n < prefix.count, n < w.count, prefix[n] == w[n] { n += 1 }
            prefix = Array(prefix[..<n])
        }
        return String(prefix)
    }
}
