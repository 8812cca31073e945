import XCTest
@testable import LoupeTensor

/// Views by index (select, narrow, slice, numpy indices, take, gather, masks, assignment) against naive loops.
final class SelectTests: XCTestCase {
    /// Python's `range(n)[start:stop:step]`, written as a filter over every position (the start clamped into range).
    static func pythonSlice(_ n: Int, _ start: Int?, _ stop: Int?, _ step: Int?) -> [Int] {
        let st = step ?? 1
        func norm(_ v: Int) -> Int { v < 0 ? v + n : v }
        if st > 0 {
            let lo = max(start.map(norm) ?? 0, 0), hi = stop.map(norm) ?? n
            return (0..<n).filter { $0 >= lo && $0 < hi && ($0 - lo) % st == 0 }
        }
        let hi = min(start.map(norm) ?? n - 1, n - 1), lo = stop.map(norm) ?? -1
        return (0..<n).reversed().filter { $0 <= hi && $0 > lo && (hi - $0) % (-st) == 0 }
    }

    /// t with positions `picks` along dim d (nil: the dimension is dropped, picking `at`).
    static func naivePick(_ t: Tensor, dim d: Int, picks: [Int]?, at: Int = 0) -> ([Int], [Float]) {
        var shape = t.shape
        if let picks { shape[d] = picks.count } else { shape.remove(at: d) }
        let values = Naive.indices(shape).map { i -> Float in
            var src = i
            if let picks { src[d] = picks[i[d]] } else { src.insert(at, at: d) }
            return t[src]
        }
        return (shape, values)
    }

    func testSelectNarrowSliceAndTake() throws {
        var g = Naive(seed: 4)
        for _ in 0..<200 {
            guard let (s, t) = g.nonScalarTensor() else { continue }
            let (d, dim) = g.dim(of: s)
            let n = s[d]
            if n > 0 {
                let i = g.int(0...(n - 1))
                let (shape, want) = Self.naivePick(t, dim: d, picks: nil, at: i)
                Naive.assertSame(try t.select(dim: dim, index: i - (g.int(0...1) == 0 ? 0 : n)), shape, want, "select \(s) \(dim) \(i)")
            }
            let start = g.int(0...n), length = g.int(0...(n - start))
            let (ns, nv) = Self.naivePick(t, dim: d, picks: Array(start..<(start + length)))
            Naive.assertSame(try t.narrow(dim: dim, start: start, length: length), ns, nv, "narrow")
            let a: Int? = g.int(0...3) == 0 ? nil : g.int(-6...6), b: Int? = g.int(0...3) == 0 ? nil : g.int(-6...6)
            let step: Int? = g.int(0...3) == 0 ? nil : [1, 2, 3, -1, -2, -3][g.int(0...5)]
            let (ss, sv) = Self.naivePick(t, dim: d, picks: Self.pythonSlice(n, a, b, step))
            Naive.assertSame(try t.slice(dim: dim, start: a, stop: b, step: step), ss, sv, "slice \(n) \(String(describing: a)):\(String(describing: b)):\(String(describing: step))")
            let picks = n == 0 ? [] : (0..<g.int(0...5)).map { _ in g.int(0...(n - 1)) }
            let (ts, tv) = Self.naivePick(t, dim: d, picks: picks)
            Naive.assertSame(try t.take(picks.map { $0 - (g.int(0...1) == 0 ? 0 : n) }, dim: dim), ts, tv, "take")
            Naive.assertSame(try t.index(Array(repeating: .all, count: d) + [.indices(picks)]), ts, tv, "index .indices")
        }
        let t = Tensor(zeros: [2, 3])
        XCTAssertThrowsError(try t.select(dim: 1, index: 3)) { XCTAssertEqual("\($0)", "dim 1 index 3 is out of range (length 3)") }
        XCTAssertThrowsError(try t.narrow(dim: 0, start: 1, length: 2))
        XCTAssertThrowsError(try t.slice(dim: 2))
        XCTAssertEqual(try t.index([.indices([0]), .indices([1])]).shape, [1])   // two index lists pair up, as in torch
        XCTAssertThrowsError(try t.index([.indices([0, 1]), .indices([0, 1, 2])])) { XCTAssertTrue("\($0)".contains("broadcast")) }
    }

