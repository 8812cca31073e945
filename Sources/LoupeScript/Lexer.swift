import Foundation

/// Turns source text into tokens, Python style: INDENT/DEDENT from leading whitespace, newlines
/// ignored inside brackets, `#` comments, `\` line continuation, single/triple-quoted strings with
/// r/f/b/u prefixes (escapes decoded by `StringEscapes`), operators as `Operator`, keywords as `Keyword`.
/// Nesting is bounded as in CPython's tokenizer: at most `maxBrackets` open brackets and `maxIndents`
/// levels of indentation, each beyond that a located "too deeply nested" error.
public struct Lexer {
    public static let maxBrackets = 200
    public static let maxIndents = 100

    let file: String
    let source: String
    let chars: [Character]
    var pos = 0
    var line: Int
    var col = 1
    var tokens: [Token] = []
    var indents: [Int] = [0]
    var depth = 0  // open brackets
    var openBrackets: [(Character, Int, Int)] = []
    var lastTokenEnd: (Int, Int) = (1, 1)

    /// `firstColumn` places a fragment (an f-string field) at its column without padding it.
    public init(source: String, file: String, firstLine: Int = 1, firstColumn: Int = 1) {
        self.file = file
        self.source = source
        self.chars = Array(source)
        self.line = firstLine
        self.col = firstColumn
        self.firstLine = firstLine
    }
    let firstLine: Int

    public static func tokenize(_ source: String, file: String, firstLine: Int = 1, firstColumn: Int = 1) throws -> [Token] {
        var lexer = Lexer(source: source, file: file, firstLine: firstLine, firstColumn: firstColumn)
        return try lexer.run()
    }

    func error(_ message: String, line: Int, column: Int, atEnd: Bool = false) -> SyntaxError {
        SyntaxError(message: message, location: SourceLocation(file: file, line: line, column: column),
                    sourceLine: DiagnosticRenderer.line(line - firstLine + 1, of: source), atEndOfInput: atEnd)
    }

    var peek: Character? { pos < chars.count ? chars[pos] : nil }
    func peek(_ k: Int) -> Character? { pos + k < chars.count ? chars[pos + k] : nil }

    mutating func advance() -> Character {
        let c = chars[pos]
        pos += 1
        if c == "\n" { line += 1; col = 1 } else { col += 1 }
        return c
    }

    mutating func add(_ kind: Token.Kind, _ text: String, _ l: Int, _ c: Int) {
        tokens.append(Token(kind, text, line: l, column: c))
        if kind != .newline && kind != .indent && kind != .dedent { lastTokenEnd = (line, col) }
    }

    mutating func run() throws -> [Token] {
        var atLineStart = true
        while pos < chars.count {
            if atLineStart && depth == 0 {
                if try handleIndentation() { continue }
                atLineStart = false
            }
            guard let c = peek else { break }
            let l = line, cl = col
            if c == "\n" || c == "\r" {
                _ = advance()
                if c == "\r", peek == "\n" { _ = advance() }
                if depth == 0 {
                    // the newline sits just after the line's last token (not after a trailing comment)
                    if let last = tokens.last, last.kind != .newline { add(.newline, "", lastTokenEnd.0, lastTokenEnd.1 + 1) }
                    atLineStart = true
                }
                continue
            }
            if c == " " || c == "\t" { _ = advance(); continue }
            if c == "#" { while let d = peek, d != "\n" { _ = advance() }; continue }
            if c == "\\" && (peek(1) == "\n" || peek(1) == "\r") {
                _ = advance(); if peek == "\r" { _ = advance() }; if peek == "\n" { _ = advance() }
                continue
            }
            if c.isLetter || c == "_" {
                // string prefixes r, f, rf, fr, b
                if try lexPrefixedString() { continue }
                var name = ""
                while let d = peek, d.isLetter || d.isNumber || d == "_" { name.append(advance()) }
                add(Keyword(rawValue: name).map { .keyword($0) } ?? .name, name, l, cl)
                continue
            }
            if c.isNumber || (c == "." && (peek(1)?.isNumber ?? false)) {
                try lexNumber()
                continue
            }
            if c == "\"" || c == "'" {
                try lexString(raw: false, isF: false, l: l, c: cl)
                continue
            }
            try lexOperator()
        }
        if depth > 0, let open = openBrackets.last {
            throw error("unexpected end of input: `\(open.0)` is never closed", line: open.1, column: open.2, atEnd: true)
        }
        if let last = tokens.last, last.kind != .newline { add(.newline, "", lastTokenEnd.0, lastTokenEnd.1 + 1) }
        while indents.count > 1 { indents.removeLast(); add(.dedent, "", line, col) }
        add(.eof, "", line, col)
        return tokens
    }

    /// Measures leading whitespace; emits INDENT/DEDENT. Returns true if the line was blank/comment.
    mutating func handleIndentation() throws -> Bool {
        var width = 0
        let l = line
        while let c = peek, c == " " || c == "\t" {
            width += c == "\t" ? 8 - (width % 8) : 1
            _ = advance()
        }
        guard let c = peek else { return true }
        if c == "\n" || c == "\r" || c == "#" {
            while let d = peek, d != "\n" { _ = advance() }
            if peek == "\n" { _ = advance() }
            return true
        }
        if width > indents[indents.count - 1] {
            if indents.count > Lexer.maxIndents {
                throw error("too deeply nested: more than \(Lexer.maxIndents) levels of indentation", line: l, column: width + 1)
            }
            indents.append(width)
            add(.indent, "", l, 1)
        } else {
            while width < indents[indents.count - 1] {
                indents.removeLast()
                add(.dedent, "", l, width + 1)
            }
            if width != indents[indents.count - 1] {
                throw error("indentation does not match any outer block", line: l, column: width + 1)
            }
        }
        return false
    }

