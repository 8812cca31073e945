import XCTest
@testable import LoupeTensor

/// rearrange / reduce / repeat against element-by-element loops.
final class EinopsTests: XCTestCase {
    func testRearrangeSplitsAndMovesAxes() throws {
        var g = Naive(seed: 5)
        let x = g.tensor([2, 3, 12])                                  // [b, p, (h d)]
        let y = try x.rearranged("b p (h d) -> b h p d", axes: ["h": 4])
        XCTAssertEqual(y.shape, [2, 4, 3, 3])
        for b in 0..<2 { for h in 0..<4 { for p in 0..<3 { for d in 0..<3 {
            XCTAssertEqual(y[b, h, p, d], x[b, p, h * 3 + d])
        } } } }
        // and back
        let z = try y.rearranged("b h p d -> b p (h d)")
        XCTAssertEqual(z.toArray(), x.toArray())
        // ellipsis, unit axes and transposition
        let e = try x.rearranged("... d -> d ...")
        XCTAssertEqual(e.shape, [12, 2, 3])
        for b in 0..<2 { for p in 0..<3 { for d in 0..<12 { XCTAssertEqual(e[d, b, p], x[b, p, d]) } } }
        let u = try x.rearranged("b p d -> b 1 p () d")
        XCTAssertEqual(u.shape, [2, 1, 3, 1, 12])
        let flat = try x.rearranged("b p d -> (b p) d")
        XCTAssertEqual(flat.shape, [6, 12])
        XCTAssertEqual(flat.toArray(), x.toArray())
    }

    func testReduceMatchesLoops() throws {
        var g = Naive(seed: 6)
        let x = g.tensor([2, 3, 4])
        for op in [ReduceOp.sum, .mean, .max, .min, .prod] {
            let y = try x.reduced("b p d -> b d", op)
            XCTAssertEqual(y.shape, [2, 4])
            for b in 0..<2 { for d in 0..<4 {
                let lane = (0..<3).map { Double(x[b, $0, d]) }
                let want: Double
                switch op {
                case .sum: want = lane.reduce(0, +)
                case .mean: want = lane.reduce(0, +) / 3
                case .max: want = lane.max()!
                case .min: want = lane.min()!
                default: want = lane.reduce(1, *)
                }
                XCTAssertEqual(Double(y[b, d]), want, accuracy: 1e-5, "\(op)")
            } }
        }
        let pooled = try x.reduced("b (p2 two) d -> b d", .sum, axes: ["two": 1])
        XCTAssertEqual(pooled.toArray(), try x.reduced("b p d -> b d", .sum).toArray())
        let kept = try x.reduced("b p d -> b 1 d", .max)
        XCTAssertEqual(kept.shape, [2, 1, 4])
        XCTAssertEqual(try x.reduced("b p d ->", .sum).shape, [])
    }

    func testRepeatBroadcastsNewAxes() throws {
        var g = Naive(seed: 7)
        let v = g.tensor([3])
        let r = try v.repeated("d -> b d", axes: ["b": 4])
        XCTAssertEqual(r.shape, [4, 3])
        for b in 0..<4 { for d in 0..<3 { XCTAssertEqual(r[b, d], v[d]) } }
        let tiled = try v.repeated("d -> (k d)", axes: ["k": 2])
        XCTAssertEqual(tiled.toArray(), v.toArray() + v.toArray())
        let interleaved = try v.repeated("d -> (d k)", axes: ["k": 2])
        XCTAssertEqual(interleaved.toArray(), v.toArray().flatMap { [$0, $0] })
        XCTAssertEqual(try v.repeated("d -> d 2").shape, [3, 2])
    }

    func testPatternErrorsNameThePatternAndAxis() {
        let x = Tensor(zeros: [2, 3, 12])
        XCTAssertThrowsError(try x.rearranged("b p (h d) -> b h p d")) {
            XCTAssertTrue("\($0)".hasPrefix("rearrange \"b p (h d) -> b h p d\": cannot split dimension 2 (size 12) into (h d) without the sizes of `h`"), "\($0)")
        }
        XCTAssertThrowsError(try x.rearranged("b p (h d) -> b h p d", axes: ["h": 5])) {
            XCTAssertEqual("\($0)", "rearrange \"b p (h d) -> b h p d\": dimension 2 has size 12, which is not divisible by 5 for axis `d`")
        }
        XCTAssertThrowsError(try x.rearranged("b p -> p b")) {
            XCTAssertEqual("\($0)", "rearrange \"b p -> p b\": the input has shape [2, 3, 12] (3 dimensions) but the left side names 2")
        }
        XCTAssertThrowsError(try x.rearranged("b p d -> b p")) {
            XCTAssertTrue("\($0)".contains("axis `d` is on one side only"), "\($0)")
        }
        XCTAssertThrowsError(try x.rearranged("b p d -> b d p", axes: ["p": 4])) {
            XCTAssertEqual("\($0)", "rearrange \"b p d -> b d p\": dimension 1 of the input has size 3 but axis `p` is given as 4")
        }
        XCTAssertThrowsError(try Tensor(zeros: [3]).repeated("d -> b d")) {
            XCTAssertTrue("\($0)".contains("the size of new axis `b` is not given"), "\($0)")
        }
    }
}
