import Foundation
import LoupeFormats

/// A papermill-style parameter: `-p name=value`, the value typed like a Python literal
/// (`3`, `2.5`, `True`, `None`, `"text"`, `'text'`, `[1, 2]`, `(1, "a")`, `{"k": 1}`); anything that
/// is not a literal is the bare string itself (`-p prompt=hello` is `"hello"`).
public struct NotebookParameter: Sendable, Equatable {
    public var name: String
    public var value: ParameterValue

    public init(name: String, value: ParameterValue) {
        self.name = name
        self.value = value
    }

    /// Parses `name=value`; throws when the name is missing or not an identifier.
    public init(assignment: String) throws {
        guard let eq = assignment.firstIndex(of: "=") else {
            throw NotebookParameterError(text: assignment, message: "expected name=value")
        }
        let name = assignment[..<eq].trimmingCharacters(in: .whitespaces)
        guard let first = name.first, first.isLetter || first == "_",
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw NotebookParameterError(text: assignment, message: "\"\(name)\" is not a valid variable name")
        }
        let text = String(assignment[assignment.index(after: eq)...])
        self.init(name: name, value: ParameterValue(parsing: text))
    }

    /// The Loupe statement that sets the parameter, e.g. `xs = [1, 2]`.
    public var loupeSource: String { "\(name) = \(value.loupeSource)" }
}

public struct NotebookParameterError: Error, CustomStringConvertible, Sendable {
    public var text: String
    public var message: String
    public var description: String { "invalid parameter \"\(text)\": \(message)" }
}

public indirect enum ParameterValue: Sendable, Equatable {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case none
    case string(String)
    case list([ParameterValue])
    case tuple([ParameterValue])
    case dict([(ParameterValue, ParameterValue)])

    /// A Python literal, or the trimmed text as a string when it is not one.
    public init(parsing text: String) {
        var parser = LiteralParser(text: text)
        if let value = parser.parseWhole() {
            self = value
        } else {
            self = .string(text.trimmingCharacters(in: .whitespaces))
        }
    }

    /// Loupe source for the value (Loupe accepts Python's spelling of True/False/None).
    public var loupeSource: String {
        switch self {
        case .int(let v): return String(v)
        case .float(let v):
            if v.isNaN { return "float(\"nan\")" }
            if v.isInfinite { return v < 0 ? "-float(\"inf\")" : "float(\"inf\")" }
            let s = String(v)
            return s.contains(".") || s.contains("e") ? s : s + ".0"
        case .bool(let v): return v ? "True" : "False"
        case .none: return "None"
        case .string(let s): return JSONValue.quoted(s)
        case .list(let items): return "[" + items.map(\.loupeSource).joined(separator: ", ") + "]"
        case .tuple(let items):
            return items.count == 1 ? "(\(items[0].loupeSource),)"
                : "(" + items.map(\.loupeSource).joined(separator: ", ") + ")"
        case .dict(let pairs):
            return "{" + pairs.map { "\($0.0.loupeSource): \($0.1.loupeSource)" }.joined(separator: ", ") + "}"
        }
    }

    public static func == (a: ParameterValue, b: ParameterValue) -> Bool { a.loupeSource == b.loupeSource }
}

/// Recursive descent over Python literal syntax; returns nil on anything else.
private struct LiteralParser {
    let chars: [Character]
    var i = 0

    init(text: String) { chars = Array(text) }

    mutating func parseWhole() -> ParameterValue? {
        guard let v = parseValue() else { return nil }
        skipSpace()
        return i == chars.count ? v : nil
    }

    private mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    private mutating func parseValue() -> ParameterValue? {
        skipSpace()
        guard i < chars.count else { return nil }
        switch chars[i] {
        case "\"", "'": return parseString().map(ParameterValue.string)
        case "[": return parseSequence(close: "]").map { .list($0.items) }
        case "(":
            guard let seq = parseSequence(close: ")") else { return nil }
            if seq.items.count == 1 && !seq.trailingComma { return seq.items[0] }
            return .tuple(seq.items)
        case "{": return parseDict()
        default: return parseAtom()
        }
    }

