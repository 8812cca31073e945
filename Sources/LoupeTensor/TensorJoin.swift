/// Joining and splitting along a dimension.
extension Tensor {
    /// Concatenates along `dim`; all other dimensions must agree.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError("cat: expected a non-empty list of tensors") }
        guard first.rank > 0 else { throw TensorError("cat: zero-dimensional tensors cannot be concatenated; use stack") }
        let d = try first.normalizedDim(dim, "cat")
        var outShape = first.shape
        outShape[d] = 0
        for (i, t) in tensors.enumerated() {
            guard t.rank == first.rank else {
                throw TensorError("cat: tensor \(i) has rank \(t.rank) (shape \(t.shape)) but tensor 0 has rank \(first.rank) (shape \(first.shape))")
            }
            for j in 0..<t.rank where j != d && t.shape[j] != first.shape[j] {
                throw TensorError("cat: tensor \(i) has shape \(t.shape), expected \(first.shape) except in dimension \(d)")
            }
            outShape[d] += t.shape[d]
        }
        let out = Tensor(zeros: outShape)
        var at = 0
        for t in tensors {
            let n = t.shape[d]
            var idx = Array(repeating: TensorIndex.all, count: first.rank)
            idx[d] = .range(at, at + n, 1)
            try out.assign(idx, t)
            at += n
        }
        return out
    }

    /// Stacks same-shape tensors along a new dimension `dim`.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError("stack: expected a non-empty list of tensors") }
        for (i, t) in tensors.enumerated() where t.shape != first.shape {
            throw TensorError("stack: tensor \(i) has shape \(t.shape) but tensor 0 has shape \(first.shape)")
        }
        return try cat(tensors.map { try $0.unsqueezed(dim) }, dim: dim)
    }

    /// Views of the given sizes along `dim` (they must sum to its size).
    public func split(sizes: [Int], dim: Int = 0) throws -> [Tensor] {
        let d = try normalizedDim(dim, "split")
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[d] else {
            throw TensorError("split: sizes \(sizes) do not sum to \(shape[d]), the size of dimension \(dim)")
        }
        var at = 0
        return try sizes.map { n in
            var idx = Array(repeating: TensorIndex.all, count: rank)
            idx[d] = .range(at, at + n, 1)
            at += n
            return try index(idx)
        }
    }

    /// Views of `size` along `dim` (the last may be smaller), like torch.split(int).
    public func split(size: Int, dim: Int = 0) throws -> [Tensor] {
        let d = try normalizedDim(dim, "split")
        guard size > 0 else { throw TensorError("split: size must be positive, got \(size)") }
        let n = shape[d]
        var sizes = Array(repeating: size, count: n / size)
        if n % size != 0 { sizes.append(n % size) }
        return try split(sizes: sizes, dim: d)
    }

    /// `chunks` views along `dim` of size ceil(n / chunks) (torch.chunk).
    public func chunk(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        guard chunks > 0 else { throw TensorError("chunk: number of chunks must be positive, got \(chunks)") }
        let d = try normalizedDim(dim, "chunk")
        let n = shape[d]
        return try split(size: Swift.max(1, (n + chunks - 1) / chunks), dim: d)
    }
}
