import XCTest
@testable import LoupeTensor

/// `Kernels.splitColumns` against an index-by-index loop.
final class KernelSplitTests: XCTestCase {
    func testSplitColumnsMatchesLoop() {
        let rows = 7, widths = [5, 3, 9], total = widths.reduce(0, +)
        let src = (0..<(rows * total)).map { Float($0) * 0.5 - 3 }
        var outs = widths.map { [Float](repeating: .nan, count: rows * $0) }
        let ptrs = widths.map { UnsafeMutablePointer<Float>.allocate(capacity: rows * $0) }
        defer { ptrs.forEach { $0.deallocate() } }
        for (p, wd) in zip(ptrs, widths) { p.initialize(repeating: .nan, count: rows * wd) }
        src.withUnsafeBufferPointer { s in
            // Two calls over disjoint row ranges, as two threads do.
            Kernels.splitColumns(s.baseAddress!, rows: 0, 3, widths: widths, into: ptrs)
            Kernels.splitColumns(s.baseAddress!, rows: 3, rows - 3, widths: widths, into: ptrs)
        }
        for r in 0..<rows {
            var col = 0
            for (i, wd) in widths.enumerated() {
                for j in 0..<wd { outs[i][r * wd + j] = src[r * total + col + j] }
                col += wd
            }
        }
        for (i, wd) in widths.enumerated() {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: ptrs[i], count: rows * wd)), outs[i], "part \(i)")
        }
    }
}
