import Foundation
import LoupeScript
import LoupeTensor

/// The language's view of LoupeTensor's semantics (broadcasting ops, comparisons, views by index,
/// reductions): values in, values out, with the element kinds (float, int, bool) the storage lacks
/// and the language's error messages. The arithmetic itself is LoupeTensor's.
public enum TensorMath {
    public static func shapeText(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

    /// Runs LoupeTensor code, its errors becoming LoupeErrors with the same message.
    static func engine<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TensorError { throw LoupeError(e.message) }
    }

    static func map(_ t: Tensor, _ f: (Float) -> Float) -> Tensor { t.map(f) }

    /// `t` broadcast to `shape` as a (non-owning, stride-0) view.
    static func expand(_ t: Tensor, to shape: [Int]) throws -> Tensor { try engine { try t.expanded(to: shape) } }

    static func zipWith(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        try engine { try Tensor.zip(a, b, f) }
    }

    /// A value as a tensor (scalars become 0-d), with its element kind.
    static func asTensor(_ v: Value) throws -> TensorValue {
        switch v {
        case .tensor(let t): return t
        case .int(let i): return TensorValue(Tensor(scalar: Float(i)), kind: .int)
        case .bool(let b): return TensorValue(Tensor(scalar: b ? 1 : 0), kind: .bool)
        case .float(let d): return TensorValue(Tensor(scalar: Float(d)), kind: .float)
        case .list, .tuple: return try TensorBuiltins.fromNested(v)
        default: throw LoupeError("expected a tensor or a number, not \(v.typeName)")
        }
    }

    static func binary(_ op: BinaryOp, _ av: Value, _ bv: Value) throws -> Value {
        let a = try asTensor(av), b = try asTensor(bv)
        let intish = a.kind != .float && b.kind != .float
        let x = a.tensor, y = b.tensor
        if intish && (op == .floorDiv || op == .mod) && y.toArray().contains(0) {
            throw LoupeError("integer \(op == .mod ? "modulo" : "division") by zero in an int tensor", hint: "use a float tensor (x.float()) for inf/nan results")
        }
        var kind: TensorValue.Kind = intish ? .int : .float
        let elementwise: LoupeTensor.BinaryOp
        switch op {
        case .add: elementwise = .add
        case .sub: elementwise = .sub
        case .mul: elementwise = .mul
        case .div: elementwise = .div; kind = .float
        case .floorDiv: elementwise = .floorDiv
        case .mod: elementwise = .mod
        case .pow: elementwise = .pow
        case .matmul: return .tensor(TensorValue(try matmul(x, y), kind: kind))
        case .bitAnd: elementwise = .and
        case .bitOr: elementwise = .or
        case .bitXor: elementwise = .xor
        case .shl, .shr: throw LoupeError("shifts are not defined on tensors")
        }
        if [.bitAnd, .bitOr, .bitXor].contains(op), a.kind == .bool, b.kind == .bool { kind = .bool }
        return .tensor(TensorValue(try engine { try Tensor.binary(elementwise, x, y) }, kind: kind))
    }

    static func compare(_ op: CompareOp, _ av: Value, _ bv: Value) throws -> Value {
        let x = try asTensor(av).tensor, y = try asTensor(bv).tensor
        let elementwise: LoupeTensor.BinaryOp
        switch op {
        case .eq: elementwise = .eq
        case .ne: elementwise = .ne
        case .lt: elementwise = .lt
        case .le: elementwise = .le
        case .gt: elementwise = .gt
        case .ge: elementwise = .ge
        default: throw LoupeError("`\(op.rawValue)` is not an elementwise comparison")
        }
        return .tensor(TensorValue(try engine { try Tensor.compare(elementwise, x, y) }, kind: .bool))
    }

    // MARK: matmul

