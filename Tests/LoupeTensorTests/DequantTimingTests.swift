import Foundation
import XCTest
@testable import LoupeTensor

/// How fast each stored type widens to F32 (the cost a prompt pass pays per weight), printed in ns per element.
final class DequantTimingTests: XCTestCase {
    func testWideningSpeed() throws {
        let n = 1 << 20
        var dst = [Float](repeating: 0, count: n)
        for dtype in [DType.f16, .bf16, .q8_0, .q4_1, .q4_K, .q6_K] {
            let bytes = [UInt8](repeating: 0x11, count: dtype.byteCount(elements: n)!)
            var best = Double.infinity
            for _ in 0..<5 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                bytes.withUnsafeBufferPointer { src in
                    dst.withUnsafeMutableBufferPointer { Dequant.decodeUnchecked(dtype, src.baseAddress!, count: n, into: $0.baseAddress!) }
                }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(n))
            }
            print("widen \(dtype): \(String(format: "%.2f", best)) ns/element")
            XCTAssertLessThan(best, 50, "\(dtype) widening is pathologically slow")
        }
    }
}

/// How fast weights convert on load (load(dtype=...)), in ns per element.
final class QuantizeTimingTests: XCTestCase {
    func testEncodingSpeed() throws {
        let n = 1 << 20
        var rng = SystemRandomNumberGenerator()
        let x = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        for dtype in [DType.f16, .bf16, .q8_0] {
            var out = [UInt8](repeating: 0, count: dtype.byteCount(elements: n)!)
            var best = Double.infinity
            for _ in 0..<5 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                x.withUnsafeBufferPointer { src in
                    out.withUnsafeMutableBufferPointer { Quantize.encodeUnchecked(dtype, src.baseAddress!, count: n, into: $0.baseAddress!) }
                }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(n))
            }
            print("encode \(dtype): \(String(format: "%.2f", best)) ns/element")
            XCTAssertLessThan(best, 50, "\(dtype) encoding is pathologically slow")
        }
    }

    /// The bit-level half conversion agrees with Float16's on every rounding case around each exponent.
    func testF16MatchesFloat16() {
        var values: [Float] = [0, -0, .infinity, -.infinity, 65504, 65519.99, 65520, 1e-8, 6e-8, 3e-8, 2.98e-8, 5.96e-8]
        for e in -26...16 {
            let base = Float(sign: .plus, exponent: e, significand: 1)
            for k: UInt32 in [0, 0xfff, 0x1000, 0x1001, 0x2000, 0x3000, 0x1fff, 0x7fffff] {
                values.append(Float(bitPattern: base.bitPattern | k))
                values.append(-Float(bitPattern: base.bitPattern | k))
            }
        }
        for v in values {
            XCTAssertEqual(Quantize.f32ToF16(v), Float16(v).bitPattern, "\(v) (\(String(v.bitPattern, radix: 16)))")
        }
        XCTAssertEqual(Quantize.f32ToF16(.nan) & 0x7e00, 0x7e00)
    }
}
