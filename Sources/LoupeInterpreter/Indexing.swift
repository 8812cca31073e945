import LoupeScript
import LoupeTensor

/// `x[key]`, `x[key] = v`, `del x[key]` for every indexable value. Tensors follow numpy: ints drop a
/// dimension, slices keep it (negative steps allowed), `None` adds one, `...` fills the rest, integer
/// lists/tensors of any rank index as torch does (advanced indexing), a boolean mask selects elements.
enum Indexing {
    static func normIndex(_ i: Int, _ n: Int, _ what: String) throws -> Int {
        let j = i < 0 ? i + n : i
        guard j >= 0 && j < n else { throw LoupeError("\(what) index \(i) is out of range (length \(n))") }
        return j
    }

    /// Python slice indices: (start, count, step).
    static func sliceIndices(_ s: SliceValue, _ n: Int) throws -> (Int, Int, Int) {
        let b = try TensorMath.engine { try Tensor.sliceBounds(s.start, s.stop, s.step, size: n) }
        return (b.start, b.count, b.step)
    }

    static func getItem(_ obj: Value, _ key: Value, _ rt: Interpreter) throws -> Value {
        switch obj {
        case .list(let l): return try sequenceGet(l.items, key, "list") { .list($0) }
        case .tuple(let t): return try sequenceGet(t.items, key, "tuple") { .tuple($0) }
        case .string(let s):
            let chars = s.map { Value.string(String($0)) }
            return try sequenceGet(chars, key, "string") { .string($0.map { if case .string(let c) = $0 { return c }; return "" }.joined()) }
        case .range(let r):
            let items = (0..<r.count).map { Value.int(r.at($0)) }
            return try sequenceGet(items, key, "range") { .list($0) }
        case .dict(let d):
            if let v = try d.get(key) { return v }
            let keys = d.keys.compactMap { if case .string(let s) = $0 { return s }; return nil }
            var hint: String? = nil
            if case .string(let s) = key { hint = Suggest.hint(for: s, in: keys) }
            throw LoupeError("key \(Repr.repr(key)) is not in the dict", hint: hint)
        case .tensor(let t): return try tensorGet(t, key)
        case .host(let h):
            if let v = try h.getItem(key, interpreter: rt) { return v }
            throw LoupeError("\(h.typeName) is not subscriptable")
        default:
            throw LoupeError("\(obj.typeName) is not subscriptable")
        }
    }

    static func sequenceGet(_ items: [Value], _ key: Value, _ what: String, _ make: ([Value]) -> Value) throws -> Value {
        switch key {
        case .slice(let s):
            let (start, count, step) = try sliceIndices(s, items.count)
            return make((0..<count).map { items[start + $0 * step] })
        default:
            let i = try key.asInt("\(what) index")
            return items[try normIndex(i, items.count, what)]
        }
    }

    static func setItem(_ obj: Value, _ key: Value, _ value: Value, _ rt: Interpreter) throws {
        switch obj {
        case .list(let l):
            if case .slice(let s) = key {
                let (start, count, step) = try sliceIndices(s, l.items.count)
                let new = try Ops.iterate(value)
                if step == 1 {
                    l.items.replaceSubrange(start..<(start + count), with: new)
                } else {
                    guard new.count == count else { throw LoupeError("cannot assign \(new.count) items to an extended slice of \(count)") }
                    for k in 0..<count { l.items[start + k * step] = new[k] }
                }
                return
            }
            let i = try normIndex(try key.asInt("list index"), l.items.count, "list")
            l.items[i] = value
        case .dict(let d): try d.set(key, value)
        case .tensor(let t):
            let items = try tensorIndex(key)
            let v = try TensorMath.asTensor(value).tensor
            try TensorMath.engine { try t.tensor.assign(items, v, dropLeadingOnes: false) }
        case .host(let h):
            if try h.setItem(key, value, interpreter: rt) { return }
            throw LoupeError("\(h.typeName) does not support item assignment")
        case .tuple: throw LoupeError("tuples cannot be changed; use a list")
        case .string: throw LoupeError("strings cannot be changed; build a new one (e.g. with replace or slicing)")
        default: throw LoupeError("\(obj.typeName) does not support item assignment")
        }
    }

    static func delItem(_ obj: Value, _ key: Value) throws {
        switch obj {
        case .list(let l):
            if case .slice(let s) = key {
                let (start, count, step) = try sliceIndices(s, l.items.count)
                let drop = Set((0..<count).map { start + $0 * step })
                l.items = l.items.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
                return
            }
            l.items.remove(at: try normIndex(try key.asInt("list index"), l.items.count, "list"))
        case .dict(let d):
            if try d.remove(key) == nil { throw LoupeError("key \(Repr.repr(key)) is not in the dict") }
        default: throw LoupeError("\(obj.typeName) does not support `del`")
        }
    }

    // MARK: tensors

    static func tensorGet(_ t: TensorValue, _ key: Value) throws -> Value {
        // a boolean mask of the same shape: the selected elements, flattened
        if case .tensor(let m) = key, m.kind == .bool {
            return .tensor(TensorValue(try TensorMath.engine { try t.tensor.masked(m.tensor) }, kind: t.kind))
        }
        let items = try tensorIndex(key)
        return .tensor(TensorValue(try TensorMath.engine { try t.tensor.index(items) }, kind: t.kind))
    }

    /// A subscript's values as numpy index items: ints (and 0-d tensors) pick, slices keep, `None`
    /// adds a dimension, `...` fills, an integer list or 1-d tensor gathers.
    static func tensorIndex(_ key: Value) throws -> [TensorIndex] {
        let parts: [Value]
        if case .tuple(let items) = key { parts = items.items } else { parts = [key] }
        var sawEllipsis = false
        return try parts.map { p in
            switch p {
            case .none: return .newAxis
            case .ellipsis where !sawEllipsis: sawEllipsis = true; return .ellipsis
            case .slice(let s): return .range(s.start, s.stop, s.step)
            case .list, .tuple, .tensor where !isScalarIndex(p):
                let (positions, shape) = try indexList(p)
                return .indices(positions, shape: shape)
            default: return .at(try p.asInt("tensor index"))
            }
        }
    }

    static func isScalarIndex(_ v: Value) -> Bool {
        if case .tensor(let t) = v { return t.tensor.rank == 0 }
        return false
    }

    /// An integer index tensor or (nested) list: its positions row-major and its shape.
    static func indexList(_ v: Value) throws -> (positions: [Int], shape: [Int]) {
        let t: TensorValue
        switch v {
        case .tensor(let x): t = x
        default:
            let items = try Ops.iterate(v)
            if items.isEmpty { return ([], [0]) }
            t = try TensorBuiltins.fromNested(v)
        }
        guard t.kind != .bool else {
            throw LoupeError("a boolean mask index must be the whole subscript (x[mask], same shape as x)", hint: "index with the mask alone (x[mask]), or turn it into positions first: arange(n)[mask]")
        }
        guard t.kind != .float else {
            throw LoupeError("tensors used as indices must be integer or bool tensors (this one is float32)", hint: "convert it with .long()")
        }
        let positions = try t.tensor.toArray().map { v -> Int in
            guard let i = v.exactInt, v == v.rounded() else { throw LoupeError("tensor index values must be integers (found \(v))") }
            return i
        }
        return (positions, t.tensor.shape)
    }
}
