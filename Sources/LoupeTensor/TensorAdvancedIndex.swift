/// torch's advanced indexing: integer index tensors of any rank, several of them broadcasting together.
/// Integer scalars are basic (they drop their dimension first, unlike numpy), so the rule is torch's:
/// the broadcast index shape B replaces the indexed dimensions in place when those are adjacent in the
/// view, and goes first otherwise.
///   W [d_model, d_vocab][:, idx [8, 2]]        -> [d_model, 8, 2]
///   x [5, 6, 7][idx [2, 2], :, idx [2, 2]]     -> [2, 2, 6]
///   x [5, 6, 7][0, :, idx [2, 2]]              -> [6, 2, 2]

/// One integer index item: the view dimension it indexes, its shape, its positions (row-major, in range).
struct AdvancedIndex {
    let dim: Int
    let shape: [Int]
    let positions: [Int]
}

/// Where the indexed elements land: the broadcast index shape and the result's shape.
struct AdvancedLayout {
    let indices: [AdvancedIndex]
    /// B: the index shapes broadcast together.
    let indexShape: [Int]
    /// Each index's positions broadcast to B (row-major over B).
    let positions: [[Int]]
    /// The view's dimensions that no index touches, in order.
    let restDims: [Int]
    /// Where B's dimensions sit in the result: the first indexed dimension when the indexed
    /// dimensions are adjacent, else 0.
    let insertAt: Int
    let resultShape: [Int]

    init(_ viewShape: [Int], _ indices: [AdvancedIndex]) throws {
        self.indices = indices
        var b: [Int] = []
        for ix in indices { b = try Tensor.broadcastShapes(b, ix.shape, "indexing (index tensors must broadcast together)") }
        indexShape = b
        positions = try indices.map { ix in
            try Tensor(shape: ix.shape, data: ix.positions.map { Float($0) }).expanded(to: b).toArray().map { Int($0) }
        }
        let dims = indices.map(\.dim)
        restDims = (0..<viewShape.count).filter { !dims.contains($0) }
        let adjacent = zip(dims, dims.dropFirst()).allSatisfy { $1 == $0 + 1 }
        insertAt = adjacent ? (restDims.firstIndex { $0 > dims[0] } ?? restDims.count) : 0
        let rest = restDims.map { viewShape[$0] }
        resultShape = Array(rest[..<insertAt]) + b + Array(rest[insertAt...])
    }

    var count: Int { indexShape.reduce(1, *) }

    /// The result's dimensions reordered so that B comes first: [B..., rest...] -> result order.
    var frontToResult: [Int] {
        let nb = indexShape.count, nr = restDims.count
        return Array(nb..<(nb + insertAt)) + Array(0..<nb) + Array((nb + insertAt)..<(nb + nr))
    }

    /// The inverse of `frontToResult`: result order -> [B..., rest...].
    var resultToFront: [Int] {
        let nb = indexShape.count, nr = restDims.count
        return Array(insertAt..<(insertAt + nb)) + Array(0..<insertAt) + Array((insertAt + nb)..<(nb + nr))
    }

    /// The view of `view` at the k-th index combination: every indexed dimension selected.
    func element(_ view: Tensor, _ k: Int) -> Tensor {
        var sub = view
        for (i, ix) in indices.enumerated().sorted(by: { $0.element.dim > $1.element.dim }) {
            sub = sub.selecting(ix.dim, positions[i][k])
        }
        return sub
    }
}

extension Tensor {
    /// The elements at the index combinations of `gathered` (a copy), in torch's result layout.
    func advancedIndex(_ gathered: [AdvancedIndex]) throws -> Tensor {
        let layout = try AdvancedLayout(shape, gathered)
        let rest = layout.restDims.map { shape[$0] }
        let front = Tensor(zeros: layout.indexShape + rest)   // [B..., rest...]
        let dp = front.storage.pointer, sp = storage.pointer
        var i = 0
        for k in 0..<layout.count {
            layout.element(self, k).forEachOffset { dp[i] = sp[$0]; i += 1 }
        }
        if layout.insertAt == 0 { return front }
        return try front.permuted(layout.frontToResult).contiguous()
    }

    /// Writes `value` (already of the layout's result shape) at the index combinations; a repeated
    /// combination keeps the last value written.
    func advancedAssign(_ layout: AdvancedLayout, _ value: Tensor) throws {
        let front = layout.insertAt == 0 ? value : try value.permuted(layout.resultToFront)
        let nb = layout.indexShape.count
        let flat = try front.reshaped([layout.count] + Array(front.shape[nb...]))   // [count, rest...]
        for k in 0..<layout.count {
            try layout.element(self, k).write(flat.selecting(0, k))
        }
    }
}
