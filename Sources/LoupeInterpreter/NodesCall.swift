import LoupeScript

/// How one call argument is passed.
enum ArgKind { case positional, keyword(String), star, doubleStar }

/// Evaluates call arguments into `Arguments`, splicing `*xs` and `**d`.
struct ArgList {
    let nodes: [ExprNode]
    let kinds: [ArgKind]
    let simple: Bool

    init(_ nodes: [ExprNode], _ kinds: [ArgKind]) {
        self.nodes = nodes
        self.kinds = kinds
        simple = kinds.allSatisfy { if case .positional = $0 { return true }; return false }
    }

    @inline(__always)
    func eval(_ f: Frame) throws -> Arguments {
        if simple {
            var pos: [Value] = []
            pos.reserveCapacity(nodes.count)
            for n in nodes { pos.append(try n.eval(f)) }
            return Arguments(pos)
        }
        var args = Arguments()
        for (n, k) in zip(nodes, kinds) {
            let v = try n.eval(f)
            switch k {
            case .positional: args.positional.append(v)
            case .keyword(let name): args.keywords.append((name, v))
            case .star:
                do { args.positional.append(contentsOf: try Ops.iterate(v)) } catch let e as LoupeError { throw e.located(n.loc) }
            case .doubleStar:
                guard case .dict(let d) = v else { throw LoupeError("** needs a dict, not \(v.typeName)").located(n.loc) }
                for (key, val) in zip(d.keys, d.values) {
                    guard case .string(let s) = key else { throw LoupeError("** dict keys must be strings").located(n.loc) }
                    args.keywords.append((s, val))
                }
            }
        }
        return args
    }
}

final class CallNode: ExprNode {
    unowned let rt: Interpreter
    let callee: ExprNode
    let args: ArgList
    init(_ rt: Interpreter, _ callee: ExprNode, _ args: ArgList, _ loc: SourceLocation) {
        self.rt = rt; self.callee = callee; self.args = args; super.init(loc)
    }
    override func eval(_ f: Frame) throws -> Value {
        let fn = try callee.eval(f)
        let a = try args.eval(f)
        do { return try rt.call(fn, a, site: loc) } catch let e as LoupeError { throw e.located(loc) } catch { throw LoupeError.wrap(error).located(loc) }
    }
}

/// `x.name(args)` without materialising a bound method.
final class MethodCallNode: ExprNode {
    unowned let rt: Interpreter
    let receiver: ExprNode
    let name: String
    let args: ArgList
    init(_ rt: Interpreter, _ receiver: ExprNode, _ name: String, _ args: ArgList, _ loc: SourceLocation) {
        self.rt = rt; self.receiver = receiver; self.name = name; self.args = args; super.init(loc)
    }
    override func eval(_ f: Frame) throws -> Value {
        let recv = try receiver.eval(f)
        let a = try args.eval(f)
        do { return try rt.callMethod(recv, name, a, site: loc) } catch let e as LoupeError { throw e.located(loc) } catch { throw LoupeError.wrap(error).located(loc) }
    }
}
