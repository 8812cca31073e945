/// `import a.b.c [as x], d` and `from a.b import x [as y], z` (parenthesised name lists too). Loupe
/// binds these to its own built-in modules; relative imports and `import *` are refused here.
extension Parser {
    mutating func parseImport() throws -> Stmt {
        let t = advance()
        var modules: [ImportedModule] = []
        repeat {
            let path = try parseModulePath()
            modules.append(ImportedModule(path: path, alias: try parseAlias()))
        } while acceptOp(.comma)
        return Stmt(.importModules(modules), line: t.line, column: t.column)
    }

    mutating func parseFromImport() throws -> Stmt {
        let t = advance()
        if isOp(.dot) || isOp(.ellipsis) {
            throw error("relative imports (`from .`) are not supported: Loupe's modules are built in", hint: "write `import torch` or `from transformer_lens import utils`")
        }
        let path = try parseModulePath()
        guard acceptKeyword(.import) else { throw error("expected `import` after `from \(path.joined(separator: "."))`, found \(current.describe)") }
        if isOp(.star) {
            throw error("`from \(path.joined(separator: ".")) import *` is not supported", hint: "name what you use: `from \(path.joined(separator: ".")) import a, b`")
        }
        let parenthesised = acceptOp(.leftParen)
        var names: [ImportedName] = []
        repeat {
            if parenthesised && isOp(.rightParen) { break }  // trailing comma
            guard current.kind == .name else { throw error("expected a name to import, found \(current.describe)") }
            let name = advance().text
            names.append(ImportedName(name: name, alias: try parseAlias()))
        } while acceptOp(.comma)
        if parenthesised { try expectOp(.rightParen, "to close the imported names") }
        if names.isEmpty { throw error("expected a name to import") }
        return Stmt(.importFrom(path, names), line: t.line, column: t.column)
    }

    /// `a.b.c`
    mutating func parseModulePath() throws -> [String] {
        var path: [String] = []
        repeat {
            guard current.kind == .name else { throw error("expected a module name, found \(current.describe)") }
            path.append(advance().text)
        } while acceptOp(.dot)
        return path
    }

    /// `as name`, if present.
    mutating func parseAlias() throws -> String? {
        guard acceptKeyword(.as) else { return nil }
        guard current.kind == .name else { throw error("expected a name after `as`, found \(current.describe)") }
        return advance().text
    }
}
