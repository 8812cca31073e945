import XCTest
@testable import LoupeTensor

/// Indexing, views and shape changes against hand-computed numpy results.
final class TensorViewTests: XCTestCase {
    /// arange(24).reshape(2, 3, 4)
    func cube() throws -> Tensor { try Tensor.arange(0, 24).reshaped([2, 3, 4]) }

    func testIndexingMatchesNumpy() throws {
        let t = try cube()
        // t[1, -1] -> [20, 21, 22, 23]
        XCTAssertEqual(try t.index([.at(1), .at(-1)]).toArray(), [20, 21, 22, 23])
        // t[:, 1:3, ::2] -> shape [2, 2, 2]
        let v = try t.index([.all, .range(1, 3, nil), .range(nil, nil, 2)])
        XCTAssertEqual(v.shape, [2, 2, 2])
        XCTAssertEqual(v.toArray(), [4, 6, 8, 10, 16, 18, 20, 22])
        // t[0, ::-1, -1] -> [11, 7, 3]
        XCTAssertEqual(try t.index([.at(0), .range(nil, nil, -1), .at(-1)]).toArray(), [11, 7, 3])
        // t[..., 1] -> shape [2, 3]
        let e = try t.index([.ellipsis, .at(1)])
        XCTAssertEqual(e.shape, [2, 3])
        XCTAssertEqual(e.toArray(), [1, 5, 9, 13, 17, 21])
        // t[None, 1, ..., None] -> [1, 3, 4, 1]
        XCTAssertEqual(try t.index([.newAxis, .at(1), .ellipsis, .newAxis]).shape, [1, 3, 4, 1])
        // t[0, 0, 3:0:-2] -> [3, 1]; t[0, 0, -2:] -> [2, 3]; t[0, 0, 10:] -> []
        XCTAssertEqual(try t.index([.at(0), .at(0), .range(3, 0, -2)]).toArray(), [3, 1])
        XCTAssertEqual(try t.index([.at(0), .at(0), .range(-2, nil, nil)]).toArray(), [2, 3])
        XCTAssertEqual(try t.index([.at(0), .at(0), .range(10, nil, nil)]).shape, [0])
        XCTAssertEqual(try t.index([.at(0), .at(0), .range(-100, 100, 3)]).toArray(), [0, 3])
        XCTAssertEqual(try t.index([.at(0), .at(0), .range(100, -100, -3)]).toArray(), [3, 0])
        // Views share storage.
        let row = try t.index([.at(0), .at(0)])
        row[[2]] = 99
        XCTAssertEqual(t[0, 0, 2], 99)
    }

    func testIndexErrorsAreClear() throws {
        let t = try cube()
        XCTAssertThrowsError(try t.index([.at(2)])) { XCTAssertTrue("\($0)".contains("dim 0 index 2 is out of range (length 2)"), "\($0)") }
        XCTAssertThrowsError(try t.index([.at(0), .at(0), .at(0), .at(0)])) { XCTAssertTrue("\($0)".contains("too many indices")) }
        XCTAssertThrowsError(try t.index([.ellipsis, .ellipsis]))
        XCTAssertThrowsError(try t.index([.range(nil, nil, 0)])) { XCTAssertTrue("\($0)".contains("step cannot be zero")) }
    }

    func testAssignBroadcasts() throws {
        let t = Tensor(zeros: [3, 4])
        try t.assign([.all, .at(1)], Tensor(shape: [3], data: [1, 2, 3]))
        try t.assign([.at(0)], Tensor(shape: [1, 4], data: [5, 6, 7, 8]))   // leading 1 dropped
        try t.assign([.range(1, nil, nil), .range(2, nil, nil)], Tensor(shape: [2], data: [-1, -2]))
        XCTAssertEqual(t.toArray(), [5, 6, 7, 8, 0, 2, -1, -2, 0, 3, -1, -2])
        try t.assign([.ellipsis, .at(-1)], 9)
        XCTAssertEqual(try t.index([.all, .at(3)]).toArray(), [9, 9, 9])
        XCTAssertThrowsError(try t.assign([.at(0)], Tensor(shape: [3], data: [1, 2, 3]))) {
            XCTAssertTrue("\($0)".contains("cannot be broadcast"), "\($0)")
        }
        // Overlapping source and destination: numpy reads the old values.
        let a = try Tensor.arange(0, 5)
        try a.assign([.range(1, nil, nil)], try a.index([.range(nil, -1, nil)]))
        XCTAssertEqual(a.toArray(), [0, 0, 1, 2, 3])
    }

