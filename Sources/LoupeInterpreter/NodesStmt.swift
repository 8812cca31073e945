import LoupeScript

final class ExprStmt: StmtNode {
    let expr: ExprNode
    init(_ e: ExprNode) { expr = e; super.init(e.loc) }
    override func exec(_ f: Frame) throws -> Flow { _ = try expr.eval(f); return .normal }
}

final class AssignStmt: StmtNode {
    let targets: [TargetNode]
    let value: ExprNode
    init(_ targets: [TargetNode], _ value: ExprNode, _ loc: SourceLocation) { self.targets = targets; self.value = value; super.init(loc) }
    override func exec(_ f: Frame) throws -> Flow {
        let v = try value.eval(f)
        for t in targets { try t.assign(v, f) }
        return .normal
    }
}

/// `x op= v` for names: read, combine, write.
final class AugAssignStmt: StmtNode {
    let read: ExprNode
    let target: TargetNode
    let op: BinaryOp
    let value: ExprNode
    init(_ read: ExprNode, _ target: TargetNode, _ op: BinaryOp, _ value: ExprNode, _ loc: SourceLocation) {
        self.read = read; self.target = target; self.op = op; self.value = value; super.init(loc)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let a = try read.eval(f)
        let b = try value.eval(f)
        var r: Value
        if case .int(let x) = a, case .int(let y) = b, op == .add, case (let s, false) = x.addingReportingOverflow(y) {
            r = .int(s)
        } else if case .float(let x) = a, case .float(let y) = b, op == .add {
            r = .float(x + y)
        } else {
            do { r = try Ops.inPlace(op, a, b) } catch let e as LoupeError { throw e.located(loc) }
        }
        try target.assign(r, f)
        return .normal
    }
}

/// `obj[key] op= v` / `obj.attr op= v`: evaluates the object and key once.
final class AugAssignIndexStmt: StmtNode {
    unowned let rt: Interpreter
    let object: ExprNode
    let index: IndexSpec?
    let attribute: String?
    let op: BinaryOp
    let value: ExprNode
    init(_ rt: Interpreter, object: ExprNode, index: IndexSpec?, attribute: String?, op: BinaryOp, value: ExprNode, _ loc: SourceLocation) {
        self.rt = rt; self.object = object; self.index = index; self.attribute = attribute; self.op = op; self.value = value
        super.init(loc)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let obj = try object.eval(f)
        do {
            if let index = index {
                let key = try index.eval(f)
                let old = try Indexing.getItem(obj, key, rt)
                let new = try Ops.inPlace(op, old, try value.eval(f))
                try Indexing.setItem(obj, key, new, rt)
            } else if let name = attribute {
                let old = try rt.getAttribute(obj, name)
                let new = try Ops.inPlace(op, old, try value.eval(f))
                guard case .host(let h) = obj, try h.setAttribute(name, new, interpreter: rt) else {
                    throw LoupeError("cannot set attribute `\(name)` on \(obj.typeName)")
                }
            }
        } catch let e as LoupeError { throw e.located(loc) }
        return .normal
    }
}

final class IfStmt: StmtNode {
    let branches: [(ExprNode, [StmtNode])]
    let orelse: [StmtNode]
    init(_ branches: [(ExprNode, [StmtNode])], _ orelse: [StmtNode], _ loc: SourceLocation) {
        self.branches = branches; self.orelse = orelse; super.init(loc)
    }
    override func exec(_ f: Frame) throws -> Flow {
        for (c, body) in branches where try c.eval(f).isTruthy { return try runBlock(body, f) }
        return try runBlock(orelse, f)
    }
}

final class WhileStmt: StmtNode {
    unowned let rt: Interpreter
    let cond: ExprNode
    let body: [StmtNode]
    let orelse: [StmtNode]
    init(_ rt: Interpreter, _ cond: ExprNode, _ body: [StmtNode], _ orelse: [StmtNode], _ loc: SourceLocation) {
        self.rt = rt; self.cond = cond; self.body = body; self.orelse = orelse; super.init(loc)
    }
    override func exec(_ f: Frame) throws -> Flow {
        while try cond.eval(f).isTruthy {
            if rt.interruptRequested { throw LoupeError.interrupted.located(loc) }
            switch try runBlock(body, f) {
            case .breakLoop: return .normal
            case .returned: return .returned
            default: continue
            }
        }
        return try runBlock(orelse, f)
    }
}

final class ForStmt: StmtNode {
    unowned let rt: Interpreter
    let target: TargetNode
    let iterable: ExprNode
    let body: [StmtNode]
    let orelse: [StmtNode]
    init(_ rt: Interpreter, _ target: TargetNode, _ iterable: ExprNode, _ body: [StmtNode], _ orelse: [StmtNode], _ loc: SourceLocation) {
        self.rt = rt; self.target = target; self.iterable = iterable; self.body = body; self.orelse = orelse; super.init(loc)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let it = try iterable.eval(f)
        if case .range(let r) = it {
            var i = r.start
            let n = r.count
            for _ in 0..<n {
                if rt.interruptRequested { throw LoupeError.interrupted.located(loc) }
                try target.assign(.int(i), f)
                i &+= r.step
                switch try runBlock(body, f) {
                case .breakLoop: return .normal
                case .returned: return .returned
                default: continue
                }
            }
            return try runBlock(orelse, f)
        }
        let items: [Value]
        do { items = try Ops.iterate(it) } catch let e as LoupeError { throw e.located(iterable.loc) }
        for item in items {
            if rt.interruptRequested { throw LoupeError.interrupted.located(loc) }
            try target.assign(item, f)
            switch try runBlock(body, f) {
            case .breakLoop: return .normal
            case .returned: return .returned
            default: continue
            }
        }
        return try runBlock(orelse, f)
    }
}

