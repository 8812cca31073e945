import Foundation

extension Kernels {
    /// Rows r0..<r0+n of a fused product's output src [·, Σ widths] (dense) split by columns: part i's
    /// columns go to rows r0..<r0+n of dsts[i] [·, widths[i]] (dense). q|k|v and gate|up computed as one
    /// product land in the hook points' own buffers this way.
    public static func splitColumns(_ src: UnsafePointer<Float>, rows r0: Int, _ n: Int, widths: [Int],
                                    into dsts: [UnsafeMutablePointer<Float>]) {
        precondition(widths.count == dsts.count, "splitColumns: one destination per width")
        let total = widths.reduce(0, +)
        for r in r0..<(r0 + n) {
            var col = 0
            for (i, wd) in widths.enumerated() {
                (dsts[i] + r * wd).update(from: src + r * total + col, count: wd)
                col += wd
            }
        }
    }
}
