import Foundation
import LoupeAnalysis
import LoupeInterpreter
import LoupeModels
import LoupeTensor

/// `attention_token_dataset`'s work: run every prompt once, then walk the layers, each layer's vocabulary
/// maps (kept on the model between calls when they fit) serving all prompts through
/// `AttentionTokens.layerTokens`; the table is assembled column by column in prompt, layer, head, query,
/// key order.
struct AttentionTokenDatasetBuilder {
    let m: ModelObject
    let keepMaps: Bool

    init(model: ModelObject, keepMaps: Bool) { m = model; self.keepMaps = keepMaps }

    static let memoPrefix = "attention_token_maps."

    func table(prompts: [Value], maxTokens: Int, layers: [Int], interrupted: () -> Bool) throws -> Table {
        let c = m.model.config
        var ids: [[Int]] = [], caches: [ActivationCache] = []
        for (p, prompt) in prompts.enumerated() {
            guard case .single(let all) = try m.input(prompt, prependBOS: nil, what: "attention_token_dataset") else {
                throw LoupeError("attention_token_dataset: prompts[\(p)] must be one text or one sequence of ids")
            }
            ids.append(Array(all.prefix(maxTokens)))
            caches.append(try engineCall {
                try m.model.runWithCache(ids[p], namesFilter: .predicate { $0.hasSuffix("attn.hook_q") || $0.hasSuffix("attn.hook_k")
                    || $0.hasSuffix("attn.hook_v") || $0.hasSuffix("attn.hook_pattern") }, hooks: m.singleRunHooks).cache
            })
        }
        let progress = ProgressLine(what: "attention_token_dataset (\(prompts.count) prompts)", unit: "layer", total: layers.count)
        var tokens: [[[HeadTokens]]] = [] // [layer][prompt][head]
        var unembed: Tensor?
        let cache = keepMaps && fitsInMemory(layers: layers)
        for layer in layers where !prompts.isEmpty {
            if interrupted() { throw LoupeError.interrupted }
            let maps = try self.maps(layer: layer, unembed: &unembed, keep: cache)
            let activations = try caches.indices.map { try self.activations(caches[$0], layer: layer, positions: ids[$0].count) }
            tokens.append(try engineCall { try AttentionTokens.layerTokens(activations, maps: maps) })
            progress.step()
        }
        if !keepMaps { _ = Self.dropMaps(m) }
        // Columns in prompt, layer, head, query, key order.
        var prompt: [Int] = [], layerCol: [Int] = [], head: [Int] = [], input: [Int] = [], keyPos: [Int] = []
        var attn: [Double] = [], hp: [Int] = [], q: [Int] = [], k: [Int] = [], v: [Int] = []
        for p in prompts.indices where !layers.isEmpty {
            let t = ids[p].count
            for (li, layer) in layers.enumerated() {
                let pattern = try engineCall { try caches[p].get("blocks.\(layer).attn.hook_pattern").contiguous().toArray() } // [head, pos, pos]
                for h in 0..<c.nHeads {
                    let tok = tokens[li][p][h]
                    var pair = 0
                    for i in 0..<t {
                        for j in 0...i {
                            prompt.append(p); layerCol.append(layer); head.append(h); input.append(ids[p][i]); keyPos.append(j)
                            attn.append(Double(pattern[(h * t + i) * t + j])); hp.append(Int(tok.hp[pair]))
                            q.append(Int(tok.q[i])); k.append(Int(tok.k[j])); v.append(Int(tok.v[j]))
                            pair += 1
                        }
                    }
                }
            }
        }
        let columns: [ColumnData] = [.int(prompt), .int(layerCol), .int(head), .int(input), .int(keyPos), .double(attn),
                                     .int(hp), .int(q), .int(k), .int(v)]
        return try TableBindings.checked { try Table(columns: Array(zip(AttentionTokenData.columns, columns))) }
    }

