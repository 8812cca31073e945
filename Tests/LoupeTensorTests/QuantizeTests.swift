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
