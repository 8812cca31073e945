import COpenBLAS

/// torch.linalg's reduced SVD and general eigenvalues over LAPACK (OpenBLAS's `sgesdd_`, `sgeev_`), batched
/// over leading dimensions. LAPACK is column-major: a row-major [m, n] buffer is the column-major [n, m]
/// transpose, so the SVD of that transpose (V S Uᵀ) hands back Vh and U already row-major, and the
/// eigenvalues of a matrix and its transpose agree.
extension Tensor {
    /// `torch.linalg.svd(x, full_matrices=False)`: U [..., m, k], S [..., k], Vh [..., k, n] with k = min(m, n),
    /// singular values in descending order.
    public func svd() throws -> (U: Tensor, S: Tensor, Vh: Tensor) {
        guard rank >= 2 else { throw TensorError("svd: needs a matrix [..., m, n], got shape \(shape)") }
        let m = shape[rank - 2], n = shape[rank - 1], k = Swift.min(m, n)
        let lead = Array(shape.dropLast(2)), batch = lead.reduce(1, *)
        let src = contiguous()
        let U = Tensor(zeros: lead + [m, k]), S = Tensor(zeros: lead + [k]), Vh = Tensor(zeros: lead + [k, n])
        guard k > 0 else { return (U, S, Vh) }
        var a = [Float](repeating: 0, count: m * n), iwork = [Int32](repeating: 0, count: 8 * k)
        var rows = Int32(n), cols = Int32(m), lda = Int32(n), ldu = Int32(n), ldvt = Int32(k), info: Int32 = 0
        var lwork: Int32 = -1, query: Float = 0
        sgesdd_("S", &rows, &cols, &a, &lda, S.storage.pointer, Vh.storage.pointer, &ldu, U.storage.pointer, &ldvt,
                &query, &lwork, &iwork, &info)
        lwork = Int32(query)
        var work = [Float](repeating: 0, count: Swift.max(1, Int(lwork)))
        for b in 0..<batch {
            a.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: src.basePointer + b * m * n, count: m * n) }
            sgesdd_("S", &rows, &cols, &a, &lda, S.storage.pointer + b * k, Vh.storage.pointer + b * k * n, &ldu,
                    U.storage.pointer + b * m * k, &ldvt, &work, &lwork, &iwork, &info)
            guard info == 0 else { throw TensorError("svd: LAPACK sgesdd did not converge (info \(info)) for matrix \(b) of shape \(shape)") }
        }
        return (U, S, Vh)
    }

    /// `torch.linalg.eig(x).eigenvalues` of square matrices [..., n, n] as real and imaginary parts [..., n],
    /// in LAPACK's order (as torch on the CPU).
    public func eigenvalues() throws -> (real: Tensor, imag: Tensor) {
        guard rank >= 2, shape[rank - 1] == shape[rank - 2] else {
            throw TensorError("eigenvalues: needs square matrices [..., n, n], got shape \(shape)")
        }
        let n = shape[rank - 1], lead = Array(shape.dropLast(2)), batch = lead.reduce(1, *)
        let src = contiguous()
        let re = Tensor(zeros: lead + [n]), im = Tensor(zeros: lead + [n])
        guard n > 0 else { return (re, im) }
        var a = [Float](repeating: 0, count: n * n), left: Float = 0, right: Float = 0  // no eigenvectors
        var order = Int32(n), lda = Int32(n), ldv = Int32(1), info: Int32 = 0, lwork: Int32 = -1, query: Float = 0
        sgeev_("N", "N", &order, &a, &lda, re.storage.pointer, im.storage.pointer, &left, &ldv, &right, &ldv,
               &query, &lwork, &info)
        lwork = Int32(query)
        var work = [Float](repeating: 0, count: Swift.max(1, Int(lwork)))
        for b in 0..<batch {
            a.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: src.basePointer + b * n * n, count: n * n) }
            sgeev_("N", "N", &order, &a, &lda, re.storage.pointer + b * n, im.storage.pointer + b * n, &left, &ldv,
                   &right, &ldv, &work, &lwork, &info)
            guard info == 0 else { throw TensorError("eigenvalues: LAPACK sgeev did not converge (info \(info)) for matrix \(b) of shape \(shape)") }
        }
        return (re, im)
    }
}
