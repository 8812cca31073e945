import Dispatch

/// Y[n, rows] = X[n, cols] · W[rows, cols]ᵀ for a stored (possibly quantised) weight, for prompts:
/// W is dequantised a tile of rows at a time into `scratch` (in parallel) and multiplied with sgemm,
/// so the full F32 copy never exists. For repeated prompt passes over the same weights, keeping a
/// dequantised F32 copy and calling `Kernels.linear` is faster; this trades speed for memory.
public enum QuantMatMul {
    /// Rows of W per tile; the scratch must hold `tileRows * cols` floats.
    public static let tileRows = 256

    /// Floats of scratch needed for weights with `cols` columns.
    public static func scratchCount(cols: Int) -> Int { tileRows * cols }

    public static func matmul(_ dtype: DType, weights w: UnsafeRawBufferPointer, rows: Int, cols: Int,
                              x: UnsafePointer<Float>, n: Int, y: UnsafeMutablePointer<Float>,
                              scratch: UnsafeMutableBufferPointer<Float>, threads: Int = 2) throws {
        guard rows >= 0, cols >= 0, n >= 0, let rb = dtype.byteCount(elements: cols) else {
            throw TensorError("matmul \(dtype): \(cols) columns is not a whole number of \(dtype.blockSize)-element blocks")
        }
        let (need, ov) = rb.multipliedReportingOverflow(by: rows)
        guard !ov, w.count >= need else {
            throw TensorError("matmul \(dtype): weights hold \(w.count) bytes, \(rows) x \(cols) needs \(need)")
        }
        guard scratch.count >= tileRows * cols, let tile = scratch.baseAddress else {
            throw TensorError("matmul: scratch holds \(scratch.count) floats, needs \(tileRows * cols)")
        }
        if rows == 0 || n == 0 { return }
        guard let base = w.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var r0 = 0
        while r0 < rows {
            let tr = min(tileRows, rows - r0)
            // Dequantise rows r0 ..< r0+tr into tile[tr, cols], split across threads.
            let parts = max(1, min(threads, tr / 16))
            let per = (tr + parts - 1) / parts
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let a = p * per, b = min(tr, a + per)
                if a < b {
                    Dequant.decodeUnchecked(dtype, base + (r0 + a) * rb, count: (b - a) * cols, into: tile + a * cols)
                }
            }
            // y[:, r0 ..< r0+tr] = x[n, cols] · tile[tr, cols]ᵀ
            Kernels.sgemm(transB: true, m: n, n: tr, k: cols, a: x, lda: cols, b: tile, ldb: cols,
                          c: y + r0, ldc: rows)
            r0 += tr
        }
    }
}