    func testShapeOps() throws {
        let t = try cube()
        let p = try t.permuted([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        XCTAssertEqual(p[1, 1, 2], t[1, 2, 1])
        XCTAssertFalse(p.isContiguous)
        let r = try p.reshaped([4, -1])  // copies
        XCTAssertEqual(r.shape, [4, 6])
        XCTAssertEqual(r[3, 5], t[1, 2, 3])
        XCTAssertThrowsError(try t.reshaped([5, -1])) { XCTAssertTrue("\($0)".contains("cannot reshape 24")) }
        XCTAssertThrowsError(try t.reshaped([-1, -1]))
        let view = try t.reshaped([6, 4])
        XCTAssertTrue(view.storage === t.storage)
        XCTAssertEqual(try t.transposed(0, -1).shape, [4, 3, 2])
        XCTAssertEqual(t.T.shape, [4, 3, 2])
        XCTAssertEqual(try t.unsqueezed(1).shape, [2, 1, 3, 4])
        XCTAssertEqual(try t.unsqueezed(-1).shape, [2, 3, 4, 1])
        XCTAssertEqual(try t.unsqueezed(1).squeezed().shape, [2, 3, 4])
        XCTAssertThrowsError(try t.squeezed(0)) { XCTAssertTrue("\($0)".contains("has size 2, not 1")) }
        XCTAssertEqual(p.flattened().toArray(), p.toArray())
        let e = try Tensor(shape: [3, 1], data: [1, 2, 3]).expanded(to: [2, 3, 4])
        XCTAssertEqual(e[1, 2, 3], 3)
        XCTAssertThrowsError(try t.expanded(to: [2, 5, 4]))
        XCTAssertThrowsError(try t.permuted([0, 0, 1])) { XCTAssertTrue("\($0)".contains("not a permutation")) }
        XCTAssertThrowsError(try t.transposed(0, 3)) { XCTAssertTrue("\($0)".contains("out of range")) }
    }

    func testCatStackSplitChunk() throws {
        let a = try Tensor.arange(0, 6).reshaped([2, 3]), b = try Tensor.arange(6, 9).reshaped([1, 3])
        let c = try Tensor.cat([a, b], dim: 0)
        XCTAssertEqual(c.shape, [3, 3])
        XCTAssertEqual(c.toArray(), (0..<9).map(Float.init))
        XCTAssertThrowsError(try Tensor.cat([a, b], dim: 1)) { XCTAssertTrue("\($0)".contains("tensor 1 has shape [1, 3]")) }
        let s = try Tensor.stack([a, a], dim: -1)
        XCTAssertEqual(s.shape, [2, 3, 2])
        XCTAssertEqual(s[1, 2, 1], 5)
        let parts = try c.split(size: 2, dim: 1)
        XCTAssertEqual(parts.map(\.shape), [[3, 2], [3, 1]])
        XCTAssertEqual(parts[1].toArray(), [2, 5, 8])
        XCTAssertEqual(try c.chunk(3, dim: 0).count, 3)
        XCTAssertThrowsError(try c.split(sizes: [1, 1], dim: 0))
        let tk = try c.take([2, -3], dim: 1)
        XCTAssertEqual(tk.toArray(), [2, 0, 5, 3, 8, 6])
    }

    func testDescription() throws {
        XCTAssertEqual(try Tensor.arange(0, 3).description, "tensor([0., 1., 2.])")
        XCTAssertEqual(Tensor(shape: [2, 2], data: [0.1, -1.2, 3, 4]).description,
                       "tensor([[ 0.1000, -1.2000],\n        [ 3.0000,  4.0000]])")
        XCTAssertEqual(Tensor(scalar: 2.5).description, "tensor(2.5000)")
        XCTAssertEqual(Tensor(shape: [2], data: [1e-6, 1]).description, "tensor([1.0000e-06, 1.0000e+00])")
        let big = try Tensor.arange(0, 2000).reshaped([2, 1000])
        XCTAssertEqual(big.description,
                       "tensor([[   0.,    1.,    2.,  ...,  997.,  998.,  999.],\n        [1000., 1001., 1002.,  ..., 1997., 1998., 1999.]], shape=[2, 1000])")
    }
}