    /// A string with a prefix (`r"…"`, `f'…'`, `rf"…"`, …); false when the letters start a name instead.
    mutating func lexPrefixedString() throws -> Bool {
        var k = 0
        var prefix = ""
        while k < 2, let c = peek(k), "rRfFbBuU".contains(c) { prefix.append(c); k += 1 }
        guard !prefix.isEmpty, let q = peek(k), q == "\"" || q == "'" else { return false }
        let p = prefix.lowercased()
        guard ["r", "f", "b", "u", "rf", "fr", "rb", "br"].contains(p) else { return false }
        let l = line, c = col
        for _ in 0..<k { _ = advance() }
        try lexString(raw: p.contains("r"), isF: p.contains("f"), l: l, c: c)
        return true
    }

    /// Scans a string literal up to its closing quote. The body keeps every `\` with the character after
    /// it (so an escaped quote does not close the string); escapes are then decoded by `StringEscapes`,
    /// here for plain strings and in the parser for an f-string's literal parts. Raw strings stay as written.
    mutating func lexString(raw: Bool, isF: Bool, l: Int, c: Int) throws {
        let quote = advance()
        var triple = false
        if peek == quote && peek(1) == quote { _ = advance(); _ = advance(); triple = true }
        let bodyStart = (line: line, column: col)
        var body: [Character] = []
        while true {
            guard let ch = peek else {
                throw error("unterminated string", line: l, column: c, atEnd: triple)
            }
            if ch == quote {
                if !triple { _ = advance(); break }
                if peek(1) == quote && peek(2) == quote { _ = advance(); _ = advance(); _ = advance(); break }
            }
            if ch == "\n" && !triple { throw error("unterminated string (missing closing \(quote))", line: l, column: c) }
            body.append(advance())
            if ch == "\\", peek != nil { body.append(advance()) }
        }
        if isF {
            add(.fstring(raw: raw, bodyLine: bodyStart.line, bodyColumn: bodyStart.column), String(body), l, c)
            return
        }
        if raw {
            add(.string, String(body), l, c)
            return
        }
        do {
            add(.string, try StringEscapes.decode(body[...]), l, c)
        } catch {
            let at = StringEscapes.position(of: error.offset, in: body[...], from: bodyStart)
            throw self.error(error.message, line: at.line, column: at.column)
        }
    }

    mutating func lexNumber() throws {
        let l = line, c = col
        var text = ""
        if peek == "0", let x = peek(1), x == "x" || x == "X" || x == "b" || x == "B" || x == "o" || x == "O" {
            _ = advance(); _ = advance()
            while let d = peek, d.isHexDigit || d == "_" { let ch = advance(); if ch != "_" { text.append(ch) } }
            let radix = (x == "x" || x == "X") ? 16 : (x == "b" || x == "B") ? 2 : 8
            guard let v = Int(text, radix: radix) else { throw error("bad number literal", line: l, column: c) }
            add(.int(v), text, l, c)
            return
        }
        var isFloat = false
        while let d = peek, d.isNumber || d == "_" { let ch = advance(); if ch != "_" { text.append(ch) } }
        if peek == ".", !(peek(1)?.isLetter ?? false) || peek(1) == "e" || peek(1) == "E" {
            isFloat = true
            text.append(advance())
            while let d = peek, d.isNumber || d == "_" { let ch = advance(); if ch != "_" { text.append(ch) } }
        }
        if let e = peek, e == "e" || e == "E",
           let n = peek(1), n.isNumber || ((n == "-" || n == "+") && (peek(2)?.isNumber ?? false)) {
            isFloat = true
            text.append(advance())
            if peek == "-" || peek == "+" { text.append(advance()) }
            while let d = peek, d.isNumber { text.append(advance()) }
        }
        if isFloat {
            guard let v = Double(text) else { throw error("bad number literal `\(text)`", line: l, column: c) }
            add(.float(v), text, l, c)
        } else {
            guard let v = Int(text) else { throw error("integer literal `\(text)` is too large", line: l, column: c) }
            add(.int(v), text, l, c)
        }
    }

    /// The longest operator spelled at the current position.
    mutating func lexOperator() throws {
        let l = line, c = col
        var match: Operator? = nil
        for length in stride(from: Operator.longestSpelling, through: 1, by: -1) where pos + length <= chars.count {
            if let op = Operator(rawValue: String(chars[pos..<(pos + length)])) { match = op; break }
        }
        guard let op = match else {
            let ch = peek.map { String($0) } ?? "?"
            let hint = ch == "!" ? " (use `not` for negation)" : ""
            throw error("unexpected character `\(ch)`\(hint)", line: l, column: c)
        }
        for _ in 0..<op.rawValue.count { _ = advance() }
        if op.opensBracket && depth >= Lexer.maxBrackets {
            throw error("too deeply nested: more than \(Lexer.maxBrackets) open brackets", line: l, column: c)
        }
        if op.opensBracket { depth += 1; openBrackets.append((op.rawValue.first ?? "(", l, c)) }
        if op.closesBracket {
            if depth == 0 { throw error("unmatched `\(op.rawValue)`", line: l, column: c) }
            depth -= 1
            openBrackets.removeLast()
        }
        add(.op(op), op.rawValue, l, c)
    }
}
