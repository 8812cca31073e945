/// Reductions along one dimension or over everything (dim == nil), accumulated in Double.
public enum ReduceOp: String, Sendable, CaseIterable {
    case sum, mean, max, min, argmax, argmin, prod
}

extension Tensor {
    /// Applies `op` along `dim` (nil: all elements, giving a scalar, or all-ones shape with keepDim).
    /// argmax/argmin give the first index of the extreme value (as torch and numpy), as Float.
    public func reduce(_ op: ReduceOp, dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        guard let dim else {
            let flat = flattened()
            let r = try flat.reduce(op, dim: 0)
            return keepDim ? try r.reshaped(Array(repeating: 1, count: rank)) : r
        }
        let d = try normalizedDim(dim, op.rawValue)
        let n = shape[d]
        if n == 0, op != .sum, op != .mean, op != .prod {
            throw TensorError("\(op.rawValue): cannot reduce dimension \(dim) of size 0 (shape \(shape))")
        }
        var outShape = shape
        if keepDim { outShape[d] = 1 } else { outShape.remove(at: d) }
        let out = Tensor(zeros: outShape)
        let o = out.storage.pointer, p = storage.pointer, st = strides[d]
        forEachLane(along: d) { lane, off in
            switch op {
            case .sum, .mean:
                var s: Double = 0
                for j in 0..<n { s += Double(p[off + j * st]) }
                o[lane] = Float(op == .mean ? s / Double(n) : s)
            case .prod:
                var s: Double = 1
                for j in 0..<n { s *= Double(p[off + j * st]) }
                o[lane] = Float(s)
            case .max, .argmax, .min, .argmin:
                let wantMax = op == .max || op == .argmax
                var best = p[off], bi = 0
                if !best.isNaN {
                    for j in 1..<Swift.max(n, 1) {
                        let v = p[off + j * st]
                        if v.isNaN { best = v; bi = j; break }  // NaN propagates (torch, numpy)
                        if wantMax ? v > best : v < best { best = v; bi = j }
                    }
                }
                o[lane] = (op == .max || op == .min) ? best : Float(bi)
            }
        }
        return out
    }

    public func sum(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor { try reduce(.sum, dim: dim, keepDim: keepDim) }
    public func mean(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor { try reduce(.mean, dim: dim, keepDim: keepDim) }
    public func max(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor { try reduce(.max, dim: dim, keepDim: keepDim) }
    public func min(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor { try reduce(.min, dim: dim, keepDim: keepDim) }
    public func argmax(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor { try reduce(.argmax, dim: dim, keepDim: keepDim) }
    public func argmin(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor { try reduce(.argmin, dim: dim, keepDim: keepDim) }

    /// Variance with `correction` (torch's default 1 = unbiased; 0 = numpy's default), two-pass in Double.
    public func variance(dim: Int? = nil, correction: Int = 1, keepDim: Bool = false) throws -> Tensor {
        guard let dim else {
            let r = try flattened().variance(dim: 0, correction: correction)
            return keepDim ? try r.reshaped(Array(repeating: 1, count: rank)) : r
        }
        let d = try normalizedDim(dim, "var")
        let n = shape[d]
        var outShape = shape
        if keepDim { outShape[d] = 1 } else { outShape.remove(at: d) }
        let out = Tensor(zeros: outShape)
        let o = out.storage.pointer, p = storage.pointer, st = strides[d]
        let denom = Double(n - correction)
        forEachLane(along: d) { lane, off in
            var s: Double = 0
            for j in 0..<n { s += Double(p[off + j * st]) }
            let mean = s / Double(n)
            var ss: Double = 0
            for j in 0..<n { let x = Double(p[off + j * st]) - mean; ss += x * x }
            o[lane] = denom > 0 ? Float(ss / denom) : .nan
        }
        return out
    }

    public func std(dim: Int? = nil, correction: Int = 1, keepDim: Bool = false) throws -> Tensor {
        try variance(dim: dim, correction: correction, keepDim: keepDim).unary(.sqrt)
    }

    /// Running sum along `dim` (torch.cumsum), a new tensor of the same shape.
    public func cumsum(dim: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "cumsum")
        let out = copy()
        let p = out.storage.pointer, st = out.strides[d], n = shape[d]
        out.forEachLane(along: d) { _, off in
            var s: Double = 0
            for j in 0..<n { s += Double(p[off + j * st]); p[off + j * st] = Float(s) }
        }
        return out
    }
}
