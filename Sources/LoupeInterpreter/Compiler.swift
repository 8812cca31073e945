import LoupeScript

/// A lexical scope while compiling: the module, a function or a lambda. Comprehension variables get
/// fresh slots in the current frame (Python 3 does not leak them); `overlays` holds those.
final class Scope {
    let isFunction: Bool
    let parent: Scope?
    var locals: [String: Int] = [:]
    var size = 0
    var declaredGlobal: Set<String> = []
    var declaredNonlocal: Set<String> = []
    var overlays: [[String: Int]] = []
    var loopDepth = 0

    init(isFunction: Bool, parent: Scope?) { self.isFunction = isFunction; self.parent = parent }

    func newSlot() -> Int { size += 1; return size - 1 }

    func declareLocal(_ name: String) {
        if locals[name] == nil { locals[name] = newSlot() }
    }

    /// Slot of `name` in this scope's own frame (overlay or function local), if any.
    func ownSlot(_ name: String) -> Int? {
        for o in overlays.reversed() { if let s = o[name] { return s } }
        if isFunction, !declaredGlobal.contains(name), !declaredNonlocal.contains(name) { return locals[name] }
        return nil
    }
}

/// Turns the syntax tree into resolved nodes.
struct Compiler {
    unowned let rt: Interpreter
    let file: String
    var scope: Scope
    /// Expressions being compiled inside one another: the parser bounds trees at `Parser.maxDepth`
    /// levels, and this backs it up for trees made some other way.
    var exprDepth = 0
    static let maxExprDepth = 2 * Parser.maxDepth

    init(_ rt: Interpreter, file: String, scope: Scope) { self.rt = rt; self.file = file; self.scope = scope }

    func loc(_ line: Int, _ col: Int) -> SourceLocation { SourceLocation(file: file, line: line, column: col) }
    func loc(_ e: Expr) -> SourceLocation { loc(e.line, e.column) }

    func syntaxError(_ message: String, _ line: Int, _ col: Int, hint: String? = nil) -> LoupeError {
        var e = LoupeError(message, hint: hint, kind: .syntax)
        e.location = loc(line, col)
        return e
    }

    enum Resolved { case local(Int), enclosing(Int, Int), global(Int) }

    func resolve(_ name: String) -> Resolved {
        if let s = scope.ownSlot(name) { return .local(s) }
        if !scope.declaredGlobal.contains(name) {
            var depth = 1
            var s = scope.parent
            while let sc = s {
                if let slot = sc.ownSlot(name) { return .enclosing(depth, slot) }
                depth += 1
                s = sc.parent
            }
        }
        return .global(rt.globals.slot(for: name))
    }

    // MARK: statements

    mutating func compileBlock(_ stmts: [Stmt]) throws -> [StmtNode] {
        try stmts.map { try compileStmt($0) }
    }

