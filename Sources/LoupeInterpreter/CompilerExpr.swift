import LoupeScript

extension Compiler {
    mutating func compileExpr(_ e: Expr) throws -> ExprNode {
        let l = loc(e)
        exprDepth += 1
        defer { exprDepth -= 1 }
        if exprDepth > Compiler.maxExprDepth {
            throw syntaxError("too deeply nested: an expression more than \(Compiler.maxExprDepth) levels deep", e.line, e.column)
        }
        switch e.kind {
        case .name(let n):
            switch resolve(n) {
            case .local(let s): return LocalNode(s, n, l)
            case .enclosing(let d, let s): return EnclosingNode(d, s, n, l)
            case .global(let g): return GlobalNode(rt, g, n, l)
            }
        case .int(let v): return ConstNode(.int(v), l)
        case .float(let v): return ConstNode(.float(v), l)
        case .string(let s): return ConstNode(.string(s), l)
        case .bool(let b): return ConstNode(.bool(b), l)
        case .none: return ConstNode(.none, l)
        case .ellipsis: return ConstNode(.ellipsis, l)
        case .fstring(let parts): return try compileFString(parts, l)
        case .list(let items), .set(let items):
            if case .set = e.kind {
                let seq = try compileSequence(.list, items, l)
                return CallNode(rt, ConstNode(rt.builtinValue("set") ?? .none, l), ArgList([seq], [.positional]), l)
            }
            return try compileSequence(.list, items, l)
        case .tuple(let items): return try compileSequence(.tuple, items, l)
        case .dict(let pairs):
            return DictNode(try pairs.map { (try compileExpr($0.0), try compileExpr($0.1)) }, l)
        case .starred:
            throw syntaxError("`*` unpacking is only allowed in calls, lists and assignments", e.line, e.column)
        case .unary(let op, let operand):
            return UnaryNode(op, try compileExpr(operand), l)
        case .binary(let op, let a, let b):
            return BinaryNode(op, try compileExpr(a), try compileExpr(b), l)
        case .compare(let first, let rest):
            return CompareNode(try compileExpr(first), try rest.map { ($0.0, try compileExpr($0.1)) }, l)
        case .and(let a, let b): return AndNode(try compileExpr(a), try compileExpr(b), l)
        case .or(let a, let b): return OrNode(try compileExpr(a), try compileExpr(b), l)
        case .conditional(let c, let t, let o):
            return ConditionalNode(try compileExpr(c), try compileExpr(t), try compileExpr(o), l)
        case .call(let callee, let args):
            let argList = try compileArgs(args)
            if case .attribute(let recv, let name) = callee.kind {
                return MethodCallNode(rt, try compileExpr(recv), name, argList, loc(callee))
            }
            return CallNode(rt, try compileExpr(callee), argList, l)
        case .attribute(let obj, let name):
            return AttributeNode(rt, try compileExpr(obj), name, l)
        case .subscriptAccess(let obj, let subs, let comma):
            return IndexNode(rt, try compileExpr(obj), try compileIndex(subs, comma), l)
        case .lambda(let params, let body):
            let ret = Stmt(.returnValue(body), line: body.line, column: body.column)
            return try compileFunction(name: "<lambda>", params: params, body: [ret], doc: nil, l)
        case .listComp(let elt, let clauses):
            return try compileComprehension(clauses, l) { try $0.compileExpr(elt) } value: { _ in nil }
        case .dictComp(let k, let v, let clauses):
            return try compileComprehension(clauses, l) { try $0.compileExpr(k) } value: { try $0.compileExpr(v) }
        }
    }

    mutating func compileSequence(_ kind: SequenceNode.Kind, _ items: [Expr], _ l: SourceLocation) throws -> ExprNode {
        var nodes: [ExprNode] = []
        var starred: [Bool] = []
        for it in items {
            if case .starred(let inner) = it.kind { nodes.append(try compileExpr(inner)); starred.append(true) }
            else { nodes.append(try compileExpr(it)); starred.append(false) }
        }
        if !starred.contains(true), nodes.allSatisfy({ $0 is ConstNode }), kind == .tuple {
            return ConstNode(.tuple(nodes.map { ($0 as? ConstNode)?.value ?? .none }), l)
        }
        return SequenceNode(kind, nodes, starred: starred, l)
    }

    mutating func compileArgs(_ args: [Argument]) throws -> ArgList {
        var nodes: [ExprNode] = []
        var kinds: [ArgKind] = []
        for a in args {
            nodes.append(try compileExpr(a.value))
            switch a.kind {
            case .positional: kinds.append(.positional)
            case .keyword(let n): kinds.append(.keyword(n))
            case .star: kinds.append(.star)
            case .doubleStar: kinds.append(.doubleStar)
            }
        }
        return ArgList(nodes, kinds)
    }

    mutating func compileComprehension(_ clauses: [Comprehension], _ l: SourceLocation,
                                       element: (inout Compiler) throws -> ExprNode,
                                       value: (inout Compiler) throws -> ExprNode?) throws -> ExprNode {
        var compiled: [CompClause] = []
        var pushed = 0
        for c in clauses {
            // the iterable of the first clause is evaluated outside the comprehension's names
            let iter = try compileExpr(c.iterable)
            var names: [String] = []
            Compiler.targetNames(c.target, into: &names)
            var overlay: [String: Int] = [:]
            for n in names { overlay[n] = scope.newSlot() }
            scope.overlays.append(overlay)
            pushed += 1
            let target = try compileTarget(c.target)
            let conds = try c.conditions.map { try compileExpr($0) }
            compiled.append(CompClause(target: target, iterable: iter, conditions: conds))
        }
        let elt = try element(&self)
        let val = try value(&self)
        scope.overlays.removeLast(pushed)
        return ComprehensionNode(rt, compiled, element: elt, value: val, l)
    }

    static func targetNames(_ e: Expr, into out: inout [String]) {
        switch e.kind {
        case .name(let n): out.append(n)
        case .tuple(let items), .list(let items): for i in items { targetNames(i, into: &out) }
        case .starred(let inner): targetNames(inner, into: &out)
        default: break
        }
    }

    mutating func compileFString(_ parts: [FStringPart], _ l: SourceLocation) throws -> FStringNode {
        var out: [FStringNode.Part] = []
        for p in parts {
            switch p {
            case .literal(let s): out.append(.literal(s))
            case .field(let e, let conv, let spec):
                out.append(.field(try compileExpr(e), conv, try spec.map { try compileFString($0, l) }))
            }
        }
        return FStringNode(out, l)
    }
}
