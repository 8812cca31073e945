import LoupeScript

/// A builtin's parameters, declared once as the Python header a user would read in `help()`:
///
///     load(name: str = "smollm2", fold_ln: bool = True, *, processing: bool = True)
///     model.to_tokens(input, prepend_bos: bool | None = None)
///     print(*values, sep: str = " ", end: str = "\n")
///     dict(pairs=[], /, **kw)
///
/// The header is parsed when the builtin is registered (an unreadable header is a programming error
/// the coverage test finds). Binding by name, the help text, keyword completion and the "unexpected
/// keyword … did you mean" message all come from it. A default is a literal (number, string,
/// True/False/None, a tuple or list of literals); `name=` with no value means "optional, no default"
/// (nil when not given), which is how matplotlib-style styling keywords are declared. A `/` ends the
/// positional-only parameters: their names are not keywords (a keyword of that name goes to `**kwargs`). Annotations are
/// shown in help and not enforced: each builtin converts with `BoundArguments.int(_:)` and friends, whose
/// errors name the parameter.
public struct Signature: Sendable {
    public struct Parameter: Sendable {
        public enum Kind: Sendable { case positional, keywordOnly, varArgs, varKeywords }
        public let name: String
        public let kind: Kind
        /// The annotation as written (`int`, `str | None`), shown in help.
        public let type: String?
        /// The default's source text; nil for a required parameter.
        public let defaultText: String?
        let defaultValue: Literal?

        public var isRequired: Bool { (kind == .positional || kind == .keywordOnly) && defaultText == nil }
    }

    /// What stands before the parameter list: `load`, `model.to_tokens`.
    public let callee: String
    public let parameters: [Parameter]
    /// How many leading parameters stand before a `/` (positional-only).
    public let positionalOnlyCount: Int
    /// Other spellings accepted for a keyword (TransformerLens/torch/numpy habits): alias → parameter.
    public let aliases: [String: String]

    public struct DeclarationError: Error, CustomStringConvertible, Sendable {
        public let header: String
        public let message: String
        public var description: String { "bad builtin signature `\(header)`: \(message)" }
    }

    /// Parses a header. `aliases` maps extra keyword spellings to declared parameter names.
    public init(_ header: String, aliases: [String: String] = [:]) throws {
        var reader = try HeaderReader(header)
        callee = try reader.callee()
        parameters = try reader.parameters()
        positionalOnlyCount = reader.positionalOnly
        for (alias, target) in aliases where !parameters.contains(where: { $0.name == target }) {
            throw DeclarationError(header: header, message: "alias `\(alias)` names no parameter `\(target)`")
        }
        self.aliases = aliases
    }

    /// The function's own name (the part after the last dot of the callee).
    public var name: String { callee.split(separator: ".").last.map(String.init) ?? callee }

    /// The header as help shows it, rebuilt from the parsed parameters.
    public var text: String {
        var parts: [String] = []
        var starShown = false
        for (i, p) in parameters.enumerated() {
            if i == positionalOnlyCount && i > 0 { parts.append("/") }
            switch p.kind {
            case .varArgs: parts.append("*\(p.name)"); starShown = true
            case .varKeywords: parts.append("**\(p.name)")
            case .positional, .keywordOnly:
                if p.kind == .keywordOnly && !starShown { parts.append("*"); starShown = true }
                var s = p.name
                if let t = p.type { s += ": \(t)" }
                if let d = p.defaultText { s += p.type == nil ? "=\(d)" : " = \(d)" }
                parts.append(s)
            }
        }
        if positionalOnlyCount == parameters.count && positionalOnlyCount > 0 { parts.append("/") }
        return "\(callee)(\(parts.joined(separator: ", ")))"
    }

    /// Keyword names a caller may type (declared names, then aliases).
    public var keywordNames: [String] {
        parameters.dropFirst(positionalOnlyCount).filter { $0.kind == .positional || $0.kind == .keywordOnly }.map(\.name)
            + aliases.keys.sorted()
    }

