import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeTensor

/// Turns Loupe values into what views take: numbers (a tensor or nested lists) with their shape,
/// token strings, nested token tables. Errors name the argument and what was expected.
enum ViewArguments {
    /// Row-major values and shape of a tensor, a number, or rectangular nested lists/tuples of numbers.
    static func numbers(_ v: Value, _ what: String) throws -> (values: [Float], shape: [Int]) {
        switch v {
        case .tensor(let t): return (t.tensor.toArray(), t.tensor.shape)
        case .int, .float, .bool: return ([Float(try v.asDouble(what))], [])
        case .list(let box): return try nested(box.items, what)
        case .tuple(let items): return try nested(items.items, what)
        default:
            throw LoupeError("\(what) must be a tensor or (nested) lists of numbers, not \(v.typeName)")
        }
    }

    private static func nested(_ items: [Value], _ what: String) throws -> (values: [Float], shape: [Int]) {
        var values: [Float] = []
        var inner: [Int]? = nil
        for (i, item) in items.enumerated() {
            let (v, s) = try numbers(item, "\(what)[\(i)]")
            if let inner, inner != s {
                throw LoupeError("\(what) is ragged: element 0 has shape \(inner) but element \(i) has shape \(s)")
            }
            inner = s
            values += v
        }
        return (values, [items.count] + (inner ?? []))
    }

    /// Drops leading size-1 axes (a batch dimension) until at most `rank` axes remain.
    static func squeezeLeading(_ shape: [Int], to rank: Int) -> [Int] {
        var s = shape
        while s.count > rank, s.first == 1 { s.removeFirst() }
        return s
    }

    /// A list/tuple of strings (e.g. `model.to_str_tokens(text)`), or anything iterable yielding strings.
    static func strings(_ v: Value, _ what: String) throws -> [String] {
        let items: [Value]
        switch v {
        case .list(let box): items = box.items
        case .tuple(let t): items = t.items
        case .host(let h):
            guard let it = try h.iterate() else { throw LoupeError("\(what) must be a list of strings, not \(v.typeName)") }
            items = it
        default:
            throw LoupeError("\(what) must be a list of strings, not \(v.typeName)",
                             hint: "token ids can be turned into strings with model.to_str_tokens(ids)")
        }
        return try items.enumerated().map { i, item in
            if case .string(let s) = item { return s }
            throw LoupeError("\(what)[\(i)] must be a string, not \(item.typeName)",
                             hint: "token ids can be turned into strings with model.to_str_tokens(ids)")
        }
    }

    /// [row][position][k] strings from nested lists.
    static func stringTable(_ v: Value, _ what: String) throws -> [[[String]]] {
        try list(v, what).enumerated().map { r, row in
            try list(row, "\(what)[\(r)]").enumerated().map { p, cell in try strings(cell, "\(what)[\(r)][\(p)]") }
        }
    }

    /// [row][position][k] numbers from a tensor [rows, positions, k] or nested lists.
    static func numberTable(_ v: Value, _ what: String) throws -> [[[Double]]] {
        if case .tensor(let t) = v {
            let shape = squeezeLeading(t.tensor.shape, to: 3)
            guard shape.count == 3 else { throw LoupeError("\(what) must have shape [rows, positions, k]; got \(t.tensor.shape)") }
            let a = t.tensor.toArray()
            return (0..<shape[0]).map { r in (0..<shape[1]).map { p in (0..<shape[2]).map { k in
                Double(a[(r * shape[1] + p) * shape[2] + k]) } } }
        }
        return try list(v, what).enumerated().map { r, row in
            try list(row, "\(what)[\(r)]").enumerated().map { p, cell in
                try list(cell, "\(what)[\(r)][\(p)]").enumerated().map { k, x in try x.asDouble("\(what)[\(r)][\(p)][\(k)]") }
            }
        }
    }

    static func list(_ v: Value, _ what: String) throws -> [Value] {
        switch v {
        case .list(let box): return box.items
        case .tuple(let t): return t.items
        case .tensor(let t):
            let shape = t.tensor.shape
            guard let first = shape.first else { throw LoupeError("\(what) must be a list, not a scalar tensor") }
            return try (0..<first).map { i in .tensor(try t.tensor.index([.at(i)]), kind: t.kind) }
        default: throw LoupeError("\(what) must be a list, not \(v.typeName)")
        }
    }

    static func optionalString(_ v: Value?, _ what: String, default d: String) throws -> String {
        guard let v = v?.orNil else { return d }
        return try v.asString(what)
    }

    static func optionalFloat(_ v: Value?, _ what: String) throws -> Float? {
        guard let v = v?.orNil else { return nil }
        return Float(try v.asDouble(what))
    }
}
