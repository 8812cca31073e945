import XCTest
@testable import LoupeTensor

final class DequantTests: XCTestCase {
    func manifest() throws -> [String: Int] {
        let d = try Fixtures.data("quant/manifest.json")
        return try JSONDecoder().decode([String: Int].self, from: d)
    }

    func testEveryDTypeBitExactWithGGUFPy() throws {
        let m = try manifest()
        XCTAssertEqual(Set(m.keys), Set(DType.allCases.map(\.rawValue)), "fixtures cover every dtype")
        for dtype in DType.allCases {
            let count = try XCTUnwrap(m[dtype.rawValue])
            let bytes = try Fixtures.data("quant/\(dtype.rawValue).bin")
            let expected = try Fixtures.floats("quant/\(dtype.rawValue).f32")
            XCTAssertEqual(expected.count, count)
            XCTAssertEqual(bytes.count, dtype.byteCount(elements: count))
            var out = [Float](repeating: .nan, count: count)
            try bytes.withUnsafeBytes { src in
                try out.withUnsafeMutableBufferPointer { try Dequant.dequantize(dtype, src, count: count, into: $0.baseAddress!) }
            }
            let maxDelta = zip(out, expected).filter { $0.1.isFinite }.map { abs($0.0 - $0.1) }.max() ?? 0
            print("dequantize \(dtype): max |Δ| vs gguf-py \(maxDelta) over \(count) values")
            var mismatches = 0
            for i in 0..<count where out[i].bitPattern != expected[i].bitPattern {
                if mismatches < 3 { XCTFail("\(dtype)[\(i)]: got \(out[i]) expected \(expected[i])") }
                mismatches += 1
            }
            XCTAssertEqual(mismatches, 0, "\(dtype): \(mismatches) of \(count) differ")
        }
    }

    func testRowsMatchWhole() throws {
        let bytes = try Fixtures.data("quant/Q4_K.bin")
        let expected = try Fixtures.floats("quant/Q4_K.f32")
        var out = [Float](repeating: 0, count: 768)
        try bytes.withUnsafeBytes { src in
            try out.withUnsafeMutableBufferPointer {
                try Dequant.dequantizeRows(.q4_K, src, rowLength: 256, rows: 3, into: $0.baseAddress!)
            }
        }
        XCTAssertEqual(out.map(\.bitPattern), expected.map(\.bitPattern))
        XCTAssertThrowsError(try bytes.withUnsafeBytes { src in
            try out.withUnsafeMutableBufferPointer {
                try Dequant.dequantizeRows(.q4_K, src, rowLength: 100, rows: 2, into: $0.baseAddress!)
            }
        })
    }

    func testTruncatedAndPartialBlocksThrow() throws {
        for dtype in DType.allCases {
            let count = dtype.blockSize * 2
            let full = try XCTUnwrap(dtype.byteCount(elements: count))
            let bytes = [UInt8](repeating: 0, count: full - 1)
            var out = [Float](repeating: 0, count: count)
            try bytes.withUnsafeBytes { src in
                try out.withUnsafeMutableBufferPointer { dst in
                    XCTAssertThrowsError(try Dequant.dequantize(dtype, src, count: count, into: dst.baseAddress!)) { err in
                        XCTAssertTrue("\(err)".contains("truncated"), "\(dtype): \(err)")
                    }
                }
            }
            if dtype.blockSize > 1 {
                let ok = [UInt8](repeating: 0, count: full)
                try ok.withUnsafeBytes { src in
                    try out.withUnsafeMutableBufferPointer { dst in
                        XCTAssertThrowsError(try Dequant.dequantize(dtype, src, count: count - 1, into: dst.baseAddress!))
                    }
                }
            }
        }
    }

    func testHalfConversions() {
        XCTAssertEqual(HalfFloat.f16ToF32(0x3C00), 1)
        XCTAssertEqual(HalfFloat.f16ToF32(0xC000), -2)
        XCTAssertEqual(HalfFloat.f16ToF32(0x0001), Float(bitPattern: 0x3380_0000)) // smallest subnormal 2^-24
        XCTAssertEqual(HalfFloat.f16ToF32(0x7C00), .infinity)
        XCTAssertEqual(HalfFloat.bf16ToF32(0x3F80), 1)
        XCTAssertEqual(HalfFloat.f32ToF16(0.5), 0x3800)
        // Every one of the 65536 patterns widens exactly as Swift's Float16 does (NaNs: both NaN, same sign).
        for bits in 0...UInt16.max {
            let mine = HalfFloat.f16ToF32(bits), reference = Float(Float16(bitPattern: bits))
            if reference.isNaN {
                XCTAssertTrue(mine.isNaN && mine.sign == reference.sign, "\(bits)")
            } else {
                XCTAssertEqual(mine.bitPattern, reference.bitPattern, "\(bits)")
            }
        }
    }
}
