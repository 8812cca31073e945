import Foundation
import LoupeTensor

/// Every head's vocabulary maps of one layer (`HeadVocabProjection`'s, for all heads at once), each kind
/// formed by one product of the heads' stacked weights with W_U.
public final class LayerVocabMaps: @unchecked Sendable {
    public let query: Tensor // [nHeads, d_head, vocab]   W_Q[h]ᵀ · W_U
    public let key: Tensor   // [nKVHeads, d_head, vocab] W_K[g]ᵀ · W_U
    public let value: Tensor // [nHeads, d_head, vocab]   W_O[h] · W_U

    /// W_Q: [nHeads, d_model, d_head]; W_K: [nKVHeads, d_model, d_head]; W_O: [nHeads, d_head, d_model];
    /// W_U: [d_model, vocab].
    public init(W_Q: Tensor, W_K: Tensor, W_O: Tensor, W_U: Tensor) throws {
        func stacked(_ w: Tensor) throws -> Tensor { // [heads, d_model, d_head] -> [heads·d_head, d_model]
            try w.transposed(1, 2).contiguous().reshaped([w.shape[0] * w.shape[2], w.shape[1]])
        }
        let vocab = W_U.shape[1], dHead = W_Q.shape[2]
        query = try Tensor.matmul(stacked(W_Q), W_U).reshaped([W_Q.shape[0], dHead, vocab])
        key = try Tensor.matmul(stacked(W_K), W_U).reshaped([W_K.shape[0], dHead, vocab])
        value = try Tensor.matmul(W_O.contiguous().reshaped([W_O.shape[0] * dHead, W_O.shape[2]]), W_U)
            .reshaped([W_O.shape[0], dHead, vocab])
    }

    /// Maps formed earlier (kept between calls).
    public init(query: Tensor, key: Tensor, value: Tensor) {
        self.query = query; self.key = key; self.value = value
    }

    /// Bytes held by the three maps.
    public var bytes: Int { (query.count + key.count + value.count) * MemoryLayout<Float>.size }

    /// Bytes the maps of `layers` layers would take.
    public static func bytes(layers: Int, heads: Int, kvHeads: Int, dHead: Int, vocab: Int) -> Int {
        layers * (2 * heads + kvHeads) * dHead * vocab * MemoryLayout<Float>.size
    }
}

/// One layer's activations in one prompt, as the dataset reads them.
public struct LayerActivations: Sendable {
    public var positions: Int
    public var q: [Float]       // [pos, nHeads, d_head]
    public var k: [Float]       // [pos, nKVHeads, d_head]
    public var v: [Float]       // [pos, nKVHeads, d_head]

    public init(positions: Int, q: [Float], k: [Float], v: [Float]) {
        self.positions = positions; self.q = q; self.k = k; self.v = v
    }
}

/// One head's tokens in one prompt: q, k, v per position and hp per causal pair in (query, key ≤ query) order.
public struct HeadTokens: Sendable {
    public var q: [Int32] = [], k: [Int32] = [], v: [Int32] = [], hp: [Int32] = []
}

