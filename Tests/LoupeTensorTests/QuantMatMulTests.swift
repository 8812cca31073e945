import XCTest
@testable import LoupeTensor

/// The batched (prompt) path against dequantise + naive loops.
final class QuantMatMulTests: XCTestCase {
    func testTiledDequantSgemmMatchesNaive() throws {
        for dtype in [DType.q4_1, .q8_0, .q6_K, .f16] {
            let rows = 300, cols = 256, n = 5   // two tiles, the second partial
            let bytes = QuantMatVecTests.randomWeights(dtype, rows: rows, cols: cols, seed: 7)
            var rng = TestRNG(3)
            let x = rng.floats(n * cols)
            var dense = [Float](repeating: 0, count: rows * cols)
            try bytes.withUnsafeBytes { src in
                try dense.withUnsafeMutableBufferPointer { try Dequant.dequantize(dtype, src, count: rows * cols, into: $0.baseAddress!) }
            }
            var y = [Float](repeating: .nan, count: n * rows)
            var scratch = [Float](repeating: 0, count: QuantMatMul.scratchCount(cols: cols))
            try bytes.withUnsafeBytes { w in
                try scratch.withUnsafeMutableBufferPointer { sc in
                    try QuantMatMul.matmul(dtype, weights: w, rows: rows, cols: cols, x: x, n: n, y: &y, scratch: sc)
                }
            }
            var worst: Float = 0
            for t in 0..<n { for r in 0..<rows {
                var ref: Double = 0, mag: Double = 0
                for c in 0..<cols { let p = Double(x[t * cols + c]) * Double(dense[r * cols + c]); ref += p; mag += abs(p) }
                worst = max(worst, abs(y[t * rows + r] - Float(ref)) / Float(mag + 1e-6))
            } }
            XCTAssertLessThan(worst, 1e-5, "\(dtype): error relative to Σ|w·x|")
            var small = [Float](repeating: 0, count: 10)
            XCTAssertThrowsError(try bytes.withUnsafeBytes { w in
                try small.withUnsafeMutableBufferPointer { sc in
                    try QuantMatMul.matmul(dtype, weights: w, rows: rows, cols: cols, x: x, n: n, y: &y, scratch: sc)
                }
            })
        }
    }
}
