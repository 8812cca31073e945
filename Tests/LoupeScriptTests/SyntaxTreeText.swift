@testable import LoupeScript

/// The syntax tree as compact prefix text, so a test can state the shape it expects: `(+ 1 (* 2 3))`.
enum SyntaxTreeText {
    static func expression(_ source: String) throws -> String {
        let stmts = try Parser.parse(source, file: "t")
        guard stmts.count == 1, case .expr(let e) = stmts[0].kind else { return "<not one expression>" }
        return text(e)
    }

    static func text(_ e: Expr) -> String {
        switch e.kind {
        case .name(let n): return n
        case .int(let v): return String(v)
        case .float(let v): return String(v)
        case .string(let s): return "'\(s)'"
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .unary(let op, let x): return "(\(op.rawValue) \(text(x)))"
        case .binary(let op, let a, let b): return "(\(op.rawValue) \(text(a)) \(text(b)))"
        case .compare(let first, let rest):
            return "(cmp \(text(first))" + rest.map { " \($0.0.rawValue) \(text($0.1))" }.joined() + ")"
        case .and(let a, let b): return "(and \(text(a)) \(text(b)))"
        case .or(let a, let b): return "(or \(text(a)) \(text(b)))"
        case .conditional(let c, let t, let o): return "(if \(text(c)) \(text(t)) \(text(o)))"
        case .lambda(let params, let body): return "(lambda \(params.map(\.name).joined(separator: " ")): \(text(body)))"
        case .tuple(let items): return "(tuple" + items.map { " " + text($0) }.joined() + ")"
        case .call(let f, let args): return "(call \(text(f))" + args.map { " " + text($0.value) }.joined() + ")"
        case .attribute(let x, let name): return "\(text(x)).\(name)"
        default: return "<\(e.kind)>"
        }
    }
}
