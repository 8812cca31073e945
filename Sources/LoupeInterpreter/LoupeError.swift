import Foundation
import LoupeScript

/// An error raised while parsing or running Loupe code. Never crashes the process: every failure in
/// user code (syntax, names, types, shapes, indices, files, interrupts) becomes one of these.
public struct LoupeError: Error, CustomStringConvertible {
    public enum Kind: String { case syntax = "SyntaxError", runtime = "Error", interrupted = "Interrupted" }

    public struct StackEntry {
        public var function: String
        /// Where the function was called from.
        public var callSite: SourceLocation
        public var sourceLine: String?
    }

    public var kind: Kind
    public var message: String
    public var location: SourceLocation?
    public var sourceLine: String?
    public var hint: String?
    /// Innermost call first.
    public var stack: [StackEntry] = []
    /// The value of a user `raise` (so `except ... as e` can see it).
    public var payload: Value?
    var endOfInput = false

    public init(_ message: String, hint: String? = nil, kind: Kind = .runtime) {
        self.message = message
        self.hint = hint
        self.kind = kind
    }

    public static let interrupted = LoupeError("interrupted (Ctrl-C)", kind: .interrupted)
    public var isInterrupted: Bool { kind == .interrupted }

    init(syntax e: SyntaxError) {
        self.init(e.message, hint: e.hint, kind: .syntax)
        location = e.location
        sourceLine = e.sourceLine
        endOfInput = e.atEndOfInput
    }

    /// `file:line:col: message`, the source line with a caret, a hint, and the Loupe call stack.
    public var rendered: String {
        var out: String
        if let loc = location {
            out = DiagnosticRenderer.render(message: message, at: loc, sourceLine: sourceLine, hint: nil)
        } else {
            out = "error: \(message)"
        }
        if let h = hint { out += "\nhint: \(h)" }
        var i = 0
        while i < stack.count {
            let entry = stack[i]
            var j = i + 1
            while j < stack.count, stack[j].function == entry.function, stack[j].callSite == entry.callSite { j += 1 }
            out += "\n  in \(entry.function)(), called from \(entry.callSite)"
            if j - i > 1 { out += " (\(j - i) times)" }
            if let line = entry.sourceLine {
                out += "\n    \(line.trimmingCharacters(in: .whitespaces))"
            }
            i = j
        }
        return out
    }

    public var description: String { rendered }
}

extension LoupeError {
    /// Attaches a location if the error has none yet (the innermost node that knows its place wins).
    @inline(__always)
    func located(_ loc: SourceLocation) -> LoupeError {
        if location != nil { return self }
        var e = self
        e.location = loc
        return e
    }
}

extension LoupeError {
    /// Any error from the engine (tensor shapes, file formats, models) as a Loupe error.
    static func wrap(_ error: Error) -> LoupeError {
        if let e = error as? LoupeError { return e }
        return LoupeError(String(describing: error))
    }
}
