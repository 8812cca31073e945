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
