import CKernels
import Foundation
import XCTest
@testable import LoupeTensor

/// Single-matrix one-position rates, VNNI kernels and the Swift kernels side by side in one run: GB/s of
/// weights streamed, median of 7 with the range. Llama-3.1-8B MLP shapes; set LOUPE_BENCH=1 to run.
/// Successive runs read different copies (≥ 96 MB in all) so the weights come from memory, not L3.
final class QuantDotTimingTests: XCTestCase {
    /// Rows of valid blocks: a byte pattern with every f16 scale set to a small normal value.
    static func matrix(_ dtype: DType, rows: Int, cols: Int) -> [UInt8] {
        let n = dtype.byteCount(elements: rows * cols)!
        var bytes = [UInt8](repeating: 0, count: n)
        let halfOffsets: [Int] = dtype == .q8_0 ? [0] : dtype == .q4_K ? [0, 2] : [208]
        let h = HalfFloat.f32ToF16(0.01)
        bytes.withUnsafeMutableBufferPointer { p in
            let words = UnsafeMutableRawPointer(p.baseAddress!).bindMemory(to: UInt64.self, capacity: n / 8)
            var s: UInt64 = 0x1234_5678_9ABC_DEF1
            for i in 0..<(n / 8) { s = s &* 6364136223846793005 &+ 1442695040888963407; words[i] = s }
            for b in stride(from: 0, to: n, by: dtype.blockBytes) {
                for o in halfOffsets { p[b + o] = UInt8(h & 0xFF); p[b + o + 1] = UInt8(h >> 8) }
            }
        }
        return bytes
    }

    func testMatVecRates() throws {
        guard ProcessInfo.processInfo.environment["LOUPE_BENCH"] == "1" else { throw XCTSkip("set LOUPE_BENCH=1") }
        let hasVNNI = QuantMatVec.vnniActive
        defer { loupe_set_quant_dot(1) }
        for dtype in [DType.q8_0, .q4_K, .q6_K] {
            for (rows, cols) in [(14336, 4096), (4096, 14336)] {
                let one = Self.matrix(dtype, rows: rows, cols: cols)
                let copies = (96_000_000 + one.count - 1) / one.count
                var w = [UInt8](repeating: 0, count: copies * one.count)
                w.withUnsafeMutableBytes { dst in
                    one.withUnsafeBytes { for c in 0..<copies { (dst.baseAddress! + c * one.count).copyMemory(from: $0.baseAddress!, byteCount: one.count) } }
                }
                var run = 0
                let x = (0..<cols).map { Float(sin(Double($0))) }
                var y = [Float](repeating: 0, count: rows)
                let scratch = MatVecScratch(maxCols: cols)
                for threads in [1, 2] {
                    var times: [Bool: [Double]] = [:]
                    for _ in 0..<7 {
                        for vnni in hasVNNI ? [false, true] : [false] {
                            loupe_set_quant_dot(vnni ? 1 : 0)
                            let t0 = DispatchTime.now().uptimeNanoseconds
                            let c = run % copies
                            run += 1
                            try w.withUnsafeBytes {
                                try QuantMatVec.matvec(dtype, weights: UnsafeRawBufferPointer(rebasing: $0[(c * one.count)..<((c + 1) * one.count)]), rows: rows, cols: cols, x: x, y: &y,
                                                       scratch: scratch, threads: threads)
                            }
                            times[vnni, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                        }
                    }
                    var line = "matvec \(dtype) \(rows)x\(cols) \(threads) thread(s), \(one.count / 1_000_000) MB:"
                    for vnni in [false, true] {
                        guard let t = times[vnni]?.sorted() else { continue }
                        let gb = Double(one.count) / 1e9
                        line += String(format: "  %@ %.1f GB/s (%.1f–%.1f)", vnni ? "VNNI" : "Swift", gb / t[3], gb / t[6], gb / t[0])
                    }
                    print(line)
                }
            }
        }
    }
}
