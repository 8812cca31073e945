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