final class BreakStmt: StmtNode { override func exec(_ f: Frame) throws -> Flow { .breakLoop } }
final class ContinueStmt: StmtNode { override func exec(_ f: Frame) throws -> Flow { .continueLoop } }
final class PassStmt: StmtNode {}

final class ReturnStmt: StmtNode {
    let value: ExprNode?
    init(_ value: ExprNode?, _ loc: SourceLocation) { self.value = value; super.init(loc) }
    override func exec(_ f: Frame) throws -> Flow {
        f.returnValue = try value?.eval(f) ?? .none
        return .returned
    }
}

final class DelStmt: StmtNode {
    unowned let rt: Interpreter
    enum Target { case local(Int), global(Int), index(ExprNode, IndexSpec) }
    let targets: [Target]
    init(_ rt: Interpreter, _ targets: [Target], _ loc: SourceLocation) { self.rt = rt; self.targets = targets; super.init(loc) }
    override func exec(_ f: Frame) throws -> Flow {
        for t in targets {
            switch t {
            case .local(let s): f.slots[s] = nil
            case .global(let s): rt.globals.slots[s] = nil
            case .index(let o, let spec):
                let obj = try o.eval(f)
                let key = try spec.eval(f)
                do { try Indexing.delItem(obj, key) } catch let e as LoupeError { throw e.located(loc) }
            }
        }
        return .normal
    }
}

final class AssertStmt: StmtNode {
    let cond: ExprNode, message: ExprNode?
    init(_ c: ExprNode, _ m: ExprNode?, _ loc: SourceLocation) { cond = c; message = m; super.init(loc) }
    override func exec(_ f: Frame) throws -> Flow {
        if try cond.eval(f).isTruthy { return .normal }
        let msg = try message.map { Repr.str(try $0.eval(f)) }
        throw LoupeError("assertion failed" + (msg.map { ": \($0)" } ?? "")).located(loc)
    }
}

final class RaiseStmt: StmtNode {
    let value: ExprNode?
    init(_ v: ExprNode?, _ loc: SourceLocation) { value = v; super.init(loc) }
    override func exec(_ f: Frame) throws -> Flow {
        let v = try value?.eval(f) ?? .string("error")
        var e = LoupeError(Repr.str(v)).located(loc)
        e.payload = v
        throw e
    }
}

final class TryStmt: StmtNode {
    struct Handler { let binding: TargetNode?; let body: [StmtNode] }
    let body: [StmtNode]
    let handlers: [Handler]
    let finally: [StmtNode]
    init(_ body: [StmtNode], _ handlers: [Handler], _ finally: [StmtNode], _ loc: SourceLocation) {
        self.body = body; self.handlers = handlers; self.finally = finally; super.init(loc)
    }
    override func exec(_ f: Frame) throws -> Flow {
        var flow: Flow = .normal
        do {
            flow = try runBlock(body, f)
        } catch let e as LoupeError where !e.isInterrupted && !handlers.isEmpty {
            let h = handlers[0]
            do {
                try h.binding?.assign(e.payload ?? .string(e.message), f)
                flow = try runBlock(h.body, f)
            } catch {
                _ = try runBlock(finally, f)
                throw error
            }
        } catch {
            _ = try runBlock(finally, f)
            throw error
        }
        let fin = try runBlock(finally, f)
        return fin == .normal ? flow : fin
    }
}

/// `with ctx as target:` — a host value whose type declares `__enter__`/`__exit__` (a context manager)
/// has them called around the body, `__exit__` also when the body fails; any other value is bound as it is.
final class WithStmt: StmtNode {
    unowned let rt: Interpreter
    let context: ExprNode
    let target: TargetNode?
    let body: [StmtNode]
    init(_ rt: Interpreter, _ context: ExprNode, _ target: TargetNode?, _ body: [StmtNode], _ loc: SourceLocation) {
        self.rt = rt; self.context = context; self.target = target; self.body = body; super.init(loc)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let value = try context.eval(f)
        guard case .host(let h) = value, Builtins.member(h.typeName, "__enter__") != nil,
              Builtins.member(h.typeName, "__exit__") != nil else {
            try target?.assign(value, f)
            return try runBlock(body, f)
        }
        let entered = try rt.callMethod(value, "__enter__", Arguments([]), site: loc)
        let flow: Flow
        do {
            try target?.assign(entered, f)
            flow = try runBlock(body, f)
        } catch {
            _ = try rt.callMethod(value, "__exit__", Arguments([]), site: loc)
            throw error
        }
        _ = try rt.callMethod(value, "__exit__", Arguments([]), site: loc)
        return flow
    }
}
