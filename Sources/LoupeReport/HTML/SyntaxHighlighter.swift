/// Highlights Loupe (Python-flavoured) source as HTML spans: keywords, strings (incl. f-strings and
/// triple quotes), numbers, comments, builtins, function names after `def`. A lexer of its own because
/// highlighting must never fail: unterminated strings, tabs and odd bytes all come out as text.
public enum SyntaxHighlighter {
    static let keywords: Set<String> = [
        "and", "as", "assert", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally",
        "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield",
    ]
    static let constants: Set<String> = ["True", "False", "None", "true", "false", "none"]
    static let builtins: Set<String> = [
        "print", "len", "range", "enumerate", "zip", "sorted", "min", "max", "sum", "abs", "round", "str", "int",
        "float", "bool", "list", "dict", "tuple", "set", "type", "help", "random", "tensor", "zeros", "ones",
        "arange", "linspace", "randint", "randn", "save", "read", "load", "cat", "stack", "softmax",
        "log_softmax", "exp", "log", "sqrt", "subplots", "imshow", "plot", "scatter", "hist", "bar", "colorbar",
        "figure", "table", "attention_patterns", "attention_heads", "colored_tokens", "topk_tokens", "display",
        "isinstance", "map", "filter", "any", "all", "reversed",
    ]

    public static func html(_ source: String) -> String {
        let s = Array(source.unicodeScalars)
        var out = ""
        var i = 0
        var previousWord = ""
        func emit(_ cls: String?, _ from: Int, _ to: Int) {
            let text = Escape.html(String(String.UnicodeScalarView(s[from..<to])))
            if let cls { out += "<span class=\"tok-\(cls)\">\(text)</span>" } else { out += text }
        }
        while i < s.count {
            let c = s[i]
            if c == "#" {
                var j = i
                while j < s.count, s[j] != "\n" { j += 1 }
                emit("com", i, j); i = j; continue
            }
            if let stringEnd = scanString(s, at: i) {
                emit("str", i, stringEnd); i = stringEnd; previousWord = ""; continue
            }
            if isDigit(c) || (c == "." && i + 1 < s.count && isDigit(s[i + 1]) && !(i > 0 && isIdent(s[i - 1]))) {
                var j = i + 1
                while j < s.count, isIdent(s[j]) || s[j] == "." || ((s[j] == "+" || s[j] == "-") && (s[j - 1] == "e" || s[j - 1] == "E")) { j += 1 }
                emit("num", i, j); i = j; continue
            }
            if isIdentStart(c) {
                var j = i + 1
                while j < s.count, isIdent(s[j]) { j += 1 }
                let word = String(String.UnicodeScalarView(s[i..<j]))
                let isCall = nextNonSpace(s, j) == "("
                let isAttribute = i > 0 && s[i - 1] == "."
                if keywords.contains(word) { emit("kw", i, j) }
                else if constants.contains(word) { emit("const", i, j) }
                else if previousWord == "def" { emit("fn", i, j) }
                else if builtins.contains(word) && !isAttribute && isCall { emit("bi", i, j) }
                else if isAttribute && isCall { emit("method", i, j) }
                else { emit(nil, i, j) }
                previousWord = word
                i = j
                continue
            }
            if "+-*/%@=<>!&|^~".unicodeScalars.contains(c) {
                var j = i + 1
                while j < s.count, "=<>*/".unicodeScalars.contains(s[j]), j - i < 3 { j += 1 }
                emit("op", i, j); i = j; continue
            }
            if !c.properties.isWhitespace { previousWord = "" }
            emit(nil, i, i + 1)
            i += 1
        }
        return out
    }

    /// End index of a string literal starting at `i` (with optional f/r/b prefixes), or nil.
    static func scanString(_ s: [Unicode.Scalar], at start: Int) -> Int? {
        var i = start
        var prefixLength = 0
        while i < s.count, prefixLength < 2, "fFrRbBuU".unicodeScalars.contains(s[i]) { i += 1; prefixLength += 1 }
        guard i < s.count, s[i] == "\"" || s[i] == "'" else { return nil }
        if prefixLength > 0, start > 0, isIdent(s[start - 1]) { return nil }
        if prefixLength == 0, start > 0, isIdent(s[start - 1]) { return nil }
        let quote = s[i]
        let triple = i + 2 < s.count && s[i + 1] == quote && s[i + 2] == quote
        i += triple ? 3 : 1
        while i < s.count {
            if s[i] == "\\" { i += 2; continue }
            if triple {
                if s[i] == quote, i + 2 < s.count, s[i + 1] == quote, s[i + 2] == quote { return i + 3 }
            } else {
                if s[i] == quote { return i + 1 }
                if s[i] == "\n" { return i }
            }
            i += 1
        }
        return s.count
    }

    static func nextNonSpace(_ s: [Unicode.Scalar], _ from: Int) -> Unicode.Scalar? {
        var j = from
        while j < s.count, s[j] == " " { j += 1 }
        return j < s.count ? s[j] : nil
    }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    static func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
    static func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || isDigit(c) }
}
