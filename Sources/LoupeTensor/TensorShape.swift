/// Views that change how storage is read (no copies unless noted): reshape, permute, squeeze, expand.
extension Tensor {
    /// Wraps a possibly negative dimension into 0..<rank (rank + 1 for insertion points).
    func normalizedDim(_ dim: Int, _ op: String, rankForInsert: Int? = nil) throws -> Int {
        let r = rankForInsert ?? rank
        let d = dim < 0 ? dim + r : dim
        guard d >= 0, d < r else {
            throw TensorError("\(op): dimension \(dim) is out of range for a tensor of rank \(rank) (shape \(shape))")
        }
        return d
    }

    /// Same elements in a new shape (one entry may be -1, inferred). A view when contiguous, else a copy.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        let unknown = target.indices.filter { target[$0] == -1 }
        guard unknown.count <= 1, !target.contains(where: { $0 < -1 }) else {
            throw TensorError("reshape: invalid shape \(newShape) (at most one -1, no other negatives)")
        }
        let known = target.filter { $0 != -1 }.reduce(1, *)
        if let u = unknown.first {
            guard known != 0, count % known == 0 else {
                throw TensorError("reshape: cannot reshape \(count) elements (shape \(shape)) into \(newShape)")
            }
            target[u] = count / known
        }
        guard target.reduce(1, *) == count else {
            throw TensorError("reshape: cannot reshape \(count) elements (shape \(shape)) into \(newShape)")
        }
        let base = contiguous()
        return Tensor(storage: base.storage, shape: target, strides: Tensor.contiguousStrides(target), offset: base.offset)
    }

    /// Reorders dimensions: result dim i is self's dim `dims[i]` (a view).
    public func permuted(_ dims: [Int]) throws -> Tensor {
        guard dims.count == rank else {
            throw TensorError("permute: got \(dims.count) dimensions \(dims) for a tensor of rank \(rank)")
        }
        let d = try dims.map { try normalizedDim($0, "permute") }
        guard Set(d).count == rank else { throw TensorError("permute: \(dims) is not a permutation of 0..<\(rank)") }
        return Tensor(storage: storage, shape: d.map { shape[$0] }, strides: d.map { strides[$0] }, offset: offset)
    }

    /// Swaps two dimensions (a view).
    public func transposed(_ a: Int, _ b: Int) throws -> Tensor {
        let da = try normalizedDim(a, "transpose"), db = try normalizedDim(b, "transpose")
        var p = Array(0..<rank)
        p.swapAt(da, db)
        return try permuted(p)
    }

    /// Reverses all dimensions (numpy `.T`).
    public var T: Tensor {
        Tensor(storage: storage, shape: shape.reversed(), strides: strides.reversed(), offset: offset)
    }

    /// Removes size-1 dimensions: all of them, or only `dim` (which must have size 1).
    public func squeezed(_ dim: Int? = nil) throws -> Tensor {
        if let dim {
            let d = try normalizedDim(dim, "squeeze")
            guard shape[d] == 1 else {
                throw TensorError("squeeze: dimension \(dim) has size \(shape[d]), not 1 (shape \(shape))")
            }
            var s = shape, st = strides
            s.remove(at: d); st.remove(at: d)
            return Tensor(storage: storage, shape: s, strides: st, offset: offset)
        }
        let keep = shape.indices.filter { shape[$0] != 1 }
        return Tensor(storage: storage, shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: offset)
    }

    /// Inserts a size-1 dimension at `dim` (-1 appends).
    public func unsqueezed(_ dim: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "unsqueeze", rankForInsert: rank + 1)
        var s = shape, st = strides
        s.insert(1, at: d)
        st.insert(d < rank ? shape[d] * strides[d] : 1, at: d)
        return Tensor(storage: storage, shape: s, strides: st, offset: offset)
    }

    /// Rank-1 view (copy if not contiguous).
    public func flattened() -> Tensor {
        let base = contiguous()
        return Tensor(storage: base.storage, shape: [count], strides: [1], offset: base.offset)
    }

    /// Calls `body(laneIndex, offset)` for every 1-D lane along `dim`: lanes are enumerated in row-major
    /// order over the other dimensions; each lane has `shape[dim]` elements `strides[dim]` apart.
    @inline(__always)
    func forEachLane(along dim: Int, _ body: (Int, Int) -> Void) {
        var s = shape, st = strides
        s.remove(at: dim); st.remove(at: dim)
        let outer = Tensor(storage: storage, shape: s, strides: st, offset: offset)
        var lane = 0
        outer.forEachOffset { off in body(lane, off); lane += 1 }
    }
}
