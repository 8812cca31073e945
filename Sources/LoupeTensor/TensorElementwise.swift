import Foundation

/// Elementwise binary operations with numpy broadcasting. Comparisons give 1 or 0.
public enum BinaryOp: String, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/", pow = "**", mod = "%", floorDiv = "//"
    case maximum, minimum
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and = "and", or = "or"

    @inline(__always)
    public func apply(_ a: Float, _ b: Float) -> Float {
        switch self {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .pow: return powf(a, b)
        case .mod:  // numpy/Python: result takes the divisor's sign
            let r = fmodf(a, b)
            return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r
        case .floorDiv: return (a / b).rounded(.down)
        case .maximum: return (a.isNaN || b.isNaN) ? .nan : Swift.max(a, b)
        case .minimum: return (a.isNaN || b.isNaN) ? .nan : Swift.min(a, b)
        case .eq: return a == b ? 1 : 0
        case .ne: return a != b ? 1 : 0
        case .lt: return a < b ? 1 : 0
        case .le: return a <= b ? 1 : 0
        case .gt: return a > b ? 1 : 0
        case .ge: return a >= b ? 1 : 0
        case .and: return (a != 0 && b != 0) ? 1 : 0
        case .or: return (a != 0 || b != 0) ? 1 : 0
        }
    }
}

/// Elementwise unary maps.
public enum UnaryOp: String, Sendable, CaseIterable {
    case neg, abs, exp, log, log2, log10, log1p, expm1, sqrt, square, reciprocal
    case sin, cos, tan, tanh, sigmoid, relu, geluNew = "gelu_new", gelu, silu
    case floor, ceil, round, trunc, sign, not, isnan, isinf, isfinite

    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .neg: return -x
        case .abs: return Swift.abs(x)
        case .exp: return expf(x)
        case .log: return logf(x)
        case .log2: return log2f(x)
        case .log10: return log10f(x)
        case .log1p: return log1pf(x)
        case .expm1: return expm1f(x)
        case .sqrt: return x.squareRoot()
        case .square: return x * x
        case .reciprocal: return 1 / x
        case .sin: return sinf(x)
        case .cos: return cosf(x)
        case .tan: return tanf(x)
        case .tanh: return tanhf(x)
        case .sigmoid: return 1 / (1 + expf(-x))
        case .relu: return x > 0 ? x : 0
        case .geluNew: return 0.5 * x * (1 + tanhf(0.7978845608028654 * (x + 0.044715 * x * x * x)))
        case .gelu: return 0.5 * x * (1 + erff(x * 0.7071067811865476))  // exact (erf) GELU
        case .silu: return x / (1 + expf(-x))
        case .floor: return x.rounded(.down)
        case .ceil: return x.rounded(.up)
        case .round: return x.rounded(.toNearestOrEven)  // numpy/torch round half to even
        case .trunc: return x.rounded(.towardZero)
        case .sign: return x > 0 ? 1 : (x < 0 ? -1 : (x.isNaN ? .nan : 0))
        case .not: return x == 0 ? 1 : 0
        case .isnan: return x.isNaN ? 1 : 0
        case .isinf: return x.isInfinite ? 1 : 0
        case .isfinite: return x.isFinite ? 1 : 0
        }
    }
}

extension Tensor {
    /// a ∘ b with numpy broadcasting into a new contiguous tensor.
    public static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let shape = try broadcastShapes(a.shape, b.shape, "operator \(op.rawValue)")
        let out = Tensor(zeros: shape)
        let o = out.storage.pointer
        if a.shape == b.shape, a.isContiguous, b.isContiguous {
            let pa = a.basePointer, pb = b.basePointer
            for i in 0..<out.count { o[i] = op.apply(pa[i], pb[i]) }
            return out
        }
        let va = try a.expanded(to: shape), vb = try b.expanded(to: shape)
        zipOffsets(va, vb) { i, oa, ob in o[i] = op.apply(va.storage.pointer[oa], vb.storage.pointer[ob]) }
        return out
    }

    /// a ∘ scalar (or scalar ∘ a when `scalarFirst`).
    public static func binary(_ op: BinaryOp, _ a: Tensor, scalar s: Float, scalarFirst: Bool = false) -> Tensor {
        let out = Tensor(zeros: a.shape)
        let o = out.storage.pointer, p = a.storage.pointer
        var i = 0
        if scalarFirst { a.forEachOffset { o[i] = op.apply(s, p[$0]); i += 1 } }
        else { a.forEachOffset { o[i] = op.apply(p[$0], s); i += 1 } }
        return out
    }

    /// f(x) for every element, into a new contiguous tensor.
    public func unary(_ op: UnaryOp) -> Tensor { map { op.apply($0) } }

    /// f(x) for every element, into a new contiguous tensor.
    @inline(__always)
    public func map(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor(zeros: shape)
        let o = out.storage.pointer, p = storage.pointer
        if isContiguous {
            let b = basePointer
            for i in 0..<count { o[i] = f(b[i]) }
        } else {
            var i = 0
            forEachOffset { o[i] = f(p[$0]); i += 1 }
        }
        return out
    }

    /// Selects `a` where `cond` != 0, else `b` (numpy `where`, broadcasting all three).
    public static func `where`(_ cond: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let s1 = try broadcastShapes(cond.shape, a.shape, "where")
        let shape = try broadcastShapes(s1, b.shape, "where")
        let c = try cond.expanded(to: shape).contiguous(), x = try a.expanded(to: shape).contiguous()
        let y = try b.expanded(to: shape).contiguous()
        let out = Tensor(zeros: shape)
        let o = out.storage.pointer, pc = c.basePointer, px = x.basePointer, py = y.basePointer
        for i in 0..<out.count { o[i] = pc[i] != 0 ? px[i] : py[i] }
        return out
    }

    /// Walks two same-shape views together: body(rowMajorIndex, offsetInA, offsetInB).
    @inline(__always)
    static func zipOffsets(_ a: Tensor, _ b: Tensor, _ body: (Int, Int, Int) -> Void) {
        let n = a.count
        if n == 0 { return }
        if a.rank == 0 { body(0, a.offset, b.offset); return }
        var index = [Int](repeating: 0, count: a.rank)
        var oa = a.offset, ob = b.offset
        let last = a.rank - 1
        for i in 0..<n {
            body(i, oa, ob)
            var d = last
            while d >= 0 {
                index[d] += 1
                oa += a.strides[d]; ob += b.strides[d]
                if index[d] < a.shape[d] { break }
                oa -= a.strides[d] * a.shape[d]; ob -= b.strides[d] * b.shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try binary(.add, a, b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try binary(.sub, a, b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try binary(.mul, a, b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try binary(.div, a, b) }
    public static prefix func - (a: Tensor) -> Tensor { a.unary(.neg) }
}
