import XCTest
import Foundation
@testable import LoupeTensor

/// Activations on arrays large enough to be split across the pool's threads: the same values as one call
/// per element block and as the Double formulas.
final class KernelChunkedTests: XCTestCase {
    func testLargeActivationsMatchNaive() {
        var rng = TestRNG(17)
        let n = 200_003                                                     // split into parts, odd tail
        let x = (0..<n).map { _ in rng.float() * 8 }
        let cases: [(String, (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, (Double) -> Double)] = [
            ("gelu_new", { Kernels.geluNew($0, out: $1, count: $2) },
             { v in 0.5 * v * (1 + tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v))) }),
            ("silu", { Kernels.silu($0, out: $1, count: $2) }, { v in v / (1 + exp(-v)) }),
            ("gelu", { Kernels.gelu($0, out: $1, count: $2) }, { v in 0.5 * v * erfc(-v / 2.0.squareRoot()) }),
            ("quick_gelu", { Kernels.quickGelu($0, out: $1, count: $2) }, { v in v / (1 + exp(-1.702 * v)) }),
        ]
        for (name, kernel, naive) in cases {
            var whole = [Float](repeating: 0, count: n), pieces = [Float](repeating: 0, count: n)
            x.withUnsafeBufferPointer { xp in
                whole.withUnsafeMutableBufferPointer { kernel(xp.baseAddress!, $0.baseAddress!, n) }
                pieces.withUnsafeMutableBufferPointer { out in
                    for a in stride(from: 0, to: n, by: 1000) {                 // below the split size
                        kernel(xp.baseAddress! + a, out.baseAddress! + a, min(1000, n - a))
                    }
                }
            }
            XCTAssertEqual(whole, pieces, "\(name): split and unsplit agree exactly")
            var worst = 0.0
            for i in 0..<n {
                let want = naive(Double(x[i]))
                worst = max(worst, abs(Double(whole[i]) - want) / max(1e-3, abs(want)))
            }
            XCTAssertLessThan(worst, 2e-5, "\(name): max relative |Δ| \(worst)")
        }
    }

    /// SwiGLU's product on one thread: silu(gate) ⊙ up, the same bits as `silu` then `mul` over the whole
    /// array (the forward pass runs it on each thread's rows), and within 2e-5 of the Double formula.
    func testSwiGLUMatchesSiluThenMulAndNaive() {
        var rng = TestRNG(23)
        let n = 100_003
        let g = (0..<n).map { _ in rng.float() * 8 }, u = (0..<n).map { _ in rng.float() * 3 }
        var fused = [Float](repeating: 0, count: n), twoStep = [Float](repeating: 0, count: n)
        g.withUnsafeBufferPointer { gp in
            u.withUnsafeBufferPointer { up in
                fused.withUnsafeMutableBufferPointer { out in
                    for a in stride(from: 0, to: n, by: 777) {                  // row blocks with odd tails
                        Kernels.swiGLU(gate: gp.baseAddress! + a, up: up.baseAddress! + a, out: out.baseAddress! + a,
                                       count: min(777, n - a))
                    }
                }
                twoStep.withUnsafeMutableBufferPointer { out in
                    Kernels.silu(gp.baseAddress!, out: out.baseAddress!, count: n)
                    Kernels.mul(out.baseAddress!, up.baseAddress!, out.baseAddress!, count: n)
                }
            }
        }
        XCTAssertEqual(fused, twoStep, "swiGLU in row blocks = silu then mul")
        var worst = 0.0
        for i in 0..<n {
            let v = Double(g[i]), want = v / (1 + exp(-v)) * Double(u[i])
            worst = max(worst, abs(Double(fused[i]) - want) / max(1e-3, abs(want)))
        }
        XCTAssertLessThan(worst, 2e-5, "swiGLU: max relative |Δ| \(worst)")
    }
}
