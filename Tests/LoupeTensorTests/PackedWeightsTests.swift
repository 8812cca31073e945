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

    /// bf16 weights packed once (GPT-2's [in, out] Conv1D with bf16 products): against `BF16Products.naive` on
    /// the same bf16 inputs. [k, n] shapes whose dims are whole 32 × 64 blocks take Loupe's pair packer (1050 × 1024
    /// on two threads, its last panel partly padding), the others oneDNN's reorder; a strided x, a row split, overwrite and accumulate. A strided output is
    /// refused with nothing written.
    func testBF16ProductMatchesNaiveLoop() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "the CPU lacks AVX512_BF16")
        for (m, n, k) in [(13, 128, 64), (40, 192, 96), (64, 130, 33), (20, 64, 1280), (33, 100, 50), (9, 1050, 1024)] {
            for layout in [Kernels.WeightLayout.inOut, .outIn] {
                let wf = randomFloats(n * k, seed: 7, scale: 0.2)                   // [k, n] or [n, k]
                let w = wf.map { f -> UInt16 in
                    let u = f.bitPattern
                    return UInt16((u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
                }
                let ldX = k + 3, ldOut = n
                let x = randomFloats(m * ldX, seed: 8)                              // [m, ldX]
                let packed = try XCTUnwrap(w.withUnsafeBufferPointer {
                    PackedWeights(bf16: $0.baseAddress!, ldW: layout == .outIn ? k : n, outDim: n, inDim: k, layout: layout)
                }, "oneDNN packs bf16 weights on this CPU")
                XCTAssertTrue(packed.isBF16)
                // The reference: x rounded to bf16 as the product rounds it, then the naive loop.
                var a = [UInt16](repeating: 0, count: m * k)                       // [m, k]
                x.withUnsafeBufferPointer { BF16Products.round($0.baseAddress!, ldx: ldX, rows: m, k: k, into: &a, ldd: k) }
                var want = [Float](repeating: 0, count: m * n)                      // [m, n]
                a.withUnsafeBufferPointer { ap in
                    w.withUnsafeBufferPointer { wp in
                        BF16Products.naive(a: ap.baseAddress!, lda: k, m: m, w: wp.baseAddress!, ldw: layout == .outIn ? k : n,
                                           n: n, k: k, c: &want, ldc: n, weightsInOut: layout == .inOut)
                    }
                }
                let start = randomFloats(m * ldOut, seed: 9)
                for accumulate in [false, true] {
                    for threads in [1, 2] {
                        var got = start
                        let ok = x.withUnsafeBufferPointer { xp in
                            got.withUnsafeMutableBufferPointer { cp in
                                packed.applyBF16(xp.baseAddress!, ldX: ldX, rows: m, out: cp.baseAddress!, ldOut: ldOut,
                                                 accumulate: accumulate, threads: threads)
                            }
                        }
                        XCTAssertTrue(ok, "oneDNN refused \(m)×\(n)×\(k)")
                        var worst: Float = 0, scale: Float = 0
                        for i in 0..<m {
                            for j in 0..<n {
                                worst = max(worst, abs(got[i * ldOut + j] - want[i * n + j] - (accumulate ? start[i * ldOut + j] : 0)))
                                scale = max(scale, abs(want[i * n + j]))
                            }
                        }
                        XCTAssertLessThan(worst, 1e-5 * max(scale, 1), "\(m)×\(n)×\(k) \(layout) accumulate=\(accumulate) threads=\(threads)")
                    }
                }
                var strided = [Float](repeating: 7, count: m * (n + 5))
                let refused = !x.withUnsafeBufferPointer {
                    packed.applyBF16($0.baseAddress!, ldX: ldX, rows: m, out: &strided, ldOut: n + 5, accumulate: false, threads: 2)
                }
                XCTAssertTrue(refused && strided.allSatisfy { $0 == 7 }, "a strided output is refused untouched")
                XCTAssertGreaterThanOrEqual(packed.bytes, n * k * 2)
            }
        }
    }
}
