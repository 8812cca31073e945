import XCTest
@testable import LoupeTensor

/// `Quantize` (the conversion targets of `load(dtype=...)`) against gguf-py's `gguf.quants.quantize`.
final class QuantizeTests: XCTestCase {
    func testEncodeBitExactWithGGUFPy() throws {
        for dtype in [DType.f16, .bf16, .q8_0] {
            let x = try Fixtures.floats("quant/encode_\(dtype.rawValue).src.f32")
            let expected = [UInt8](try Fixtures.data("quant/encode_\(dtype.rawValue).bin"))
            XCTAssertEqual(expected.count, dtype.byteCount(elements: x.count))
            var got = [UInt8](repeating: 0xAA, count: expected.count)
            try x.withUnsafeBufferPointer { src in
                try got.withUnsafeMutableBytes { try Quantize.encode(dtype, src.baseAddress!, count: x.count, into: $0.baseAddress!) }
            }
            let differing = zip(got, expected).filter { $0 != $1 }.count
            // Round trip: the error of storing x as dtype (what load(dtype=) costs), finite values only.
            var back = [Float](repeating: 0, count: x.count)
            try got.withUnsafeBytes { src in
                try back.withUnsafeMutableBufferPointer { try Dequant.dequantize(dtype, src, count: x.count, into: $0.baseAddress!) }
            }
            let err = zip(x, back).dropFirst(32).filter { $0.0.isFinite && $0.1.isFinite && abs($0.0) < 100 }.map { abs($0.0 - $0.1) }.max() ?? 0
            print("quantize \(dtype): \(differing) of \(expected.count) bytes differ from gguf-py; round-trip max |Δ| \(err) (past the block of specials)")
            XCTAssertEqual(differing, 0, "\(dtype)")
        }
    }

    /// With max |x| = 127 the scale is 1, so ties round away from zero as roundf does (and 0.49999997 down).
    func testQ8_0RoundsHalfAwayFromZero() throws {
        var x = [Float](repeating: 0, count: 32)
        x[0] = 127; x[1] = 2.5; x[2] = -2.5; x[3] = 0.5; x[4] = -0.5; x[5] = 0.49999997; x[6] = 126.5; x[7] = -1.4999999
        var out = [UInt8](repeating: 0, count: 34)
        try x.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBytes { try Quantize.encode(.q8_0, src.baseAddress!, count: 32, into: $0.baseAddress!) }
        }
        XCTAssertEqual(out[2..<10].map { Int8(bitPattern: $0) }, [127, 3, -3, 1, -1, 0, 127, -1])
        XCTAssertEqual(HalfFloat.f16ToF32(UInt16(out[0]) | UInt16(out[1]) << 8), 1)
    }

    /// The AVX-512 Q8_0 quantiser against the Swift one, byte for byte: blocks of every magnitude (scales
    /// that are f16 subnormals or overflow f16, tiny blocks whose 1/d overflows), exact halves, zeros, and
    /// blocks with NaN or ±∞ between ordinary ones (left to the Swift code by the kernel).
    func testQ8_0KernelMatchesSwiftBytes() throws {
        guard Quantize.useKernel else { throw XCTSkip("no AVX-512 quantiser on this CPU") }
        var g: UInt64 = 7
        func next() -> Float {
            g = g &* 6364136223846793005 &+ 1442695040888963407
            return Float(g >> 40) / Float(1 << 24) - 0.5
        }
        let blocks = 400
        var x = [Float](repeating: 0, count: 32 * blocks)
        for b in 0..<blocks {
            let scale = Float(pow(10.0, Double(b % 80) - 40))                  // 1e-40 … 1e39
            for j in 0..<32 { x[32 * b + j] = next() * scale }
        }
        for j in 0..<32 { x[32 * 7 + j] = Float(j) - 15.5 }                      // halves: d = 1 with max 127
        x[32 * 7] = 127
        for j in 0..<32 { x[32 * 8 + j] = 0 }
        x[32 * 9 + 3] = .nan; x[32 * 10 + 0] = .infinity; x[32 * 11 + 31] = -.infinity
        x[32 * 12 + 5] = 1e-38; x[32 * 13 + 1] = Float.leastNonzeroMagnitude
        var fast = [UInt8](repeating: 0xAA, count: 34 * blocks), slow = fast
        defer { Quantize.useKernel = true }
        for (kernel, out) in [(true, 0), (false, 1)] {
            Quantize.useKernel = kernel
            try x.withUnsafeBufferPointer { src in
                if out == 0 {
                    try fast.withUnsafeMutableBytes { try Quantize.encode(.q8_0, src.baseAddress!, count: x.count, into: $0.baseAddress!) }
                } else {
                    try slow.withUnsafeMutableBytes { try Quantize.encode(.q8_0, src.baseAddress!, count: x.count, into: $0.baseAddress!) }
                }
            }
        }
        let differing = (0..<blocks).filter { fast[(34 * $0)..<(34 * $0 + 34)] != slow[(34 * $0)..<(34 * $0 + 34)] }
        XCTAssertEqual(differing, [], "blocks whose bytes differ")
        XCTAssertEqual(Array(fast[(34 * 7 + 2)..<(34 * 7 + 6)]).map { Int8(bitPattern: $0) }, [127, -15, -14, -13])
    }

    func testBF16RoundsToNearestEven() {
        XCTAssertEqual(Quantize.f32ToBF16(1.0), 0x3F80)
        XCTAssertEqual(Quantize.f32ToBF16(Float(bitPattern: 0x3F80_8000)), 0x3F80)   // tie, even stays
        XCTAssertEqual(Quantize.f32ToBF16(Float(bitPattern: 0x3F81_8000)), 0x3F82)   // tie, odd rounds up
        XCTAssertEqual(Quantize.f32ToBF16(Float(bitPattern: 0x3F80_8001)), 0x3F81)
        XCTAssertEqual(Quantize.f32ToBF16(.nan) & 0x7FC0, 0x7FC0)
    }

    func testRejectsOtherTargetsAndPartialBlocks() {
        func encode(_ dtype: DType, _ count: Int) throws {
            let x = [Float](repeating: 1, count: 256)
            var out = [UInt8](repeating: 0, count: 1024)
            try x.withUnsafeBufferPointer { src in
                try out.withUnsafeMutableBytes { try Quantize.encode(dtype, src.baseAddress!, count: count, into: $0.baseAddress!) }
            }
        }
        XCTAssertThrowsError(try encode(.q4_K, 256))
        XCTAssertThrowsError(try encode(.q8_0, 40))
        XCTAssertNoThrow(try encode(.q8_0, 32))
    }
}
