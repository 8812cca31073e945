import XCTest
import Foundation
@testable import LoupeTensor

/// Math on tensors against naive loops and hand-computed numpy/torch values.
final class TensorMathTests: XCTestCase {
    func rand(_ shape: [Int], _ seed: UInt64) -> Tensor {
        var r = TestRNG(seed)
        return Tensor(shape: shape, data: r.floats(shape.reduce(1, *)))
    }

    func testBroadcastingBinaryOps() throws {
        let a = try Tensor.arange(0, 6).reshaped([2, 3])         // [[0,1,2],[3,4,5]]
        let b = Tensor(shape: [3], data: [10, 20, 30])
        XCTAssertEqual(try (a + b).toArray(), [10, 21, 32, 13, 24, 35])
        let col = Tensor(shape: [2, 1], data: [1, -1])
        XCTAssertEqual(try (a * col).toArray(), [0, 1, 2, -3, -4, -5])
        XCTAssertEqual(try Tensor.binary(.sub, col, b).shape, [2, 3])
        XCTAssertEqual(try Tensor.binary(.gt, a, Tensor(scalar: 2)).toArray(), [0, 0, 0, 1, 1, 1])
        XCTAssertEqual(try Tensor.binary(.maximum, a, Tensor(scalar: 2.5)).toArray(), [2.5, 2.5, 2.5, 3, 4, 5])
        XCTAssertEqual(Tensor.binary(.pow, a, scalar: 2).toArray(), [0, 1, 4, 9, 16, 25])
        XCTAssertEqual(Tensor.binary(.sub, a, scalar: 1, scalarFirst: true).toArray(), [1, 0, -1, -2, -3, -4])
        // Python/numpy modulo takes the divisor's sign.
        XCTAssertEqual(try Tensor.binary(.mod, Tensor(shape: [4], data: [-7, 7, -7, 7]), Tensor(shape: [4], data: [3, 3, -3, -3])).toArray(), [2, 1, -1, -2])
        // Non-contiguous operands (transposed) against a naive loop.
        let x = rand([4, 3], 1), y = rand([3, 4], 2)
        let z = try Tensor.binary(.div, x.T, y)
        for i in 0..<3 { for j in 0..<4 { XCTAssertEqual(z[i, j], x[j, i] / y[i, j]) } }
        XCTAssertThrowsError(try a + Tensor(shape: [2], data: [1, 2])) {
            XCTAssertTrue("\($0)".contains("shapes [2, 3] and [2] cannot be broadcast"), "\($0)")
        }
        XCTAssertEqual(try Tensor.where(Tensor(shape: [3], data: [1, 0, 1]), b, Tensor(scalar: -1)).toArray(), [10, -1, 30])
    }

    func testUnaryOps() {
        let x = Tensor(shape: [5], data: [-2, -0.5, 0.5, 1.5, 2.5])
        XCTAssertEqual(x.unary(.round).toArray(), [-2, -0, 0, 2, 2])  // half to even
        XCTAssertEqual(x.unary(.abs).toArray(), [2, 0.5, 0.5, 1.5, 2.5])
        XCTAssertEqual(x.unary(.relu).toArray(), [0, 0, 0.5, 1.5, 2.5])
        XCTAssertEqual(x.unary(.exp).toArray(), x.toArray().map { expf($0) })
        XCTAssertEqual(x.unary(.sigmoid)[2], 1 / (1 + expf(-0.5)))
        XCTAssertEqual(x.unary(.gelu)[3], 1.3997892, accuracy: 1e-6)  // torch.nn.functional.gelu(1.5)
        XCTAssertEqual((-x).toArray(), [2, 0.5, -0.5, -1.5, -2.5])
    }

