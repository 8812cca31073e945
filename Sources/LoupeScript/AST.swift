import Foundation

/// The syntax tree. Every node carries the location of its first token (or its operator, for
/// binary operations) so runtime errors can point at it.
public struct Expr: Sendable {
    public var kind: ExprKind
    public var line: Int
    public var column: Int
    /// Levels of nodes from here to the deepest leaf (1 for a leaf): the parser bounds it so that
    /// compiling, evaluating and freeing the tree cannot exhaust the stack.
    public let depth: Int
    public init(_ kind: ExprKind, line: Int, column: Int) {
        self.kind = kind; self.line = line; self.column = column
        depth = 1 + kind.childDepth
    }
}

public enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", floorDiv = "//", mod = "%", pow = "**", matmul = "@"
    case bitAnd = "&", bitOr = "|", bitXor = "^", shl = "<<", shr = ">>"
}

public enum CompareOp: String, Sendable {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=", isIn = "in", notIn = "not in",
         isSame = "is", isNot = "is not"
}

public enum UnaryOp: String, Sendable { case neg = "-", pos = "+", not = "not", invert = "~" }

public struct Argument: Sendable {
    public enum Kind: Sendable { case positional, keyword(String), star, doubleStar }
    public var kind: Kind
    public var value: Expr
}

public enum Subscript: Sendable {
    case index(Expr)
    case slice(Expr?, Expr?, Expr?)
}

public struct Parameter: Sendable {
    public enum Kind: Sendable { case normal, varArgs, varKeywords }
    public var name: String
    public var defaultValue: Expr?
    public var kind: Kind
}

public struct Comprehension: Sendable {
    public var target: Expr
    public var iterable: Expr
    public var conditions: [Expr]
}

public enum FStringPart: Sendable {
    case literal(String)
    /// expression, conversion (`r`, `s` or nil), format spec (may itself contain `{}` fields, already split)
    case field(Expr, Character?, [FStringPart]?)
}

extension ExprKind {
    /// The depth of the deepest child expression (0 for a leaf).
    var childDepth: Int {
        func most(_ es: [Expr]) -> Int { es.reduce(0) { max($0, $1.depth) } }
        func most(_ cs: [Comprehension]) -> Int {
            cs.reduce(0) { max($0, $1.target.depth, $1.iterable.depth, most($1.conditions)) }
        }
        func most(_ parts: [FStringPart]) -> Int {
            parts.reduce(0) {
                guard case .field(let e, _, let spec) = $1 else { return $0 }
                return max($0, e.depth, most(spec ?? []))
            }
        }
        switch self {
        case .name, .int, .float, .string, .bool, .none, .ellipsis: return 0
        case .fstring(let parts): return most(parts)
        case .list(let es), .tuple(let es), .set(let es): return most(es)
        case .dict(let pairs): return pairs.reduce(0) { max($0, $1.0.depth, $1.1.depth) }
        case .starred(let e), .unary(_, let e), .attribute(let e, _): return e.depth
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): return max(a.depth, b.depth)
        case .compare(let first, let rest): return max(first.depth, most(rest.map(\.1)))
        case .call(let callee, let args): return max(callee.depth, most(args.map(\.value)))
        case .subscriptAccess(let e, let subs, _):
            return subs.reduce(e.depth) {
                switch $1 {
                case .index(let i): return max($0, i.depth)
                case .slice(let a, let b, let c): return max($0, a?.depth ?? 0, b?.depth ?? 0, c?.depth ?? 0)
                }
            }
        case .lambda(let params, let body): return max(body.depth, most(params.compactMap(\.defaultValue)))
        case .conditional(let c, let t, let o): return max(c.depth, t.depth, o.depth)
        case .listComp(let e, let cs): return max(e.depth, most(cs))
        case .dictComp(let k, let v, let cs): return max(k.depth, v.depth, most(cs))
        }
    }
}

public indirect enum ExprKind: Sendable {
    case name(String)
    case int(Int)
    case float(Double)
    case string(String)
    case fstring([FStringPart])
    case bool(Bool)
    case none
    case ellipsis
    case list([Expr])
    case tuple([Expr])
    case dict([(Expr, Expr)])
    case set([Expr])
    case starred(Expr)
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    case compare(Expr, [(CompareOp, Expr)])
    case and(Expr, Expr)
    case or(Expr, Expr)
    case call(Expr, [Argument])
    case attribute(Expr, String)
    /// `hasComma` distinguishes `d[1,]`/`d[1,2]` (a tuple key) from `d[1]`.
    case subscriptAccess(Expr, [Subscript], hasComma: Bool)
    case lambda([Parameter], Expr)
    case conditional(Expr, Expr, Expr)  // then if cond else other: (cond, then, other)
    case listComp(Expr, [Comprehension])
    case dictComp(Expr, Expr, [Comprehension])
}

public struct Stmt: Sendable {
    public var kind: StmtKind
    public var line: Int
    public var column: Int
    public init(_ kind: StmtKind, line: Int, column: Int) { self.kind = kind; self.line = line; self.column = column }
}

public indirect enum StmtKind: Sendable {
    case expr(Expr)
    /// `a = b = value`: all targets get the value.
    case assign([Expr], Expr)
    case augAssign(Expr, BinaryOp, Expr)
    case ifChain([(Expr, [Stmt])], [Stmt]?)
    case forLoop(Expr, Expr, [Stmt], [Stmt]?)
    case whileLoop(Expr, [Stmt], [Stmt]?)
    case breakLoop
    case continueLoop
    case pass
    case returnValue(Expr?)
    case def(String, [Parameter], [Stmt])
    case global([String])
    case nonlocal([String])
    case del([Expr])
    case assert(Expr, Expr?)
    case raise(Expr?)
    case tryExcept([Stmt], [ExceptClause], [Stmt]?)
    /// `with expr as name:` — evaluates expr, binds it, runs the body (no context-manager protocol).
    case with(Expr, Expr?, [Stmt])
    /// `import a.b.c as x, d`: each module's dotted path and its `as` name.
    case importModules([ImportedModule])
    /// `from a.b import x as y, z`: the module's dotted path and the names taken from it.
    case importFrom([String], [ImportedName])
}

/// One module of an `import` statement. Without `as`, Python binds the path's first name.
public struct ImportedModule: Sendable {
    public var path: [String]
    public var alias: String?
    public var boundName: String { alias ?? path[0] }
}

/// One name of a `from … import` statement.
public struct ImportedName: Sendable {
    public var name: String
    public var alias: String?
    public var boundName: String { alias ?? name }
}

public struct ExceptClause: Sendable {
    public var typeName: Expr?
    public var binding: String?
    public var body: [Stmt]
}
