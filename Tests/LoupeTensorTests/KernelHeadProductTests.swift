import XCTest
import Foundation
@testable import LoupeTensor

/// `Kernels.headProduct` (attention's per-head products on oneDNN's sgemm) against a Double loop, on
/// strided head slices as the attention reads them, from several threads at once.
final class KernelHeadProductTests: XCTestCase {
    /// c[i, j] = alpha Σ_p a[i·lda + p] · B(p, j) + beta · c0[i·ldc + j], B(p, j) = b[j·ldb + p] when transB
    /// else b[p·ldb + j]; only the [m, n] block of c is compared, the rest of each row must stay as it was.
    func check(transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int, alpha: Float, beta: Float,
               seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = TestRNG(seed)
        let a = rng.floats(m * lda)
        let b = rng.floats((transB ? n : k) * ldb)
        let c0 = rng.floats(m * ldc)
        var c = c0
        Kernels.headProduct(transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                            beta: beta, c: &c, ldc: ldc)
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<ldc {
                let got = Double(c[i * ldc + j])
                if j >= n {
                    XCTAssertEqual(c[i * ldc + j], c0[i * ldc + j], "column \(j) past n written", file: file, line: line)
                    continue
                }
                var s = 0.0, mag = 0.0
                for p in 0..<k {
                    let bv = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                    s += Double(a[i * lda + p]) * bv
                    mag += abs(Double(a[i * lda + p]) * bv)
                }
                let want = Double(alpha) * s + Double(beta) * Double(c0[i * ldc + j])
                worst = max(worst, abs(got - want) / max(1, abs(Double(alpha)) * mag))
            }
        }
        XCTAssertLessThanOrEqual(worst, 1e-6, "transB \(transB) m \(m) n \(n) k \(k): max |Δ| / Σ|terms| \(worst)",
                                 file: file, line: line)
    }

    func testScoresShapesOnStridedHeads() {
        // q·kᵀ of one head: q and k rows of 3 heads × 64 (stride 192), causal blocks of rows.
        for (m, n) in [(1, 1), (5, 7), (64, 64), (64, 130), (17, 200)] {
            check(transB: true, m: m, n: n, k: 64, lda: 192, ldb: 192, ldc: max(n, 211), alpha: 0.125, beta: 0,
                  seed: UInt64(m * 1000 + n))
        }
    }

    func testPatternTimesValuesShapes() {
        // pattern rows [m, seen] (stride Tk) · v [seen, 64] (stride 192) into z rows (stride 192).
        for (m, k) in [(1, 1), (5, 7), (64, 64), (33, 130), (64, 257)] {
            check(transB: false, m: m, n: 64, k: k, lda: k + 3, ldb: 192, ldc: 192, alpha: 1, beta: 0, seed: UInt64(m + 7 * k))
        }
    }

    func testAlphaBetaAndOddWidths() {
        check(transB: false, m: 9, n: 13, k: 11, lda: 11, ldb: 13, ldc: 13, alpha: -0.5, beta: 1, seed: 3)
        check(transB: true, m: 9, n: 13, k: 11, lda: 12, ldb: 15, ldc: 20, alpha: 2, beta: 0.25, seed: 4)
    }

    func testConcurrentThreadsAgreeWithOneThread() {
        // Each task runs a product of its own shape on whichever pool thread claims it.
        let shapes = (0..<24).map { i in (m: 1 + i * 5 % 64, n: 8 + i * 11 % 120, k: 64) }
        var rng = TestRNG(9)
        let a = rng.floats(64 * 192), b = rng.floats(128 * 192)
        let serial = shapes.map { s -> [Float] in
            var c = [Float](repeating: 0, count: s.m * s.n)
            Kernels.headProduct(transB: true, m: s.m, n: s.n, k: s.k, a: a, lda: 192, b: b, ldb: 192, c: &c, ldc: s.n)
            return c
        }
        let outs = UnsafeMutablePointer<Float>.allocate(capacity: shapes.count * 64 * 128)
        defer { outs.deallocate() }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                let (ab, bb) = (ap.baseAddress!, bp.baseAddress!)
                ParallelFor.run(shapes.count) { i in
                    let s = shapes[i]
                    Kernels.headProduct(transB: true, m: s.m, n: s.n, k: s.k, a: ab, lda: 192, b: bb, ldb: 192,
                                        c: outs + i * 64 * 128, ldc: s.n)
                }
            }
        }
        for (i, s) in shapes.enumerated() {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: outs + i * 64 * 128, count: s.m * s.n)), serial[i], "task \(i)")
        }
    }
}
