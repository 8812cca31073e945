import XCTest
import Foundation
@testable import LoupeTensor

/// QuantMatVec against dequantise + naive Double dot.
final class QuantMatVecTests: XCTestCase {
    /// Random valid rows of `dtype`: random bytes with every f16 scale field set to a modest finite value.
    static func randomWeights(_ dtype: DType, rows: Int, cols: Int, seed: UInt64) -> [UInt8] {
        var rng = TestRNG(seed)
        let blocks = rows * cols / dtype.blockSize
        var bytes = (0..<(blocks * dtype.blockBytes)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        func setHalf(_ at: Int, _ v: Float) {
            let h = HalfFloat.f32ToF16(v)
            bytes[at] = UInt8(h & 0xFF); bytes[at + 1] = UInt8(h >> 8)
        }
        switch dtype {
        case .f32:
            for i in 0..<(rows * cols) {
                let b = rng.float().bitPattern
                for k in 0..<4 { bytes[4 * i + k] = UInt8(truncatingIfNeeded: b >> (8 * UInt32(k))) }
            }
        case .f16: for i in 0..<(rows * cols) { setHalf(2 * i, rng.float()) }
        case .bf16:
            for i in 0..<(rows * cols) {
                let b = rng.float().bitPattern >> 16
                bytes[2 * i] = UInt8(b & 0xFF); bytes[2 * i + 1] = UInt8(b >> 8)
            }
        default:
            let halfOffsets: [Int]
            switch dtype {
            case .q8_0, .q4_0, .q5_0: halfOffsets = [0]
            case .q4_1, .q5_1, .q4_K, .q5_K: halfOffsets = [0, 2]
            case .q2_K: halfOffsets = [80, 82]
            case .q3_K: halfOffsets = [108]
            case .q6_K: halfOffsets = [208]
            default: halfOffsets = []
            }
            for b in 0..<blocks { for o in halfOffsets { setHalf(b * dtype.blockBytes + o, rng.float() * 0.05) } }
        }
        return bytes
    }

    func check(_ dtype: DType, rows: Int, cols: Int, threads: Int) throws {
        let bytes = Self.randomWeights(dtype, rows: rows, cols: cols, seed: UInt64(rows * 31 + cols))
        var rng = TestRNG(99)
        let x = rng.floats(cols).map { $0 * 2 }
        var dense = [Float](repeating: 0, count: rows * cols)
        try bytes.withUnsafeBytes { src in
            try dense.withUnsafeMutableBufferPointer { try Dequant.dequantize(dtype, src, count: rows * cols, into: $0.baseAddress!) }
        }
        let scratch = MatVecScratch(maxCols: cols)
        var y = [Float](repeating: .nan, count: rows), y1 = y
        try bytes.withUnsafeBytes { w in
            try QuantMatVec.matvec(dtype, weights: w, rows: rows, cols: cols, x: x, y: &y, scratch: scratch, threads: threads)
            try QuantMatVec.matvec(dtype, weights: w, rows: rows, cols: cols, x: x, y: &y1, scratch: scratch, threads: 1)
        }
        XCTAssertEqual(y.map(\.bitPattern), y1.map(\.bitPattern), "\(dtype): threaded result differs from single-threaded")
        let exactFloat = dtype == .f32 || dtype == .f16 || dtype == .bf16
        let direct = QuantMatVec.hasDirectKernel(dtype) && !exactFloat
        var worst: Double = 0
        for r in 0..<rows {
            var ref: Double = 0, mag: Double = 0, bound: Double = 0
            for c in 0..<cols { let p = Double(dense[r * cols + c]) * Double(x[c]); ref += p; mag += abs(p) }
            if direct {
                // x is rounded to xd/2 = max|x_block|/254 per element: the error can't exceed Σ|w|·xd/2.
                for b in 0..<(cols / 32) {
                    let amax = (0..<32).map { Double(abs(x[b * 32 + $0])) }.max()!
                    bound += (0..<32).map { Double(abs(dense[r * cols + b * 32 + $0])) }.reduce(0, +) * amax / 254
                }
            }
            let err = abs(Double(y[r]) - ref)
            worst = max(worst, err / (mag + 1e-12))
            XCTAssertLessThanOrEqual(err, bound * 1.001 + 1e-5 * mag + 1e-6, "\(dtype) row \(r)")
        }
        print("matvec \(dtype) worst error relative to Σ|w·x|: \(worst)")
    }

    func testEveryDTypeMatchesDequantisedDot() throws {
        for dtype in DType.allCases {
            try check(dtype, rows: 37, cols: 512, threads: 2)
        }
        try check(.q4_1, rows: 4100, cols: 64, threads: 2)   // many chunks
        try check(.f16, rows: 3, cols: 40, threads: 2)       // float tail
    }

    func testRowMapAndAccumulate() throws {
        let rows = 6, cols = 64
        let bytes = Self.randomWeights(.q4_1, rows: rows, cols: cols, seed: 5)
        let x = (0..<cols).map { Float($0 % 7) - 3 }
        let scratch = MatVecScratch(maxCols: cols)
        var plain = [Float](repeating: 0, count: rows)
        var mapped = [Float](repeating: 1, count: rows)
        let map = [5, 4, 3, 2, 1, 0]
        try bytes.withUnsafeBytes { w in
            try QuantMatVec.matvec(.q4_1, weights: w, rows: rows, cols: cols, x: x, y: &plain, scratch: scratch)
            try map.withUnsafeBufferPointer { m in
                try QuantMatVec.matvec(.q4_1, weights: w, rows: rows, cols: cols, x: x, y: &mapped, scratch: scratch,
                                       rowMap: m, accumulate: true)
                let bad = [0, 9]
                try bad.withUnsafeBufferPointer { b in
                    XCTAssertThrowsError(try QuantMatVec.matvec(.q4_1, weights: w, rows: 2, cols: cols, x: x, y: &mapped,
                                                                scratch: scratch, rowMap: b)) {
                        XCTAssertTrue("\($0)".contains("outside the 6 stored rows"), "\($0)")
                    }
                }
            }
        }
        for r in 0..<rows { XCTAssertEqual(mapped[r], 1 + plain[map[r]], accuracy: 1e-5) }
    }

    func testGroupedJobsMatchSingleCalls() throws {
        let cols = 256
        let specs: [(DType, Int)] = [(.q4_1, 40), (.q6_K, 7), (.f16, 13), (.q5_0, 5), (.q8_0, 300)]
        let weights = specs.enumerated().map { Self.randomWeights($0.element.0, rows: $0.element.1, cols: cols, seed: UInt64($0.offset + 1)) }
        var rng = TestRNG(4)
        let x = rng.floats(cols)
        let scratch = MatVecScratch(maxCols: cols)
        var singles = specs.map { [Float](repeating: 0, count: $0.1) }
        for (i, (dt, rows)) in specs.enumerated() {
            try weights[i].withUnsafeBytes { w in
                try QuantMatVec.matvec(dt, weights: w, rows: rows, cols: cols, x: x, y: &singles[i], scratch: scratch)
            }
        }
        let outs = specs.map { UnsafeMutablePointer<Float>.allocate(capacity: $0.1) }
        defer { outs.forEach { $0.deallocate() } }
        let buffers = weights.map { w -> UnsafeMutableRawBufferPointer in
            let p = UnsafeMutableRawBufferPointer.allocate(byteCount: w.count, alignment: 16)
            p.copyBytes(from: w)
            return p
        }
        defer { buffers.forEach { $0.deallocate() } }
        let jobs = specs.enumerated().map { MatVecJob($0.element.0, weights: UnsafeRawBufferPointer(buffers[$0.offset]),
                                                      rows: $0.element.1, y: outs[$0.offset]) }
        try QuantMatVec.matvec(jobs, cols: cols, x: x, scratch: scratch, threads: 2)
        for i in 0..<specs.count {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: outs[i], count: specs[i].1)), singles[i], "\(specs[i].0)")
        }
    }

    func testBadArgumentsThrow() throws {
        let scratch = MatVecScratch(maxCols: 64)
        let w = [UInt8](repeating: 0, count: 40)
        var y = [Float](repeating: 0, count: 2)
        let x = [Float](repeating: 1, count: 128)
        try w.withUnsafeBytes { wb in
            XCTAssertThrowsError(try QuantMatVec.matvec(.q4_1, weights: wb, rows: 2, cols: 48, x: x, y: &y, scratch: scratch))
            XCTAssertThrowsError(try QuantMatVec.matvec(.q4_1, weights: wb, rows: 2, cols: 64, x: x, y: &y, scratch: scratch)) {
                XCTAssertTrue("\($0)".contains("needs 80"), "\($0)")
            }
            XCTAssertThrowsError(try QuantMatVec.matvec(.q8_0, weights: wb, rows: 1, cols: 128, x: x, y: &y, scratch: scratch))
        }
    }
}
