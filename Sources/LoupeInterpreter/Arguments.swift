import LoupeScript

/// The arguments of one call: positional values, then keyword values in call order.
public struct Arguments {
    public var positional: [Value]
    public var keywords: [(String, Value)]

    public init(_ positional: [Value] = [], keywords: [(String, Value)] = []) {
        self.positional = positional
        self.keywords = keywords
    }

    public var count: Int { positional.count + keywords.count }

    public func keyword(_ name: String) -> Value? { keywords.first(where: { $0.0 == name })?.1 }

    /// Matches arguments to parameter names, Python style. `required` is how many leading names must be
    /// given. Returns one slot per name (nil when not given). Unknown keywords and extra positionals are
    /// errors naming the function, with a "did you mean" hint.
    public func bind(_ function: String, _ names: [String], required: Int = 0) throws -> [Value?] {
        var out = [Value?](repeating: nil, count: names.count)
        if positional.count > names.count {
            throw LoupeError("\(function)() takes at most \(names.count) positional argument\(names.count == 1 ? "" : "s") (\(positional.count) given)")
        }
        for (i, v) in positional.enumerated() { out[i] = v }
        for (k, v) in keywords {
            guard let i = names.firstIndex(of: k) else {
                throw LoupeError("\(function)() got an unexpected keyword argument `\(k)`",
                                 hint: Suggest.hint(for: k, in: names) ?? "it takes: \(names.joined(separator: ", "))")
            }
            if out[i] != nil { throw LoupeError("\(function)() got two values for argument `\(k)`") }
            out[i] = v
        }
        for i in 0..<required where out[i] == nil {
            throw LoupeError("\(function)() is missing required argument `\(names[i])`")
        }
        return out
    }
}

/// Conversions with errors that say what was expected.
public extension Value {
    func asInt(_ what: String) throws -> Int {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .float(let d) where d == d.rounded() && abs(d) < 9e18: return Int(d)
        case .tensor(let t) where t.tensor.count == 1 && t.kind != .float && t.tensor.contiguous().item.exactInt != nil:
            return t.tensor.contiguous().item.exactInt ?? 0
        default: throw LoupeError("\(what) must be an int, not \(typeName)")
        }
    }

    func asDouble(_ what: String) throws -> Double {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .tensor(let t) where t.tensor.count == 1: return Double(t.tensor.item)
        default: throw LoupeError("\(what) must be a number, not \(typeName)")
        }
    }

    func asString(_ what: String) throws -> String {
        if case .string(let s) = self { return s }
        throw LoupeError("\(what) must be a string, not \(typeName)")
    }

    func asBool(_ what: String) throws -> Bool {
        switch self {
        case .bool(let b): return b
        case .int(let i): return i != 0
        default: return isTruthy
        }
    }

    /// nil for `None`.
    var orNil: Value? { if case .none = self { return nil }; return self }
}