    mutating func compileStmt(_ s: Stmt) throws -> StmtNode {
        let l = loc(s.line, s.column)
        switch s.kind {
        case .expr(let e): return ExprStmt(try compileExpr(e))
        case .assign(let targets, let value):
            let v = try compileExpr(value)
            return AssignStmt(try targets.map { try compileTarget($0) }, v, l)
        case .augAssign(let target, let op, let value):
            let v = try compileExpr(value)
            switch target.kind {
            case .subscriptAccess(let obj, let subs, let comma):
                return AugAssignIndexStmt(rt, object: try compileExpr(obj), index: try compileIndex(subs, comma),
                                          attribute: nil, op: op, value: v, l)
            case .attribute(let obj, let name):
                return AugAssignIndexStmt(rt, object: try compileExpr(obj), index: nil, attribute: name, op: op, value: v, l)
            default:
                return AugAssignStmt(try compileExpr(target), try compileTarget(target), op, v, l)
            }
        case .ifChain(let branches, let orelse):
            var bs: [(ExprNode, [StmtNode])] = []
            for (c, body) in branches { bs.append((try compileExpr(c), try compileBlock(body))) }
            return IfStmt(bs, try compileBlock(orelse ?? []), l)
        case .whileLoop(let cond, let body, let orelse):
            let c = try compileExpr(cond)
            scope.loopDepth += 1
            let b = try compileBlock(body)
            scope.loopDepth -= 1
            return WhileStmt(rt, c, b, try compileBlock(orelse ?? []), l)
        case .forLoop(let target, let iter, let body, let orelse):
            let it = try compileExpr(iter)
            let t = try compileTarget(target)
            scope.loopDepth += 1
            let b = try compileBlock(body)
            scope.loopDepth -= 1
            return ForStmt(rt, t, it, b, try compileBlock(orelse ?? []), l)
        case .breakLoop:
            if scope.loopDepth == 0 { throw syntaxError("`break` outside a loop", s.line, s.column) }
            return BreakStmt(l)
        case .continueLoop:
            if scope.loopDepth == 0 { throw syntaxError("`continue` outside a loop", s.line, s.column) }
            return ContinueStmt(l)
        case .pass: return PassStmt(l)
        case .returnValue(let e):
            if !scope.isFunction { throw syntaxError("`return` outside a function", s.line, s.column) }
            return ReturnStmt(try e.map { try compileExpr($0) }, l)
        case .def(let name, let params, let body):
            var doc: String? = nil
            if case .expr(let first)? = body.first?.kind, case .string(let d) = first.kind { doc = d }
            let make = try compileFunction(name: name, params: params, body: body, doc: doc, l)
            let target = try compileTarget(Expr(.name(name), line: s.line, column: s.column))
            return AssignStmt([target], make, l)
        case .global(let names):
            for n in names { scope.declaredGlobal.insert(n) }
            return PassStmt(l)
        case .nonlocal(let names):
            if !scope.isFunction { throw syntaxError("`nonlocal` outside a function", s.line, s.column) }
            for n in names { scope.declaredNonlocal.insert(n) }
            return PassStmt(l)
        case .del(let targets):
            var ts: [DelStmt.Target] = []
            for t in targets {
                switch t.kind {
                case .name(let n):
                    switch resolve(n) {
                    case .local(let sl): ts.append(.local(sl))
                    case .global(let g): ts.append(.global(g))
                    case .enclosing: throw syntaxError("cannot delete a variable of an enclosing function", t.line, t.column)
                    }
                case .subscriptAccess(let o, let subs, let comma):
                    ts.append(.index(try compileExpr(o), try compileIndex(subs, comma)))
                default: throw syntaxError("cannot delete this expression", t.line, t.column)
                }
            }
            return DelStmt(rt, ts, l)
        case .assert(let c, let m):
            return AssertStmt(try compileExpr(c), try m.map { try compileExpr($0) }, l)
        case .raise(let e):
            return RaiseStmt(try e.map { try compileExpr($0) }, l)
        case .tryExcept(let body, let clauses, let finally):
            let b = try compileBlock(body)
            var handlers: [TryStmt.Handler] = []
            for c in clauses {
                let binding = try c.binding.map { try compileTarget(Expr(.name($0), line: s.line, column: s.column)) }
                handlers.append(TryStmt.Handler(binding: binding, body: try compileBlock(c.body)))
            }
            return TryStmt(b, handlers, try compileBlock(finally ?? []), l)
        case .with(let ctx, let target, let body):
            return WithStmt(rt, try compileExpr(ctx), try target.map { try compileTarget($0) }, try compileBlock(body), l)
        case .importModules, .importFrom:
            return try compileImport(s)
        }
    }

    // MARK: functions

    mutating func compileFunction(name: String, params: [Parameter], body: [Stmt], doc: String?,
                                  _ l: SourceLocation) throws -> ExprNode {
        let fnScope = Scope(isFunction: true, parent: scope)
        // parameters first so they get slots 0..<n
        var spec = ParamSpec(names: [], defaults: [], varArgsSlot: nil, varKeywordsSlot: nil, normalCount: 0, positionalCount: 0)
        let firstStar = params.firstIndex { $0.kind == .varArgs } ?? params.count
        spec.positionalCount = params[..<firstStar].filter { $0.kind == .normal }.count
        for p in params where p.kind == .normal {
            fnScope.declareLocal(p.name)
            spec.names.append(p.name)
            spec.defaults.append(try p.defaultValue.map { try compileExpr($0) })  // defaults evaluate in the outer scope
        }
        spec.normalCount = spec.names.count
        for p in params where p.kind != .normal {
            fnScope.declareLocal(p.name)
            if p.kind == .varArgs { spec.varArgsSlot = fnScope.locals[p.name] } else { spec.varKeywordsSlot = fnScope.locals[p.name] }
        }
        var declaredGlobal = Set<String>()
        Compiler.collectDeclarations(body, global: &declaredGlobal)
        fnScope.declaredGlobal = declaredGlobal
        for n in Compiler.assignedNames(body) where !declaredGlobal.contains(n) { fnScope.declareLocal(n) }
        var inner = Compiler(rt, file: file, scope: fnScope)
        inner.exprDepth = exprDepth
        let nodes = try inner.compileBlock(body)
        return MakeFunctionNode(name: name, params: spec, body: nodes, frameSize: { [fnScope] in fnScope.size }, doc: doc, l)
    }

