import LoupeScript

final class UnaryNode: ExprNode {
    let op: UnaryOp, operand: ExprNode
    init(_ op: UnaryOp, _ operand: ExprNode, _ loc: SourceLocation) { self.op = op; self.operand = operand; super.init(loc) }
    override func eval(_ f: Frame) throws -> Value {
        let v = try operand.eval(f)
        if op == .not { return .bool(!v.isTruthy) }
        do { return try Ops.unary(op, v) } catch let e as LoupeError { throw e.located(loc) }
    }
}

final class BinaryNode: ExprNode {
    let op: BinaryOp, left: ExprNode, right: ExprNode
    init(_ op: BinaryOp, _ left: ExprNode, _ right: ExprNode, _ loc: SourceLocation) {
        self.op = op; self.left = left; self.right = right; super.init(loc)
    }
    override func eval(_ f: Frame) throws -> Value {
        let a = try left.eval(f)
        let b = try right.eval(f)
        // scalar fast paths
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add: let (r, o) = x.addingReportingOverflow(y); if !o { return .int(r) }
            case .sub: let (r, o) = x.subtractingReportingOverflow(y); if !o { return .int(r) }
            case .mul: let (r, o) = x.multipliedReportingOverflow(by: y); if !o { return .int(r) }
            default: break
            }
        } else if case .float(let x) = a, case .float(let y) = b {
            switch op {
            case .add: return .float(x + y)
            case .sub: return .float(x - y)
            case .mul: return .float(x * y)
            case .div: if y != 0 { return .float(x / y) }
            default: break
            }
        }
        do { return try Ops.binary(op, a, b) } catch let e as LoupeError { throw e.located(loc) } catch { throw LoupeError.wrap(error).located(loc) }
    }
}

final class CompareNode: ExprNode {
    let first: ExprNode
    let rest: [(CompareOp, ExprNode)]
    init(_ first: ExprNode, _ rest: [(CompareOp, ExprNode)], _ loc: SourceLocation) {
        self.first = first; self.rest = rest; super.init(loc)
    }
    override func eval(_ f: Frame) throws -> Value {
        var a = try first.eval(f)
        if rest.count == 1 {
            let b = try rest[0].1.eval(f)
            if case .int(let x) = a, case .int(let y) = b {
                switch rest[0].0 {
                case .lt: return .bool(x < y)
                case .le: return .bool(x <= y)
                case .gt: return .bool(x > y)
                case .ge: return .bool(x >= y)
                case .eq: return .bool(x == y)
                case .ne: return .bool(x != y)
                default: break
                }
            }
            do { return try Ops.compare(rest[0].0, a, b) } catch let e as LoupeError { throw e.located(loc) }
        }
        var result: Value = .bool(true)
        for (op, node) in rest {
            let b = try node.eval(f)
            do { result = try Ops.compare(op, a, b) } catch let e as LoupeError { throw e.located(loc) }
            if !result.isTruthy { return result }
            a = b
        }
        return result
    }
}

final class AndNode: ExprNode {
    let left: ExprNode, right: ExprNode
    init(_ l: ExprNode, _ r: ExprNode, _ loc: SourceLocation) { left = l; right = r; super.init(loc) }
    override func eval(_ f: Frame) throws -> Value {
        let a = try left.eval(f)
        return a.isTruthy ? try right.eval(f) : a
    }
}

final class OrNode: ExprNode {
    let left: ExprNode, right: ExprNode
    init(_ l: ExprNode, _ r: ExprNode, _ loc: SourceLocation) { left = l; right = r; super.init(loc) }
    override func eval(_ f: Frame) throws -> Value {
        let a = try left.eval(f)
        return a.isTruthy ? a : try right.eval(f)
    }
}

final class ConditionalNode: ExprNode {
    let cond: ExprNode, then: ExprNode, other: ExprNode
    init(_ c: ExprNode, _ t: ExprNode, _ o: ExprNode, _ loc: SourceLocation) { cond = c; then = t; other = o; super.init(loc) }
    override func eval(_ f: Frame) throws -> Value { try cond.eval(f).isTruthy ? then.eval(f) : other.eval(f) }
}

