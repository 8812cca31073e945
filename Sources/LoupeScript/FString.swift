import Foundation

/// f-strings: `f"{x:.3f} and {name!r:>10} {{literal}}"`. The lexer keeps the raw body; here it is split
/// into literal text and fields whose expressions are parsed by a sub-parser placed at the right column.
extension Parser {
    func parseFString(_ token: Token) throws -> [FStringPart] {
        let chars = Array(token.text)
        var i = 0
        // column of the body's first character: after the `f` prefix and the quote (triple quotes not tracked)
        let bodyColumn = token.column + 2
        return try parseFStringParts(chars, &i, token: token, bodyColumn: bodyColumn, inSpec: false)
    }

    private func parseFStringParts(_ chars: [Character], _ i: inout Int, token: Token, bodyColumn: Int,
                                   inSpec: Bool) throws -> [FStringPart] {
        var parts: [FStringPart] = []
        var literal = ""
        func fail(_ message: String, _ at: Int) -> SyntaxError {
            SyntaxError(message: message,
                        location: SourceLocation(file: file, line: token.line, column: bodyColumn + at),
                        sourceLine: DiagnosticRenderer.line(token.line - firstLine + 1, of: source))
        }
        while i < chars.count {
            let c = chars[i]
            if inSpec && c == "}" { break }
            if c == "{" {
                if !inSpec && i + 1 < chars.count && chars[i + 1] == "{" { literal.append("{"); i += 2; continue }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                let open = i
                i += 1
                let exprStart = i
                var depth = 0
                var quote: Character? = nil
                while i < chars.count {
                    let d = chars[i]
                    if let q = quote { if d == q { quote = nil }; i += 1; continue }
                    if d == "'" || d == "\"" { quote = d; i += 1; continue }
                    if d == "(" || d == "[" || d == "{" { depth += 1 }
                    else if d == ")" || d == "]" || d == "}" {
                        if depth == 0 { break }
                        depth -= 1
                    } else if depth == 0 && d == "!" && i + 1 < chars.count && chars[i + 1] != "=" { break }
                    else if depth == 0 && d == ":" { break }
                    i += 1
                }
                guard i < chars.count else { throw fail("unterminated `{` in f-string", open) }
                var exprText = String(chars[exprStart..<i])
                var debugLabel: String? = nil
                let trimmed = exprText.trimmingCharacters(in: .whitespaces)
                if trimmed.hasSuffix("="), !trimmed.hasSuffix("=="), !trimmed.hasSuffix("!="),
                   !trimmed.hasSuffix("<="), !trimmed.hasSuffix(">=") {
                    debugLabel = exprText
                    exprText = String(trimmed.dropLast())
                }
                if exprText.trimmingCharacters(in: .whitespaces).isEmpty { throw fail("empty expression in f-string", open) }
                let expr = try parseEmbedded(exprText, line: token.line, column: bodyColumn + exprStart)
                var conversion: Character? = debugLabel != nil ? "r" : nil
                if chars[i] == "!" {
                    i += 1
                    guard i < chars.count, ["r", "s", "a"].contains(chars[i]) else {
                        throw fail("expected `r` or `s` after `!` in f-string", i)
                    }
                    conversion = chars[i]
                    i += 1
                }
                var spec: [FStringPart]? = nil
                if i < chars.count && chars[i] == ":" {
                    i += 1
                    spec = try parseFStringParts(chars, &i, token: token, bodyColumn: bodyColumn, inSpec: true)
                }
                guard i < chars.count, chars[i] == "}" else { throw fail("expected `}` to close the f-string field", open) }
                i += 1
                if let label = debugLabel { parts.append(.literal(label)) ; if spec != nil { conversion = nil } }
                parts.append(.field(expr, conversion, spec))
                continue
            }
            if c == "}" {
                if i + 1 < chars.count && chars[i + 1] == "}" { literal.append("}"); i += 2; continue }
                throw fail("single `}` in f-string (write `}}` for a literal brace)", i)
            }
            if c == "\\" && i + 1 < chars.count {
                let e = chars[i + 1]
                i += 2
                switch e {
                case "n": literal.append("\n")
                case "t": literal.append("\t")
                case "r": literal.append("\r")
                case "\\": literal.append("\\")
                case "'": literal.append("'")
                case "\"": literal.append("\"")
                default: literal.append("\\"); literal.append(e)
                }
                continue
            }
            literal.append(c)
            i += 1
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }

    private func parseEmbedded(_ text: String, line: Int, column: Int) throws -> Expr {
        let padded = String(repeating: " ", count: max(0, column - 2)) + "(" + text + ")"
        do {
            var sub = try Parser(source: padded, file: file, firstLine: line)
            if sub.current.kind == .indent { sub.advance() }
            let e = try sub.parseExpression()
            while sub.current.kind == .newline || sub.current.kind == .dedent { sub.advance() }
            if sub.current.kind != .eof { throw sub.error("unexpected \(sub.current.describe) in f-string field") }
            return e
        } catch var e as SyntaxError {
            e.sourceLine = DiagnosticRenderer.line(line - firstLine + 1, of: source)
            e.atEndOfInput = false
            throw e
        }
    }
}
