import LoupeTensor

/// TransformerLens's `FactoredMatrix`: the product A @ B kept as its factors, A [..., ldim, mdim] and
/// B [..., mdim, rdim] with broadcast leading dimensions, so a low-rank [d_model, d_model] circuit such
/// as a head's OV (W_V @ W_O) is never formed. Its SVD comes from the factors' SVDs; its non-zero
/// eigenvalues are those of the small [mdim, mdim] product B @ A.
public struct FactoredMatrix {
    public let A: Tensor  // [..., ldim, mdim]
    public let B: Tensor  // [..., mdim, rdim]

    public init(_ a: Tensor, _ b: Tensor) throws {
        guard a.rank >= 2, b.rank >= 2 else {
            throw TensorError("FactoredMatrix: both factors need at least two dimensions, shapes were a: \(a.shape), b: \(b.shape)")
        }
        guard a.shape[a.rank - 1] == b.shape[b.rank - 2] else {
            throw TensorError("FactoredMatrix: factors must match on the inner dimension, shapes were a: \(a.shape), b: \(b.shape)")
        }
        let lead = try Tensor.broadcastShapes(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)),
                                              "FactoredMatrix (leading dimensions)")
        A = try a.expanded(to: lead + Array(a.shape.suffix(2)))
        B = try b.expanded(to: lead + Array(b.shape.suffix(2)))
    }

    public var ldim: Int { A.shape[A.rank - 2] }
    public var mdim: Int { A.shape[A.rank - 1] }
    public var rdim: Int { B.shape[B.rank - 1] }
    public var leading: [Int] { Array(A.shape.dropLast(2)) }
    public var shape: [Int] { leading + [ldim, rdim] }
    public var ndim: Int { shape.count }

    /// The product [..., ldim, rdim] (large: what the factoring avoids).
    public func product() throws -> Tensor { try Tensor.matmul(A, B) }

    /// B @ A [..., rdim, ldim], defined only for square products.
    public func reversedProduct() throws -> Tensor {
        guard ldim == rdim else { throw TensorError("FactoredMatrix.BA needs ldim == rdim, shape was \(shape)") }
        return try Tensor.matmul(B, A)
    }

    public func transposed() throws -> FactoredMatrix {
        try FactoredMatrix(try B.transposed(-2, -1), try A.transposed(-2, -1))
    }

    /// self @ other: a vector [rdim] gives a tensor [..., ldim]; a matrix [..., rdim, n] a FactoredMatrix
    /// whose hidden dimension stays the smaller one (TransformerLens's choice).
    public func matmul(_ other: Tensor) throws -> Either {
        if other.rank < 2 {
            return .tensor(try Tensor.matmul(A, try Tensor.matmul(B, try other.unsqueezed(-1))).squeezed(-1))
        }
        guard other.shape[other.rank - 2] == rdim else {
            throw TensorError("FactoredMatrix @ tensor: the right matrix must match on the inner dimension, shapes were self: \(shape), other: \(other.shape)")
        }
        if rdim > mdim { return .factored(try FactoredMatrix(A, try Tensor.matmul(B, other))) }
        return .factored(try FactoredMatrix(try product(), other))
    }

    /// other @ self: a vector [ldim] gives a tensor [..., rdim]; a matrix [..., n, ldim] a FactoredMatrix.
    public func rmatmul(_ other: Tensor) throws -> Either {
        guard other.shape.last == ldim else {
            throw TensorError("tensor @ FactoredMatrix: the left matrix must match on the inner dimension, shapes were self: \(shape), other: \(other.shape)")
        }
        if other.rank < 2 {
            return .tensor(try Tensor.matmul(try Tensor.matmul(try other.unsqueezed(-2), A), B).squeezed(-2))
        }
        if ldim > mdim { return .factored(try FactoredMatrix(try Tensor.matmul(other, A), B)) }
        return .factored(try FactoredMatrix(other, try product()))
    }

    /// self @ other for two factored matrices: (self @ other.A) @ other.B.
    public func matmul(_ other: FactoredMatrix) throws -> FactoredMatrix {
        guard case .factored(let left) = try matmul(other.A), case .factored(let out) = try left.matmul(other.B) else {
            throw TensorError("FactoredMatrix @ FactoredMatrix: unexpected vector operand")
        }
        return out
    }

    /// Scalar multiplication scales A.
    public func scaled(by s: Float) throws -> FactoredMatrix { try FactoredMatrix(Tensor.binary(.mul, A, scalar: s), B) }

    public enum Either { case tensor(Tensor), factored(FactoredMatrix) }

    /// The SVD of the product from the factors': U [..., ldim, k], S [..., k], V [..., rdim, k] (V, not Vh,
    /// as TransformerLens returns), with M = U @ diag(S) @ Vᵀ.
    public func svd() throws -> (U: Tensor, S: Tensor, V: Tensor) {
        let a = try A.svd(), b = try B.svd()
        // middle = diag(Sa) @ Vhₐ @ U_b @ diag(S_b)
        let left = try Tensor.binary(.mul, try a.S.unsqueezed(-1), a.Vh)
        let middle = try Tensor.binary(.mul, try Tensor.matmul(left, b.U), try b.S.unsqueezed(-2))
        let m = try middle.svd()
        let U = try Tensor.matmul(a.U, m.U)
        let V = try Tensor.matmul(try b.Vh.transposed(-2, -1), try m.Vh.transposed(-2, -1))
        return (U, m.S, V)
    }

    /// Eigenvalues of the product (its non-zero ones), from B @ A [..., mdim, mdim]: real and imaginary parts.
    public func eigenvalues() throws -> (real: Tensor, imag: Tensor) {
        guard ldim == rdim else { throw TensorError("FactoredMatrix.eigenvalues needs ldim == rdim, shape was \(shape)") }
        return try Tensor.matmul(B, A).eigenvalues()
    }

    /// Frobenius norm [...]: the root of the sum of squared singular values.
    public func norm(S: Tensor) throws -> Tensor { try S.map { $0 * $0 }.sum(dim: -1).map { $0.squareRoot() } }

    /// `fm[idx]`: leading dimensions index both factors; a row index goes to A and a column index to B,
    /// kept as length-one slices so the result is still a product of matrices.
    public func index(_ items: [TensorIndex]) throws -> FactoredMatrix {
        for item in items where item == .newAxis || item == .ellipsis {
            throw TensorError("FactoredMatrix indexing supports integers, slices and index lists, not None or ...")
        }
        let lead = leading.count
        func keep(_ item: TensorIndex) -> TensorIndex {
            guard case .at(let i) = item else { return item }
            return .range(i, i == -1 ? nil : i + 1, nil)
        }
        if items.count <= lead { return try FactoredMatrix(try A.index(items), try B.index(items)) }
        if items.count == lead + 1 {
            let rows = Array(items.dropLast()) + [keep(items[lead])]
            return try FactoredMatrix(try A.index(rows), try B.index(Array(items.dropLast())))
        }
        if items.count == lead + 2 {
            let rows = Array(items.prefix(lead)) + [keep(items[lead])]
            let cols = Array(items.prefix(lead)) + [.range(nil, nil, nil), keep(items[lead + 1])]
            return try FactoredMatrix(try A.index(rows), try B.index(cols))
        }
        throw TensorError("FactoredMatrix: an index of \(items.count) items is too long for shape \(shape)")
    }

    public func unsqueezed(_ k: Int) throws -> FactoredMatrix { try FactoredMatrix(try A.unsqueezed(k), try B.unsqueezed(k)) }

    /// The corner [:k, …, :k] of the product, formed from the factors' first rows and columns only.
    public func corner(_ k: Int) throws -> Tensor {
        let rows = try A.index([.ellipsis, .range(nil, k, nil), .range(nil, nil, nil)])
        let cols = try B.index([.ellipsis, .range(nil, nil, nil), .range(nil, k, nil)])
        let p = try Tensor.matmul(rows, cols)
        return try p.index(Array(repeating: .range(nil, k, nil), count: p.rank))
    }
}