/// A list/tuple/set display; `starred` marks `*xs` items spliced in.
final class SequenceNode: ExprNode {
    enum Kind { case list, tuple }
    let kind: Kind
    let items: [ExprNode]
    let starred: [Bool]
    let anyStar: Bool
    init(_ kind: Kind, _ items: [ExprNode], starred: [Bool], _ loc: SourceLocation) {
        self.kind = kind; self.items = items; self.starred = starred; anyStar = starred.contains(true); super.init(loc)
    }
    override func eval(_ f: Frame) throws -> Value {
        var out: [Value] = []
        out.reserveCapacity(items.count)
        if anyStar {
            for (i, n) in items.enumerated() {
                let v = try n.eval(f)
                if starred[i] { out.append(contentsOf: try Ops.iterate(v)) } else { out.append(v) }
            }
        } else {
            for n in items { out.append(try n.eval(f)) }
        }
        return kind == .list ? .list(out) : .tuple(out)
    }
}

final class DictNode: ExprNode {
    let pairs: [(ExprNode, ExprNode)]
    init(_ pairs: [(ExprNode, ExprNode)], _ loc: SourceLocation) { self.pairs = pairs; super.init(loc) }
    override func eval(_ f: Frame) throws -> Value {
        let d = DictBox()
        for (k, v) in pairs {
            let key = try k.eval(f)
            do { try d.set(key, try v.eval(f)) } catch let e as LoupeError { throw e.located(k.loc) }
        }
        return .dict(d)
    }
}

/// One `for target in iterable if cond…` clause of a comprehension.
struct CompClause {
    let target: TargetNode
    let iterable: ExprNode
    let conditions: [ExprNode]
}

final class ComprehensionNode: ExprNode {
    unowned let rt: Interpreter
    let clauses: [CompClause]
    let element: ExprNode
    let value: ExprNode?  // dict comprehension value
    init(_ rt: Interpreter, _ clauses: [CompClause], element: ExprNode, value: ExprNode?, _ loc: SourceLocation) {
        self.rt = rt; self.clauses = clauses; self.element = element; self.value = value; super.init(loc)
    }

    override func eval(_ f: Frame) throws -> Value {
        if let v = value {
            let d = DictBox()
            try loop(0, f) { try d.set(try self.element.eval(f), try v.eval(f)) }
            return .dict(d)
        }
        var out: [Value] = []
        try loop(0, f) { out.append(try self.element.eval(f)) }
        return .list(out)
    }

    private func loop(_ k: Int, _ f: Frame, _ body: () throws -> Void) throws {
        if k == clauses.count { try body(); return }
        let c = clauses[k]
        let iterValue = try c.iterable.eval(f)
        let items: [Value]
        do { items = try Ops.iterate(iterValue) } catch let e as LoupeError { throw e.located(c.iterable.loc) }
        outer: for item in items {
            if rt.interruptRequested { throw LoupeError.interrupted.located(loc) }
            try c.target.assign(item, f)
            for cond in c.conditions where !(try cond.eval(f).isTruthy) { continue outer }
            try loop(k + 1, f, body)
        }
    }
}

final class FStringNode: ExprNode {
    enum Part { case literal(String), field(ExprNode, Character?, FStringNode?) }
    let parts: [Part]
    init(_ parts: [Part], _ loc: SourceLocation) { self.parts = parts; super.init(loc) }
    override func eval(_ f: Frame) throws -> Value { .string(try render(f)) }
    func render(_ f: Frame) throws -> String {
        var s = ""
        for p in parts {
            switch p {
            case .literal(let t): s += t
            case .field(let e, let conv, let spec):
                var v = try e.eval(f)
                if conv == "r" { v = .string(Repr.repr(v)) } else if conv == "s" { v = .string(Repr.str(v)) }
                let specText = try spec?.render(f) ?? ""
                do { s += try Format.format(v, spec: specText) } catch let err as LoupeError { throw err.located(e.loc) }
            }
        }
        return s
    }
}

/// Creates a function value (for `def` and `lambda`): evaluates defaults now, captures the frame.
final class MakeFunctionNode: ExprNode {
    let name: String
    let params: ParamSpec
    let body: [StmtNode]
    let frameSize: () -> Int
    let doc: String?
    init(name: String, params: ParamSpec, body: [StmtNode], frameSize: @escaping () -> Int, doc: String?, _ loc: SourceLocation) {
        self.name = name; self.params = params; self.body = body; self.frameSize = frameSize; self.doc = doc; super.init(loc)
    }
    override func eval(_ f: Frame) throws -> Value {
        var defaults: [Value?] = []
        for d in params.defaults { defaults.append(try d?.eval(f)) }
        return .function(FunctionValue(name: name, params: params, defaultValues: defaults, body: body,
                                       frameSize: frameSize(), closure: f, location: loc, doc: doc))
    }
}
