import XCTest
@testable import LoupeAnalysis
import LoupeTensor

/// The blocked, fused product+argmax against its naive twin (the whole product, then argmax), and the
/// layer-at-once dataset against `AttentionTokens.compute` head by head.
final class AttentionTokenDatasetTests: XCTestCase {
    private func random(_ count: Int, _ rng: inout SplitMix) -> [Float] {
        (0..<count).map { _ in Float(rng.nextGaussian()) }
    }

    func testVocabArgmaxMatchesWholeProductAndArgmax() throws {
        var rng = SplitMix(seed: 7)
        // Rows and columns both cross block edges and end in partial blocks.
        let m = VocabArgmax.rowBlock + 37, k = 64, vocab = 2 * VocabArgmax.columnBlock + 301
        let rows = random(m * k, &rng)
        var map = random(k * vocab, &rng)
        // Ties: column 1200 duplicates column 90 and column 1030 duplicates column 1029 (across workers' ranges
        // and inside one block), so only a first-index rule passes.
        for d in 0..<k { map[d * vocab + 1200] = map[d * vocab + 90] * 3; map[d * vocab + 90] *= 3
                         map[d * vocab + 1030] = map[d * vocab + 1029] * 3; map[d * vocab + 1029] *= 3 }
        let whole = try Tensor.matmul(Tensor(shape: [m, k], data: rows), Tensor(shape: [k, vocab], data: map)) // [m, vocab]
        let expected = try whole.argmax(dim: -1).toArray().map { Int32($0) }
        for workers in [1, 2, 3] {
            let got = VocabArgmax.argmax(rows: rows, m: m, k: k, map: map, vocab: vocab, workers: workers)
            XCTAssertEqual(got, expected, "workers \(workers)")
        }
        XCTAssertTrue(expected.contains(90) || expected.contains(1029), "the ties are exercised")
    }

    /// Every head's q, k, v and q⊙k tokens over two prompts of different lengths, under GQA (4 heads over
    /// 2 key/value heads), equal the head-by-head computation with per-head maps and whole products.
    func testLayerTokensMatchHeadByHead() throws {
        var rng = SplitMix(seed: 3)
        let nHeads = 4, nKV = 2, dHead = 8, dModel = 16, vocab = 700
        let wQ = Tensor(shape: [nHeads, dModel, dHead], data: random(nHeads * dModel * dHead, &rng))
        let wK = Tensor(shape: [nKV, dModel, dHead], data: random(nKV * dModel * dHead, &rng))
        let wO = Tensor(shape: [nHeads, dHead, dModel], data: random(nHeads * dHead * dModel, &rng))
        let wU = Tensor(shape: [dModel, vocab], data: random(dModel * vocab, &rng))
        let maps = try LayerVocabMaps(W_Q: wQ, W_K: wK, W_O: wO, W_U: wU)
        let prompts = [5, 9].map { t in
            LayerActivations(positions: t, q: random(t * nHeads * dHead, &rng), k: random(t * nKV * dHead, &rng),
                             v: random(t * nKV * dHead, &rng))
        }
        let got = try AttentionTokens.layerTokens(prompts, maps: maps)
        for (p, a) in prompts.enumerated() {
            let t = a.positions
            for h in 0..<nHeads {
                let g = h / (nHeads / nKV)
                func slice(_ x: [Float], _ heads: Int, _ which: Int) -> Tensor { // [pos, d_head]
                    var rows: [Float] = []
                    for i in 0..<t {
                        let start: Int = (i * heads + which) * dHead
                        rows += x[start..<(start + dHead)]
                    }
                    return Tensor(shape: [t, dHead], data: rows)
                }
                let ref = try AttentionTokens.compute(
                    layer: 0, head: h, input: Array(0..<t), q: slice(a.q, nHeads, h), k: slice(a.k, nKV, g), v: slice(a.v, nKV, g),
                    pattern: Tensor(shape: [t, t], data: [Float](repeating: 0, count: t * t)),
                    W_Q: try wQ.index([.at(h)]).contiguous(), W_K: try wK.index([.at(g)]).contiguous(),
                    W_O: try wO.index([.at(h)]).contiguous(), W_U: wU)
                let mine = got[p][h]
                XCTAssertEqual(mine.q.map(Int.init), ref.q, "prompt \(p) head \(h) q")
                XCTAssertEqual(mine.k.map(Int.init), ref.k, "prompt \(p) head \(h) k")
                XCTAssertEqual(mine.v.map(Int.init), ref.v, "prompt \(p) head \(h) v")
                var causal: [Int] = []
                for i in 0..<t { causal += ref.qk[i][0...i] }
                XCTAssertEqual(mine.hp.map(Int.init), causal, "prompt \(p) head \(h) q⊙k")
            }
        }
    }

    func testLayerTokensRejectMismatchedActivations() {
        let maps = LayerVocabMaps(query: Tensor(shape: [2, 4, 10], data: [Float](repeating: 0, count: 80)),
                                  key: Tensor(shape: [1, 4, 10], data: [Float](repeating: 0, count: 40)),
                                  value: Tensor(shape: [2, 4, 10], data: [Float](repeating: 0, count: 80)))
        let bad = LayerActivations(positions: 3, q: [Float](repeating: 0, count: 3 * 2 * 4), k: [Float](repeating: 0, count: 5), v: [])
        XCTAssertThrowsError(try AttentionTokens.layerTokens([bad], maps: maps)) { error in
            XCTAssertTrue("\(error)".contains("prompt 0"), "\(error)")
        }
    }
}
