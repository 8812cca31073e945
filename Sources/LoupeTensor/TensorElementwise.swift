import Foundation

/// Elementwise binary operations with numpy broadcasting. Comparisons and the logical ops give a
/// mask: 1 where true, 0 where false (any nonzero input counts as true).
public enum BinaryOp: String, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/", pow = "**", mod = "%", floorDiv = "//"
    case maximum, minimum
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and = "and", or = "or", xor = "xor"

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
        case .xor: return ((a != 0) != (b != 0)) ? 1 : 0
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
    /// a ∘ b with numpy broadcasting into a new contiguous tensor: a [..., m, 1] ∘ b [n] -> [..., m, n].
    /// Each op gets its own loop, so same-shape contiguous operands run as a plain vectorisable loop.
    public static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        switch op {
        case .add: return try zipBroadcast(a, b) { $0 + $1 }
        case .sub: return try zipBroadcast(a, b) { $0 - $1 }
        case .mul: return try zipBroadcast(a, b) { $0 * $1 }
        case .div: return try zipBroadcast(a, b) { $0 / $1 }
        default: return try zipBroadcast(a, b) { op.apply($0, $1) }
        }
    }

    /// The elementwise mask of `a op b` (op one of == != < <= > >=), broadcasting.
    public static func compare(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        switch op {
        case .eq, .ne, .lt, .le, .gt, .ge: return try binary(op, a, b)
        default: throw TensorError("compare: `\(op.rawValue)` is not a comparison")
        }
    }

    /// Logical and/or/xor of two masks (nonzero is true), broadcasting; the result is a 0/1 mask.
    public static func logical(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        switch op {
        case .and, .or, .xor: return try binary(op, a, b)
        default: throw TensorError("logical: `\(op.rawValue)` is not a logical operation")
        }
    }

    /// The logical negation of a mask (1 where zero, else 0), same shape.
    public func logicalNot() -> Tensor { unary(.not) }

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
        let s1 = try broadcastShapes(cond.shape, a.shape, "where")  // cond [...], a [...], b [...] -> broadcast of all three
        let shape = try broadcastShapes(s1, b.shape, "where")
        let c = try cond.expanded(to: shape).contiguous(), x = try a.expanded(to: shape).contiguous()
        let y = try b.expanded(to: shape).contiguous()
        let out = Tensor(zeros: shape)
        let o = out.storage.pointer, pc = c.basePointer, px = x.basePointer, py = y.basePointer
        for i in 0..<out.count { o[i] = pc[i] != 0 ? px[i] : py[i] }
        return out
    }

    /// torch.round(x, decimals=): half to even at 10^-decimals, in float32 as torch computes it
    /// (x·10^d rounded, then divided; for negative d, x/10^-d rounded, then multiplied).
    public func rounded(decimals: Int) -> Tensor {
        if decimals == 0 { return map { $0.rounded(.toNearestOrEven) } }
        let scale = Float(pow(10.0, Double(abs(decimals))))
        if decimals > 0 { return map { ($0 * scale).rounded(.toNearestOrEven) / scale } }
        return map { ($0 / scale).rounded(.toNearestOrEven) * scale }
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try binary(.add, a, b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try binary(.sub, a, b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try binary(.mul, a, b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try binary(.div, a, b) }
    public static prefix func - (a: Tensor) -> Tensor { a.unary(.neg) }
}
