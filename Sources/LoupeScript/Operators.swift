import Foundation

/// Operators and punctuation, each spelled by its raw value. The lexer matches the longest spelling.
public enum Operator: String, CaseIterable, Sendable {
    // brackets and punctuation
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]", leftBrace = "{", rightBrace = "}"
    case comma = ",", colon = ":", dot = ".", semicolon = ";", arrow = "->", ellipsis = "...", assign = "=",
         walrus = ":="
    // arithmetic and bitwise
    case plus = "+", minus = "-", star = "*", slash = "/", doubleSlash = "//", percent = "%", doubleStar = "**",
         at = "@", ampersand = "&", pipe = "|", caret = "^", tilde = "~", shiftLeft = "<<", shiftRight = ">>"
    // comparisons
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    // augmented assignments
    case plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/=", doubleSlashAssign = "//=",
         percentAssign = "%=", doubleStarAssign = "**=", atAssign = "@=", ampersandAssign = "&=", pipeAssign = "|=",
         caretAssign = "^=", shiftLeftAssign = "<<=", shiftRightAssign = ">>="

    /// The longest spelling is three characters (`**=`, `...`).
    static let longestSpelling = Operator.allCases.map(\.rawValue.count).max() ?? 1

    /// The binary operator of an infix use (`+`, `**`, `@`, …).
    public var binary: BinaryOp? {
        switch self {
        case .plus: return .add
        case .minus: return .sub
        case .star: return .mul
        case .slash: return .div
        case .doubleSlash: return .floorDiv
        case .percent: return .mod
        case .doubleStar: return .pow
        case .at: return .matmul
        case .ampersand: return .bitAnd
        case .pipe: return .bitOr
        case .caret: return .bitXor
        case .shiftLeft: return .shl
        case .shiftRight: return .shr
        default: return nil
        }
    }

    /// The binary operator an augmented assignment applies (`+=` applies `+`).
    public var augmented: BinaryOp? {
        switch self {
        case .plusAssign: return .add
        case .minusAssign: return .sub
        case .starAssign: return .mul
        case .slashAssign: return .div
        case .doubleSlashAssign: return .floorDiv
        case .percentAssign: return .mod
        case .doubleStarAssign: return .pow
        case .atAssign: return .matmul
        case .ampersandAssign: return .bitAnd
        case .pipeAssign: return .bitOr
        case .caretAssign: return .bitXor
        case .shiftLeftAssign: return .shl
        case .shiftRightAssign: return .shr
        default: return nil
        }
    }

    /// The comparison spelled by this operator (`in`, `is` and their negations are keywords).
    public var comparison: CompareOp? {
        switch self {
        case .equal: return .eq
        case .notEqual: return .ne
        case .less: return .lt
        case .lessEqual: return .le
        case .greater: return .gt
        case .greaterEqual: return .ge
        default: return nil
        }
    }

    /// The prefix operator (`-x`, `+x`, `~x`; `not` is a keyword).
    public var unary: UnaryOp? {
        switch self {
        case .minus: return .neg
        case .plus: return .pos
        case .tilde: return .invert
        default: return nil
        }
    }

    var opensBracket: Bool { self == .leftParen || self == .leftBracket || self == .leftBrace }
    var closesBracket: Bool { self == .rightParen || self == .rightBracket || self == .rightBrace }
}

/// Reserved words. `true`/`false`/`none` are accepted as spellings of `True`/`False`/`None`.
public enum Keyword: String, CaseIterable, Sendable {
    case and, or, not, `if`, elif, `else`, `for`, `while`, `in`, `is`, def, `return`, lambda, pass, `break`,
         `continue`, global, nonlocal, del, assert, `import`, from, `as`, `class`, `try`, except, finally, raise,
         with, yield
    case trueValue = "True", falseValue = "False", noneValue = "None"
    case trueLowercase = "true", falseLowercase = "false", noneLowercase = "none"
}

/// How tightly a binary operator binds: a higher level binds tighter. Python's table, from `|` up to `**`;
/// prefix `-`, `+`, `~` sit between the multiplicative operators and `**` (so `-2**2 == -(2**2)` and
/// `2**-1` parses), and `not`, comparisons, `and`, `or`, `x if c else y` and `lambda` sit below `|`.
public enum Precedence {
    public enum Associativity: Sendable { case left, right }

    public static let table: [BinaryOp: (level: Int, associativity: Associativity)] = [
        .bitOr: (1, .left),
        .bitXor: (2, .left),
        .bitAnd: (3, .left),
        .shl: (4, .left), .shr: (4, .left),
        .add: (5, .left), .sub: (5, .left),
        .mul: (6, .left), .div: (6, .left), .floorDiv: (6, .left), .mod: (6, .left), .matmul: (6, .left),
        .pow: (8, .right),
    ]

    /// The level of prefix `-`, `+`, `~`: the operand of `-` takes `**` but not `*`.
    public static let unary = 7
    /// The loosest binary level (`|`).
    public static let lowest = 1
}