    func testIndexMixesBasicItemsWithOneIndexList() throws {
        let t = try Tensor.arange(0, 24).reshaped([2, 3, 4])
        // t[None, ..., [3, 0, 3]] -> [1, 2, 3, 3]
        let r = try t.index([.newAxis, .ellipsis, .indices([3, 0, -1])])
        XCTAssertEqual(r.shape, [1, 2, 3, 3])
        XCTAssertEqual(Array(r.toArray().prefix(6)), [3, 0, 3, 7, 4, 7])
        // t[1, [2, 0]] -> rows 2 and 0 of t[1]
        XCTAssertEqual(try t.index([.at(1), .indices([2, 0])]).toArray(), [20, 21, 22, 23, 12, 13, 14, 15])
        XCTAssertEqual(try t.index([.indices([])]).shape, [0, 3, 4])
        XCTAssertThrowsError(try t.index([.at(0), .indices([3])])) { XCTAssertEqual("\($0)", "tensor dim 1 index 3 is out of range (length 3)") }
        XCTAssertThrowsError(try t.index([.at(0), .at(0), .at(0), .at(0)])) { XCTAssertEqual("\($0)", "too many indices for a tensor of shape [2, 3, 4]: 4 given") }
    }

    func testAssignThroughIndexListsAndMasks() throws {
        var g = Naive(seed: 5)
        for _ in 0..<100 {
            let s = g.shape(allowEmpty: false)
            guard !s.isEmpty else { continue }
            let t = g.tensor(s), before = t.copy()
            let d = g.int(0...(s.count - 1))
            let picks = (0..<g.int(1...4)).map { _ in g.int(0...(s[d] - 1)) }
            var target = s
            target[d] = picks.count
            let v = g.tensor(g.broadcastPartner(target))
            guard Naive.broadcastShape(target, v.shape) == target else { continue }
            try t.assign(Array(repeating: .all, count: d) + [.indices(picks)], v, dropLeadingOnes: false)
            // naive: positions written in list order, a repeated position keeps the last value
            var want = before.toArray()
            let strides = Tensor.contiguousStrides(s)
            for i in Naive.indices(target) {
                var dst = i
                dst[d] = picks[i[d]]
                want[zip(dst, strides).map(*).reduce(0, +)] = Naive.broadcastRead(v, i)
            }
            Naive.assertSame(t, s, want, "assign .indices \(picks) along \(d) of \(s)")
            let mask = g.tensor(s).map { $0 > 0 ? 1 : 0 }
            let picked = Naive.indices(s).filter { mask[$0] != 0 }.map { t[$0] }
            Naive.assertSame(try t.masked(mask), [picked.count], picked, "masked")
        }
        XCTAssertThrowsError(try Tensor(zeros: [3]).assign([.all], Tensor(zeros: [1, 3]), dropLeadingOnes: false)) {
            XCTAssertEqual("\($0)", "cannot broadcast shape [1, 3] to [3]")
        }
        XCTAssertThrowsError(try Tensor(zeros: [2, 2]).masked(Tensor(zeros: [4]))) {
            XCTAssertEqual("\($0)", "mask shape [4] does not match tensor shape [2, 2]")
        }
    }

    func testGatherMatchesNaiveLoops() throws {
        var g = Naive(seed: 6)
        for _ in 0..<100 {
            let s = g.shape(allowEmpty: false)
            guard !s.isEmpty else { continue }
            let t = g.tensor(s)
            let d = g.int(0...(s.count - 1))
            var ishape = s.map { g.int(1...$0) }
            ishape[d] = g.int(0...4)
            let index = Tensor(shape: ishape, data: (0..<ishape.reduce(1, *)).map { _ in Float(g.int(-s[d]...(s[d] - 1))) })
            let want = Naive.indices(ishape).map { i -> Float in
                var src = i
                let p = Int(index[i])
                src[d] = p < 0 ? p + s[d] : p
                return t[src]
            }
            Naive.assertSame(try t.gather(dim: d - s.count, index: index), ishape, want, "gather")
        }
        XCTAssertThrowsError(try Tensor(zeros: [2, 2]).gather(dim: 0, index: Tensor(shape: [1, 1], data: [2])))
        XCTAssertThrowsError(try Tensor(zeros: [2, 2]).gather(dim: 0, index: Tensor(zeros: [1, 3])))
    }
}
