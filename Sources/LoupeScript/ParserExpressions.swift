import Foundation

/// Expression grammar, lowest precedence first: lambda < `x if c else y` < or < and < not < comparisons
/// < the binary operators of `Precedence.table` (`|` up to `**`, with prefix `-` `+` `~` below `**`)
/// < calls, subscripts, attributes < atoms.
extension Parser {
    /// `a, b, c` as a tuple (or a single expression).
    mutating func parseExpressionList(allowStar: Bool = false) throws -> Expr {
        let start = current
        let first = try parseExpressionOrStar(allowStar)
        guard isOp(.comma) else { return first }
        var items = [first]
        while acceptOp(.comma) {
            if endsExpressionList { break }
            items.append(try parseExpressionOrStar(allowStar))
        }
        return Expr(.tuple(items), line: start.line, column: start.column)
    }

    var endsExpressionList: Bool {
        if current.kind == .newline || current.kind == .eof || current.kind == .dedent { return true }
        guard let op = current.op else { return false }
        return [.assign, .walrus, .rightParen, .rightBracket, .rightBrace, .colon, .semicolon].contains(op)
            || op.augmented != nil
    }

    mutating func parseExpressionOrStar(_ allowStar: Bool) throws -> Expr {
        if allowStar, isOp(.star) {
            let t = advance()
            return Expr(.starred(try parseBinary()), line: t.line, column: t.column)
        }
        return try parseExpression()
    }

    public mutating func parseExpression() throws -> Expr {
        let start = current
        try enter(start)
        defer { nesting -= 1 }
        if isKeyword(.lambda) { return try parseLambda() }
        let e = try parseOr()
        if isKeyword(.if) {
            // `x if c else y`, only when followed by `else` somewhere (comprehension `if` is handled by callers)
            let save = pos
            advance()
            let cond = try parseOr()
            guard acceptKeyword(.else) else {
                pos = save
                return e
            }
            let other = try parseExpression()
            return try bounded(Expr(.conditional(cond, e, other), line: start.line, column: start.column))
        }
        return e
    }

    mutating func parseLambda() throws -> Expr {
        let t = advance()
        let params = try parseParameters(closing: .colon, annotations: false)
        try expectOp(.colon, "after lambda parameters")
        let body = try parseExpression()
        return Expr(.lambda(params, body), line: t.line, column: t.column)
    }

    mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while isKeyword(.or) {
            let t = advance()
            left = try bounded(Expr(.or(left, try parseAnd()), line: t.line, column: t.column))
        }
        return left
    }

    mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while isKeyword(.and) {
            let t = advance()
            left = try bounded(Expr(.and(left, try parseNot()), line: t.line, column: t.column))
        }
        return left
    }

    mutating func parseNot() throws -> Expr {
        if isKeyword(.not) {
            let t = advance()
            try enter(t)
            defer { nesting -= 1 }
            return Expr(.unary(.not, try parseNot()), line: t.line, column: t.column)
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> Expr {
        let left = try parseBinary()
        var rest: [(CompareOp, Expr)] = []
        var firstOp: Token? = nil
        while let (op, length) = comparisonAhead() {
            if firstOp == nil { firstOp = current }
            for _ in 0..<length { advance() }
            rest.append((op, try parseBinary()))
        }
        if rest.isEmpty { return left }
        let t = firstOp ?? current
        return try bounded(Expr(.compare(left, rest), line: t.line, column: t.column))
    }

    /// The comparison starting at the current token and how many tokens spell it (`not in`, `is not`: two).
    func comparisonAhead() -> (CompareOp, Int)? {
        if let op = current.op?.comparison { return (op, 1) }
        switch current.keyword {
        case .in?: return (.isIn, 1)
        case .not? where peekToken().kind == .keyword(.in): return (.notIn, 2)
        case .is?: return peekToken().kind == .keyword(.not) ? (.isNot, 2) : (.isSame, 1)
        default: return nil
        }
    }

    /// Binary operators by precedence climbing over `Precedence.table`: parses operands joined by operators
    /// of level `minLevel` or tighter. Prefix `-`, `+`, `~` take an operand of `Precedence.unary` or tighter.
    mutating func parseBinary(minLevel: Int = Precedence.lowest) throws -> Expr {
        var left = try parseUnary()
        while let op = current.op?.binary, let (level, associativity) = Precedence.table[op], level >= minLevel {
            let t = advance()
            try enter(t)
            defer { nesting -= 1 }
            let right = try parseBinary(minLevel: associativity == .left ? level + 1 : level)
            left = try bounded(Expr(.binary(op, left, right), line: t.line, column: t.column))
        }
        return left
    }

    mutating func parseUnary() throws -> Expr {
        guard let op = current.op?.unary else { return try parsePostfix() }
        let t = advance()
        try enter(t)
        defer { nesting -= 1 }
        let operand = try parseBinary(minLevel: Precedence.unary)
        // fold negative literals so `-1` is a constant
        if op == .neg, case .int(let v) = operand.kind { return Expr(.int(-v), line: t.line, column: t.column) }
        if op == .neg, case .float(let v) = operand.kind { return Expr(.float(-v), line: t.line, column: t.column) }
        return Expr(.unary(op, operand), line: t.line, column: t.column)
    }

    mutating func parsePostfix() throws -> Expr {
        var e = try parseAtom()
        while true {
            if isOp(.leftParen) {
                let t = advance()
                let args = try parseArguments()
                try expectOp(.rightParen, "to close the call")
                e = try bounded(Expr(.call(e, args), line: t.line, column: t.column))
            } else if isOp(.leftBracket) {
                let t = advance()
                var subs: [Subscript] = []
                var comma = false
                while !isOp(.rightBracket) {
                    subs.append(try parseSubscript())
                    if acceptOp(.comma) { comma = true } else { break }
                }
                if subs.isEmpty { throw error("expected an index inside `[]`") }
                try expectOp(.rightBracket, "to close the index")
                e = try bounded(Expr(.subscriptAccess(e, subs, hasComma: comma), line: t.line, column: t.column))
            } else if isOp(.dot) {
                advance()
                guard current.kind == .name || current.keyword != nil else {
                    throw error("expected an attribute name after `.`")
                }
                let t = advance()
                e = try bounded(Expr(.attribute(e, t.text), line: t.line, column: t.column))
            } else {
                return e
            }
        }
    }

    mutating func parseSubscript() throws -> Subscript {
        var lower: Expr? = nil
        if !isOp(.colon) {
            let e = try parseExpression()
            if !isOp(.colon) { return .index(e) }
            lower = e
        }
        try expectOp(.colon, "in slice")
        var upper: Expr? = nil
        var step: Expr? = nil
        if !isOp(.colon) && !isOp(.comma) && !isOp(.rightBracket) { upper = try parseExpression() }
        if acceptOp(.colon) {
            if !isOp(.comma) && !isOp(.rightBracket) { step = try parseExpression() }
        }
        return .slice(lower, upper, step)
    }

    mutating func parseArguments() throws -> [Argument] {
        var args: [Argument] = []
        var seenKeyword = false
        while !isOp(.rightParen) {
            if acceptOp(.doubleStar) {
                args.append(Argument(kind: .doubleStar, value: try parseExpression()))
            } else if acceptOp(.star) {
                args.append(Argument(kind: .star, value: try parseExpression()))
            } else if current.kind == .name && peekToken().kind == .op(.assign) {
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
                if isKeyword(.for) {
                    // generator expression as the only argument: sum(x for x in xs)
                    let clauses = try parseComprehensionClauses()
                    args.append(Argument(kind: .positional, value: Expr(.listComp(value, clauses), line: t.line, column: t.column)))
                    continue
                }
                args.append(Argument(kind: .positional, value: value))
            }
            if !acceptOp(.comma) { break }
        }
        return args
    }

    mutating func parseComprehensionClauses() throws -> [Comprehension] {
        var clauses: [Comprehension] = []
        while acceptKeyword(.for) {
            let target = try parseTargetList()
            try checkTarget(target)
            guard acceptKeyword(.in) else { throw error("expected `in` in comprehension") }
            let iter = try parseOr()
            var conds: [Expr] = []
            while isKeyword(.if) {
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
            while current.isString {
                let s = advance()
                if case .fstring = s.kind {
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
        case .keyword(let keyword):
            switch keyword {
            case .trueValue, .trueLowercase: advance(); return Expr(.bool(true), line: t.line, column: t.column)
            case .falseValue, .falseLowercase: advance(); return Expr(.bool(false), line: t.line, column: t.column)
            case .noneValue, .noneLowercase: advance(); return Expr(.none, line: t.line, column: t.column)
            case .lambda: return try parseLambda()
            default:
                throw error("unexpected keyword `\(t.text)`")
            }
        case .op(let op):
            switch op {
            case .ellipsis: advance(); return Expr(.ellipsis, line: t.line, column: t.column)
            case .leftParen:
                advance()
                if acceptOp(.rightParen) { return Expr(.tuple([]), line: t.line, column: t.column) }
                let first = try parseExpressionOrStar(true)
                if isKeyword(.for) {
                    let clauses = try parseComprehensionClauses()
                    try expectOp(.rightParen, "to close the generator expression")
                    return Expr(.listComp(first, clauses), line: t.line, column: t.column)
                }
                if acceptOp(.rightParen) { return first }
                var items = [first]
                while acceptOp(.comma) {
                    if isOp(.rightParen) { break }
                    items.append(try parseExpressionOrStar(true))
                }
                try expectOp(.rightParen, "to close the parenthesis")
                return Expr(.tuple(items), line: t.line, column: t.column)
            case .leftBracket:
                advance()
                if acceptOp(.rightBracket) { return Expr(.list([]), line: t.line, column: t.column) }
                let first = try parseExpressionOrStar(true)
                if isKeyword(.for) {
                    let clauses = try parseComprehensionClauses()
                    try expectOp(.rightBracket, "to close the list comprehension")
                    return Expr(.listComp(first, clauses), line: t.line, column: t.column)
                }
                var items = [first]
                while acceptOp(.comma) {
                    if isOp(.rightBracket) { break }
                    items.append(try parseExpressionOrStar(true))
                }
                try expectOp(.rightBracket, "to close the list")
                return Expr(.list(items), line: t.line, column: t.column)
            case .leftBrace:
                advance()
                if acceptOp(.rightBrace) { return Expr(.dict([]), line: t.line, column: t.column) }
                let k = try parseExpression()
                if !acceptOp(.colon) {
                    var items = [k]
                    while acceptOp(.comma) { if isOp(.rightBrace) { break }; items.append(try parseExpression()) }
                    try expectOp(.rightBrace, "to close the set")
                    return Expr(.set(items), line: t.line, column: t.column)
                }
                let v = try parseExpression()
                if isKeyword(.for) {
                    let clauses = try parseComprehensionClauses()
                    try expectOp(.rightBrace, "to close the dict comprehension")
                    return Expr(.dictComp(k, v, clauses), line: t.line, column: t.column)
                }
                var pairs = [(k, v)]
                while acceptOp(.comma) {
                    if isOp(.rightBrace) { break }
                    let k2 = try parseExpression()
                    try expectOp(.colon, "between a dict key and its value")
                    pairs.append((k2, try parseExpression()))
                }
                try expectOp(.rightBrace, "to close the dict")
                return Expr(.dict(pairs), line: t.line, column: t.column)
            default: break
            }
        default: break
        }
        throw error("expected an expression, found \(t.describe)")
    }
}
