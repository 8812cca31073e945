import CBF16Kernels
import CKernels
import Foundation

extension Kernels {
    /// Hides the keys a query may not attend to, in place, as TransformerLens shows them in
    /// hook_attn_scores: scores[i, j] = −∞ for keys after the query (query i sits at absolute position
    /// pastLength + i) and for padding keys (keyMask[j] false). scores: [rows, cols] (queries, keys);
    /// keyMask: [cols] or nil (no padding).
    public static func causalMask(_ scores: UnsafeMutablePointer<Float>, rows: Int, cols: Int, pastLength: Int,
                                  keyMask: UnsafePointer<Bool>? = nil) {
        for i in 0..<rows {
            let row = scores + i * cols
            let visible = min(cols, max(0, pastLength + i + 1))
            for j in visible..<cols { row[j] = -.infinity }
            if let keyMask {
                for j in 0..<visible where !keyMask[j] { row[j] = -.infinity }
            }
        }
    }

    /// Row-wise softmax over x[rows, cols] into out (may alias x), with the row maximum subtracted.
    /// Entries of −∞ (masked keys) become exactly 0; a row with every entry −∞ becomes zeros
    /// (TransformerLens's nan_to_num on a fully masked query). Vector body in CKernels.
    public static func softmaxRows(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        loupe_softmax_rows(x, out, rows, cols)
    }

    /// `softmaxRows` of causally masked scores [rows, cols] (query i at absolute position pastLength + i,
    /// as `causalMask` writes them): each row's softmax runs over the keys the query sees and the causal
    /// tail after them is written as exactly 0, which is what the full row's softmax gives there.
    public static func causalSoftmaxRows(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                         pastLength: Int) {
        for i in 0..<rows {
            let visible = min(cols, max(0, pastLength + i + 1))
            loupe_softmax_rows(x + i * cols, out + i * cols, 1, visible)
            (out + i * cols + visible).update(repeating: 0, count: cols - visible)
        }
    }
}

extension Kernels {
    /// c[m, n] (row stride ldc) = alpha · a[m, k] (row stride lda) · op(b) + beta · c on the calling thread
    /// alone: op(b) is b [k, n] (row stride ldb), or b [n, k] read transposed when transB. Attention's
    /// per-head products on strided head slices: oneDNN's sgemm (AVX-512 kernels whatever
    /// OPENBLAS_CORETYPE selects for OpenBLAS), or `sgemm` when oneDNN refuses.
    public static func headProduct(transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                                   a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                   beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k > 0 && loupe_f32_gemm_1t(transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) == 0 { return }
        sgemm(transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}