    /// One layer's q, k and v in one prompt's cache.
    func activations(_ cache: ActivationCache, layer l: Int, positions: Int) throws -> LayerActivations {
        try engineCall {
            let c = m.model.config
            func flat(_ name: String) throws -> [Float] { // [pos, heads, d_head]; k and v per key/value head
                var t = try cache.get("blocks.\(l).attn.\(name)")
                if name != "hook_q" && t.shape[1] == c.nHeads && c.nKVHeads < c.nHeads {
                    t = try t.take(Array(stride(from: 0, to: c.nHeads, by: c.nHeads / c.nKVHeads)), dim: 1)
                }
                return t.contiguous().toArray()
            }
            return LayerActivations(positions: positions, q: try flat("hook_q"), k: try flat("hook_k"), v: try flat("hook_v"))
        }
    }

    /// The layer's maps: from the model's memo, or formed (and kept there when `keep`).
    func maps(layer: Int, unembed: inout Tensor?, keep: Bool) throws -> LayerVocabMaps {
        let key = Self.memoPrefix + "\(layer)."
        if let q = m.weightMemo[key + "query"], let k = m.weightMemo[key + "key"], let v = m.weightMemo[key + "value"] {
            return LayerVocabMaps(query: q, key: k, value: v)
        }
        if unembed == nil { unembed = try engineCall { try m.model.W_U.contiguous() } } // [d_model, vocab]
        let wU = unembed!
        let maps = try engineCall {
            let c = m.model.config
            let wK = try m.model.W_K(layer: layer)                   // [heads or kv heads, d_model, d_head]
            let group = wK.shape[0] == c.nHeads ? max(1, c.nHeads / max(1, c.nKVHeads)) : 1
            let kvK = group == 1 ? wK : try wK.take(Array(stride(from: 0, to: c.nHeads, by: group)), dim: 0)
            return try LayerVocabMaps(W_Q: try m.model.W_Q(layer: layer), W_K: kvK, W_O: try m.model.W_O(layer: layer), W_U: wU)
        }
        if keep {
            m.weightMemo[key + "query"] = maps.query; m.weightMemo[key + "key"] = maps.key; m.weightMemo[key + "value"] = maps.value
        }
        return maps
    }

    /// Whether the maps of `layers` not kept yet fit in half the memory available now.
    func fitsInMemory(layers: [Int]) -> Bool {
        let c = m.model.config
        let missing = layers.filter { m.weightMemo[Self.memoPrefix + "\($0).query"] == nil }.count
        let bytes = LayerVocabMaps.bytes(layers: missing, heads: c.nHeads, kvHeads: c.nKVHeads, dHead: c.dHead, vocab: c.dVocab)
        guard let available = MemoryBudget.available() else { return false }
        return bytes <= available / 2
    }

    static func keptBytes(_ m: ModelObject) -> Int {
        m.weightMemo.filter { $0.key.hasPrefix(memoPrefix) }.reduce(0) { $0 + $1.value.count * MemoryLayout<Float>.size }
    }

    /// Frees the kept maps; returns their bytes.
    static func dropMaps(_ m: ModelObject) -> Int {
        let bytes = keptBytes(m)
        m.weightMemo = m.weightMemo.filter { !$0.key.hasPrefix(memoPrefix) }
        return bytes
    }
}

/// A tqdm-style progress line on the terminal (`Library.progressLines`; never in program output):
/// `what: 40%|████      | 12/30 [00:20<00:30, 1.67 s/layer]`, at most one a second and the last.
final class ProgressLine {
    let what: String, unit: String, total: Int
    let start = Date()
    var done = 0
    var shown = Date.distantPast

    init(what: String, unit: String, total: Int) { self.what = what; self.unit = unit; self.total = total }

    func step() {
        done += 1
        let now = Date()
        guard let lines = Library.progressLines, done == total || now.timeIntervalSince(shown) >= 1 else { return }
        shown = now
        lines(Self.text(what: what, unit: unit, done: done, total: total, elapsed: now.timeIntervalSince(start)))
    }

    static func text(what: String, unit: String, done: Int, total: Int, elapsed: Double) -> String {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(fraction * 10)
        let bar = String(repeating: "█", count: filled) + String(repeating: " ", count: 10 - filled)
        let per = done > 0 ? elapsed / Double(done) : 0
        func clock(_ s: Double) -> String { let t = Int(s.rounded()); return String(format: "%02d:%02d", t / 60, t % 60) }
        return "\(what): \(Int(fraction * 100))%|\(bar)| \(done)/\(total) [\(clock(elapsed))<\(clock(per * Double(total - done))), "
            + String(format: "%.2f s/%@]", per, unit)
    }
}
