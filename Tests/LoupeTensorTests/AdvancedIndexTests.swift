import XCTest
@testable import LoupeTensor

/// torch's advanced indexing, diagonal and round(decimals:) against element-by-element loops.
final class AdvancedIndexTests: XCTestCase {
    /// x [a, b, c][:, idx [p, q]] -> [a, p, q, c] with out[i, j, k, l] = x[i, idx[j, k], l].
    func testIndexTensorInTheMiddleMatchesLoops() throws {
        var naive = Naive(seed: 7)
        for _ in 0..<20 {
            let shape = [naive.int(1...3), naive.int(1...4), naive.int(1...3)]
            let x = naive.tensor(shape)
            let idxShape = [naive.int(1...3), naive.int(1...3)]
            let positions = (0..<idxShape.reduce(1, *)).map { _ in naive.int(-shape[1]...(shape[1] - 1)) }
            let out = try x.index([.all, .indices(positions, shape: idxShape)])
            XCTAssertEqual(out.shape, [shape[0]] + idxShape + [shape[2]])
            for ix in Naive.indices(out.shape) {
                var p = positions[ix[1] * idxShape[1] + ix[2]]
                if p < 0 { p += shape[1] }
                XCTAssertEqual(out[ix], x[[ix[0], p, ix[3]]])
            }
        }
    }

    /// Two separated index tensors broadcast and go first: x[i, :, j] -> [B..., b].
    func testSeparatedIndexTensorsGoFirst() throws {
        let x = Tensor(shape: [3, 4, 5], data: (0..<60).map(Float.init))
        let out = try x.index([.indices([0, 2], shape: [2, 1]), .all, .indices([1, 3, 4], shape: [3])])
        XCTAssertEqual(out.shape, [2, 3, 4])
        for ix in Naive.indices(out.shape) {
            XCTAssertEqual(out[ix], x[[[0, 2][ix[0]], ix[2], [1, 3, 4][ix[1]]]])
        }
    }

    func testAssignThroughIndexTensorMatchesLoops() throws {
        let x = Tensor(zeros: [3, 4])
        try x.assign([.all, .indices([0, 1, 3, 3], shape: [2, 2])], Tensor(shape: [2, 2], data: [1, 2, 3, 4]))
        for i in 0..<3 { XCTAssertEqual((0..<4).map { x[[i, $0]] }, [1, 2, 0, 4]) }
    }

    func testDiagonalMatchesLoops() throws {
        var naive = Naive(seed: 3)
        for _ in 0..<20 {
            let shape = [naive.int(1...3), naive.int(1...5), naive.int(1...5)]
            let x = naive.tensor(shape)
            let k = naive.int(-4...4)
            let d = try x.diagonal(offset: k, dim1: -1, dim2: -2)   // elements x[b, i + max(-k, 0)... ] along (dim 2, dim 1)
            let n = max(0, k >= 0 ? min(shape[2], shape[1] - k) : min(shape[2] + k, shape[1]))
            XCTAssertEqual(d.shape, [shape[0], n])
            for ix in Naive.indices(d.shape) {
                let (row, col) = k >= 0 ? (ix[1] + k, ix[1]) : (ix[1], ix[1] - k)   // (dim 1, dim 2)
                XCTAssertEqual(d[ix], x[[ix[0], row, col]])
            }
        }
    }

    func testRoundDecimalsIsHalfToEvenInFloat32() {
        let x = Tensor(shape: [5], data: [0.0625, 0.0035, -2.675, 2.5, 123.456])
        XCTAssertEqual(x.rounded(decimals: 3).toArray(), [0.062, 0.004, -2.675, 2.5, 123.456].map { Float($0) })
        XCTAssertEqual(x.rounded(decimals: 0).toArray(), [0, 0, -3, 2, 123])
        XCTAssertEqual(x.rounded(decimals: -1).toArray(), [0, 0, -0, 0, 120])
    }
}
