import Foundation

/// f-strings: `f"{x:.3f} and {name!r:>10} {{literal}}"`. The lexer keeps the raw body; here it is split
/// into literal text, whose escapes `StringEscapes` decodes as in any string, and fields whose expressions
/// are parsed by a sub-parser placed at the right line and column.
extension Parser {
    /// Where an f-string's body sits and whether its literal text decodes escapes (not in `rf"…"`).
    /// Positions are asked for left to right, so each continues from the last one: linear in the body.
    final class FStringBody {
        let chars: [Character]
        let raw: Bool
        let start: (line: Int, column: Int)
        private var known: (index: Int, line: Int, column: Int)

        init(chars: [Character], raw: Bool, start: (line: Int, column: Int)) {
            self.chars = chars
            self.raw = raw
            self.start = start
            known = (0, start.line, start.column)
        }

        func position(_ index: Int) -> (line: Int, column: Int) {
            if index < known.index { known = (0, start.line, start.column) }
            let p = StringEscapes.position(of: index, in: chars[known.index...], from: (known.line, known.column))
            known = (max(known.index, min(index, chars.count)), p.line, p.column)
            return p
        }
    }

    func parseFString(_ token: Token) throws -> [FStringPart] {
        guard case .fstring(let raw, let bodyLine, let bodyColumn) = token.kind else { return [.literal(token.text)] }
        let body = FStringBody(chars: Array(token.text), raw: raw, start: (bodyLine, bodyColumn))
        var i = 0
        return try parseFStringParts(body, &i, inSpec: false)
    }

    private func parseFStringParts(_ body: FStringBody, _ i: inout Int, inSpec: Bool) throws -> [FStringPart] {
        let chars = body.chars
        var parts: [FStringPart] = []
        var literal = ""
        var runStart = i  // the literal text since here is still undecoded
        func fail(_ message: String, _ at: Int) -> SyntaxError {
            let (line, column) = body.position(at)
            return SyntaxError(message: message, location: SourceLocation(file: file, line: line, column: column),
                               sourceLine: DiagnosticRenderer.line(line - firstLine + 1, of: source))
        }
        func flush(to end: Int) throws {
            defer { runStart = end }
            guard runStart < end else { return }
            if body.raw { literal += String(chars[runStart..<end]); return }
            do { literal += try StringEscapes.decode(chars[runStart..<end]) }
            catch { throw fail(error.message, error.offset) }
        }
        while i < chars.count {
            let c = chars[i]
            if inSpec && c == "}" { break }
            if c == "\\" {
                // the escaped character belongs to the literal, except a brace (`\{x}` is a backslash and a
                // field, as in Python); `\N{NAME}` is one escape
                if body.raw || i + 1 >= chars.count || chars[i + 1] == "{" || chars[i + 1] == "}" { i += 1; continue }
                if chars[i + 1] == "N", i + 2 < chars.count, chars[i + 2] == "{",
                   let close = chars[(i + 2)...].firstIndex(of: "}") {
                    i = close + 1
                } else {
                    i += 2
                }
                continue
            }
            if c == "{" {
                try flush(to: i)
                if !inSpec && i + 1 < chars.count && chars[i + 1] == "{" { literal.append("{"); i += 2; runStart = i; continue }
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
                let exprAt = body.position(exprStart)
                let expr = try parseEmbedded(exprText, line: exprAt.line, column: exprAt.column)
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
                    spec = try parseFStringParts(body, &i, inSpec: true)
                }
                guard i < chars.count, chars[i] == "}" else { throw fail("expected `}` to close the f-string field", open) }
                i += 1
                if let label = debugLabel { parts.append(.literal(label)) ; if spec != nil { conversion = nil } }
                parts.append(.field(expr, conversion, spec))
                runStart = i
                continue
            }
            if c == "}" {
                try flush(to: i)
                if i + 1 < chars.count && chars[i + 1] == "}" { literal.append("}"); i += 2; runStart = i; continue }
                throw fail("single `}` in f-string (write `}}` for a literal brace)", i)
            }
            i += 1
        }
        try flush(to: i)
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }

    private func parseEmbedded(_ text: String, line: Int, column: Int) throws -> Expr {
        do {
            // the field in parentheses, its `(` one column before the field's first character
            var sub = try Parser(source: "(" + text + ")", file: file, firstLine: line, firstColumn: column - 1)
            sub.nesting = nesting
            let e = try sub.parseExpression()
            while sub.current.kind == .newline || sub.current.kind == .dedent { sub.advance() }
            if sub.current.kind != .eof { throw sub.error("unexpected \(sub.current.describe) in f-string field") }
            return e
        } catch var e as SyntaxError {
            e.sourceLine = DiagnosticRenderer.line(e.location.line - firstLine + 1, of: source)
            e.atEndOfInput = false
            throw e
        }
    }
}
