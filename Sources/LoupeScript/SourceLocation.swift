import Foundation

/// A point in a source file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// Renders `file:line:col: message`, the offending source line and a caret under the column.
public enum DiagnosticRenderer {
    public static func render(message: String, at location: SourceLocation, sourceLine: String?,
                              hint: String? = nil) -> String {
        var out = "\(location): \(message)"
        if let line = sourceLine {
            let (shown, caret) = window(line.replacingTabs(), column: location.column)
            out += "\n    \(shown)\n    " + String(repeating: " ", count: max(0, caret - 1)) + "^"
        }
        if let hint = hint { out += "\n" + hint }
        return out
    }

    /// A long line cut to `width` characters around `column` (elided ends marked `…`), and the caret's
    /// column in what is shown.
    static func window(_ line: String, column: Int, width: Int = 120) -> (String, Int) {
        let chars = Array(line)
        guard chars.count > width else { return (line, column) }
        let start = min(max(0, column - 1 - width / 2), chars.count - width)
        let end = start + width
        let shown = (start > 0 ? "…" : "") + String(chars[start..<end]) + (end < chars.count ? "…" : "")
        return (shown, column - start + (start > 0 ? 1 : 0))
    }

    /// The text of line `line` (1-based) of `source`, or nil.
    public static func line(_ line: Int, of source: String) -> String? {
        var n = 1
        for piece in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if n == line { return String(piece) }
            n += 1
        }
        return nil
    }
}

extension String {
    func replacingTabs() -> String {
        var s = self
        if s.hasSuffix("\r") { s.removeLast() }
        return s.replacingOccurrences(of: "\t", with: " ")
    }
}

/// Suggestions by edit distance, for "did you mean ...?" hints.
public enum Suggest {
    /// Levenshtein distance (small strings only).
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased().unicodeScalars), y = Array(b.lowercased().unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// The closest candidate within a distance that scales with the name's length, or nil.
    public static func closest(to name: String, in candidates: [String]) -> String? {
        let limit = Swift.max(1, Swift.min(3, name.count / 3 + 1))
        var best: (String, Int)? = nil
        for c in candidates where c != name {
            let d = distance(name, c)
            if d <= limit, best == nil || d < best!.1 || (d == best!.1 && c < best!.0) { best = (c, d) }
        }
        return best?.0
    }

    /// "did you mean `x`?" or nil.
    public static func hint(for name: String, in candidates: [String]) -> String? {
        closest(to: name, in: candidates).map { "did you mean `\($0)`?" }
    }
}

/// A lexing or parsing error.
public struct SyntaxError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation
    public var sourceLine: String?
    public var hint: String?
    /// True when the error is that the input ended too soon (the REPL reads another line).
    public var atEndOfInput: Bool

    public init(message: String, location: SourceLocation, sourceLine: String?, hint: String? = nil,
                atEndOfInput: Bool = false) {
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
        self.hint = hint
        self.atEndOfInput = atEndOfInput
    }

    public var rendered: String {
        DiagnosticRenderer.render(message: message, at: location, sourceLine: sourceLine, hint: hint)
    }

    public var description: String { rendered }
}