    /// Matches a call's arguments to the parameters, as Python does: positionals fill the positional
    /// parameters in order (the rest go to `*args` if declared), keywords by name or alias. Errors name
    /// the function and, for an unknown keyword, suggest the closest parameter.
    public func bind(_ args: Arguments) throws -> BoundArguments {
        var slots = [Value?](repeating: nil, count: parameters.count)
        var rest: [Value] = []
        var extra: [(String, Value)] = []
        let positionalIndices = parameters.indices.filter { parameters[$0].kind == .positional }
        let acceptsVarArgs = parameters.contains { $0.kind == .varArgs && $0.name != "" }
        let acceptsVarKeywords = parameters.contains { $0.kind == .varKeywords }
        for (i, v) in args.positional.enumerated() {
            if i < positionalIndices.count { slots[positionalIndices[i]] = v; continue }
            guard acceptsVarArgs else {
                let n = positionalIndices.count
                throw LoupeError("\(callee)() takes \(n == 0 ? "no" : "at most \(n)") positional argument\(n == 1 ? "" : "s") (\(args.positional.count) given)",
                                 hint: "usage: \(text)")
            }
            rest.append(v)
        }
        for (key, v) in args.keywords {
            let name = aliases[key] ?? key
            guard let i = parameters.indices.dropFirst(positionalOnlyCount).first(where: {
                parameters[$0].name == name && (parameters[$0].kind == .positional || parameters[$0].kind == .keywordOnly)
            }) else {
                if acceptsVarKeywords { extra.append((key, v)); continue }
                throw LoupeError("\(callee)() got an unexpected keyword argument `\(key)`",
                                 hint: Suggest.hint(for: key, in: keywordNames) ?? "usage: \(text)")
            }
            if slots[i] != nil { throw LoupeError("\(callee)() got two values for argument `\(name)`") }
            slots[i] = v
        }
        for (i, p) in parameters.enumerated() where p.isRequired && slots[i] == nil {
            throw LoupeError("\(callee)() is missing required argument `\(p.name)`", hint: "usage: \(text)")
        }
        return BoundArguments(signature: self, slots: slots, varArgs: rest, varKeywords: extra)
    }

    func index(of name: String) -> Int {
        guard let i = parameters.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("\(callee) declares no parameter `\(name)`")
        }
        return i
    }
}

/// A literal default, kept apart from `Value` so a signature is plain data.
indirect enum Literal: Sendable {
    case none, bool(Bool), int(Int), float(Double), string(String), tuple([Literal]), list([Literal])

    var value: Value {
        switch self {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .tuple(let items): return .tuple(items.map(\.value))
        case .list(let items): return .list(items.map(\.value))
        }
    }
}

/// One call's arguments matched to a `Signature`. Read them by parameter name; an unknown name is a
/// programming error. `value(_:)` gives the argument or its declared default; the typed readers say
/// which parameter was wrong in their errors.
public struct BoundArguments {
    public let signature: Signature
    let slots: [Value?]
    /// Positionals beyond the declared ones (`*args`).
    public let varArgs: [Value]
    /// Keywords not declared (`**kwargs`), in call order.
    public let varKeywords: [(String, Value)]

    /// The argument as given, or its default (`None` when it has none).
    public func value(_ name: String) -> Value {
        let i = signature.index(of: name)
        if let v = slots[i] { return v }
        return signature.parameters[i].defaultValue?.value ?? .none
    }

    /// The argument, or nil when it was not given or is `None` and its default is `None` or absent.
    public func optional(_ name: String) -> Value? { value(name).orNil }

    /// Whether the caller passed this argument (even `None`).
    public func isGiven(_ name: String) -> Bool { slots[signature.index(of: name)] != nil }

    private func what(_ name: String) -> String { "\(signature.callee)(): `\(name)`" }

    public func int(_ name: String) throws -> Int { try value(name).asInt(what(name)) }
    public func double(_ name: String) throws -> Double { try value(name).asDouble(what(name)) }
    public func string(_ name: String) throws -> String { try value(name).asString(what(name)) }
    public func bool(_ name: String) throws -> Bool { try value(name).asBool(what(name)) }

    public func optionalInt(_ name: String) throws -> Int? { try optional(name)?.asInt(what(name)) }
    public func optionalDouble(_ name: String) throws -> Double? { try optional(name)?.asDouble(what(name)) }
    public func optionalString(_ name: String) throws -> String? { try optional(name)?.asString(what(name)) }
    public func optionalBool(_ name: String) throws -> Bool? { try optional(name)?.asBool(what(name)) }
}

/// Reads a declared header with the language's own lexer.
private struct HeaderReader {
    let header: String
    var tokens: [Token]
    var at = 0
    /// The number of parameters before a `/`, once `parameters()` has read it.
    var positionalOnly = 0

    init(_ header: String) throws {
        self.header = header
        do { tokens = try Lexer.tokenize(header, file: "<signature>") }
        catch { throw Signature.DeclarationError(header: header, message: "\(error)") }
        tokens.removeAll { $0.kind == .newline || $0.kind == .eof || $0.kind == .indent || $0.kind == .dedent }
    }

