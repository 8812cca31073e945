/// Constructors: ranges, constants, identity, and numpy.histogram.
extension Tensor {
    /// start, start+step, … < stop (numpy.arange); count = ceil((stop - start) / step).
    public static func arange(_ start: Double = 0, _ stop: Double, step: Double = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, stop.isFinite else {
            throw TensorError("arange: step must be a finite non-zero number and bounds finite (start \(start), stop \(stop), step \(step))")
        }
        let n = Swift.max(0, Int(((stop - start) / step).rounded(.up)))
        guard n <= 1 << 31 else { throw TensorError("arange: \(n) elements is too many") }
        return Tensor(shape: [n], data: (0..<n).map { Float(start + Double($0) * step) })
    }

    /// `count` evenly spaced values from start to stop inclusive (numpy.linspace, endpoint=True).
    public static func linspace(_ start: Double, _ stop: Double, count: Int) throws -> Tensor {
        guard count >= 0 else { throw TensorError("linspace: count must be non-negative, got \(count)") }
        if count == 1 { return Tensor(shape: [1], data: [Float(start)]) }
        let step = (stop - start) / Double(Swift.max(count - 1, 1))
        var v = (0..<count).map { Float(start + Double($0) * step) }
        if count > 1 { v[count - 1] = Float(stop) }
        return Tensor(shape: [count], data: v)
    }

    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) throws -> Tensor {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError("full: negative dimension in shape \(shape)") }
        let t = Tensor(zeros: shape)
        t.storage.pointer.update(repeating: value, count: t.count)
        return t
    }

    public static func ones(_ shape: [Int]) throws -> Tensor { try full(shape, 1) }

    /// n×n identity.
    public static func eye(_ n: Int) throws -> Tensor {
        guard n >= 0 else { throw TensorError("eye: size must be non-negative, got \(n)") }
        let t = Tensor(zeros: [n, n])
        for i in 0..<n { t.storage.pointer[i * n + i] = 1 }
        return t
    }

    /// numpy.histogram: counts [bins] and edges [bins + 1]. Values outside `range` are ignored; the last
    /// bin includes its right edge; NaNs are skipped. Default range is (min, max), widened by ±0.5 if equal.
    public func histogram(bins: Int, range: (Double, Double)? = nil) throws -> (counts: Tensor, edges: Tensor) {
        guard bins > 0 else { throw TensorError("histogram: bins must be positive, got \(bins)") }
        var values: [Double] = []
        values.reserveCapacity(count)
        let p = storage.pointer
        forEachOffset { off in let v = Double(p[off]); if !v.isNaN { values.append(v) } }
        var lo: Double, hi: Double
        if let range { (lo, hi) = range } else {
            lo = values.min() ?? 0
            hi = values.max() ?? 1
        }
        guard lo.isFinite, hi.isFinite, lo <= hi else {
            throw TensorError("histogram: range (\(lo), \(hi)) must be finite with min <= max")
        }
        if lo == hi { lo -= 0.5; hi += 0.5 }
        let step = (hi - lo) / Double(bins)
        var edges = (0...bins).map { lo + Double($0) * step }
        edges[bins] = hi
        var counts = [Float](repeating: 0, count: bins)
        let norm = Double(bins) / (hi - lo)
        for v in values where v >= lo && v <= hi {
            var i = Int((v - lo) * norm)
            if i >= bins { i = bins - 1 }
            // numpy's correction for rounding at the edges
            if v < edges[i] { i -= 1 } else if i < bins - 1 && v >= edges[i + 1] { i += 1 }
            counts[i] += 1
        }
        return (Tensor(shape: [bins], data: counts), Tensor(shape: [bins + 1], data: edges.map(Float.init)))
    }
}