    private mutating func parseSequence(close: Character) -> (items: [ParameterValue], trailingComma: Bool)? {
        i += 1
        var items: [ParameterValue] = []
        var trailingComma = false
        while true {
            skipSpace()
            guard i < chars.count else { return nil }
            if chars[i] == close { i += 1; return (items, trailingComma) }
            guard let v = parseValue() else { return nil }
            items.append(v)
            skipSpace()
            guard i < chars.count else { return nil }
            trailingComma = chars[i] == ","
            if trailingComma { i += 1 } else if chars[i] != close { return nil }
        }
    }

    private mutating func parseDict() -> ParameterValue? {
        i += 1
        var pairs: [(ParameterValue, ParameterValue)] = []
        while true {
            skipSpace()
            guard i < chars.count else { return nil }
            if chars[i] == "}" { i += 1; return .dict(pairs) }
            guard let key = parseValue() else { return nil }
            skipSpace()
            guard i < chars.count, chars[i] == ":" else { return nil }
            i += 1
            guard let value = parseValue() else { return nil }
            pairs.append((key, value))
            skipSpace()
            guard i < chars.count else { return nil }
            if chars[i] == "," { i += 1 } else if chars[i] != "}" { return nil }
        }
    }

    private mutating func parseString() -> String? {
        let quote = chars[i]
        i += 1
        var out = ""
        while i < chars.count {
            let c = chars[i]
            i += 1
            if c == quote { return out }
            if c == "\\", i < chars.count {
                let e = chars[i]
                i += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                default: out.append(e)
                }
            } else {
                out.append(c)
            }
        }
        return nil
    }

    /// Numbers and the keywords True/False/None (also Loupe's true/false/none).
    private mutating func parseAtom() -> ParameterValue? {
        let start = i
        while i < chars.count, !",:]})".contains(chars[i]), !chars[i].isWhitespace { i += 1 }
        let word = String(chars[start..<i])
        switch word {
        case "True", "true": return .bool(true)
        case "False", "false": return .bool(false)
        case "None", "none": return ParameterValue.none
        default: break
        }
        let digits = word.replacingOccurrences(of: "_", with: "")
        if let v = Int(digits) { return .int(v) }
        if digits.contains(where: \.isNumber), let v = Double(digits) { return .float(v) }
        return nil
    }
}

extension NotebookDocument {
    /// The tag papermill gives the cell holding the defaults, and the one it gives the injected cell.
    public static let parametersTag = "parameters"
    public static let injectedParametersTag = "injected-parameters"

    /// A copy with the parameters set in a new cell right after the `parameters`-tagged cell (or at
    /// the top when there is none), tagged `injected-parameters`; a previously injected cell is
    /// replaced, as papermill does when re-running its own output.
    public func injectingParameters(_ parameters: [NotebookParameter]) -> NotebookDocument {
        var copy = self
        copy.cells.removeAll { $0.tags.contains(Self.injectedParametersTag) }
        guard !parameters.isEmpty else { return copy }
        let source = (["# Parameters"] + parameters.map(\.loupeSource)).joined(separator: "\n")
        let cell = NotebookCell(kind: .code, source: source, tags: [Self.injectedParametersTag],
                                firstLine: 1, sourceName: "<parameters>")
        if let index = copy.cells.firstIndex(where: { $0.tags.contains(Self.parametersTag) }) {
            copy.cells.insert(cell, at: index + 1)
        } else {
            copy.cells.insert(cell, at: 0)
        }
        return copy
    }

    /// Names set by `name = ...` lines in the `parameters` cell (for warning about unknown `-p`s).
    public var declaredParameterNames: [String]? {
        guard let cell = cells.first(where: { $0.tags.contains(Self.parametersTag) }) else { return nil }
        return cell.source.split(separator: "\n").compactMap { line in
            guard let eq = line.firstIndex(of: "="), line.first?.isWhitespace == false else { return nil }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            return name
        }
    }
}
