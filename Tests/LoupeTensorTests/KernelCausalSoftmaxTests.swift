import Foundation
import XCTest
@testable import LoupeTensor

/// `Kernels.causalSoftmaxRows` against a Double loop over the masked rows: the same pattern as the full
/// rows' softmax, the causal tail exactly 0, padding keys inside the seen part 0.
final class KernelCausalSoftmaxTests: XCTestCase {
    func testCausalSoftmaxMatchesLoop() {
        var rng = TestRNG(11)
        for (rows, cols, past) in [(5, 5, 0), (3, 7, 4), (9, 9, 0), (2, 40, 38)] {
            for vector in [true, false] {
                Kernels.vectorBodies = vector
                defer { Kernels.vectorBodies = true }
                let x = rng.floats(rows * cols).map { $0 * 6 }
                let keyMask = (0..<cols).map { $0 != 1 }                 // key 1 is padding
                var masked = x
                Kernels.causalMask(&masked, rows: rows, cols: cols, pastLength: past, keyMask: keyMask)
                var out = [Float](repeating: .nan, count: rows * cols)
                Kernels.causalSoftmaxRows(masked, out: &out, rows: rows, cols: cols, pastLength: past)
                for r in 0..<rows {
                    let seen = (0..<cols).map { $0 <= past + r && keyMask[$0] }
                    let m = (0..<cols).filter { seen[$0] }.map { Double(x[r * cols + $0]) }.max() ?? 0
                    let e = (0..<cols).map { seen[$0] ? exp(Double(x[r * cols + $0]) - m) : 0 }
                    let s = e.reduce(0, +)
                    for j in 0..<cols {
                        let want = s > 0 ? e[j] / s : 0
                        if want == 0 {
                            XCTAssertEqual(out[r * cols + j], 0, "\(rows)×\(cols) past \(past) (\(r), \(j)) vector \(vector)")
                        } else {
                            XCTAssertEqual(Double(out[r * cols + j]), want, accuracy: 2e-6 * want + 1e-12,
                                           "\(rows)×\(cols) past \(past) (\(r), \(j)) vector \(vector)")
                        }
                    }
                }
            }
        }
    }
}
