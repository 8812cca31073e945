import Foundation

/// Expression grammar, lowest precedence first:
/// lambda < `x if c else y` < or < and < not < comparisons < | < ^ < & < shifts < + - < * / // % @
/// < unary - + ~ < ** < calls, subscripts, attributes < atoms.
extension Parser {
    /// `a, b, c` as a tuple (or a single expression).
    mutating func parseExpressionList(allowStar: Bool = false) throws -> Expr {
        let start = current
        let first = try parseExpressionOrStar(allowStar)
        guard isOp(",") else { return first }
        var items = [first]
        while acceptOp(",") {
            if endsExpressionList { break }
            items.append(try parseExpressionOrStar(allowStar))
        }
        return Expr(.tuple(items), line: start.line, column: start.column)
    }

    var endsExpressionList: Bool {
        if current.kind == .newline || current.kind == .eof || current.kind == .dedent { return true }
        if current.kind == .op, ["=", ")", "]", "}", ":", ";"].contains(current.text) { return true }
        if current.kind == .op, current.text.count >= 2, current.text.hasSuffix("="), !["==", "!=", "<=", ">="].contains(current.text) { return true }
        return false
    }

    mutating func parseExpressionOrStar(_ allowStar: Bool) throws -> Expr {
        if allowStar, isOp("*") {
            let t = advance()
            return Expr(.starred(try parseBitOr()), line: t.line, column: t.column)
        }
        return try parseExpression()
    }

    public mutating func parseExpression() throws -> Expr {
        if isKeyword("lambda") { return try parseLambda() }
        let start = current
        let e = try parseOr()
        if isKeyword("if") {
            // `x if c else y`, only when followed by `else` somewhere (comprehension `if` is handled by callers)
            let save = pos
            advance()
            let cond = try parseOr()
            guard acceptKeyword("else") else {
                pos = save
                return e
            }
            let other = try parseExpression()
            return Expr(.conditional(cond, e, other), line: start.line, column: start.column)
        }
        return e
    }

    mutating func parseLambda() throws -> Expr {
        let t = advance()
        let params = try parseParameters(closing: ":", annotations: false)
        try expectOp(":", "after lambda parameters")
        let body = try parseExpression()
        return Expr(.lambda(params, body), line: t.line, column: t.column)
    }

    mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while isKeyword("or") {
            let t = advance()
            left = Expr(.or(left, try parseAnd()), line: t.line, column: t.column)
        }
        return left
    }

    mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while isKeyword("and") {
            let t = advance()
            left = Expr(.and(left, try parseNot()), line: t.line, column: t.column)
        }
        return left
    }

    mutating func parseNot() throws -> Expr {
        if isKeyword("not") {
            let t = advance()
            return Expr(.unary(.not, try parseNot()), line: t.line, column: t.column)
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> Expr {
        let left = try parseBitOr()
        var rest: [(CompareOp, Expr)] = []
        var firstOp: Token? = nil
        while true {
            var op: CompareOp? = nil
            let t = current
            if current.kind == .op, let o = CompareOp(rawValue: current.text), !["in", "is"].contains(current.text) {
                advance(); op = o
            } else if isKeyword("in") {
                advance(); op = .isIn
            } else if isKeyword("not") && peekToken().kind == .keyword && peekToken().text == "in" {
                advance(); advance(); op = .notIn
            } else if isKeyword("is") {
                advance()
                op = acceptKeyword("not") ? .isNot : .isSame
            }
            guard let o = op else { break }
            if firstOp == nil { firstOp = t }
            rest.append((o, try parseBitOr()))
        }
        if rest.isEmpty { return left }
        let t = firstOp ?? current
        return Expr(.compare(left, rest), line: t.line, column: t.column)
    }

    mutating func parseBinaryLevel(_ ops: [String], _ next: (inout Parser) throws -> Expr) throws -> Expr {
        var left = try next(&self)
        while current.kind == .op, ops.contains(current.text) {
            let t = advance()
            guard let op = BinaryOp(rawValue: t.text) else { break }
            let right = try next(&self)
            left = Expr(.binary(op, left, right), line: t.line, column: t.column)
        }
        return left
    }

    mutating func parseBitOr() throws -> Expr { try parseBinaryLevel(["|"]) { try $0.parseBitXor() } }
    mutating func parseBitXor() throws -> Expr { try parseBinaryLevel(["^"]) { try $0.parseBitAnd() } }
    mutating func parseBitAnd() throws -> Expr { try parseBinaryLevel(["&"]) { try $0.parseShift() } }
    mutating func parseShift() throws -> Expr { try parseBinaryLevel(["<<", ">>"]) { try $0.parseArith() } }
    mutating func parseArith() throws -> Expr { try parseBinaryLevel(["+", "-"]) { try $0.parseTerm() } }
    mutating func parseTerm() throws -> Expr {
        try parseBinaryLevel(["*", "/", "//", "%", "@"]) { try $0.parseUnary() }
    }

    mutating func parseUnary() throws -> Expr {
        if current.kind == .op, current.text == "-" || current.text == "+" || current.text == "~" {
            let t = advance()
            let operand = try parseUnary()
            let op: UnaryOp = t.text == "-" ? .neg : t.text == "+" ? .pos : .invert
            // fold negative literals so `-1` is a constant
            if op == .neg, case .int(let v) = operand.kind { return Expr(.int(-v), line: t.line, column: t.column) }
            if op == .neg, case .float(let v) = operand.kind { return Expr(.float(-v), line: t.line, column: t.column) }
            return Expr(.unary(op, operand), line: t.line, column: t.column)
        }
        return try parsePower()
    }

    mutating func parsePower() throws -> Expr {
        let base = try parsePostfix()
        if isOp("**") {
            let t = advance()
            let exponent = try parseUnary()  // right-associative, binds unary on the right: 2**-1
            return Expr(.binary(.pow, base, exponent), line: t.line, column: t.column)
        }
        return base
    }

    mutating func parsePostfix() throws -> Expr {
        var e = try parseAtom()
        while true {
            if isOp("(") {
                let t = advance()
                let args = try parseArguments()
                try expectOp(")", "to close the call")
                e = Expr(.call(e, args), line: t.line, column: t.column)
            } else if isOp("[") {
                let t = advance()
                var subs: [Subscript] = []
                var comma = false
                while !isOp("]") {
                    subs.append(try parseSubscript())
                    if acceptOp(",") { comma = true } else { break }
                }
                if subs.isEmpty { throw error("expected an index inside `[]`") }
                try expectOp("]", "to close the index")
                e = Expr(.subscriptAccess(e, subs, hasComma: comma), line: t.line, column: t.column)
            } else if isOp(".") {
                advance()
                guard current.kind == .name || current.kind == .keyword else {
                    throw error("expected an attribute name after `.`")
                }
                let t = advance()
                e = Expr(.attribute(e, t.text), line: t.line, column: t.column)
            } else {
                return e
            }
        }
    }

    mutating func parseSubscript() throws -> Subscript {
        var lower: Expr? = nil
        if !isOp(":") {
            let e = try parseExpression()
            if !isOp(":") { return .index(e) }
            lower = e
        }
        try expectOp(":", "in slice")
        var upper: Expr? = nil
        var step: Expr? = nil
        if !isOp(":") && !isOp(",") && !isOp("]") { upper = try parseExpression() }
        if acceptOp(":") {
            if !isOp(",") && !isOp("]") { step = try parseExpression() }
        }
        return .slice(lower, upper, step)
    }

    mutating func parseArguments() throws -> [Argument] {
        var args: [Argument] = []
        var seenKeyword = false
        while !isOp(")") {
            if acceptOp("**") {
                args.append(Argument(kind: .doubleStar, value: try parseExpression()))
            } else if acceptOp("*") {
                args.append(Argument(kind: .star, value: try parseExpression()))
            } else if current.kind == .name && peekToken().kind == .op && peekToken().text == "=" {
                let name = advance()
                advance()
                if args.contains(where: { if case .keyword(let n) = $0.kind { return n == name.text }; return false }) {
                    throw error("keyword argument `\(name.text)` repeated", at: name)
                }
                args.append(Argument(kind: .keyword(name.text), value: try parseExpression()))
                seenKeyword = true
            } else {
                let t = current
                let value = try parseExpression()
                if seenKeyword { throw error("positional argument after keyword argument", at: t) }
                if isKeyword("for") {
                    // generator expression as the only argument: sum(x for x in xs)
                    let clauses = try parseComprehensionClauses()
                    args.append(Argument(kind: .positional, value: Expr(.listComp(value, clauses), line: t.line, column: t.column)))
                    continue
                }
                args.append(Argument(kind: .positional, value: value))
            }
            if !acceptOp(",") { break }
        }
        return args
    }

    mutating func parseComprehensionClauses() throws -> [Comprehension] {
        var clauses: [Comprehension] = []
        while acceptKeyword("for") {
            let target = try parseTargetList()
            try checkTarget(target)
            guard acceptKeyword("in") else { throw error("expected `in` in comprehension") }
            let iter = try parseOr()
            var conds: [Expr] = []
            while isKeyword("if") {
                advance()
                conds.append(try parseOrNoConditional())
            }
            clauses.append(Comprehension(target: target, iterable: iter, conditions: conds))
        }
        return clauses
    }

    mutating func parseOrNoConditional() throws -> Expr { try parseOr() }

    mutating func parseAtom() throws -> Expr {
        let t = current
        switch t.kind {
        case .int(let v): advance(); return Expr(.int(v), line: t.line, column: t.column)
        case .float(let v): advance(); return Expr(.float(v), line: t.line, column: t.column)
        case .string, .fstring:
            // adjacent string literals concatenate
            var parts: [FStringPart] = []
            var isF = false
            while current.kind == .string || current.kind == .fstring {
                let s = advance()
                if s.kind == .fstring {
                    isF = true
                    parts.append(contentsOf: try parseFString(s))
                } else {
                    parts.append(.literal(s.text))
                }
            }
            if !isF {
                let text = parts.map { if case .literal(let s) = $0 { return s }; return "" }.joined()
                return Expr(.string(text), line: t.line, column: t.column)
            }
            return Expr(.fstring(parts), line: t.line, column: t.column)
        case .name:
            advance()
            return Expr(.name(t.text), line: t.line, column: t.column)
        case .keyword:
            switch t.text {
            case "True", "true": advance(); return Expr(.bool(true), line: t.line, column: t.column)
            case "False", "false": advance(); return Expr(.bool(false), line: t.line, column: t.column)
            case "None", "none": advance(); return Expr(.none, line: t.line, column: t.column)
            case "lambda": return try parseLambda()
            default:
                throw error("unexpected keyword `\(t.text)`")
            }
        case .op:
            switch t.text {
            case "...": advance(); return Expr(.ellipsis, line: t.line, column: t.column)
            case "(":
                advance()
                if acceptOp(")") { return Expr(.tuple([]), line: t.line, column: t.column) }
                let first = try parseExpressionOrStar(true)
                if isKeyword("for") {
                    let clauses = try parseComprehensionClauses()
                    try expectOp(")", "to close the generator expression")
                    return Expr(.listComp(first, clauses), line: t.line, column: t.column)
                }
                if acceptOp(")") { return first }
                var items = [first]
                while acceptOp(",") {
                    if isOp(")") { break }
                    items.append(try parseExpressionOrStar(true))
                }
                try expectOp(")", "to close the parenthesis")
                return Expr(.tuple(items), line: t.line, column: t.column)
            case "[":
                advance()
                if acceptOp("]") { return Expr(.list([]), line: t.line, column: t.column) }
                let first = try parseExpressionOrStar(true)
                if isKeyword("for") {
                    let clauses = try parseComprehensionClauses()
                    try expectOp("]", "to close the list comprehension")
                    return Expr(.listComp(first, clauses), line: t.line, column: t.column)
                }
                var items = [first]
                while acceptOp(",") {
                    if isOp("]") { break }
                    items.append(try parseExpressionOrStar(true))
                }
                try expectOp("]", "to close the list")
                return Expr(.list(items), line: t.line, column: t.column)
            case "{":
                advance()
                if acceptOp("}") { return Expr(.dict([]), line: t.line, column: t.column) }
                let k = try parseExpression()
                if !acceptOp(":") {
                    var items = [k]
                    while acceptOp(",") { if isOp("}") { break }; items.append(try parseExpression()) }
                    try expectOp("}", "to close the set")
                    return Expr(.set(items), line: t.line, column: t.column)
                }
                let v = try parseExpression()
                if isKeyword("for") {
                    let clauses = try parseComprehensionClauses()
                    try expectOp("}", "to close the dict comprehension")
                    return Expr(.dictComp(k, v, clauses), line: t.line, column: t.column)
                }
                var pairs = [(k, v)]
                while acceptOp(",") {
                    if isOp("}") { break }
                    let k2 = try parseExpression()
                    try expectOp(":", "between a dict key and its value")
                    pairs.append((k2, try parseExpression()))
                }
                try expectOp("}", "to close the dict")
                return Expr(.dict(pairs), line: t.line, column: t.column)
            default: break
            }
        default: break
        }
        throw error("expected an expression, found \(t.describe)")
    }
}
