/// Picking along one dimension: one position (select), a range (narrow, slice), a list of positions
/// (take / index_select), positions per element (gather), and boolean-mask selection.
extension Tensor {
    /// The view at position `index` of dimension `dim`, which is removed: [a, b, c].selecting(1, i) -> [a, c].
    /// `dim` and `index` must already be in range (non-negative); `select(dim:index:)` checks them.
    public func selecting(_ dim: Int, _ index: Int) -> Tensor {
        var s = shape, st = strides
        let off = offset + index * st[dim]
        s.remove(at: dim); st.remove(at: dim)
        return Tensor(storage: storage, shape: s, strides: st, offset: off)
    }

    /// torch.select: the view at `index` (negative counts from the end) of `dim` (negative allowed),
    /// which is removed. [a, b, c].select(dim: -1, index: 0) -> [a, b].
    public func select(dim: Int, index: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "select")
        return selecting(d, try Tensor.position(index, size: shape[d], "dim \(d)"))
    }

    /// torch.narrow: the view of `length` positions from `start` along `dim`: [a, b].narrow(dim: 1, start: s, length: n) -> [a, n].
    public func narrow(dim: Int, start: Int, length: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "narrow")
        let n = shape[d]
        let s = start < 0 ? start + n : start
        guard s >= 0, length >= 0, s + length <= n else {
            throw TensorError("narrow: start \(start) and length \(length) do not fit dimension \(dim) of size \(n) (shape \(shape))")
        }
        var newShape = shape
        newShape[d] = length
        return Tensor(storage: storage, shape: newShape, strides: strides, offset: length > 0 ? offset + s * strides[d] : offset)
    }

    /// Python slicing start:stop:step along one dimension (nil = default, negative steps allowed), a view:
    /// [a, b].slice(dim: 0, step: -1) -> [a, b] reversed along dim 0.
    public func slice(dim: Int, start: Int? = nil, stop: Int? = nil, step: Int? = nil) throws -> Tensor {
        let d = try normalizedDim(dim, "slice")
        return try index(Array(repeating: .all, count: d) + [.range(start, stop, step)])
    }

    /// Elements at `indices` along `dim` (numpy `take` / torch `index_select`); a copy.
    /// [a, b, c].take(k indices, dim: 1) -> [a, k, c]. Negative indices count from the end.
    public func take(_ indices: [Int], dim: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "take")
        let n = shape[d]
        let idx = try indices.map { i -> Int in
            let j = i < 0 ? i + n : i
            guard j >= 0, j < n else { throw TensorError("take: index \(i) is out of bounds for dimension \(dim) with size \(n)") }
            return j
        }
        return taking(idx, dim: d)
    }

    /// `take` with `dim` and every index already normalised and in range.
    func taking(_ indices: [Int], dim d: Int) -> Tensor {
        var outShape = shape
        outShape[d] = indices.count
        let out = Tensor(zeros: outShape)
        let dp = out.storage.pointer, sp = storage.pointer
        for (k, j) in indices.enumerated() {
            let src = selecting(d, j), dst = out.selecting(d, k)
            Tensor.zipOffsets(dst, src) { _, od, os in dp[od] = sp[os] }
        }
        return out
    }

    /// torch.gather: out[i][j][k] = self[index[i][j][k]][j][k] for dim 0 (likewise for other dims).
    /// `index` holds integer positions (negative count from the end) and has self's rank, each other
    /// dimension no larger than self's; the result has index's shape.
    public func gather(dim: Int, index: Tensor) throws -> Tensor {
        let d = try normalizedDim(dim, "gather")
        guard index.rank == rank, (0..<rank).allSatisfy({ $0 == d || index.shape[$0] <= shape[$0] }) else {
            throw TensorError("gather: index of shape \(index.shape) does not fit a tensor of shape \(shape) along dim \(dim)")
        }
        let out = Tensor(zeros: index.shape)
        let op = out.storage.pointer, sp = storage.pointer, ip = index.storage.pointer
        var position = [Int](repeating: 0, count: rank)
        var i = 0
        var failure: TensorError? = nil
        index.forEachOffset { off in
            let raw = ip[off]
            var src = offset
            for a in 0..<rank where a != d { src += position[a] * strides[a] }
            if failure == nil {
                if let p = Int(exactly: raw), let j = try? Tensor.position(p, size: shape[d], "gather: dim \(d)") {
                    op[i] = sp[src + j * strides[d]]
                } else {
                    failure = TensorError("gather: index \(raw) is not a position in dimension \(dim) of size \(shape[d])")
                }
            }
            i += 1
            var a = rank - 1
            while a >= 0 { position[a] += 1; if position[a] < index.shape[a] { break }; position[a] = 0; a -= 1 }
        }
        if let failure { throw failure }
        return out
    }

    /// torch.diagonal: the view of elements (i, i + offset) of dimensions dim1 and dim2, which are
    /// removed; the diagonal becomes the last dimension. [b, h, q, k].diagonal(offset: 1, dim1: -1, dim2: -2)
    /// -> [b, h, n] holding [.., .., i + 1, i] (each position attending to the one before).
    public func diagonal(offset k: Int = 0, dim1: Int = 0, dim2: Int = 1) throws -> Tensor {
        let a = try normalizedDim(dim1, "diagonal"), b = try normalizedDim(dim2, "diagonal")
        guard a != b else { throw TensorError("diagonal: dim1 and dim2 are the same dimension (\(dim1), \(dim2)) of shape \(shape)") }
        let length = Swift.max(0, k >= 0 ? Swift.min(shape[a], shape[b] - k) : Swift.min(shape[a] + k, shape[b]))
        let start = length == 0 ? 0 : (k >= 0 ? k * strides[b] : -k * strides[a])
        let kept = (0..<rank).filter { $0 != a && $0 != b }
        return Tensor(storage: storage, shape: kept.map { shape[$0] } + [length],
                      strides: kept.map { strides[$0] } + [strides[a] + strides[b]], offset: offset + start)
    }

    /// TransformerLens's `utils.get_corner`: the view of the first `n` positions of every dimension.
    public func corner(_ n: Int) throws -> Tensor {
        guard n >= 0 else { throw TensorError("get_corner: n must not be negative (got \(n))") }
        return try index(shape.map { _ in .range(nil, n, nil) })
    }

    /// The elements where `mask` (same shape) is nonzero, in row-major order: a new [count] tensor.
    public func masked(_ mask: Tensor) throws -> Tensor {
        guard mask.shape == shape else {
            throw TensorError("mask shape \(mask.shape) does not match tensor shape \(shape)")
        }
        let vals = Swift.zip(toArray(), mask.toArray()).filter { $0.1 != 0 }.map(\.0)
        return Tensor(shape: [vals.count], data: vals)
    }
}
