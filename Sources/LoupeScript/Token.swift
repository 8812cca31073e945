import Foundation

/// One lexical token. `text` holds the name, operator, keyword or the decoded string contents.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case name, keyword, op
        case int(Int)
        case float(Double)
        case string
        /// An f-string: `text` is the raw body between the quotes (escapes not yet decoded).
        case fstring
        case newline, indent, dedent, eof
    }

    public var kind: Kind
    public var text: String
    public var line: Int
    public var column: Int

    public init(_ kind: Kind, _ text: String, line: Int, column: Int) {
        self.kind = kind
        self.text = text
        self.line = line
        self.column = column
    }

    public static let keywords: Set<String> = [
        "and", "or", "not", "if", "elif", "else", "for", "while", "in", "is", "def", "return", "lambda",
        "pass", "break", "continue", "True", "False", "None", "global", "nonlocal", "del", "assert",
        "import", "from", "as", "class", "try", "except", "finally", "raise", "with", "yield",
        "true", "false", "none",
    ]

    var describe: String {
        switch kind {
        case .newline: return "end of line"
        case .indent: return "indentation"
        case .dedent: return "end of block"
        case .eof: return "end of input"
        case .string, .fstring: return "string"
        case .int, .float: return "number `\(text)`"
        default: return "`\(text)`"
        }
    }
}
