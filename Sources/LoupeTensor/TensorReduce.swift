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

extension Tensor {
    /// `op` over several dimensions at once (negative allowed; an empty list means all), accumulated
    /// as one lane per output element. [a, b, c].reduce(.sum, dims: [0, -1]) -> [b] ([1, b, 1] with keepDim).
    /// argmax/argmin take one dimension only.
    public func reduce(_ op: ReduceOp, dims: [Int], keepDim: Bool = false) throws -> Tensor {
        if dims.isEmpty { return try reduce(op, dim: nil, keepDim: keepDim) }
        if dims.count == 1 { return try reduce(op, dim: dims[0], keepDim: keepDim) }
        let reduced = try dims.map { try normalizedDim($0, op.rawValue) }
        guard Set(reduced).count == reduced.count else { throw TensorError("\(op.rawValue): dimension repeated in \(dims)") }
        guard op != .argmax, op != .argmin else { throw TensorError("\(op.rawValue): takes a single dimension, not \(dims)") }
        let kept = (0..<rank).filter { !reduced.contains($0) }
        let lanes = try permuted(kept + reduced.sorted())
            .reshaped([kept.map { shape[$0] }.reduce(1, *), reduced.map { shape[$0] }.reduce(1, *)]) // [kept, reduced]
        let r = try lanes.reduce(op, dim: 1)                                                                    // [kept]
        let outShape = keepDim ? shape.indices.map { reduced.contains($0) ? 1 : shape[$0] } : kept.map { shape[$0] }
        return try r.reshaped(outShape)
    }

    /// Maximum along `dim` with the (first) index of each, as torch.max(dim) returns them (indices as Float).
    public func maxWithIndices(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        (try reduce(.max, dim: dim, keepDim: keepDim), try reduce(.argmax, dim: dim, keepDim: keepDim))
    }

    /// Minimum along `dim` with the (first) index of each, as torch.min(dim) returns them (indices as Float).
    public func minWithIndices(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        (try reduce(.min, dim: dim, keepDim: keepDim), try reduce(.argmin, dim: dim, keepDim: keepDim))
    }

    /// The Euclidean norm over all elements (a scalar) or along `dim`: [a, b].norm(dim: 1) -> [a].
    public func norm(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        try map { $0 * $0 }.sum(dim: dim, keepDim: keepDim).unary(.sqrt)
    }

    /// `f` over each lane along `dim` (one output element per lane; Float accumulation is up to `f`),
    /// or over all elements in row-major order when `dim` is nil. [a, b, c].reduceLanes(dim: 1) -> [a, c].
    /// A rank-0 tensor is its own single lane.
    public func reduceLanes(dim: Int?, keepDim: Bool = false, _ f: (UnsafeBufferPointer<Float>) -> Float) throws -> Tensor {
        guard let dim else {
            let vals = toArray()
            if vals.isEmpty { throw TensorError("reduction of an empty tensor") }
            let r = vals.withUnsafeBufferPointer { f($0) }
            return keepDim ? Tensor(shape: [Int](repeating: 1, count: rank), data: [r]) : Tensor(scalar: r)
        }
        if rank == 0 {
            guard dim == 0 || dim == -1 else { throw TensorError("dim \(dim) is out of range for a tensor with 0 dimensions") }
            return Tensor(scalar: f(UnsafeBufferPointer(start: storage.pointer + offset, count: 1)))
        }
        let d = try normalizedDim(dim, "reduce")
        var order = Array(0..<rank)
        order.remove(at: d); order.append(d)
        let moved = try permuted(order).contiguous()   // [others..., lane]
        let lane = shape[d]
        if lane == 0 { throw TensorError("reduction over an empty dimension") }
        var outShape = shape
        outShape.remove(at: d)
        let out = Tensor(zeros: outShape)
        let src = moved.basePointer, o = out.storage.pointer
        for i in 0..<out.count { o[i] = f(UnsafeBufferPointer(start: src + i * lane, count: lane)) }
        if keepDim { var ks = shape; ks[d] = 1; return try out.reshaped(ks) }
        return out
    }
}
