import Foundation
import LoupeScript
import LoupeTensor

/// Tensor operations the language needs: broadcasting arithmetic, comparisons, views by index,
/// reductions. Written over the basic `Tensor` (strided Float32 views); errors are LoupeErrors that
/// name both shapes.
public enum TensorMath {
    public static func shapeText(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

    static func map(_ t: Tensor, _ f: (Float) -> Float) -> Tensor {
        let out = Tensor(zeros: t.shape)
        let dst = out.storage.pointer
        let src = t.storage.pointer
        var i = 0
        t.forEachOffset { off in dst[i] = f(src[off]); i += 1 }
        return out
    }

    /// Broadcast shape of two shapes, numpy rules.
    static func broadcastShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let x = i < n - a.count ? 1 : a[i - (n - a.count)]
            let y = i < n - b.count ? 1 : b[i - (n - b.count)]
            if x != y && x != 1 && y != 1 {
                throw LoupeError("shapes \(shapeText(a)) and \(shapeText(b)) cannot be broadcast together (dim \(i): \(x) vs \(y))")
            }
            out[i] = x == 1 ? y : x
        }
        return out
    }

    /// Strides of `t` viewed at `shape` (0 on broadcast dims).
    static func broadcastStrides(_ t: Tensor, to shape: [Int]) -> [Int] {
        let pad = shape.count - t.rank
        var s = [Int](repeating: 0, count: shape.count)
        for i in 0..<t.rank where t.shape[i] != 1 { s[i + pad] = t.strides[i] }
        return s
    }

    /// `t` broadcast to `shape` as a (non-owning, stride-0) view.
    static func expand(_ t: Tensor, to shape: [Int]) throws -> Tensor {
        let s = try broadcastShape(t.shape, shape)
        guard s == shape else { throw LoupeError("cannot broadcast shape \(shapeText(t.shape)) to \(shapeText(shape))") }
        return Tensor(storage: t.storage, shape: shape, strides: broadcastStrides(t, to: shape), offset: t.offset)
    }

    static func zipWith(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        let shape = try broadcastShape(a.shape, b.shape)
        let ea = try expand(a, to: shape), eb = try expand(b, to: shape)
        let out = Tensor(zeros: shape)
        let dst = out.storage.pointer
        let n = out.count
        if a.shape == b.shape && a.isContiguous && b.isContiguous {
            let pa = a.basePointer, pb = b.basePointer
            for i in 0..<n { dst[i] = f(pa[i], pb[i]) }
            return out
        }
        var offsA: [Int] = []; offsA.reserveCapacity(n)
        ea.forEachOffset { offsA.append($0) }
        var i = 0
        let pa = a.storage.pointer, pb = b.storage.pointer
        eb.forEachOffset { ob in dst[i] = f(pa[offsA[i]], pb[ob]); i += 1 }
        return out
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
        let r: Tensor
        var kind: TensorValue.Kind = intish ? .int : .float
        switch op {
        case .add: r = try zipWith(x, y, +)
        case .sub: r = try zipWith(x, y, -)
        case .mul: r = try zipWith(x, y, *)
        case .div: r = try zipWith(x, y, /); kind = .float
        case .floorDiv: r = try zipWith(x, y) { ($0 / $1).rounded(.down) }
        case .mod: r = try zipWith(x, y) { p, q in let m = fmodf(p, q); return m != 0 && (m < 0) != (q < 0) ? m + q : m }
        case .pow: r = try zipWith(x, y) { powf($0, $1) }
        case .matmul: r = try matmul(x, y)
        case .bitAnd: r = try zipWith(x, y) { ($0 != 0 && $1 != 0) ? 1 : 0 }; kind = a.kind == .bool && b.kind == .bool ? .bool : kind
        case .bitOr: r = try zipWith(x, y) { ($0 != 0 || $1 != 0) ? 1 : 0 }; kind = a.kind == .bool && b.kind == .bool ? .bool : kind
        case .bitXor: r = try zipWith(x, y) { (($0 != 0) != ($1 != 0)) ? 1 : 0 }; kind = a.kind == .bool && b.kind == .bool ? .bool : kind
        case .shl, .shr: throw LoupeError("shifts are not defined on tensors")
        }
        return .tensor(TensorValue(r, kind: kind))
    }

    static func compare(_ op: CompareOp, _ av: Value, _ bv: Value) throws -> Value {
        let x = try asTensor(av).tensor, y = try asTensor(bv).tensor
        let f: (Float, Float) -> Bool
        switch op {
        case .eq: f = { $0 == $1 }
        case .ne: f = { $0 != $1 }
        case .lt: f = { $0 < $1 }
        case .le: f = { $0 <= $1 }
        case .gt: f = { $0 > $1 }
        case .ge: f = { $0 >= $1 }
        default: throw LoupeError("`\(op.rawValue)` is not an elementwise comparison")
        }
        return .tensor(TensorValue(try zipWith(x, y) { f($0, $1) ? 1 : 0 }, kind: .bool))
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

    static func select(_ t: Tensor, dim: Int, index: Int) -> Tensor {
        var shape = t.shape, strides = t.strides
        let off = t.offset + index * strides[dim]
        shape.remove(at: dim); strides.remove(at: dim)
        return Tensor(storage: t.storage, shape: shape, strides: strides, offset: off)
    }

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
        var shape = first.shape
        shape[d] = ts.map { $0.shape[d] }.reduce(0, +)
        let out = Tensor(zeros: shape)
        var start = 0
        for t in ts {
            let view = narrow(out, dim: d, start: start, length: t.shape[d])
            try assignInto(view, t)
            start += t.shape[d]
        }
        return out
    }

    static func narrow(_ t: Tensor, dim: Int, start: Int, length: Int) -> Tensor {
        var shape = t.shape
        shape[dim] = length
        return Tensor(storage: t.storage, shape: shape, strides: t.strides, offset: t.offset + start * t.strides[dim])
    }

    /// Writes `value` (broadcast) into the view `dst`.
    static func assignInto(_ dst: Tensor, _ value: Tensor) throws {
        let src = try expand(value, to: dst.shape)
        var vals: [Float] = []
        vals.reserveCapacity(dst.count)
        let sp = src.storage.pointer
        src.forEachOffset { vals.append(sp[$0]) }
        let dp = dst.storage.pointer
        var i = 0
        dst.forEachOffset { dp[$0] = vals[i]; i += 1 }
    }

    // MARK: reductions

    /// Reduces along `dim` (all elements when nil) with `f` over each lane's values.
    static func reduce(_ t: Tensor, dim: Int?, keepdim: Bool, _ f: (UnsafeBufferPointer<Float>) -> Float) throws -> Tensor {
        guard let dim = dim else {
            let vals = t.toArray()
            if vals.isEmpty { throw LoupeError("reduction of an empty tensor") }
            let r = vals.withUnsafeBufferPointer { f($0) }
            return keepdim ? Tensor(shape: [Int](repeating: 1, count: t.rank), data: [r]) : Tensor(scalar: r)
        }
        let d = try normDim(dim, t.rank)
        if t.rank == 0 { return Tensor(scalar: f(UnsafeBufferPointer(start: t.storage.pointer + t.offset, count: 1))) }
        var order = Array(0..<t.rank)
        order.remove(at: d); order.append(d)
        let moved = try permute(t, order).contiguous()
        let lane = t.shape[d]
        if lane == 0 { throw LoupeError("reduction over an empty dimension") }
        var outShape = t.shape
        outShape.remove(at: d)
        let out = Tensor(zeros: outShape)
        let n = out.count
        let src = moved.basePointer
        for i in 0..<n { out.storage.pointer[i] = f(UnsafeBufferPointer(start: src + i * lane, count: lane)) }
        if keepdim { var ks = t.shape; ks[d] = 1; return reshape(out, ks) }
        return out
    }

    /// Applies `f` to each lane along `dim` in place of a contiguous copy (softmax and friends).
    static func lanewise(_ t: Tensor, dim: Int, _ f: (UnsafeMutableBufferPointer<Float>) -> Void) throws -> Tensor {
        if t.rank == 0 { let c = t.copy(); f(UnsafeMutableBufferPointer(start: c.storage.pointer, count: 1)); return c }
        let d = try normDim(dim, t.rank)
        var order = Array(0..<t.rank)
        order.remove(at: d); order.append(d)
        let moved = try permute(t, order).copy()
        let lane = t.shape[d]
        let lanes = lane == 0 ? 0 : moved.count / lane
        for i in 0..<lanes { f(UnsafeMutableBufferPointer(start: moved.storage.pointer + i * lane, count: lane)) }
        var inverse = [Int](repeating: 0, count: t.rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return try permute(moved, inverse).contiguous()
    }

    static func softmax(_ lane: UnsafeMutableBufferPointer<Float>) {
        var m = -Float.infinity
        for v in lane { m = max(m, v) }
        var s: Float = 0
        for i in lane.indices { lane[i] = expf(lane[i] - m); s += lane[i] }
        for i in lane.indices { lane[i] /= s }
    }

    static func logSoftmax(_ lane: UnsafeMutableBufferPointer<Float>) {
        var m = -Float.infinity
        for v in lane { m = max(m, v) }
        var s: Float = 0
        for v in lane { s += expf(v - m) }
        let lse = m + logf(s)
        for i in lane.indices { lane[i] -= lse }
    }
}