    static func collectDeclarations(_ body: [Stmt], global: inout Set<String>) {
        for s in body {
            switch s.kind {
            case .global(let names): global.formUnion(names)
            case .ifChain(let bs, let e): for (_, b) in bs { collectDeclarations(b, global: &global) }; collectDeclarations(e ?? [], global: &global)
            case .forLoop(_, _, let b, let e), .whileLoop(_, let b, let e):
                collectDeclarations(b, global: &global); collectDeclarations(e ?? [], global: &global)
            case .tryExcept(let b, let cs, let fin):
                collectDeclarations(b, global: &global); for c in cs { collectDeclarations(c.body, global: &global) }
                collectDeclarations(fin ?? [], global: &global)
            case .with(_, _, let b): collectDeclarations(b, global: &global)
            default: break
            }
        }
    }

    /// Names a function body assigns (so they are local), not descending into nested functions.
    static func assignedNames(_ body: [Stmt]) -> [String] {
        var out: [String] = []
        var nonlocals = Set<String>()
        func target(_ e: Expr) {
            switch e.kind {
            case .name(let n): out.append(n)
            case .tuple(let items), .list(let items): items.forEach(target)
            case .starred(let inner): target(inner)
            default: break
            }
        }
        func walk(_ stmts: [Stmt]) {
            for s in stmts {
                switch s.kind {
                case .assign(let ts, _): ts.forEach(target)
                case .augAssign(let t, _, _): target(t)
                case .forLoop(let t, _, let b, let e): target(t); walk(b); walk(e ?? [])
                case .whileLoop(_, let b, let e): walk(b); walk(e ?? [])
                case .ifChain(let bs, let e): for (_, b) in bs { walk(b) }; walk(e ?? [])
                case .def(let n, _, _): out.append(n)
                case .nonlocal(let ns): nonlocals.formUnion(ns)
                case .tryExcept(let b, let cs, let fin):
                    walk(b); for c in cs { if let n = c.binding { out.append(n) }; walk(c.body) }; walk(fin ?? [])
                case .with(_, let t, let b): if let t = t { target(t) }; walk(b)
                case .importModules(let ms): out.append(contentsOf: ms.map(\.boundName))
                case .importFrom(_, let ns): out.append(contentsOf: ns.map(\.boundName))
                default: break
                }
            }
        }
        walk(body)
        return out.filter { !nonlocals.contains($0) }
    }

    // MARK: targets

    mutating func compileTarget(_ e: Expr) throws -> TargetNode {
        let l = loc(e)
        switch e.kind {
        case .name(let n):
            if !scope.isFunction || scope.ownSlot(n) != nil || scope.declaredGlobal.contains(n) || scope.declaredNonlocal.contains(n) {
                switch resolve(n) {
                case .local(let s): return LocalTarget(s, l)
                case .enclosing(let d, let s): return EnclosingTarget(d, s, l)
                case .global(let g): return GlobalTarget(rt, g, l)
                }
            }
            // a function-local first seen here (e.g. inside a comprehension target): give it a slot
            scope.declareLocal(n)
            return LocalTarget(scope.locals[n] ?? 0, l)
        case .tuple(let items), .list(let items):
            var star: Int? = nil
            var ts: [TargetNode] = []
            for (i, it) in items.enumerated() {
                if case .starred(let inner) = it.kind {
                    if star != nil { throw syntaxError("only one starred name in an unpacking", it.line, it.column) }
                    star = i
                    ts.append(try compileTarget(inner))
                } else {
                    ts.append(try compileTarget(it))
                }
            }
            return UnpackTarget(ts, starIndex: star, l)
        case .subscriptAccess(let obj, let subs, let comma):
            return IndexTarget(IndexNode(rt, try compileExpr(obj), try compileIndex(subs, comma), l))
        case .attribute(let obj, let name):
            return AttributeTarget(AttributeNode(rt, try compileExpr(obj), name, l))
        default:
            throw syntaxError("cannot assign to this expression", e.line, e.column)
        }
    }

    mutating func compileIndex(_ subs: [Subscript], _ comma: Bool) throws -> IndexSpec {
        var parts: [IndexSpec.Part] = []
        for s in subs {
            switch s {
            case .index(let e): parts.append(.expr(try compileExpr(e)))
            case .slice(let a, let b, let c):
                parts.append(.slice(try a.map { try compileExpr($0) }, try b.map { try compileExpr($0) },
                                    try c.map { try compileExpr($0) }))
            }
        }
        return IndexSpec(parts, isTuple: comma || subs.count > 1)
    }
}
