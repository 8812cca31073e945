import LoupeScript
import LoupeTensor

/// `x[key]`, `x[key] = v`, `del x[key]` for every indexable value. Tensors follow numpy: ints drop a
/// dimension, slices keep it (negative steps allowed), `None` adds one, `...` fills the rest, one
/// integer list/tensor gathers along its dimension, a boolean mask selects elements.
enum Indexing {
    static func normIndex(_ i: Int, _ n: Int, _ what: String) throws -> Int {
        let j = i < 0 ? i + n : i
        guard j >= 0 && j < n else { throw LoupeError("\(what) index \(i) is out of range (length \(n))") }
        return j
    }

    /// Python slice indices: (start, count, step).
    static func sliceIndices(_ s: SliceValue, _ n: Int) throws -> (Int, Int, Int) {
        let step = s.step ?? 1
        if step == 0 { throw LoupeError("slice step cannot be zero") }
        func clamp(_ v: Int?, _ dflt: Int, _ lo: Int, _ hi: Int) -> Int {
            guard var x = v else { return dflt }
            if x < 0 { x += n }
            return min(max(x, lo), hi)
        }
        if step > 0 {
            let a = clamp(s.start, 0, 0, n), b = clamp(s.stop, n, 0, n)
            return (a, b > a ? (b - a + step - 1) / step : 0, step)
        }
        let a = clamp(s.start, n - 1, -1, n - 1), b = clamp(s.stop, -1, -1, n - 1)
        return (a, a > b ? (a - b - step - 1) / (-step) : 0, step)
    }

    static func getItem(_ obj: Value, _ key: Value, _ rt: Interpreter) throws -> Value {
        switch obj {
        case .list(let l): return try sequenceGet(l.items, key, "list") { .list($0) }
        case .tuple(let t): return try sequenceGet(t, key, "tuple") { .tuple($0) }
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
            let view = try tensorView(t.tensor, key)
            guard view.gathered == nil else {
                try scatter(t.tensor, key, value)
                return
            }
            try TensorMath.assignInto(view.tensor, try TensorMath.asTensor(value).tensor)
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

    struct View { var tensor: Tensor; var gathered: (dim: Int, indices: [Int])? }

    static func tensorGet(_ t: TensorValue, _ key: Value) throws -> Value {
        // boolean mask of the same shape: the selected elements, flattened
        if case .tensor(let m) = key, m.kind == .bool {
            guard m.tensor.shape == t.tensor.shape else {
                throw LoupeError("mask shape \(TensorMath.shapeText(m.tensor.shape)) does not match tensor shape \(TensorMath.shapeText(t.tensor.shape))")
            }
            let vals = zip(t.tensor.toArray(), m.tensor.toArray()).filter { $0.1 != 0 }.map(\.0)
            return .tensor(TensorValue(Tensor(shape: [vals.count], data: vals), kind: t.kind))
        }
        let v = try tensorView(t.tensor, key)
        guard let g = v.gathered else { return .tensor(TensorValue(v.tensor, kind: t.kind)) }
        // gather: the view still has the gathered dim whole; pick `indices` along it
        let pieces = g.indices.map { TensorMath.select(v.tensor, dim: g.dim, index: $0) }
        let stacked = try TensorMath.cat(pieces.map { try TensorMath.unsqueeze($0, g.dim) }, dim: g.dim)
        return .tensor(TensorValue(stacked, kind: t.kind))
    }

    static func scatter(_ t: Tensor, _ key: Value, _ value: Value) throws {
        let v = try tensorView(t, key)
        guard let g = v.gathered else { return }
        let src = try TensorMath.asTensor(value).tensor
        var shape = v.tensor.shape
        shape[g.dim] = g.indices.count
        let full = try TensorMath.expand(src, to: shape)
        for (k, i) in g.indices.enumerated() {
            try TensorMath.assignInto(TensorMath.select(v.tensor, dim: g.dim, index: i), TensorMath.select(full, dim: g.dim, index: k))
        }
    }

    /// The numpy-style view for a key; an integer list/tensor index is left whole and reported in
    /// `gathered` for the caller to pick from.
    static func tensorView(_ t: Tensor, _ key: Value) throws -> View {
        var parts: [Value]
        if case .tuple(let items) = key { parts = items } else { parts = [key] }
        let consuming = parts.filter { if case .none = $0 { return false }; if case .ellipsis = $0 { return false }; return true }.count
        if consuming > t.rank {
            throw LoupeError("too many indices for a tensor of shape \(TensorMath.shapeText(t.shape)): \(consuming) given")
        }
        if let e = parts.firstIndex(where: { if case .ellipsis = $0 { return true }; return false }) {
            parts.remove(at: e)
            let fill = t.rank - consuming
            parts.insert(contentsOf: [Value](repeating: .slice(SliceValue()), count: fill), at: e)
        }
        var shape: [Int] = [], strides: [Int] = []
        var offset = t.offset
        var d = 0
        var gathered: (Int, [Int])? = nil
        for p in parts {
            switch p {
            case .none:
                shape.append(1); strides.append(0)
            case .slice(let s):
                let (start, count, step) = try sliceIndices(s, t.shape[d])
                offset += start * t.strides[d]
                shape.append(count); strides.append(t.strides[d] * step)
                d += 1
            case .list, .tuple, .tensor where !isScalarIndex(p):
                if gathered != nil { throw LoupeError("only one list/tensor index per subscript is supported") }
                let idx = try indexList(p).map { try normIndex($0, t.shape[d], "tensor dim \(d)") }
                gathered = (shape.count, idx)
                shape.append(t.shape[d]); strides.append(t.strides[d])
                d += 1
            default:
                let i = try normIndex(try p.asInt("tensor index"), t.shape[d], "dim \(d)")
                offset += i * t.strides[d]
                d += 1
            }
        }
        while d < t.rank { shape.append(t.shape[d]); strides.append(t.strides[d]); d += 1 }
        return View(tensor: Tensor(storage: t.storage, shape: shape, strides: strides, offset: offset), gathered: gathered)
    }

    static func isScalarIndex(_ v: Value) -> Bool {
        if case .tensor(let t) = v { return t.tensor.rank == 0 }
        return false
    }

    static func indexList(_ v: Value) throws -> [Int] {
        switch v {
        case .tensor(let t):
            guard t.tensor.rank == 1 else { throw LoupeError("a tensor index must be 1-dimensional (got shape \(TensorMath.shapeText(t.tensor.shape)))") }
            return try t.tensor.toArray().map { v -> Int in
                guard let i = v.exactInt, v == v.rounded() else { throw LoupeError("tensor index values must be integers (found \(v))") }
                return i
            }
        default:
            return try Ops.iterate(v).map { try $0.asInt("index") }
        }
    }
}
