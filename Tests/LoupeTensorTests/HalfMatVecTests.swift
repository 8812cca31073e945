import XCTest
@testable import LoupeTensor

/// CKernels' one-position product on a half-precision [k, n] matrix (`HalfMatVec`) against its twin, a Double
/// loop over the widened weights: every width around the kernel's 16- and 64-column steps, odd and even row
/// counts, rows further apart than n, row ranges that start inside the matrix, and infinite weights.
final class HalfMatVecTests: XCTestCase {
    override func setUp() { HalfMatVec.isActive = true }
    override func tearDown() { HalfMatVec.isActive = true }

    /// Σ_{i in rows} x[i]·W[i, c] in Double, the weights widened by the Swift decoders.
    static func naive(_ w: [UInt16], ldw: Int, dtype: DType, rows: Range<Int>, n: Int, x: [Float]) -> [Double] {
        (0..<n).map { c in
            rows.reduce(0.0) { s, i in
                let bits = w[i * ldw + c]
                let v = dtype == .bf16 ? HalfFloat.bf16ToF32(bits) : HalfFloat.f16ToF32(bits)
                return s + Double(x[i]) * Double(v)
            }
        }
    }

    /// (kernel's acc, twin, Σ|x·w| per column for the tolerance); acc has a guard element past n.
    static func run(_ w: [UInt16], ldw: Int, dtype: DType, rows: Range<Int>, n: Int, x: [Float])
        -> (acc: [Float], twin: [Double], magnitude: [Double])? {
        var acc = [Float](repeating: .nan, count: n + 1)
        acc[n] = 12345
        let ok = w.withUnsafeBufferPointer { wp in
            HalfMatVec.rows(wp.baseAddress!, ldw: ldw, dtype: dtype, rows: rows, n: n, x: x, acc: &acc)
        }
        guard ok else { return nil }
        XCTAssertEqual(acc[n], 12345, "wrote past n = \(n)")
        let absW = w.map { dtype == .bf16 ? HalfFloat.bf16ToF32($0 & 0x7FFF) : HalfFloat.f16ToF32($0 & 0x7FFF) }
        let mag = (0..<n).map { c in rows.reduce(0.0) { $0 + Double(abs(x[$1])) * Double(absW[$1 * ldw + c]) } }
        return (Array(acc[0..<n]), naive(w, ldw: ldw, dtype: dtype, rows: rows, n: n, x: x), mag)
    }

    func testRandomMatricesMatchTwin() throws {
        try XCTSkipUnless(HalfMatVec.isActive, "no AVX-512/F16C: WeightMatrix keeps its column split")
        var rng = Xoshiro256(seed: 41)
        func gauss() -> Float { Float.random(in: -1...1, using: &rng) + Float.random(in: -1...1, using: &rng) }
        var cases = 0
        for dtype in [DType.bf16, .f16] {
            for n in [1, 5, 15, 16, 17, 31, 63, 64, 65, 80, 127, 130, 257] {
                for k in [1, 2, 3, 8, 33, 128] {
                    let ldw = n + (n % 3 == 0 ? 7 : 0)                      // some rows further apart than n
                    let w: [UInt16] = (0..<(k * ldw)).map { _ in
                        let v = gauss() * 0.5
                        return dtype == .bf16 ? UInt16(v.bitPattern >> 16) : HalfFloat.f32ToF16(v)
                    }
                    let x = (0..<k).map { _ in gauss() }
                    for rows in [0..<k, (k / 3)..<k, 0..<(k / 2)] {
                        let r = try XCTUnwrap(Self.run(w, ldw: ldw, dtype: dtype, rows: rows, n: n, x: x))
                        for c in 0..<n {
                            let tol = 1e-6 * max(r.magnitude[c], 1e-30) * Double(max(rows.count, 1))
                            XCTAssertLessThanOrEqual(abs(Double(r.acc[c]) - r.twin[c]), tol,
                                                     "\(dtype) n \(n) k \(k) rows \(rows) column \(c)")
                        }
                        cases += 1
                    }
                }
            }
        }
        XCTAssertEqual(cases, 2 * 13 * 6 * 3)
    }

    /// An empty range writes zeros; infinite weights give ±inf (never a NaN from a padded lane or a
    /// missing partner row) on odd and even row counts.
    func testEmptyRangeAndInfinities() throws {
        try XCTSkipUnless(HalfMatVec.isActive, "no AVX-512/F16C")
        let n = 20
        for dtype in [DType.bf16, .f16] {
            let one: UInt16 = dtype == .bf16 ? 0x3F80 : 0x3C00
            let inf: UInt16 = dtype == .bf16 ? 0x7F80 : 0x7C00
            for k in [1, 2, 3] {
                var w = [UInt16](repeating: one, count: k * n)
                w[(k - 1) * n + 3] = inf                                      // the last row's column 3
                let x = [Float](repeating: 2, count: k)
                let r = try XCTUnwrap(Self.run(w, ldw: n, dtype: dtype, rows: 0..<k, n: n, x: x))
                XCTAssertEqual(r.acc[3], .infinity, "\(dtype) k \(k)")
                XCTAssertEqual(r.acc[4], Float(2 * k), "\(dtype) k \(k)")
                let e = try XCTUnwrap(Self.run(w, ldw: n, dtype: dtype, rows: 1..<1, n: n, x: x))
                XCTAssertEqual(e.acc, [Float](repeating: 0, count: n))
            }
        }
    }

    func testRefusesOtherTypesAndWhenSwitchedOff() {
        let w = [UInt16](repeating: 0, count: 16), x = [Float](repeating: 1, count: 1)
        var acc = [Float](repeating: 7, count: 16)
        XCTAssertFalse(HalfMatVec.rows(w, ldw: 16, dtype: .f32, rows: 0..<1, n: 16, x: x, acc: &acc))
        HalfMatVec.isActive = false
        XCTAssertFalse(HalfMatVec.rows(w, ldw: 16, dtype: .bf16, rows: 0..<1, n: 16, x: x, acc: &acc))
        XCTAssertEqual(acc, [Float](repeating: 7, count: 16))
    }
}
