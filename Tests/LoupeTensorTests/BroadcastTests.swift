import XCTest
@testable import LoupeTensor

/// Broadcasting elementwise ops, comparisons, where and logical ops against naive loops.
final class BroadcastTests: XCTestCase {
    func testBinaryOpsMatchNaiveLoops() throws {
        var g = Naive(seed: 1)
        for trial in 0..<150 {
            let sa = g.shape()
            let sb = trial % 3 == 0 ? [] : g.broadcastPartner(sa)
            let (a, b) = trial % 2 == 0 ? (g.tensor(sa), g.tensor(sb)) : (g.tensor(sb), g.tensor(sa))
            let shape = try XCTUnwrap(Naive.broadcastShape(a.shape, b.shape))
            for op in BinaryOp.allCases {
                let want = Naive.indices(shape).map { op.apply(Naive.broadcastRead(a, $0), Naive.broadcastRead(b, $0)) }
                Naive.assertSame(try Tensor.binary(op, a, b), shape, want, "\(a.shape) \(op.rawValue) \(b.shape)")
            }
            let f: (Float, Float) -> Float = { $0 * 3 - $1 }
            let want = Naive.indices(shape).map { f(Naive.broadcastRead(a, $0), Naive.broadcastRead(b, $0)) }
            Naive.assertSame(try Tensor.zip(a, b, f), shape, want, "zip \(a.shape) \(b.shape)")
        }
    }

    func testBroadcastErrorsNameBothShapes() {
        XCTAssertThrowsError(try Tensor.binary(.add, Tensor(zeros: [2, 3]), Tensor(zeros: [4, 1, 2]))) {
            XCTAssertEqual("\($0)", "shapes [2, 3] and [4, 1, 2] cannot be broadcast together (dim 2: 3 vs 2)")
        }
        XCTAssertThrowsError(try Tensor.where(Tensor(zeros: [3]), Tensor(zeros: [2]), Tensor(zeros: [1]))) {
            XCTAssertTrue("\($0)".hasPrefix("where: shapes [3] and [2]"), "\($0)")
        }
        XCTAssertThrowsError(try Tensor(zeros: [2, 3]).expanded(to: [3])) {
            XCTAssertEqual("\($0)", "cannot broadcast shape [2, 3] to [3]")
        }
        XCTAssertNoThrow(try Tensor.binary(.mul, Tensor(zeros: [0, 3]), Tensor(zeros: [1])))
    }

    func testComparisonsWhereAndLogicalOps() throws {
        var g = Naive(seed: 2)
        for _ in 0..<100 {
            let s = g.shape()
            let c = g.tensor(g.broadcastPartner(s)), a = g.tensor(s), b = g.tensor(g.broadcastPartner(s))
            for op in [BinaryOp.eq, .ne, .lt, .le, .gt, .ge] {
                let shape = try XCTUnwrap(Naive.broadcastShape(a.shape, b.shape))
                let want = Naive.indices(shape).map { op.apply(Naive.broadcastRead(a, $0), Naive.broadcastRead(b, $0)) }
                let mask = try Tensor.compare(op, a, b)
                Naive.assertSame(mask, shape, want, "\(op.rawValue)")
                XCTAssertTrue(mask.toArray().allSatisfy { $0 == 0 || $0 == 1 })
            }
            for op in [BinaryOp.and, .or, .xor] {
                let shape = try XCTUnwrap(Naive.broadcastShape(a.shape, b.shape))
                let want = Naive.indices(shape).map { i -> Float in
                    let x = Naive.broadcastRead(a, i) != 0, y = Naive.broadcastRead(b, i) != 0
                    let r = op == .and ? x && y : op == .or ? x || y : x != y
                    return r ? 1 : 0
                }
                Naive.assertSame(try Tensor.logical(op, a, b), shape, want, "\(op.rawValue)")
            }
            Naive.assertSame(a.logicalNot(), s, Naive.indices(s).map { a[$0] == 0 ? 1 : 0 }, "not")
            let shape = try XCTUnwrap(Naive.broadcastShape(try XCTUnwrap(Naive.broadcastShape(c.shape, a.shape)), b.shape))
            let want = Naive.indices(shape).map { Naive.broadcastRead(c, $0) != 0 ? Naive.broadcastRead(a, $0) : Naive.broadcastRead(b, $0) }
            Naive.assertSame(try Tensor.where(c, a, b), shape, want, "where \(c.shape) \(a.shape) \(b.shape)")
        }
        XCTAssertThrowsError(try Tensor.compare(.add, Tensor(scalar: 1), Tensor(scalar: 2)))
        XCTAssertThrowsError(try Tensor.logical(.lt, Tensor(scalar: 1), Tensor(scalar: 2)))
    }

    func testWriteBroadcastsAndReadsBeforeWriting() throws {
        var g = Naive(seed: 3)
        for _ in 0..<60 {
            let s = g.shape(allowEmpty: false)
            let dst = g.tensor(s), v = g.tensor(g.broadcastPartner(s))
            guard Naive.broadcastShape(s, v.shape) == s else { continue }
            let want = Naive.indices(s).map { Naive.broadcastRead(v, $0) }
            try dst.write(v)
            Naive.assertSame(dst, s, want, "write \(v.shape) into \(s)")
        }
        let a = try Tensor.arange(0, 5)
        try a.slice(dim: 0, start: 1).write(try a.slice(dim: 0, stop: -1))
        XCTAssertEqual(a.toArray(), [0, 0, 1, 2, 3])
    }
}
