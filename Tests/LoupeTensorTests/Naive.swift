import XCTest
@testable import LoupeTensor

/// Random tensors and element-by-element references for the semantics tests: every reference reads
/// single elements through `Tensor[index]` in plain nested loops, never through the API under test.
struct Naive {
    var rng: TestRNG

    init(seed: UInt64) { rng = TestRNG(seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.count))
    }

    /// A shape of rank 0...maxRank, sizes 0...maxSize (size 0 only when `allowEmpty`).
    mutating func shape(maxRank: Int = 4, maxSize: Int = 4, allowEmpty: Bool = true) -> [Int] {
        (0..<int(0...maxRank)).map { _ in allowEmpty && int(0...9) == 0 ? 0 : int(1...maxSize) }
    }

    /// Values in [-2, 2) rounded to quarters (so ties, zeros and exact comparisons occur), sometimes
    /// as a non-contiguous view (the same values reached through reversed strides).
    mutating func tensor(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        let data = (0..<n).map { _ in (rng.float() * 8).rounded() / 4 }
        if shape.count >= 2, int(0...1) == 1 {
            let t = Tensor(shape: shape.reversed(), data: data)
            return Tensor(storage: t.storage, shape: shape, strides: t.strides.reversed(), offset: 0)
        }
        return Tensor(shape: shape, data: data)
    }

    /// A random shape and a tensor of it, or nil when the shape drawn is a scalar's (the caller skips it).
    mutating func nonScalarTensor() -> (shape: [Int], tensor: Tensor)? {
        let s = shape()
        return s.isEmpty ? nil : (s, tensor(s))
    }

    /// A random dimension `d` of `shape`, and the `dim` argument naming it: `d` or, half the time, `d`
    /// counted from the end.
    mutating func dim(of shape: [Int]) -> (d: Int, dim: Int) {
        let d = int(0...(shape.count - 1))
        return (d, int(0...1) == 0 ? d : d - shape.count)
    }

    /// A shape that broadcasts with `s`: a suffix of it, some dims set to 1, sometimes extra leading dims.
    mutating func broadcastPartner(_ s: [Int]) -> [Int] {
        var b = Array(s.suffix(int(0...s.count)))
        for i in b.indices where int(0...2) == 0 { b[i] = 1 }
        if b.count == s.count, int(0...3) == 0 { b.insert(int(1...2), at: 0) }
        return b
    }

    /// Every multi-index of `shape` in row-major order.
    static func indices(_ shape: [Int]) -> [[Int]] {
        var out: [[Int]] = [[]]
        for n in shape { out = out.flatMap { prefix in (0..<n).map { prefix + [$0] } } }
        return out
    }

    /// The element of `t` that position `index` of the broadcast shape reads.
    static func broadcastRead(_ t: Tensor, _ index: [Int]) -> Float {
        let lead = index.count - t.rank
        return t[(0..<t.rank).map { t.shape[$0] == 1 ? 0 : index[$0 + lead] }]
    }

    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = max(a.count, b.count)
        let pa = Array(repeating: 1, count: r - a.count) + a, pb = Array(repeating: 1, count: r - b.count) + b
        var out: [Int] = []
        for (x, y) in zip(pa, pb) {
            guard x == y || x == 1 || y == 1 else { return nil }
            out.append(x == 1 ? y : x)
        }
        return out
    }

    /// Equal bit for bit (NaN equals NaN).
    static func assertSame(_ t: Tensor, _ shape: [Int], _ values: [Float], _ what: String,
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(t.shape, shape, what, file: file, line: line)
        let got = t.toArray()
        guard got.count == values.count else { return XCTFail("\(what): \(got.count) values, want \(values.count)", file: file, line: line) }
        for (g, w) in zip(got, values) where !(g.bitPattern == w.bitPattern || (g.isNaN && w.isNaN)) {
            return XCTFail("\(what): got \(got), want \(values)", file: file, line: line)
        }
    }
}
