import XCTest
@testable import LoupeTensor

/// oneDNN's bf16 products (`BF16Products`) against their naive-loop twin, and the activation rounding
/// against round-to-nearest-even done by hand.
final class BF16ProductsTests: XCTestCase {
    func bf16(_ f: Float) -> UInt16 {
        let u = f.bitPattern
        return UInt16((u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
    }

    func randomFloats(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var g = seed
        return (0..<n).map { _ in
            g = g &* 6364136223846793005 &+ 1442695040888963407
            return (Float(g >> 40) / Float(1 << 24) - 0.5) * scale
        }
    }

    /// Largest |got − (want + start when accumulating)| over the n columns of each row; the columns n..<ldc
    /// must still hold `start` exactly.
    func worstDifference(_ got: [Float], want: [Float], start: [Float], m: Int, n: Int, ldc: Int, accumulate: Bool,
                         _ label: String) -> Float {
        var worst: Float = 0
        for i in 0..<m {
            for j in 0..<ldc {
                let e = j < n ? want[i * ldc + j] + (accumulate ? start[i * ldc + j] : 0) : start[i * ldc + j]
                if j >= n {
                    XCTAssertEqual(got[i * ldc + j], e, "\(label): padding of row \(i) untouched")
                } else {
                    worst = max(worst, abs(got[i * ldc + j] - e))
                }
            }
        }
        return worst
    }

    func testRoundingIsNearestEven() {
        // Odd k (a masked tail), a padded destination, ties both ways, infinities and NaN.
        var x = randomFloats(37, seed: 1)
        x[3] = Float(bitPattern: 0x3F80_8000)   // tie, even below: rounds down
        x[4] = Float(bitPattern: 0x3F81_8000)   // tie, odd below: rounds up
        x[5] = .infinity; x[6] = -.infinity; x[7] = .nan
        var dst = [UInt16](repeating: 0xFFFF, count: 2 * 40)
        x.withUnsafeBufferPointer { xp in
            dst.withUnsafeMutableBufferPointer { BF16Products.round(xp.baseAddress!, ldx: 0, rows: 2, k: 37, into: $0.baseAddress!, ldd: 40) }
        }
        for row in 0..<2 {
            for j in 0..<37 where j != 7 { XCTAssertEqual(dst[row * 40 + j], bf16(x[j]), "element \(j)") }
            XCTAssertTrue(BF16Products.widen(dst[row * 40 + 7]).isNaN)
            XCTAssertEqual(Array(dst[(row * 40 + 37)..<(row * 40 + 40)]), [0, 0, 0], "padding zeroed")
        }
        XCTAssertEqual(dst[3], 0x3F80)
        XCTAssertEqual(dst[4], 0x3F82)
    }

    func testProductMatchesNaiveLoop() throws {
        // Shapes with tails everywhere (k not a multiple of 32, n and m odd), both weight layouts,
        // overwrite and accumulate, strided output.
        for (m, n, k) in [(1, 7, 5), (3, 37, 70), (17, 65, 96), (40, 33, 130)] {
            for inOut in [false, true] {
                let a = randomFloats(m * k, seed: 2).map(bf16)                       // [m, k]
                let w = randomFloats(n * k, seed: 3, scale: 0.2).map(bf16)           // [n, k] or [k, n]
                let ldc = n + 3
                var got = randomFloats(m * ldc, seed: 4)
                let start = got
                var want = [Float](repeating: 0, count: m * ldc)
                for accumulate in [false, true] {
                    got = start
                    try a.withUnsafeBufferPointer { ap in
                        try w.withUnsafeBufferPointer { wp in
                            try got.withUnsafeMutableBufferPointer { cp in
                                try BF16Products.gemm(a: ap.baseAddress!, lda: k, m: m, w: wp.baseAddress!, ldw: inOut ? n : k,
                                                      n: n, k: k, c: cp.baseAddress!, ldc: ldc, accumulate: accumulate,
                                                      threads: 2, weightsInOut: inOut)
                            }
                            want.withUnsafeMutableBufferPointer { cp in
                                BF16Products.naive(a: ap.baseAddress!, lda: k, m: m, w: wp.baseAddress!, ldw: inOut ? n : k,
                                                   n: n, k: k, c: cp.baseAddress!, ldc: ldc, weightsInOut: inOut)
                            }
                        }
                    }
                    let worst = worstDifference(got, want: want, start: start, m: m, n: n, ldc: ldc, accumulate: accumulate,
                                                "\(m)×\(n)×\(k) inOut=\(inOut)")
                    // f32 sums of k products of size ≤ 0.1: rounding order only.
                    XCTAssertLessThan(worst, 1e-5 * Float(k), "\(m)×\(n)×\(k) inOut=\(inOut) accumulate=\(accumulate)")
                }
            }
        }
    }

    /// The product against the naive loop at shapes that take the column split (n ≥ 128: blocks of output
    /// columns on the pool's threads, each written through a dense block in C) and, at m·width > 2²⁰
    /// floats, several dense blocks per column block; both layouts, overwrite and accumulate, strided rows.
    func testSplitProductsMatchNaiveLoop() throws {
        guard BF16Products.isAvailable else { throw XCTSkip("no AVX512_BF16") }
        for (m, n, k, threads) in [(5, 200, 24, 3), (520, 4200, 16, 2), (2, 130, 33, 2)] {
            for inOut in [false, true] {
                let a = randomFloats(m * k, seed: 5).map(bf16)                        // [m, k]
                let w = randomFloats(n * k, seed: 6, scale: 0.2).map(bf16)            // [n, k] or [k, n]
                let ldc = n + 5
                let start = randomFloats(m * ldc, seed: 7)
                var want = [Float](repeating: 0, count: m * ldc)
                a.withUnsafeBufferPointer { ap in
                    w.withUnsafeBufferPointer { wp in
                        want.withUnsafeMutableBufferPointer { cp in
                            BF16Products.naive(a: ap.baseAddress!, lda: k, m: m, w: wp.baseAddress!, ldw: inOut ? n : k,
                                               n: n, k: k, c: cp.baseAddress!, ldc: ldc, weightsInOut: inOut)
                        }
                    }
                }
                for accumulate in [false, true] {
                    var got = start
                    try a.withUnsafeBufferPointer { ap in
                        try w.withUnsafeBufferPointer { wp in
                            try got.withUnsafeMutableBufferPointer { cp in
                                try BF16Products.gemm(a: ap.baseAddress!, lda: k, m: m, w: wp.baseAddress!, ldw: inOut ? n : k,
                                                      n: n, k: k, c: cp.baseAddress!, ldc: ldc, accumulate: accumulate,
                                                      threads: threads, weightsInOut: inOut)
                            }
                        }
                    }
                    let worst = worstDifference(got, want: want, start: start, m: m, n: n, ldc: ldc, accumulate: accumulate,
                                                "\(m)×\(n)×\(k) threads=\(threads) inOut=\(inOut)")
                    XCTAssertLessThan(worst, 1e-5 * Float(k), "\(m)×\(n)×\(k) threads=\(threads) inOut=\(inOut) accumulate=\(accumulate)")
                }
            }
        }
    }

    /// Each kernel (oneDNN, the dot tiles, the broadcast tiles of bf16_few_rows.c, the [k, n] tiles of
    /// bf16_kn_tiles.c on weights stored [k, n], oneDNN on both layouts) against the naive loop, with
    /// every kind of tail: rows not a multiple of a tile's 16 or 8, weight rows not a multiple of 3, 12 or 16,
    /// k odd (dot tiles), not a multiple of 32, and longer than a broadcast pass (16384); strided a and c,
    /// overwrite and accumulate, one and two threads.
    func testFewRowKernelsMatchNaiveLoop() throws {
        guard BF16Products.isAvailable else { throw XCTSkip("no AVX512_BF16") }
        let shapes: [(m: Int, n: Int, k: Int)] = [(1, 7, 5), (2, 131, 64), (4, 29, 33), (5, 200, 96), (8, 13, 4096),
                                                  (15, 25, 62), (16, 140, 130), (17, 37, 2), (31, 12, 256),
                                                  (32, 300, 512), (33, 9, 70), (40, 26, 98), (41, 13, 66), (48, 50, 34), (3, 5, 16450), (20, 14, 16448)]
        var checked = 0
        for (m, n, k) in shapes {
            for kernel in BF16Products.Kernel.allCases {
                if kernel == .broadcastTiles && (m > 48 || k % 2 != 0) { continue }
                // The [k, n] tiles (and oneDNN once more) on weights stored [k, n] with rows n + 2 apart.
                for inOut in kernel == .inOutTiles ? [true] : kernel == .oneDNN ? [false, true] : [false] {
                    let lda = k + 3, ldc = n + 5, ldw = inOut ? n + 2 : k
                    let a = randomFloats(m * lda, seed: UInt64(8 + m), scale: 2).map(bf16)      // [m, lda]
                    let w = randomFloats(inOut ? k * ldw : n * k, seed: UInt64(9 + n), scale: 0.2).map(bf16) // [n, k] or [k, ldw]
                    let start = randomFloats(m * ldc, seed: 10)
                    var want = [Float](repeating: 0, count: m * ldc)
                    a.withUnsafeBufferPointer { ap in
                        w.withUnsafeBufferPointer { wp in
                            want.withUnsafeMutableBufferPointer { cp in
                                BF16Products.naive(a: ap.baseAddress!, lda: lda, m: m, w: wp.baseAddress!, ldw: ldw, n: n, k: k,
                                                   c: cp.baseAddress!, ldc: ldc, weightsInOut: inOut)
                            }
                        }
                    }
                    for (accumulate, threads) in [(false, 1), (true, 2)] {
                        var got = start
                        try a.withUnsafeBufferPointer { ap in
                            try w.withUnsafeBufferPointer { wp in
                                try got.withUnsafeMutableBufferPointer { cp in
                                    // The second run of the broadcast tiles takes its pairs prepared by the caller.
                                    let pairs = kernel == .broadcastTiles && accumulate
                                        ? try BF16Products.Pairs(a: ap.baseAddress!, lda: lda, m: m, k: k) : nil
                                    try BF16Products.gemm(a: ap.baseAddress!, lda: lda, m: m, w: wp.baseAddress!, ldw: ldw, n: n, k: k,
                                                          c: cp.baseAddress!, ldc: ldc, accumulate: accumulate, threads: threads,
                                                          weightsInOut: inOut, using: kernel, pairs: pairs)
                                }
                            }
                        }
                        let worst = worstDifference(got, want: want, start: start, m: m, n: n, ldc: ldc, accumulate: accumulate,
                                                    "\(kernel) \(m)×\(n)×\(k)")
                        XCTAssertLessThan(worst, 2e-6 * Float(k) + 1e-5,
                                          "\(kernel) \(m)×\(n)×\(k) inOut=\(inOut) accumulate=\(accumulate) threads=\(threads)")
                        checked += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 70)
        // The choice: oneDNN above 40 rows (on [k, n] weights above 12); the tiles below (dot tiles up to 4 rows, or to
        // 28 on Zen 4).
        defer { BF16Products.dotRowsMax = -1 }
        XCTAssertTrue([4, 28].contains(BF16Products.dotRowsMax), "\(BF16Products.dotRowsMax)")
        BF16Products.dotRowsMax = 28
        XCTAssertEqual(BF16Products.kernel(m: 28, k: 4096, weightsInOut: false), .dotTiles)
        XCTAssertEqual(BF16Products.kernel(m: 29, k: 4096, weightsInOut: false), .broadcastTiles)
        BF16Products.dotRowsMax = 4
        XCTAssertEqual(BF16Products.kernel(m: 4, k: 4096, weightsInOut: false), .dotTiles)
        XCTAssertEqual(BF16Products.kernel(m: 5, k: 4096, weightsInOut: false), .broadcastTiles)
        XCTAssertEqual(BF16Products.kernel(m: 1, k: 4096, weightsInOut: false), .dotTiles)
        XCTAssertEqual(BF16Products.kernel(m: 32, k: 4096, weightsInOut: false), .broadcastTiles)
        XCTAssertEqual(BF16Products.kernel(m: 32, k: 4095, weightsInOut: false), .dotTiles)
        XCTAssertEqual(BF16Products.kernel(m: 40, k: 4096, weightsInOut: false), .broadcastTiles)
        XCTAssertEqual(BF16Products.kernel(m: 41, k: 4096, weightsInOut: false), .oneDNN)
        XCTAssertEqual(BF16Products.kernel(m: 8, k: 4096, weightsInOut: true), .inOutTiles)
        XCTAssertEqual(BF16Products.kernel(m: 12, k: 4095, weightsInOut: true), .inOutTiles)
        XCTAssertEqual(BF16Products.kernel(m: 13, k: 4096, weightsInOut: true), .oneDNN)
        var out: [Float] = [0]
        XCTAssertThrowsError(try out.withUnsafeMutableBufferPointer {
            try BF16Products.gemm(a: [0, 0], lda: 1, m: 1, w: [0, 0], ldw: 1, n: 1, k: 1, c: $0.baseAddress!, ldc: 1,
                                  accumulate: false, threads: 1, using: .broadcastTiles)
        }, "odd k is refused by the broadcast tiles")
        let a = [UInt16](repeating: 0x3F80, count: 8 * 64), w = [UInt16](repeating: 0x3F80, count: 3 * 64)
        var c = [Float](repeating: 0, count: 8 * 3)
        let other = try BF16Products.Pairs(a: a, lda: 64, m: 7, k: 64)
        XCTAssertThrowsError(try c.withUnsafeMutableBufferPointer {
            try BF16Products.gemm(a: a, lda: 64, m: 8, w: w, ldw: 64, n: 3, k: 64, c: $0.baseAddress!, ldc: 3,
                                  accumulate: false, threads: 1, using: .broadcastTiles, pairs: other)
        }, "pairs of other rows are refused")
        XCTAssertThrowsError(try BF16Products.Pairs(a: a, lda: 64, m: 49, k: 64))
    }

    func testColumnBlocksCoverEveryColumnOnce() {
        for (n, threads) in [(1, 2), (127, 2), (128, 2), (200, 3), (511, 2), (512, 2), (4096, 2), (14336, 2), (128256, 2),
                             (1000, 7)] {
            let (width, count) = BF16Products.columnBlocks(n: n, threads: threads)
            XCTAssertLessThanOrEqual(count, 2 * threads, "n=\(n)")
            if count > threads { XCTAssertGreaterThanOrEqual(width, 128, "n=\(n): two blocks a thread only when wide") }
            XCTAssertGreaterThanOrEqual(width * count, n, "n=\(n)")
            XCTAssertLessThan(width * (count - 1), n, "n=\(n): no empty block")
            if count > 1 { XCTAssertEqual(width % 64, 0, "n=\(n)") }
        }
        XCTAssertEqual(BF16Products.columnBlocks(n: 4096, threads: 2).width, 1024)
        XCTAssertEqual(BF16Products.columnBlocks(n: 511, threads: 2).count, 2)
        XCTAssertEqual(BF16Products.columnBlocks(n: 100, threads: 2).count, 1)
    }
}