    var current: Token? { at < tokens.count ? tokens[at] : nil }
    func fail(_ message: String) -> Signature.DeclarationError { .init(header: header, message: message) }
    func isOp(_ s: String) -> Bool { current.map { $0.op?.rawValue == s } ?? false }
    mutating func take() -> Token? { defer { at += 1 }; return current }
    mutating func expectOp(_ s: String) throws {
        guard isOp(s) else { throw fail("expected `\(s)` at \(current.map { "`\($0.text)`" } ?? "the end")") }
        at += 1
    }

    mutating func callee() throws -> String {
        var parts: [String] = []
        repeat {
            guard let t = take(), t.kind == .name || t.keyword != nil else { throw fail("expected a name") }
            parts.append(t.text)
        } while isOp(".") && take() != nil
        return parts.joined(separator: ".")
    }

    mutating func parameters() throws -> [Signature.Parameter] {
        try expectOp("(")
        var params: [Signature.Parameter] = []
        var keywordOnly = false
        while !isOp(")") {
            if isOp("/") {
                guard !keywordOnly, positionalOnly == 0, !params.isEmpty else { throw fail("misplaced `/`") }
                positionalOnly = params.count
                at += 1
                if isOp(",") { at += 1; continue }
                break
            }
            var kind: Signature.Parameter.Kind = keywordOnly ? .keywordOnly : .positional
            if isOp("**") { at += 1; kind = .varKeywords } else if isOp("*") {
                at += 1
                keywordOnly = true
                if isOp(",") { at += 1; continue }  // bare `*`
                kind = .varArgs
            }
            guard let nameTok = take(), nameTok.kind == .name else { throw fail("expected a parameter name") }
            if params.contains(where: { $0.name == nameTok.text }) { throw fail("duplicate parameter `\(nameTok.text)`") }
            var type: String? = nil
            if isOp(":") { at += 1; type = try annotation() }
            var defaultText: String? = nil
            var defaultValue: Literal? = nil
            if isOp("=") {
                at += 1
                guard kind == .positional || kind == .keywordOnly else { throw fail("`*\(nameTok.text)` cannot have a default") }
                if isOp(",") || isOp(")") {
                    (defaultText, defaultValue) = ("None", Literal.none)  // `color=`: optional, no default
                } else {
                    let start = at
                    defaultValue = try literal()
                    defaultText = tokens[start..<at].map(Self.spelling).joined()
                        .replacingOccurrences(of: ",", with: ", ")
                }
            } else if kind == .positional, params.last.map({ $0.kind == .positional && $0.defaultText != nil }) ?? false {
                throw fail("required parameter `\(nameTok.text)` follows one with a default")
            }
            params.append(.init(name: nameTok.text, kind: kind, type: type, defaultText: defaultText, defaultValue: defaultValue))
            if !isOp(",") { break }
            at += 1
        }
        try expectOp(")")
        if current != nil { throw fail("unexpected `\(current!.text)` after the parameter list") }
        return params
    }

    /// Tokens up to the next `=`, `,` or `)` at bracket depth 0, joined as written.
    mutating func annotation() throws -> String {
        var depth = 0
        var parts: [String] = []
        while let t = current {
            if t.op != nil {
                if depth == 0 && (t.text == "=" || t.text == "," || t.text == ")") { break }
                if t.text == "[" || t.text == "(" { depth += 1 }
                if t.text == "]" || t.text == ")" { depth -= 1 }
            }
            parts.append(t.op == .pipe ? " | " : Self.spelling(t))
            at += 1
        }
        guard !parts.isEmpty else { throw fail("empty annotation") }
        return parts.joined()
    }

    mutating func literal() throws -> Literal {
        guard let t = take() else { throw fail("expected a default value") }
        switch t.kind {
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string: return .string(t.text)
        case .keyword(.noneValue): return .none
        case .keyword(.trueValue): return .bool(true)
        case .keyword(.falseValue): return .bool(false)
        case .op(.minus):
            switch try literal() {
            case .int(let i): return .int(-i)
            case .float(let d): return .float(-d)
            default: throw fail("`-` before a non-number")
            }
        case .op(.leftParen), .op(.leftBracket):
            let close = t.text == "(" ? ")" : "]"
            var items: [Literal] = []
            while !isOp(close) {
                items.append(try literal())
                if !isOp(",") { break }
                at += 1
            }
            try expectOp(close)
            return close == ")" ? .tuple(items) : .list(items)
        default:
            throw fail("a default must be a literal, not `\(t.text)`")
        }
    }

    static func spelling(_ t: Token) -> String {
        switch t.kind {
        case .string: return Repr.repr(.string(t.text))
        default: return t.text
        }
    }
}
