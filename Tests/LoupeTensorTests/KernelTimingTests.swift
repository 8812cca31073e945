import XCTest
import Foundation
import LoupeTensor

/// Timing of the hot kernels: prints GB/s, GMAC/s and GFLOP/s; meaningful in release
/// (`swift build -c release --build-tests -Xswiftc -enable-testing && swift test -c release --skip-build
/// -Xswiftc -enable-testing --filter KernelTimingTests`). Each kernel's best of several runs is taken,
/// which is robust to a busy machine. Asserts that the runs produced finite numbers.
final class KernelTimingTests: XCTestCase {
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Random block bytes with a sane f16 scale (~0.0078) at the start of every block (and Q4_1's min after it:
    /// random halves include infinities and NaNs, which the F16C kernels convert as such).
    static func weights(_ dt: DType, _ rows: Int, _ cols: Int) -> UnsafeMutableRawBufferPointer {
        let n = dt.byteCount(elements: rows * cols)!
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 64)
        var s: UInt64 = 12345
        for i in 0..<n { s = s &* 6364136223846793005 &+ 1442695040888963407; p[i] = UInt8(truncatingIfNeeded: s >> 33) }
        if dt.blockSize > 1 {
            for b in 0..<(n / dt.blockBytes) {
                p[b * dt.blockBytes] = 0; p[b * dt.blockBytes + 1] = 0x20
                if dt == .q4_1 { p[b * dt.blockBytes + 2] = 0; p[b * dt.blockBytes + 3] = 0xA0 }   // m = −0.0078
            }
        }
        return p
    }

    /// One SmolLM2-135M token's matvecs: 30 layers of q/k/v/o/gate/up/down in Q4_1 plus the tied
    /// Q8_0 embedding as lm_head [49152, 576], each timed as the best of several calls.
    func testSmolLM2TokenMatvecs() throws {
        #if DEBUG  // unoptimised SIMD is ~1000x slower: small shapes, one run, to keep the suite fast
        let reps = 1, vocab = 64
        #else
        let reps = 30, vocab = 49152
        #endif
        let d = 576, ff = 1536, kv = 192, layers = 30
        let shapes: [(DType, Int, Int, Int)] = [(.q4_1, d, d, 2), (.q4_1, kv, d, 2), (.q4_1, ff, d, 2), (.q4_1, d, ff, 1),
                                                (.q8_0, vocab, d, 0)]   // (dtype, rows, cols, count per layer; 0 = once)
        let scratch = MatVecScratch(maxCols: ff)
        let x = (0..<ff).map { sin(Float($0)) }
        var y = [Float](repeating: 0, count: max(vocab, ff))
        var total = 0.0, bytes = 0.0
        for (dt, rows, cols, perLayer) in shapes {
            let w = Self.weights(dt, rows, cols)
            defer { w.deallocate() }
            var best = Double.infinity
            for _ in 0..<reps {
                let t0 = Self.now()
                try QuantMatVec.matvec(dt, weights: UnsafeRawBufferPointer(w), rows: rows, cols: cols, x: x, y: &y,
                                       scratch: scratch, threads: 2)
                best = min(best, Self.now() - t0)
            }
            let times = perLayer == 0 ? 1.0 : Double(perLayer * layers)
            total += best * times
            bytes += Double(w.count) * times
            print(String(format: "[timing] matvec %@ [%d, %d]: %.3f ms, %.1f GB/s, %.1f GMAC/s", dt.rawValue, rows, cols,
                         best * 1e3, Double(w.count) / best / 1e9, Double(rows * cols) / best / 1e9))
            XCTAssertTrue(y[0..<rows].allSatisfy { $0.isFinite })
        }
        print(String(format: "[timing] SmolLM2 token matvecs: %.2f ms, %.1f GB/s -> %.0f tokens/s upper bound", total * 1e3,
                     bytes / total / 1e9, 1 / total))
    }

    func testSgemmThroughput() {
        #if DEBUG
        let reps = 1
        #else
        let reps = 10
        #endif
        let m = 256, k = 576, n = 1536
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        var best = Double.infinity
        for _ in 0..<reps {
            let t0 = Self.now()
            Kernels.sgemm(transB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &c, ldc: n)
            best = min(best, Self.now() - t0)
        }
        print(String(format: "[timing] sgemm %dx%dx%d: %.2f ms, %.1f GFLOP/s (BLAS threads %d)", m, k, n, best * 1e3,
                     2 * Double(m * n * k) / best / 1e9, Blas.threads))
        XCTAssertEqual(c[0], 0.5 * 0.25 * Float(k))
    }
}
