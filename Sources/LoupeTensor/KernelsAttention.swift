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
