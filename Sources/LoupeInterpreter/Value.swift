import Foundation
import LoupeTensor

/// A Loupe value. Scalars are stored inline; containers and tensors are reference types so copies are
/// cheap and aliasing follows Python (two names, one list).
public enum Value {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list(ListBox)
    case tuple(TupleBox)
    case dict(DictBox)
    case range(RangeValue)
    case function(FunctionValue)
    case builtin(BuiltinFunction)
    case method(BoundMethod)
    case tensor(TensorValue)
    case host(HostObject)
    case slice(SliceValue)
    case ellipsis

    /// The name `type(x)` reports.
    public var typeName: String {
        switch self {
        case .none: return "none"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .range: return "range"
        case .function: return "function"
        case .builtin: return "builtin"
        case .method: return "method"
        case .tensor: return "tensor"
        case .host(let h): return h.typeName
        case .slice: return "slice"
        case .ellipsis: return "ellipsis"
        }
    }

    /// Python truthiness.
    public var isTruthy: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.items.isEmpty
        case .tuple(let t): return !t.isEmpty
        case .dict(let d): return d.count > 0
        case .range(let r): return r.count > 0
        case .tensor(let t): return t.tensor.count == 1 ? t.tensor.item != 0 : t.tensor.count > 0
        default: return true
        }
    }

    public static func list(_ items: [Value]) -> Value { .list(ListBox(items)) }
    public static func tuple(_ items: [Value]) -> Value { .tuple(TupleBox(items)) }
    public static func tensor(_ t: Tensor, kind: TensorValue.Kind = .float) -> Value { .tensor(TensorValue(t, kind: kind)) }
}

/// A mutable list shared by reference.
public final class ListBox {
    public var items: [Value]
    public init(_ items: [Value]) { self.items = items }
    deinit { DeepRelease.release(&items) }
}

/// A tuple's items, immutable. A class (not a bare array) so that freeing a tuple nested 100 000 deep
/// goes through `DeepRelease` like lists do; reads like an array (`t.count`, `t[0]`, `t.map`).
public final class TupleBox: RandomAccessCollection {
    public private(set) var items: [Value]
    public init(_ items: [Value]) { self.items = items }
    deinit { DeepRelease.release(&items) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { items.count }
    public subscript(i: Int) -> Value { items[i] }
}

/// A key usable in a dict: Python equality (1 == 1.0 == True) and hashing.
public enum HashKey: Hashable {
    case none, int(Int), float(Double), string(String), tuple([HashKey]), object(ObjectIdentifier)

    /// Tuples nested deeper than this are not hashed (hashing, comparing and freeing a key walk it
    /// recursively); Python's own recursion limit stops the same keys.
    static let maxTupleDepth = 100

    init(_ v: Value) throws { try self.init(v, depth: 0) }

    private init(_ v: Value, depth: Int) throws {
        switch v {
        case .none: self = .none
        case .bool(let b): self = .int(b ? 1 : 0)
        case .int(let i): self = .int(i)
        case .float(let d):
            if d == d.rounded(), abs(d) < 9e18 { self = .int(Int(d)) } else { self = .float(d) }
        case .string(let s): self = .string(s)
        case .tuple(let t):
            guard depth < HashKey.maxTupleDepth else {
                throw LoupeError("a tuple nested more than \(HashKey.maxTupleDepth) deep cannot be a dict key",
                                 hint: "use a flatter key, such as a string or a tuple of its parts")
            }
            self = .tuple(try t.items.map { try HashKey($0, depth: depth + 1) })
        case .function(let f): self = .object(ObjectIdentifier(f))
        case .builtin(let f): self = .object(ObjectIdentifier(f))
        case .host(let h): self = .object(ObjectIdentifier(h))
        case .tensor(let t) where t.tensor.count == 1 && t.kind != .float && t.tensor.contiguous().item.exactInt != nil:
            self = .int(t.tensor.contiguous().item.exactInt ?? 0)
        default:
            throw LoupeError("unhashable type `\(v.typeName)` cannot be a dict key (use a tuple instead of a list)")
        }
    }
}

/// An insertion-ordered dict.
public final class DictBox {
    public private(set) var keys: [Value] = []
    public private(set) var values: [Value] = []
    private var index: [HashKey: Int] = [:]

    public init() {}
    deinit {
        DeepRelease.release(&values)
        DeepRelease.release(&keys)
    }
    public init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { try? set(.string(k), v) }
    }

    public var count: Int { keys.count }

    public func get(_ key: Value) throws -> Value? {
        guard let i = index[try HashKey(key)] else { return nil }
        return values[i]
    }

    public func set(_ key: Value, _ value: Value) throws {
        let h = try HashKey(key)
        if let i = index[h] { values[i] = value; return }
        index[h] = keys.count
        keys.append(key)
        values.append(value)
    }

    @discardableResult
    public func remove(_ key: Value) throws -> Value? {
        let h = try HashKey(key)
        guard let i = index[h] else { return nil }
        let v = values[i]
        keys.remove(at: i)
        values.remove(at: i)
        index = [:]
        for (j, k) in keys.enumerated() { index[try HashKey(k)] = j }
        return v
    }

    public func contains(_ key: Value) throws -> Bool { index[try HashKey(key)] != nil }

    public func removeAll() { keys = []; values = []; index = [:] }

    public func copy() -> DictBox {
        let d = DictBox()
        d.keys = keys; d.values = values; d.index = index
        return d
    }
}

/// `range(start, stop, step)`.
public struct RangeValue {
    public var start: Int, stop: Int, step: Int
    public var count: Int {
        if step > 0 { return stop > start ? (stop - start + step - 1) / step : 0 }
        return start > stop ? (start - stop - step - 1) / (-step) : 0
    }
    public func at(_ i: Int) -> Int { start + i * step }
}

/// A slice object (`xs[1:5:2]` passes one of these to host objects).
public struct SliceValue {
    public var start: Int?, stop: Int?, step: Int?
}

/// A tensor value: LoupeTensor stores Float32; `kind` remembers whether it holds integers (token ids,
/// argmax results) or booleans (comparison results) so `item()` and printing behave like PyTorch.
public final class TensorValue {
    public enum Kind: String { case float = "float32", int = "int64", bool = "bool" }
    public let tensor: Tensor
    public let kind: Kind
    public init(_ tensor: Tensor, kind: Kind = .float) { self.tensor = tensor; self.kind = kind }
}

/// A method bound to its receiver (`f = xs.append`).
public final class BoundMethod {
    public private(set) var receiver: Value
    public let name: String
    public init(receiver: Value, name: String) { self.receiver = receiver; self.name = name }
    deinit { DeepRelease.release(&receiver) }
}
