import XCTest
@testable import LoupeTensor

/// Products on weights packed into oneDNN's blocked layout (`PackedWeights`) against a naive loop.
final class PackedWeightsTests: XCTestCase {
    func randomFloats(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var g = seed
        return (0..<n).map { _ in
            g = g &* 6364136223846793005 &+ 1442695040888963407
            return (Float(g >> 40) / Float(1 << 24) - 0.5) * scale
        }
    }

    func testProductMatchesNaiveLoop() throws {
        // Tails everywhere (n not a multiple of 64, k not of 16), both stored layouts, one thread and
        // a row split, overwrite and accumulate.
        for (m, n, k) in [(2, 7, 5), (3, 37, 70), (17, 65, 96), (40, 130, 33), (64, 200, 48)] {
            for layout in [Kernels.WeightLayout.outIn, .inOut] {
                let w = randomFloats(n * k, seed: 3, scale: 0.2)                     // [n, k] or [k, n]
                let x = randomFloats(m * k, seed: 2)                                // [m, k]
                let packed = try XCTUnwrap(w.withUnsafeBufferPointer {
                    PackedWeights($0.baseAddress!, ldW: layout == .outIn ? k : n, outDim: n, inDim: k, layout: layout)
                }, "oneDNN packs f32 weights on this CPU")
                var want = [Float](repeating: 0, count: m * n)                      // [m, n]
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Double = 0
                        for p in 0..<k { s += Double(x[i * k + p]) * Double(layout == .outIn ? w[j * k + p] : w[p * n + j]) }
                        want[i * n + j] = Float(s)
                    }
                }
                let start = randomFloats(m * n, seed: 4)
                for accumulate in [false, true] {
                    for threads in [1, 2] {
                        var got = start
                        var fellBack = false
                        x.withUnsafeBufferPointer { xp in
                            got.withUnsafeMutableBufferPointer { cp in
                                packed.apply(xp.baseAddress!, rows: m, out: cp.baseAddress!, accumulate: accumulate,
                                             threads: threads) { _, _ in fellBack = true }
                            }
                        }
                        XCTAssertFalse(fellBack)
                        var worst: Float = 0
                        for i in 0..<(m * n) { worst = max(worst, abs(got[i] - want[i] - (accumulate ? start[i] : 0))) }
                        XCTAssertLessThan(worst, 1e-6 * Float(k), "\(m)×\(n)×\(k) \(layout) accumulate=\(accumulate) threads=\(threads)")
                    }
                }
                XCTAssertGreaterThanOrEqual(packed.bytes, n * k * 4)
            }
        }
    }
}