    /// numpy's matmul on the engine's sgemm (broadcast batch dimensions, 1-D operands promoted).
    static func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        if a.rank == 0 || b.rank == 0 { throw LoupeError("`@` needs tensors with at least 1 dimension (got \(shapeText(a.shape)) @ \(shapeText(b.shape)))") }
        let k = a.shape[a.rank - 1], k2 = b.rank == 1 ? b.shape[0] : b.shape[b.rank - 2]
        guard k == k2 else {
            throw LoupeError("matmul shape mismatch: \(shapeText(a.shape)) @ \(shapeText(b.shape)) (inner sizes \(k) and \(k2) differ)")
        }
        do { return try Tensor.matmul(a, b) } catch let e as TensorError { throw LoupeError(e.message) }
    }

    // MARK: shapes

    /// A reshaped view when contiguous, else a reshaped copy. Caller checks counts.
    static func reshape(_ t: Tensor, _ shape: [Int]) -> Tensor {
        let c = t.contiguous()
        return Tensor(storage: c.storage, shape: shape, strides: Tensor.contiguousStrides(shape), offset: c.offset)
    }

    /// Resolves one `-1` and checks the element count.
    static func resolveShape(_ shape: [Int], count: Int, from: [Int]) throws -> [Int] {
        var s = shape
        let unknown = s.indices.filter { s[$0] == -1 }
        if unknown.count > 1 { throw LoupeError("only one dimension can be -1 in reshape") }
        if s.contains(where: { $0 < -1 }) { throw LoupeError("negative size in shape \(shapeText(shape))") }
        if let u = unknown.first {
            let known = s.enumerated().filter { $0.offset != u }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw LoupeError("cannot reshape tensor of shape \(shapeText(from)) (\(count) elements) into \(shapeText(shape))")
            }
            s[u] = count / known
        }
        guard s.reduce(1, *) == count else {
            throw LoupeError("cannot reshape tensor of shape \(shapeText(from)) (\(count) elements) into \(shapeText(shape))")
        }
        return s
    }

    static func normDim(_ d: Int, _ rank: Int) throws -> Int {
        let r = max(rank, 1)
        let x = d < 0 ? d + r : d
        guard x >= 0 && x < r else { throw LoupeError("dim \(d) is out of range for a tensor with \(rank) dimension\(rank == 1 ? "" : "s")") }
        return x
    }

    public static func permute(_ t: Tensor, _ order: [Int]) throws -> Tensor {
        guard order.count == t.rank, Set(order) == Set(0..<t.rank) else {
            throw LoupeError("permute order \(shapeText(order)) does not match a tensor with \(t.rank) dimensions")
        }
        return Tensor(storage: t.storage, shape: order.map { t.shape[$0] }, strides: order.map { t.strides[$0] }, offset: t.offset)
    }

    static func transpose(_ t: Tensor, _ d0: Int, _ d1: Int) throws -> Tensor {
        if t.rank < 2 { return t }
        let a = try normDim(d0, t.rank), b = try normDim(d1, t.rank)
        var order = Array(0..<t.rank)
        order.swapAt(a, b)
        return try permute(t, order)
    }

    /// The view at `index` of `dim`, which is removed; both already in range.
    static func select(_ t: Tensor, dim: Int, index: Int) -> Tensor { t.selecting(dim, index) }

    static func unsqueeze(_ t: Tensor, _ dim: Int) throws -> Tensor {
        let d = dim < 0 ? dim + t.rank + 1 : dim
        guard d >= 0 && d <= t.rank else { throw LoupeError("unsqueeze dim \(dim) out of range for rank \(t.rank)") }
        var shape = t.shape, strides = t.strides
        shape.insert(1, at: d)
        strides.insert(d < t.rank ? t.strides[d] * t.shape[d] : 1, at: d)
        return Tensor(storage: t.storage, shape: shape, strides: strides, offset: t.offset)
    }

    static func squeeze(_ t: Tensor, _ dim: Int?) throws -> Tensor {
        var shape: [Int] = [], strides: [Int] = []
        let d = try dim.map { try normDim($0, t.rank) }
        for i in 0..<t.rank {
            if t.shape[i] == 1 && (d == nil || d == i) { continue }
            shape.append(t.shape[i]); strides.append(t.strides[i])
        }
        return Tensor(storage: t.storage, shape: shape, strides: strides, offset: t.offset)
    }

    static func cat(_ ts: [Tensor], dim: Int) throws -> Tensor {
        guard let first = ts.first else { throw LoupeError("cat needs at least one tensor") }
        let d = try normDim(dim, first.rank)
        for t in ts where t.rank != first.rank || (0..<t.rank).contains(where: { $0 != d && t.shape[$0] != first.shape[$0] }) {
            throw LoupeError("cat: shapes \(shapeText(first.shape)) and \(shapeText(t.shape)) differ outside dim \(d)")
        }
        return try engine { try Tensor.cat(ts, dim: d) }
    }

    /// Writes `value` (broadcast) into the view `dst`.
    static func assignInto(_ dst: Tensor, _ value: Tensor) throws { try engine { try dst.write(value) } }

    // MARK: reductions

    /// Reduces along `dim` (all elements when nil) with `f` over each lane's values.
    static func reduce(_ t: Tensor, dim: Int?, keepdim: Bool, _ f: (UnsafeBufferPointer<Float>) -> Float) throws -> Tensor {
        let d = try dim.map { try normDim($0, t.rank) }
        return try engine { try t.reduceLanes(dim: d, keepDim: keepdim, f) }
    }
}
