import Foundation

/// One lexical token. `text` holds the name, the operator's or keyword's spelling, or the decoded string
/// contents (an f-string's raw body).
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case name
        case keyword(Keyword)
        case op(Operator)
        case int(Int)
        case float(Double)
        case string
        /// An f-string: `text` is the raw body between the quotes; the literal parts are decoded (unless
        /// `raw`) when the parser splits it. `bodyLine`/`bodyColumn` locate the body's first character.
        case fstring(raw: Bool, bodyLine: Int, bodyColumn: Int)
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

    public init(_ op: Operator, line: Int, column: Int) { self.init(.op(op), op.rawValue, line: line, column: column) }

    public init(_ keyword: Keyword, line: Int, column: Int) {
        self.init(.keyword(keyword), keyword.rawValue, line: line, column: column)
    }

    /// The operator this token spells, if it is one.
    public var op: Operator? { if case .op(let o) = kind { return o }; return nil }
    /// The keyword this token spells, if it is one.
    public var keyword: Keyword? { if case .keyword(let k) = kind { return k }; return nil }

    public var isString: Bool {
        switch kind {
        case .string, .fstring: return true
        default: return false
        }
    }

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