extension AttentionTokens {
    /// The attention tokens of every head of one layer over many prompts ([prompt][head]), the same tokens as
    /// `compute` gives head by head: each head's q⊙k pairs and q rows of all prompts go through its query map
    /// in one `VocabArgmax` product, the k rows of each key/value head through its key map once, and the v
    /// rows through each head's value map.
    public static func layerTokens(_ prompts: [LayerActivations], maps: LayerVocabMaps,
                                   workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> [[HeadTokens]] {
        let nHeads = maps.query.shape[0], nKV = maps.key.shape[0], dHead = maps.query.shape[1], vocab = maps.query.shape[2]
        guard nKV > 0, nHeads % nKV == 0 else { throw TensorError("attention tokens: \(nHeads) heads over \(nKV) key/value heads") }
        for (p, a) in prompts.enumerated() {
            let t = a.positions
            guard a.q.count == t * nHeads * dHead, a.k.count == t * nKV * dHead, a.v.count == t * nKV * dHead else {
                throw TensorError("attention tokens: prompt \(p)'s activations do not match \(nHeads) heads, \(nKV) key/value heads, d_head \(dHead)")
            }
        }
        let group = nHeads / nKV
        var out = [[HeadTokens]](repeating: [HeadTokens](repeating: HeadTokens(), count: nHeads), count: prompts.count)
        let query = maps.query.contiguous(), key = maps.key.contiguous(), value = maps.value.contiguous()
        let mapSize = dHead * vocab
        withExtendedLifetime((query, key, value)) {
            let qMaps = UnsafePointer(query.basePointer), kMaps = UnsafePointer(key.basePointer)
            let vMaps = UnsafePointer(value.basePointer)
            for g in 0..<nKV {
                // k and v rows of this key/value head, all prompts: [Σ pos, d_head]
                let kRows = gather(prompts, dHead: dHead) { a, i in (a.k, (i * nKV + g) * dHead) }
                let vRows = gather(prompts, dHead: dHead) { a, i in (a.v, (i * nKV + g) * dHead) }
                let kTok = argmax(kRows, dHead, kMaps + g * mapSize, vocab, workers)
                for h in (g * group)..<((g + 1) * group) {
                    let vTok = argmax(vRows, dHead, vMaps + h * mapSize, vocab, workers)
                    let qTok = argmax(queryRows(prompts, head: h, kvHead: g, nHeads: nHeads, nKV: nKV, dHead: dHead),
                                      dHead, qMaps + h * mapSize, vocab, workers)
                    var pos = 0, pair = 0
                    for (p, a) in prompts.enumerated() {
                        let t = a.positions, pairs = t * (t + 1) / 2
                        out[p][h] = HeadTokens(q: Array(qTok[(pair + pairs)..<(pair + pairs + t)]),
                                               k: Array(kTok[pos..<(pos + t)]), v: Array(vTok[pos..<(pos + t)]),
                                               hp: Array(qTok[pair..<(pair + pairs)]))
                        pos += t; pair += pairs + t
                    }
                }
            }
        }
        return out
    }

    /// For each prompt, head h's causal pairs q_i ⊙ k_j (j ≤ i, in (i, j) order) then its q rows:
    /// [Σ (pairs + pos), d_head].
    static func queryRows(_ prompts: [LayerActivations], head h: Int, kvHead g: Int, nHeads: Int, nKV: Int, dHead: Int) -> [Float] {
        let total = prompts.reduce(0) { $0 + $1.positions * ($1.positions + 3) / 2 }
        var rows = [Float](repeating: 0, count: total * dHead)
        rows.withUnsafeMutableBufferPointer { out in
            var r = 0
            for a in prompts {
                a.q.withUnsafeBufferPointer { q in a.k.withUnsafeBufferPointer { k in
                    for i in 0..<a.positions {
                        let qi = q.baseAddress! + (i * nHeads + h) * dHead
                        for j in 0...i {
                            let kj = k.baseAddress! + (j * nKV + g) * dHead
                            let o = out.baseAddress! + r * dHead
                            for c in 0..<dHead { o[c] = qi[c] * kj[c] }
                            r += 1
                        }
                    }
                    for i in 0..<a.positions {
                        (out.baseAddress! + r * dHead).update(from: q.baseAddress! + (i * nHeads + h) * dHead, count: dHead)
                        r += 1
                    }
                } }
            }
        }
        return rows
    }

    /// One d_head row per position of every prompt, read at the offset `at` gives: [Σ pos, d_head].
    static func gather(_ prompts: [LayerActivations], dHead: Int, _ at: (LayerActivations, Int) -> ([Float], Int)) -> [Float] {
        var rows = [Float]()
        rows.reserveCapacity(prompts.reduce(0) { $0 + $1.positions } * dHead)
        for a in prompts {
            for i in 0..<a.positions {
                let (source, offset) = at(a, i)
                rows += source[offset..<(offset + dHead)]
            }
        }
        return rows
    }

    static func argmax(_ rows: [Float], _ dHead: Int, _ map: UnsafePointer<Float>, _ vocab: Int, _ workers: Int) -> [Int32] {
        rows.withUnsafeBufferPointer { r in
            VocabArgmax.argmax(rows: r.baseAddress!, m: rows.count / dHead, k: dHead, map: map, vocab: vocab, workers: workers)
        }
    }
}
