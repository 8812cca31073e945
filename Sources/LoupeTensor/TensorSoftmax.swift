import Foundation

extension Tensor {
    /// exp(x - max) / Σ exp(x - max) along `dim` (default last).
    public func softmax(dim: Int = -1) throws -> Tensor {
        try shiftedLanes(dim: dim, "softmax") { p, off, st, n, mx in
            var s: Float = 0
            for j in 0..<n { let e = expf(p[off + j * st] - mx); p[off + j * st] = e; s += e }
            let inv = 1 / s
            for j in 0..<n { p[off + j * st] *= inv }
        }
    }

    /// x - max - log Σ exp(x - max) along `dim` (default last).
    public func logSoftmax(dim: Int = -1) throws -> Tensor {
        try shiftedLanes(dim: dim, "log_softmax") { p, off, st, n, mx in
            var s: Double = 0
            for j in 0..<n { s += Double(expf(p[off + j * st] - mx)) }
            let lse = mx + Float(Foundation.log(s))
            for j in 0..<n { p[off + j * st] -= lse }
        }
    }

    /// A copy whose lanes along `dim` are rewritten in place by `rewrite`, which is given the lane (at `off`
    /// in the copy's storage `p`, stride `st`, `n` elements) and its maximum, the shift that keeps exp finite.
    private func shiftedLanes(
        dim: Int, _ op: String,
        _ rewrite: (_ p: UnsafeMutablePointer<Float>, _ off: Int, _ st: Int, _ n: Int, _ max: Float) -> Void
    ) throws -> Tensor {
        let d = try normalizedDim(dim, op)
        let out = copy()
        let p = out.storage.pointer, st = out.strides[d], n = shape[d]
        out.forEachLane(along: d) { _, off in
            var mx = -Float.infinity
            for j in 0..<n { mx = Swift.max(mx, p[off + j * st]) }
            rewrite(p, off, st, n, mx)
        }
        return out
    }

    /// The k largest (or smallest) values along `dim`, sorted, with their indices (as Float).
    /// Ties keep the lower index first (stable); NaN counts as larger than everything (as torch).
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        let d = try normalizedDim(dim, "topk")
        let n = shape[d]
        guard k >= 0, k <= n else {
            throw TensorError("topk: k = \(k) is out of range for dimension \(dim) of size \(n) (shape \(shape))")
        }
        var outShape = shape
        outShape[d] = k
        let values = Tensor(zeros: outShape), indices = Tensor(zeros: outShape)
        let vs = values.strides[d], p = storage.pointer, st = strides[d]
        // Lane l of the outputs starts at the same lane index as in self; map via forEachLane on outputs.
        var outOffsets: [Int] = []
        values.forEachLane(along: d) { _, off in outOffsets.append(off) }
        var order = [Int](repeating: 0, count: n)
        @inline(__always) func before(_ a: Float, _ ia: Int, _ b: Float, _ ib: Int) -> Bool {
            // Strict "a ranks ahead of b".
            if a.isNaN || b.isNaN {
                if a.isNaN && b.isNaN { return ia < ib }
                return largest ? a.isNaN : b.isNaN
            }
            if a != b { return largest ? a > b : a < b }
            return ia < ib
        }
        forEachLane(along: d) { lane, off in
            if k * 8 < n {  // few of many (top tokens of a vocabulary): one pass with an insertion buffer
                var c = 0
                for j in 0..<n {
                    let v = p[off + j * st]
                    if c == k && !before(v, j, p[off + order[k - 1] * st], order[k - 1]) { continue }
                    var pos = Swift.min(c, k - 1)
                    while pos > 0 && before(v, j, p[off + order[pos - 1] * st], order[pos - 1]) {
                        order[pos] = order[pos - 1]
                        pos -= 1
                    }
                    order[pos] = j
                    if c < k { c += 1 }
                }
            } else {
                for j in 0..<n { order[j] = j }
                order.sort { before(p[off + $0 * st], $0, p[off + $1 * st], $1) }
            }
            let o = outOffsets[lane]
            for j in 0..<k {
                values.storage.pointer[o + j * vs] = p[off + order[j] * st]
                indices.storage.pointer[o + j * vs] = Float(order[j])
            }
        }
        return (values, indices)
    }

    /// Values sorted along `dim` with their original indices (stable).
    public func sorted(dim: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let d = try normalizedDim(dim, "sort")
        return try topk(shape[d], dim: d, largest: descending)
    }
}
