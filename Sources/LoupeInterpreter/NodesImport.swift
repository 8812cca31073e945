import LoupeScript

/// `import a.b as x` / `from a.b import x as y`: binds registered modules (see `Builtins.registerModule`).
final class ImportStmt: StmtNode {
    enum Binding {
        /// Checks `path` exists, binds `bound` (the path itself with `as`, else its first name).
        case module(path: String, bound: String, TargetNode)
        /// `name` from module `path`: a member, or the submodule `path.name`.
        case member(path: String, name: String, TargetNode)
    }
    unowned let rt: Interpreter
    let bindings: [Binding]

    init(_ rt: Interpreter, _ bindings: [Binding], _ loc: SourceLocation) {
        self.rt = rt
        self.bindings = bindings
        super.init(loc)
    }

    override func exec(_ f: Frame) throws -> Flow {
        do {
            for binding in bindings {
                switch binding {
                case .module(let path, let bound, let target):
                    _ = try Builtins.module(path)
                    try target.assign(try Builtins.module(bound), f)
                case .member(let path, let name, let target):
                    if let sub = Builtins.modules["\(path).\(name)"] { try target.assign(sub, f); continue }
                    let module = try Builtins.module(path)
                    let value: Value
                    do { value = try rt.getAttribute(module, name) } catch let e as LoupeError {
                        throw LoupeError("cannot import `\(name)` from `\(path)`: \(e.message)", hint: e.hint)
                    }
                    try target.assign(value, f)
                }
            }
        } catch let e as LoupeError { throw e.located(loc) }
        return .normal
    }
}

extension Compiler {
    mutating func compileImport(_ s: Stmt) throws -> StmtNode {
        let l = loc(s.line, s.column)
        func target(_ name: String) throws -> TargetNode {
            try compileTarget(Expr(.name(name), line: s.line, column: s.column))
        }
        var bindings: [ImportStmt.Binding] = []
        switch s.kind {
        case .importModules(let modules):
            for m in modules {
                let path = m.path.joined(separator: ".")
                bindings.append(.module(path: path, bound: m.alias == nil ? m.path[0] : path, try target(m.boundName)))
            }
        case .importFrom(let path, let names):
            for n in names { bindings.append(.member(path: path.joined(separator: "."), name: n.name, try target(n.boundName))) }
        default: break
        }
        return ImportStmt(rt, bindings, l)
    }
}
