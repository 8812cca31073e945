/// numpy/torch broadcasting: shapes align at the right, a size-1 (or missing) dimension stretches to
/// the other's size, any other mismatch is an error naming both shapes.
extension Tensor {
    /// The broadcast shape of `a` and `b`. The error names both shapes and the first clashing
    /// dimension, prefixed by `op` when given.
    public static func broadcastShapes(_ a: [Int], _ b: [Int], _ op: String? = nil) throws -> [Int] {
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            guard da == db || da == 1 || db == 1 else {
                let prefix = op.map { "\($0): " } ?? ""
                throw TensorError("\(prefix)shapes \(a) and \(b) cannot be broadcast together (dim \(i): \(da) vs \(db))")
            }
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// A read-only broadcast view of shape `target` (stride 0 along stretched dimensions). `target`
    /// must be the broadcast of `shape` with itself, so it is never smaller.
    public func expanded(to target: [Int]) throws -> Tensor {
        guard try Tensor.broadcastShapes(shape, target) == target else {
            throw TensorError("cannot broadcast shape \(shape) to \(target)")
        }
        let lead = target.count - rank
        var st = [Int](repeating: 0, count: target.count)
        for i in 0..<rank where shape[i] == target[i + lead] { st[i + lead] = strides[i] }
        return Tensor(storage: storage, shape: target, strides: st, offset: offset)
    }

    /// f(a, b) elementwise with broadcasting, into a new contiguous tensor of the broadcast shape.
    /// a: [..., m, n] and b: [..., 1, n] (any broadcastable pair) -> [..., m, n].
    public static func zip(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        try zipBroadcast(a, b, f)
    }

    /// The loop behind every binary op; inlined per op so the contiguous cases stay simple loops.
    @inline(__always)
    static func zipBroadcast(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        let shape = try broadcastShapes(a.shape, b.shape)
        let out = Tensor(zeros: shape)
        let o = out.storage.pointer, n = out.count
        if a.shape == shape, a.isContiguous {
            let pa = a.basePointer
            if b.shape == shape, b.isContiguous {
                let pb = b.basePointer
                for i in 0..<n { o[i] = f(pa[i], pb[i]) }
                return out
            }
            if b.count == 1 {
                let s = b.storage.pointer[b.offset]
                for i in 0..<n { o[i] = f(pa[i], s) }
                return out
            }
        } else if b.shape == shape, b.isContiguous, a.count == 1 {
            let s = a.storage.pointer[a.offset], pb = b.basePointer
            for i in 0..<n { o[i] = f(s, pb[i]) }
            return out
        }
        let va = try a.expanded(to: shape), vb = try b.expanded(to: shape)
        let pa = a.storage.pointer, pb = b.storage.pointer
        zipOffsets(va, vb) { i, oa, ob in o[i] = f(pa[oa], pb[ob]) }
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

    /// Writes `value`, broadcast to this view's shape, through this view into its storage. All of
    /// `value` is read before anything is written, so overlapping views copy the old values.
    public func write(_ value: Tensor) throws {
        let src = try value.expanded(to: shape)
        let dp = storage.pointer
        if value.storage !== storage, isContiguous, src.isContiguous {
            basePointer.update(from: src.basePointer, count: count)
            return
        }
        var vals: [Float] = []
        vals.reserveCapacity(count)
        let sp = src.storage.pointer
        src.forEachOffset { vals.append(sp[$0]) }
        var i = 0
        forEachOffset { dp[$0] = vals[i]; i += 1 }
    }
}
