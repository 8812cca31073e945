/// numpy `matmul` semantics over cblas_sgemm: 1-D operands are promoted (and the added dimension
/// removed afterwards), leading batch dimensions broadcast, strided/transposed matrix views are passed
/// to BLAS without copying when their layout allows.
extension Tensor {
    public static func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.rank >= 1, b.rank >= 1 else {
            throw TensorError("matmul: both operands need at least one dimension (got shapes \(a.shape) and \(b.shape)); use * for scalars")
        }
        let A = a.rank == 1 ? try a.unsqueezed(0) : a   // [.., m, k]
        let B = b.rank == 1 ? try b.unsqueezed(-1) : b  // [.., k, n]
        let m = A.shape[A.rank - 2], k = A.shape[A.rank - 1]
        let k2 = B.shape[B.rank - 2], n = B.shape[B.rank - 1]
        guard k == k2 else {
            throw TensorError("matmul: inner dimensions differ: shapes \(a.shape) and \(b.shape) (\(k) vs \(k2))")
        }
        let batchA = Array(A.shape.dropLast(2)), batchB = Array(B.shape.dropLast(2))
        let batch = try broadcastShapes(batchA, batchB, "matmul (batch dimensions)")
        let viewA = try A.expanded(to: batch + [m, k]), viewB = try B.expanded(to: batch + [k, n])
        var outShape = batch + [m, n]
        let out = Tensor(zeros: outShape)
        let batchCount = batch.reduce(1, *)
        if m > 0, n > 0, k > 0, batchCount > 1, B.rank == 2, batchA == batch, let lb = blasLayout(B) {
            // One matrix on the right: the batch of left matrices is one [batch·m, k] block (made contiguous
            // when it is not), so one product reads B once instead of once per batch entry.
            let flat = A.isContiguous ? A : A.copy()                  // [.., m, k], rows k apart
            Kernels.sgemm(transA: false, transB: lb.trans, m: batchCount * m, n: n, k: k,
                          a: flat.storage.pointer + flat.offset, lda: k,
                          b: B.storage.pointer + B.offset, ldb: lb.ld,
                          c: out.storage.pointer, ldc: n)
        } else if m > 0, n > 0, k > 0 {  // k == 0: the product of empty sums is all zeros
            let la = blasLayout(viewA), lb = blasLayout(viewB)
            let ca = la == nil ? viewA.copy() : viewA, cb = lb == nil ? viewB.copy() : viewB
            guard let layoutA = la ?? blasLayout(ca), let layoutB = lb ?? blasLayout(cb) else {
                throw TensorError("matmul: internal layout error for shapes \(a.shape) and \(b.shape)")
            }
            // Offsets of each batch matrix (broadcast dimensions have stride 0).
            let offsA = batchOffsets(ca, batch), offsB = batchOffsets(cb, batch)
            for t in 0..<batchCount {
                Kernels.sgemm(transA: layoutA.trans, transB: layoutB.trans, m: m, n: n, k: k,
                              a: ca.storage.pointer + offsA[t], lda: layoutA.ld,
                              b: cb.storage.pointer + offsB[t], ldb: layoutB.ld,
                              c: out.storage.pointer + t * m * n, ldc: n)
            }
        }
        if a.rank == 1 { outShape.remove(at: outShape.count - 2) }
        if b.rank == 1 { outShape.removeLast() }
        return Tensor(storage: out.storage, shape: outShape, strides: contiguousStrides(outShape), offset: 0)
    }

    /// How BLAS can read the last two dimensions (rows, cols) of `t` in place, or nil when a copy is needed.
    static func blasLayout(_ t: Tensor) -> (trans: Bool, ld: Int)? {
        let r = t.rank
        let rows = t.shape[r - 2], cols = t.shape[r - 1]
        let s0 = t.strides[r - 2], s1 = t.strides[r - 1]
        if (s1 == 1 || cols == 1) && (rows == 1 || s0 >= Swift.max(cols, 1)) {
            return (false, rows == 1 ? Swift.max(cols, 1) : s0)
        }
        if (s0 == 1 || rows == 1) && (cols == 1 || s1 >= Swift.max(rows, 1)) {
            return (true, cols == 1 ? Swift.max(rows, 1) : s1)
        }
        return nil
    }

    /// Storage offsets of the matrices of `t` for every index of the leading `batch` dimensions.
    static func batchOffsets(_ t: Tensor, _ batch: [Int]) -> [Int] {
        if batch.isEmpty { return [t.offset] }
        let view = Tensor(storage: t.storage, shape: batch, strides: Array(t.strides.prefix(batch.count)), offset: t.offset)
        var offs: [Int] = []
        offs.reserveCapacity(view.count)
        view.forEachOffset { offs.append($0) }
        return offs
    }
}
