import Foundation

/// Recursive-descent parser for Loupe's Python-flavoured grammar. Statements here; expressions in
/// ParserExpressions.swift. Its recursion is bounded (`maxNesting`) and so is the depth of the trees it
/// builds (`maxDepth`, which left-nested chains such as `a.b.c…` or `1 + 1 + …` reach without recursing):
/// beyond either, a located "too deeply nested" error instead of a stack overflow.
public struct Parser {
    public static let maxNesting = 200
    public static let maxDepth = 1000
    var tokens: [Token]
    var pos = 0
    let file: String
    let source: String
    let firstLine: Int
    /// Grammar rules entered and not yet left (`enter`).
    var nesting = 0

    public init(source: String, file: String, firstLine: Int = 1, firstColumn: Int = 1) throws {
        self.tokens = try Lexer.tokenize(source, file: file, firstLine: firstLine, firstColumn: firstColumn)
        self.file = file
        self.source = source
        self.firstLine = firstLine
    }

    /// Parses a whole file or cell.
    public static func parse(_ source: String, file: String, firstLine: Int = 1) throws -> [Stmt] {
        var p = try Parser(source: source, file: file, firstLine: firstLine)
        return try p.parseProgram()
    }

    // MARK: token helpers

    var current: Token { tokens[min(pos, tokens.count - 1)] }
    func peekToken(_ k: Int = 1) -> Token { tokens[min(pos + k, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let t = current
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    func isOp(_ op: Operator) -> Bool { current.kind == .op(op) }
    func isKeyword(_ keyword: Keyword) -> Bool { current.kind == .keyword(keyword) }

    mutating func acceptOp(_ op: Operator) -> Bool {
        if isOp(op) { advance(); return true }
        return false
    }

    mutating func acceptKeyword(_ keyword: Keyword) -> Bool {
        if isKeyword(keyword) { advance(); return true }
        return false
    }

    func error(_ message: String, at token: Token? = nil, hint: String? = nil) -> SyntaxError {
        let t = token ?? current
        let atEnd = t.kind == .eof || (t.kind == .dedent && peekTokenIsEOF(t))
        let msg = atEnd && !message.contains("end of input") ? "unexpected end of input: \(message)" : message
        return SyntaxError(message: msg, location: SourceLocation(file: file, line: t.line, column: t.column),
                           sourceLine: DiagnosticRenderer.line(t.line - firstLine + 1, of: source), hint: hint,
                           atEndOfInput: atEnd)
    }

    func peekTokenIsEOF(_ t: Token) -> Bool {
        var k = pos
        while k < tokens.count, tokens[k].kind == .dedent || tokens[k].kind == .newline { k += 1 }
        return k >= tokens.count || tokens[k].kind == .eof
    }

    mutating func expectOp(_ op: Operator, _ context: String) throws {
        if acceptOp(op) { return }
        var hint: String? = nil
        if op == .colon && isOp(.assign) { hint = "to compare use `==`" }
        throw error("expected `\(op.rawValue)` \(context), found \(current.describe)", hint: hint)
    }

    /// Counts one more level of recursion at `token` (pair with `defer { nesting -= 1 }`).
    mutating func enter(_ token: Token) throws {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw error("too deeply nested: more than \(Parser.maxNesting) levels", at: token)
        }
    }

    /// `e`, unless its tree is deeper than `maxDepth`.
    func bounded(_ e: Expr) throws -> Expr {
        if e.depth > Parser.maxDepth {
            throw error("too deeply nested: an expression more than \(Parser.maxDepth) levels deep",
                        at: Token(.name, "", line: e.line, column: e.column))
        }
        return e
    }

    // MARK: statements

    mutating func parseProgram() throws -> [Stmt] {
        var stmts: [Stmt] = []
        while current.kind != .eof {
            if current.kind == .newline { advance(); continue }
            if current.kind == .indent { throw error("unexpected indentation") }
            stmts.append(contentsOf: try parseStatement())
        }
        return stmts
    }

    mutating func parseBlock(_ context: String) throws -> [Stmt] {
        try enter(current)
        defer { nesting -= 1 }
        try expectOp(.colon, context)
        if current.kind != .newline {
            // one-line body: `if x: y = 1`
            return try parseSimpleStatements()
        }
        advance()
        guard current.kind == .indent else {
            throw error("expected an indented block \(context.replacingOccurrences(of: "after", with: "after"))")
        }
        advance()
        var body: [Stmt] = []
        while current.kind != .dedent && current.kind != .eof {
            if current.kind == .newline { advance(); continue }
            body.append(contentsOf: try parseStatement())
        }
        if current.kind == .dedent { advance() }
        return body
    }

    mutating func parseStatement() throws -> [Stmt] {
        let t = current
        if let keyword = t.keyword {
            switch keyword {
            case .if: return [try parseIf()]
            case .for: return [try parseFor()]
            case .while:
                advance()
                let cond = try parseExpression()
                let body = try parseBlock("after `while` condition")
                var orelse: [Stmt]? = nil
                if isKeyword(.else) { advance(); orelse = try parseBlock("after `else`") }
                return [Stmt(.whileLoop(cond, body, orelse), line: t.line, column: t.column)]
            case .def: return [try parseDef()]
            case .try: return [try parseTry()]
            case .elif, .else:
                throw error("`\(t.text)` without a matching `if`")
            case .class:
                throw error("classes are not part of Loupe; use functions and dicts")
            case .with:
                advance()
                let ctx = try parseExpression()
                var target: Expr? = nil
                if acceptKeyword(.as) {
                    target = try parseTargetList()
                    try checkTarget(target ?? ctx)
                }
                let body = try parseBlock("after `with …`")
                return [Stmt(.with(ctx, target, body), line: t.line, column: t.column)]
            default: break
            }
        }
        return try parseSimpleStatements()
    }

    mutating func parseSimpleStatements() throws -> [Stmt] {
        var out: [Stmt] = [try parseSimpleStatement()]
        while acceptOp(.semicolon) {
            if current.kind == .newline || current.kind == .eof { break }
            out.append(try parseSimpleStatement())
        }
        if current.kind == .newline { advance() }
        else if current.kind != .eof && current.kind != .dedent {
            var hint: String? = nil
            if current.kind == .name || current.kind == .string { hint = "a missing operator or comma?" }
            throw error("unexpected \(current.describe) after statement", hint: hint)
        }
        return out
    }

    mutating func parseSimpleStatement() throws -> Stmt {
        let t = current
        if let keyword = t.keyword {
            switch keyword {
            case .pass: advance(); return Stmt(.pass, line: t.line, column: t.column)
            case .break: advance(); return Stmt(.breakLoop, line: t.line, column: t.column)
            case .continue: advance(); return Stmt(.continueLoop, line: t.line, column: t.column)
            case .return:
                advance()
                if current.kind == .newline || current.kind == .eof || isOp(.semicolon) || current.kind == .dedent {
                    return Stmt(.returnValue(nil), line: t.line, column: t.column)
                }
                return Stmt(.returnValue(try parseExpressionList()), line: t.line, column: t.column)
            case .global, .nonlocal:
                advance()
                var names: [String] = []
                repeat {
                    guard current.kind == .name else { throw error("expected a name after `\(t.text)`") }
                    names.append(advance().text)
                } while acceptOp(.comma)
                return Stmt(keyword == .global ? .global(names) : .nonlocal(names), line: t.line, column: t.column)
            case .del:
                advance()
                var targets: [Expr] = []
                repeat { targets.append(try parseOr()) } while acceptOp(.comma)
                return Stmt(.del(targets), line: t.line, column: t.column)
            case .assert:
                advance()
                let cond = try parseExpression()
                let msg = acceptOp(.comma) ? try parseExpression() : nil
                return Stmt(.assert(cond, msg), line: t.line, column: t.column)
            case .raise:
                advance()
                if current.kind == .newline || current.kind == .eof { return Stmt(.raise(nil), line: t.line, column: t.column) }
                return Stmt(.raise(try parseExpression()), line: t.line, column: t.column)
            case .import: return try parseImport()
            case .from: return try parseFromImport()
            default: break
            }
        }
        let first = try parseExpressionList(allowStar: true)
        if let op = current.op {
            if op == .colon { return try parseAnnotatedAssignment(first, at: t) }
            if op == .assign {
                var targets = [first]
                var value: Expr = first
                while acceptOp(.assign) {
                    value = try parseExpressionList(allowStar: true)
                    targets.append(value)
                }
                targets.removeLast()
                for target in targets { try checkTarget(target) }
                return Stmt(.assign(targets, value), line: t.line, column: t.column)
            }
            if let bin = op.augmented {
                let opTok = advance()
                try checkTarget(first)
                if case .tuple = first.kind { throw error("cannot use `\(op.rawValue)` on several targets", at: opTok) }
                let value = try parseExpressionList()
                return Stmt(.augAssign(first, bin, value), line: t.line, column: t.column)
            }
        }
        return Stmt(.expr(first), line: t.line, column: t.column)
    }

    /// `name: annotation = value` assigns the value; `name: annotation` alone binds nothing (as in Python).
    /// The annotation is parsed and ignored, as parameter annotations are.
    mutating func parseAnnotatedAssignment(_ target: Expr, at t: Token) throws -> Stmt {
        let colon = advance()
        switch target.kind {
        case .name, .attribute, .subscriptAccess: break
        default: throw error("only a single name, attribute or subscript can be annotated", at: colon)
        }
        _ = try parseExpression()
        guard acceptOp(.assign) else { return Stmt(.pass, line: t.line, column: t.column) }
        let value = try parseExpressionList(allowStar: true)
        return Stmt(.assign([target], value), line: t.line, column: t.column)
    }

    func checkTarget(_ e: Expr) throws {
        switch e.kind {
        case .name, .attribute, .subscriptAccess: return
        case .tuple(let items), .list(let items): for i in items { try checkTarget(i) }
        case .starred(let inner): try checkTarget(inner)
        default:
            let tok = Token(.name, "", line: e.line, column: e.column)
            var hint: String? = nil
            if case .call = e.kind { hint = "to compare use `==`; a call cannot be assigned to" }
            throw error("cannot assign to this expression", at: tok, hint: hint)
        }
    }

    mutating func parseIf() throws -> Stmt {
        let t = advance()
        var branches: [(Expr, [Stmt])] = []
        let cond = try parseExpression()
        branches.append((cond, try parseBlock("after `if` condition")))
        var orelse: [Stmt]? = nil
        while true {
            if isKeyword(.elif) {
                advance()
                let c = try parseExpression()
                branches.append((c, try parseBlock("after `elif` condition")))
            } else if isKeyword(.else) {
                if peekToken().kind == .keyword(.if) {
                    throw error("`else if` is written `elif` in Loupe", at: peekToken())
                }
                advance()
                orelse = try parseBlock("after `else`")
                break
            } else { break }
        }
        return Stmt(.ifChain(branches, orelse), line: t.line, column: t.column)
    }

    mutating func parseFor() throws -> Stmt {
        let t = advance()
        let target = try parseTargetList()
        try checkTarget(target)
        guard acceptKeyword(.in) else { throw error("expected `in` in `for` loop, found \(current.describe)") }
        let iter = try parseExpressionList()
        let body = try parseBlock("after `for … in …`")
        var orelse: [Stmt]? = nil
        if isKeyword(.else) { advance(); orelse = try parseBlock("after `else`") }
        return Stmt(.forLoop(target, iter, body, orelse), line: t.line, column: t.column)
    }

    /// `a`, `a, b`, `(a, b), c` — stops before `in`.
    mutating func parseTargetList() throws -> Expr {
        let start = current
        var items: [Expr] = [try parseBinary()]
        var comma = false
        while acceptOp(.comma) {
            comma = true
            if isKeyword(.in) || isOp(.assign) { break }
            items.append(try parseBinary())
        }
        return comma ? Expr(.tuple(items), line: start.line, column: start.column) : items[0]
    }

    mutating func parseDef() throws -> Stmt {
        let t = advance()
        guard current.kind == .name else { throw error("expected a function name after `def`") }
        let name = advance().text
        try expectOp(.leftParen, "after the function name")
        let params = try parseParameters(closing: .rightParen)
        try expectOp(.rightParen, "to close the parameter list")
        if acceptOp(.arrow) { _ = try parseExpression() }
        let body = try parseBlock("after `def \(name)(…)`")
        return Stmt(.def(name, params, body), line: t.line, column: t.column)
    }

    mutating func parseParameters(closing: Operator, annotations: Bool = true) throws -> [Parameter] {
        var params: [Parameter] = []
        var seenDefault = false
        while !isOp(closing) {
            var kind = Parameter.Kind.normal
            if acceptOp(.doubleStar) { kind = .varKeywords } else if acceptOp(.star) {
                kind = .varArgs
                if isOp(.comma) {  // bare `*`: the parameters after it are keyword-only
                    advance()
                    params.append(Parameter(name: "*", defaultValue: nil, kind: .varArgs))
                    continue
                }
            }
            guard current.kind == .name else { throw error("expected a parameter name, found \(current.describe)") }
            let nameTok = advance()
            if params.contains(where: { $0.name == nameTok.text }) {
                throw error("duplicate parameter `\(nameTok.text)`", at: nameTok)
            }
            if annotations && acceptOp(.colon) { _ = try parseExpression() }  // annotation, ignored
            var def: Expr? = nil
            if kind == .normal && acceptOp(.assign) {
                def = try parseExpression()
                seenDefault = true
            } else if kind == .normal && seenDefault {
                throw error("parameter `\(nameTok.text)` without a default follows one with a default", at: nameTok)
            }
            params.append(Parameter(name: nameTok.text, defaultValue: def, kind: kind))
            if !acceptOp(.comma) { break }
        }
        return params
    }

    mutating func parseTry() throws -> Stmt {
        let t = advance()
        let body = try parseBlock("after `try`")
        var clauses: [ExceptClause] = []
        while isKeyword(.except) {
            advance()
            var typeExpr: Expr? = nil
            var binding: String? = nil
            if !isOp(.colon) {
                typeExpr = try parseExpression()
                if acceptKeyword(.as) {
                    guard current.kind == .name else { throw error("expected a name after `as`") }
                    binding = advance().text
                }
            }
            clauses.append(ExceptClause(typeName: typeExpr, binding: binding, body: try parseBlock("after `except`")))
        }
        var finally: [Stmt]? = nil
        if isKeyword(.finally) { advance(); finally = try parseBlock("after `finally`") }
        if clauses.isEmpty && finally == nil { throw error("`try` needs an `except` or `finally` block") }
        return Stmt(.tryExcept(body, clauses, finally), line: t.line, column: t.column)
    }
}