    func testMatmulNumpySemantics() throws {
        let a = rand([2, 3, 4], 3), b = rand([4, 5], 4)
        let c = try Tensor.matmul(a, b)
        XCTAssertEqual(c.shape, [2, 3, 5])
        for t in 0..<2 { for i in 0..<3 { for j in 0..<5 {
            var s: Float = 0
            for k in 0..<4 { s += a[t, i, k] * b[k, j] }
            XCTAssertEqual(c[t, i, j], s, accuracy: 1e-5)
        } } }
        // 1-D cases.
        let v = rand([4], 5)
        XCTAssertEqual(try Tensor.matmul(v, b).shape, [5])
        XCTAssertEqual(try Tensor.matmul(a, v).shape, [2, 3])
        let dot = try Tensor.matmul(v, v)
        XCTAssertEqual(dot.shape, [])
        XCTAssertEqual(dot.item, v.toArray().reduce(0) { $0 + $1 * $1 }, accuracy: 1e-5)
        // Transposed and sliced views go to BLAS without copies and give the same numbers.
        let w = rand([5, 4], 6)
        let viaT = try Tensor.matmul(a, w.T)
        let viaCopy = try Tensor.matmul(a, w.T.copy())
        XCTAssertEqual(viaT.toArray(), viaCopy.toArray())
        let strided = try w.index([.range(nil, nil, 2), .all])   // rows 0, 2, 4 (stride 8)
        XCTAssertEqual(try Tensor.matmul(strided, v).toArray(), try Tensor.matmul(strided.copy(), v).toArray())
        let rev = try w.index([.range(nil, nil, -1), .all])        // negative stride -> copied
        XCTAssertEqual(try Tensor.matmul(rev, v).toArray(), try Tensor.matmul(rev.copy(), v).toArray())
        // A non-contiguous batch against one transposed matrix (one product over the folded batch): the naive loop.
        let at = try a.transposed(0, 1)                              // [3, 2, 4], not contiguous
        let ct = try Tensor.matmul(at, w.T)                          // [3, 2, 5]
        for t in 0..<3 { for i in 0..<2 { for j in 0..<5 {
            var s: Float = 0
            for k in 0..<4 { s += at[t, i, k] * w[j, k] }
            XCTAssertEqual(ct[t, i, j], s, accuracy: 1e-5)
        } } }
        // Batch broadcasting [2,1,3,4] x [5,4,2] -> [2,5,3,2]
        let bb = try Tensor.matmul(rand([2, 1, 3, 4], 7), rand([5, 4, 2], 8))
        XCTAssertEqual(bb.shape, [2, 5, 3, 2])
        XCTAssertThrowsError(try Tensor.matmul(a, w)) { XCTAssertTrue("\($0)".contains("inner dimensions differ"), "\($0)") }
        XCTAssertThrowsError(try Tensor.matmul(Tensor(scalar: 1), w))
        // Empty inner dimension gives zeros; empty outer dimensions give empty results.
        XCTAssertEqual(try Tensor.matmul(Tensor(zeros: [2, 0]), Tensor(zeros: [0, 3])).toArray(), [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(try Tensor.matmul(Tensor(zeros: [0, 4]), w.T).shape, [0, 5])
    }

    func testReductions() throws {
        let t = Tensor(shape: [2, 3], data: [1, 5, 3, 4, 2, 4])
        XCTAssertEqual(try t.sum().item, 19)
        XCTAssertEqual(try t.sum(dim: 0).toArray(), [5, 7, 7])
        XCTAssertEqual(try t.sum(dim: 1, keepDim: true).shape, [2, 1])
        XCTAssertEqual(try t.mean(dim: -1).toArray(), [3, 10.0 / 3])
        XCTAssertEqual(try t.max(dim: 1).toArray(), [5, 4])
        XCTAssertEqual(try t.argmax(dim: 1).toArray(), [1, 0])   // first of the tied 4s
        XCTAssertEqual(try t.argmin().item, 0)
        XCTAssertEqual(try t.min(dim: 0).toArray(), [1, 2, 3])
        // torch.var default unbiased: var([1,5,3]) = 4; numpy (correction 0): 8/3
        XCTAssertEqual(try t.variance(dim: 1).toArray()[0], 4, accuracy: 1e-6)
        XCTAssertEqual(try t.variance(dim: 1, correction: 0).toArray()[0], 8.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(try t.std().item, 1.4719601, accuracy: 1e-6)  // numpy std(ddof=1)
        XCTAssertEqual(try t.cumsum(dim: 1).toArray(), [1, 6, 9, 4, 6, 10])
        XCTAssertThrowsError(try Tensor(zeros: [0, 3]).max(dim: 0)) { XCTAssertTrue("\($0)".contains("size 0")) }
        XCTAssertThrowsError(try t.sum(dim: 2))
        // Strided lanes against a naive loop.
        let r = rand([3, 4, 5], 9)
        let s = try r.sum(dim: 1)
        for i in 0..<3 { for k in 0..<5 {
            XCTAssertEqual(s[i, k], (0..<4).reduce(Float(0)) { $0 + r[i, $1, k] }, accuracy: 1e-5)
        } }
    }

    func testSoftmaxAndLogSoftmax() throws {
        let x = rand([3, 4], 10)
        let s = try x.softmax(dim: 0)
        let ls = try x.logSoftmax(dim: 0)
        for j in 0..<4 {
            let col = (0..<3).map { Double(x[$0, j]) }
            let z = col.map { exp($0) }.reduce(0, +)
            for i in 0..<3 {
                XCTAssertEqual(s[i, j], Float(exp(col[i]) / z), accuracy: 1e-6)
                XCTAssertEqual(ls[i, j], Float(col[i] - log(z)), accuracy: 1e-6)
            }
        }
    }

    func testTopkStableAndSorted() throws {
        let x = Tensor(shape: [2, 5], data: [3, 1, 3, 7, 1,  0, 0, 2, -1, 2])
        let (v, i) = try x.topk(3, dim: 1)
        XCTAssertEqual(v.toArray(), [7, 3, 3, 2, 2, 0])
        XCTAssertEqual(i.toArray(), [3, 0, 2, 2, 4, 0])
        let (sv, si) = try x.topk(2, dim: 1, largest: false)
        XCTAssertEqual(sv.toArray(), [1, 1, -1, 0])
        XCTAssertEqual(si.toArray(), [1, 4, 3, 0])
        XCTAssertThrowsError(try x.topk(6, dim: 1)) { XCTAssertTrue("\($0)".contains("k = 6 is out of range")) }
        // Large lane, small k (insertion path) against a full sort.
        let big = rand([1000], 11)
        let (bv, bi) = try big.topk(5)
        let ref = big.toArray().enumerated().sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }.prefix(5)
        XCTAssertEqual(bv.toArray(), ref.map(\.element))
        XCTAssertEqual(bi.toArray(), ref.map { Float($0.offset) })
        let (sorted, _) = try big.sorted()
        XCTAssertEqual(sorted.toArray(), big.toArray().sorted())
    }

    func testCreationHistogramAndRNG() throws {
        XCTAssertEqual(try Tensor.arange(1, 2, step: 0.25).toArray(), [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(try Tensor.arange(5, 0, step: -2).toArray(), [5, 3, 1])
        XCTAssertEqual(try Tensor.linspace(0, 1, count: 5).toArray(), [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(try Tensor.full([2], 7).toArray(), [7, 7])
        XCTAssertEqual(try Tensor.eye(2).toArray(), [1, 0, 0, 1])
        XCTAssertThrowsError(try Tensor.arange(0, 1, step: 0))
        // numpy.histogram([0, 0.5, 1, 1, 2, 3, 5], bins=3, range=(0, 3)) -> [2, 2, 2], edges [0, 1, 2, 3]
        let (c, e) = try Tensor(shape: [7], data: [0, 0.5, 1, 1, 2, 3, 5]).histogram(bins: 3, range: (0, 3))
        XCTAssertEqual(c.toArray(), [2, 2, 2])
        XCTAssertEqual(e.toArray(), [0, 1, 2, 3])
        // Default range = (min, max): np.histogram([1, 2, 2, 4], bins=3) -> [1, 2, 1]
        XCTAssertEqual(try Tensor(shape: [4], data: [1, 2, 2, 4]).histogram(bins: 3).counts.toArray(), [1, 2, 1])
        var r1 = Xoshiro256(seed: 42), r2 = Xoshiro256(seed: 42)
        XCTAssertEqual(Tensor.randn([10], using: &r1).toArray(), Tensor.randn([10], using: &r2).toArray())
        let n = Tensor.randn([20000], using: &r1)
        XCTAssertEqual(try n.mean().item, 0, accuracy: 0.03)
        XCTAssertEqual(try n.std().item, 1, accuracy: 0.03)
        let u = try Tensor.randint(3, 7, [1000], using: &r1)
        XCTAssertEqual(try u.min().item, 3)
        XCTAssertEqual(try u.max().item, 6)
        XCTAssertEqual(Tensor.randperm(10, using: &r1).toArray().sorted(), (0..<10).map(Float.init))
        var sm = SplitMix64(seed: 0)
        XCTAssertEqual(sm.next(), 0xE220A8397B1DCDAF)  // reference SplitMix64 first output for seed 0
    }
}
