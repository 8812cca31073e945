import XCTest
@testable import LoupeTensor

/// Reductions along dims (negative, several, keepDim), softmax, cumsum against naive loops that
/// accumulate in the same order and precision.
final class ReduceTests: XCTestCase {
    /// For each output position (reduced dims removed or kept as 1), the lane of input positions in row-major order.
    static func lanes(_ shape: [Int], _ dims: [Int], keepDim: Bool) -> (shape: [Int], lanes: [[[Int]]]) {
        let kept = shape.indices.filter { !dims.contains($0) }
        let outShape = keepDim ? shape.indices.map { dims.contains($0) ? 1 : shape[$0] } : kept.map { shape[$0] }
        let inner = Naive.indices(dims.sorted().map { shape[$0] })
        let lanes = Naive.indices(kept.map { shape[$0] }).map { outer -> [[Int]] in
            inner.map { r in
                var i = [Int](repeating: 0, count: shape.count)
                for (k, a) in kept.enumerated() { i[a] = outer[k] }
                for (k, a) in dims.sorted().enumerated() { i[a] = r[k] }
                return i
            }
        }
        return (outShape, lanes)
    }

    static func naive(_ op: ReduceOp, _ v: [Float]) -> Float {
        switch op {
        case .sum: return Float(v.reduce(0.0) { $0 + Double($1) })
        case .mean: return Float(v.reduce(0.0) { $0 + Double($1) } / Double(v.count))
        case .prod: return Float(v.reduce(1.0) { $0 * Double($1) })
        case .max, .min, .argmax, .argmin:
            var bi = 0
            for (j, x) in v.enumerated() where op == .max || op == .argmax ? x > v[bi] : x < v[bi] { bi = j }
            return op == .max || op == .min ? v[bi] : Float(bi)
        }
    }

    func testReductionsMatchNaiveLoops() throws {
        var g = Naive(seed: 7)
        for _ in 0..<150 {
            guard let (s, t) = g.nonScalarTensor() else { continue }
            let keep = g.int(0...1) == 1
            var dims = Array(Set((0..<g.int(1...s.count)).map { _ in g.int(0...(s.count - 1)) })).sorted()
            if g.int(0...1) == 0 { dims.reverse() }
            let given = dims.map { g.int(0...1) == 0 ? $0 : $0 - s.count }
            let (outShape, lanes) = Self.lanes(s, dims, keepDim: keep)
            let empty = dims.contains { s[$0] == 0 }
            for op in ReduceOp.allCases where !(dims.count > 1 && (op == .argmax || op == .argmin)) {
                if empty && op != .sum && op != .prod && op != .mean {
                    XCTAssertThrowsError(try t.reduce(op, dims: given, keepDim: keep))
                    continue
                }
                let want = lanes.map { Self.naive(op, $0.map { t[$0] }) }
                Naive.assertSame(try t.reduce(op, dims: given, keepDim: keep), outShape, want, "\(op) \(s) dims \(given) keep \(keep)")
            }
            guard dims.count == 1, !empty else { continue }
            let dim = given[0]
            let variance = lanes.map { lane -> Float in
                let x = lane.map { Double(t[$0]) }
                let m = x.reduce(0, +) / Double(x.count)
                let ss = x.reduce(0) { $0 + ($1 - m) * ($1 - m) }
                return x.count > 1 ? Float(ss / Double(x.count - 1)) : .nan
            }
            Naive.assertSame(try t.variance(dim: dim, keepDim: keep), outShape, variance, "var")
            Naive.assertSame(try t.std(dim: dim, keepDim: keep), outShape, variance.map { $0.squareRoot() }, "std")
            let norm = lanes.map { Float($0.reduce(0.0) { $0 + Double(t[$1] * t[$1]) }).squareRoot() }
            Naive.assertSame(try t.norm(dim: dim, keepDim: keep), outShape, norm, "norm")
            let maxi = try t.maxWithIndices(dim: dim, keepDim: keep), mini = try t.minWithIndices(dim: dim, keepDim: keep)
            Naive.assertSame(maxi.values, outShape, lanes.map { Self.naive(.max, $0.map { t[$0] }) }, "max values")
            Naive.assertSame(maxi.indices, outShape, lanes.map { Self.naive(.argmax, $0.map { t[$0] }) }, "max indices")
            Naive.assertSame(mini.indices, outShape, lanes.map { Self.naive(.argmin, $0.map { t[$0] }) }, "min indices")
            let fsum = lanes.map { $0.reduce(Float(0)) { $0 + t[$1] } }
            Naive.assertSame(try t.reduceLanes(dim: dim, keepDim: keep) { $0.reduce(0, +) }, outShape, fsum, "reduceLanes")
        }
        XCTAssertThrowsError(try Tensor(zeros: [2, 3]).reduce(.sum, dims: [1, -1])) { XCTAssertTrue("\($0)".contains("repeated")) }
        XCTAssertThrowsError(try Tensor(zeros: [2, 3]).reduce(.argmax, dims: [0, 1]))
        XCTAssertThrowsError(try Tensor(zeros: [0]).reduceLanes(dim: nil) { $0.reduce(0, +) }) { XCTAssertEqual("\($0)", "reduction of an empty tensor") }
        XCTAssertEqual(try Tensor(scalar: 4).reduceLanes(dim: nil, keepDim: true) { $0[0] * 2 }.item, 8)
        XCTAssertEqual(try Tensor(scalar: 4).reduce(.sum).item, 4)
    }

    func testSoftmaxLogSoftmaxAndCumsumMatchNaiveLoops() throws {
        var g = Naive(seed: 8)
        for _ in 0..<100 {
            guard let (s, t) = g.nonScalarTensor() else { continue }
            let (d, dim) = g.dim(of: s)
            let (_, lanes) = Self.lanes(s, [d], keepDim: true)
            var soft = [Float](repeating: 0, count: t.count), logSoft = soft, cum = soft
            let strides = Tensor.contiguousStrides(s)
            for lane in lanes {
                let x = lane.map { t[$0] }
                let m = x.max() ?? 0
                let e = x.map { expf($0 - m) }
                let sum = e.reduce(Float(0), +)
                let lse = m + Float(log(x.reduce(0.0) { $0 + Double(expf($1 - m)) }))
                var run = 0.0
                for (j, i) in lane.enumerated() {
                    let at = zip(i, strides).map(*).reduce(0, +)
                    soft[at] = e[j] * (1 / sum)
                    logSoft[at] = x[j] - lse
                    run += Double(x[j]); cum[at] = Float(run)
                }
            }
            Naive.assertSame(try t.softmax(dim: dim), s, soft, "softmax \(s) \(dim)")
            Naive.assertSame(try t.logSoftmax(dim: dim), s, logSoft, "log_softmax \(s) \(dim)")
            Naive.assertSame(try t.cumsum(dim: dim), s, cum, "cumsum \(s) \(dim)")
        }
    }
}
