import CKernels
import XCTest
@testable import LoupeTensor

/// The Q4_0/Q4_1/Q8_0/Q4_K/Q6_K row kernels (AVX-512 VNNI in quant_dot.c, and the Swift fallback) against a naive
/// Double loop over the dequantised weights and the dequantised quantised x (the rounding both share).
final class QuantDotVNNITests: XCTestCase {
    static let types: [DType] = [.q4_0, .q4_1, .q8_0, .q4_K, .q6_K]

    /// Random rows, then extreme rows: every weight byte 0x80 or 0xFF (Q8_0: −128 / −1; K-quants: the largest
    /// quants, scales and mins) with a large block scale.
    static func weights(_ dtype: DType, rows: Int, cols: Int) -> [UInt8] {
        var bytes = QuantMatVecTests.randomWeights(dtype, rows: rows, cols: cols, seed: UInt64(cols + 7))
        let rb = dtype.byteCount(elements: cols)!, bb = dtype.blockBytes
        for (r, fill) in [(rows - 2, UInt8(0x80)), (rows - 1, UInt8(0xFF))] {
            for i in (r * rb)..<((r + 1) * rb) { bytes[i] = fill }
            let halfOffsets: [Int] = dtype == .q8_0 || dtype == .q4_0 ? [0] : dtype == .q4_K || dtype == .q4_1 ? [0, 2] : [208]
            for b in 0..<(rb / bb) {
                for o in halfOffsets {
                    let h = HalfFloat.f32ToF16(o == 2 ? 100 : 3000)
                    bytes[r * rb + b * bb + o] = UInt8(h & 0xFF); bytes[r * rb + b * bb + o + 1] = UInt8(h >> 8)
                }
            }
        }
        return bytes
    }

    /// x with a block of zeros, a block holding one huge value among tiny ones, and ±max elsewhere.
    static func input(_ cols: Int) -> [Float] {
        var rng = TestRNG(5)
        var x = rng.floats(cols).map { $0 * 3 }
        for e in 0..<32 { x[e] = 0; x[32 + e] = 1e-4 * Float(e) }
        x[40] = -2e4
        for e in 64..<96 { x[e] = e % 2 == 0 ? 50 : -50 }
        return x
    }

    /// Naive Σ w·x̂ where x̂ = xq·xd; Q4_K and Q4_1 mins multiply the exact Σx per block (as the kernels do).
    /// Returns (value, Σ|terms|) per row.
    static func reference(_ dtype: DType, _ bytes: [UInt8], rows: Int, cols: Int, x: [Float], xq: [Float]) throws -> [(Double, Double)] {
        var dense = [Float](repeating: 0, count: rows * cols)
        try bytes.withUnsafeBytes { src in
            try dense.withUnsafeMutableBufferPointer { try Dequant.dequantize(dtype, src, count: rows * cols, into: $0.baseAddress!) }
        }
        let rb = dtype.byteCount(elements: cols)!
        return (0..<rows).map { r in
            var ref: Double = 0, mag: Double = 0
            for c in 0..<cols { let p = Double(dense[r * cols + c]) * Double(xq[c]); ref += p; mag += abs(p) }
            if dtype == .q4_K {
                for sb in 0..<(cols / 256) {
                    let blk = r * rb + sb * 144
                    let dmin = Double(HalfFloat.f16ToF32(UInt16(bytes[blk + 2]) | UInt16(bytes[blk + 3]) << 8))
                    bytes.withUnsafeBufferPointer { p in
                        for j in 0..<8 {
                            let mn = dmin * Double(Dequant.scaleMinK4(p.baseAddress! + blk + 4, j).mn)
                            var sx: Double = 0, sq: Double = 0
                            for e in 0..<32 { sx += Double(x[sb * 256 + 32 * j + e]); sq += Double(xq[sb * 256 + 32 * j + e]) }
                            ref += mn * (sq - sx)   // w = … − mn: swap the quantised Σx for the exact one
                            mag += abs(mn * sx)
                        }
                    }
                }
            }
            if dtype == .q4_1 {
                for b in 0..<(cols / 32) {
                    let blk = r * rb + b * 20
                    let m = Double(HalfFloat.f16ToF32(UInt16(bytes[blk + 2]) | UInt16(bytes[blk + 3]) << 8))
                    var sx: Double = 0, sq: Double = 0
                    for e in 0..<32 { sx += Double(x[b * 32 + e]); sq += Double(xq[b * 32 + e]) }
                    ref += m * (sx - sq)   // w = d·q + m: the kernels take m·Σx with the exact Σx
                    mag += abs(m * sx)
                }
            }
            return (ref, mag)
        }
    }

    func run(_ dtype: DType, _ bytes: [UInt8], rows: Int, cols: Int, x: [Float], vnni: Bool) throws -> [Float] {
        loupe_set_quant_dot(vnni ? 1 : 0)
        defer { loupe_set_quant_dot(1) }
        let scratch = MatVecScratch(maxCols: cols)
        var y = [Float](repeating: .nan, count: rows)
        try bytes.withUnsafeBytes { w in
            try QuantMatVec.matvec(dtype, weights: w, rows: rows, cols: cols, x: x, y: &y, scratch: scratch, threads: 2)
        }
        return y
    }

    func testKernelsMatchNaiveLoop() throws {
        let hasVNNI = QuantMatVec.vnniActive
        let rows = 19
        // 25 blocks also cover the kernels' tails after steps of 4 blocks; 576 is SmolLM2's width (18 blocks).
        for (dtype, cols) in [(DType.q8_0, 800), (.q8_0, 768), (.q4_K, 768), (.q6_K, 768),
                              (.q4_1, 800), (.q4_1, 576), (.q4_1, 128), (.q4_0, 800), (.q4_0, 96)] {
            let x = Self.input(cols)
            // x̂: the scratch's rounding (identical for the byte and pair layouts).
            let scratch = MatVecScratch(maxCols: cols)
            x.withUnsafeBufferPointer { scratch.quantize($0.baseAddress!, cols: cols, layout: .bytes) }
            let xq = (0..<cols).map { Float(scratch.xBytes[$0]) * scratch.xd[$0 / 32] }
            let bytes = Self.weights(dtype, rows: rows, cols: cols)
            let ref = try Self.reference(dtype, bytes, rows: rows, cols: cols, x: x, xq: xq)
            for vnni in hasVNNI ? [true, false] : [false] {
                let y = try run(dtype, bytes, rows: rows, cols: cols, x: x, vnni: vnni)
                var worst: Double = 0
                for r in 0..<rows {
                    let err = abs(Double(y[r]) - ref[r].0)
                    worst = max(worst, err / ref[r].1)
                    XCTAssertLessThanOrEqual(err, 1e-5 * ref[r].1, "\(dtype) \(vnni ? "VNNI" : "Swift") row \(r): \(y[r]) vs \(ref[r].0)")
                }
                print("row dot \(dtype) x\(cols) \(vnni ? "VNNI" : "Swift"): worst |Δ| / Σ|w·x| = \(worst)")
            }
        }
        if !hasVNNI { print("row dot: CPU lacks AVX-512 VNNI, only the Swift kernels were checked") }
    }
}
