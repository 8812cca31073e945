import Foundation
import LoupeFormats
import LoupeTensor

// Meta's original Llama checkpoints (llama-models' `Transformer`): params.json for the hyper-parameters,
// consolidated.NN.pth state dicts (one per model-parallel rank), tokenizer.model. The weights are the
// Llama architecture's; q/k rows hold each head's rotary pairs interleaved (2i, 2i+1), as GGUF does, so
// the loader undoes the same permutation.

extension Llama {
    /// Meta's names (llama-models' module paths), with how fairscale split each across model-parallel
    /// shards: column-parallel (ColumnParallelLinear, VocabParallelEmbedding) along dim 0, row-parallel
    /// (RowParallelLinear) along dim 1, norms replicated.
    static let metaNames = Names(
        embed: "tok_embeddings.weight", lnFinal: "norm.weight", unembed: "output.weight",
        ln1: "layers.{L}.attention_norm.weight",
        q: "layers.{L}.attention.wq.weight", k: "layers.{L}.attention.wk.weight",
        v: "layers.{L}.attention.wv.weight", o: "layers.{L}.attention.wo.weight",
        ln2: "layers.{L}.ffn_norm.weight",
        gate: "layers.{L}.feed_forward.w1.weight", up: "layers.{L}.feed_forward.w3.weight",
        down: "layers.{L}.feed_forward.w2.weight")

    /// How a Meta tensor was split across `shards` model-parallel files, from its name.
    static func metaSplit(_ name: String, shardShape: [Int], shards: Int, config c: ModelConfig) -> ShardSplit {
        let n = metaNames
        let template = metaTemplate(name)
        switch template {
        case n.q, n.k, n.v, n.gate, n.up, n.unembed: return .concatenated(dim: 0)
        case n.o, n.down: return .concatenated(dim: 1)
        case n.embed:
            // Llama 3 splits the vocabulary (VocabParallelEmbedding); Llama 2 the model dimension.
            return shardShape.count == 2 && shardShape[0] * shards == c.dVocab ? .concatenated(dim: 0) : .concatenated(dim: 1)
        default: return .replicated
        }
    }

    /// `layers.12.attention.wq.weight` → `layers.{L}.attention.wq.weight`.
    static func metaTemplate(_ name: String) -> String {
        let parts = name.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "layers", !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber) else { return name }
        return "layers.{L}." + parts[2]
    }

    /// Meta's `params.json` (llama-models' ModelArgs). The MLP width is FeedForward's:
    /// int(2·4·dim/3), times ffn_dim_multiplier, rounded up to a multiple of multiple_of.
    /// `use_scaled_rope` is Llama 3.1's frequency scaling (factor 8, low 1, high 4, original 8192).
    static func config(metaParams url: URL, vocabFromWeights: Int?) throws -> ModelConfig {
        let source = url.path
        let json: JSONValue
        do { json = try JSONValue.load(url) } catch {
            throw ModelError(.badConfig, "\(source): cannot read params.json (\(error))")
        }
        guard json.object != nil else { throw ModelError(.badConfig, "\(source): params.json is not a JSON object") }
        let limit = 1 << 24
        func int(_ key: String, default value: Int? = nil) throws -> Int {
            guard let v = json[key] else {
                if let value { return value }
                throw ModelError(.badConfig, "\(source): params.json has no \(key)")
            }
            guard let i = v.int else { throw ModelError(.badConfig, "\(source): params.json \(key) = \(v) is not an integer") }
            guard i > 0, i <= limit else { throw ModelError(.badConfig, "\(source): params.json \(key) = \(i) is out of range") }
            return i
        }
        func double(_ key: String) throws -> Double? {
            guard let v = json[key], !v.isNull else { return nil }
            guard let d = v.double, d.isFinite else { throw ModelError(.badConfig, "\(source): params.json \(key) = \(v) is not a number") }
            return d
        }
        let dim = try int("dim"), heads = try int("n_heads"), layers = try int("n_layers")
        let kvHeads = try json["n_kv_heads"].map { $0.isNull ? heads : try int("n_kv_heads") } ?? heads
        guard dim % heads == 0 else {
            throw ModelError(.badConfig, "\(source): params.json dim \(dim) is not divisible by n_heads \(heads)")
        }
        var vocab = json["vocab_size"]?.int ?? -1
        if vocab <= 0, let fromWeights = vocabFromWeights { vocab = fromWeights }   // Llama 2 writes -1
        guard vocab > 0, vocab <= limit else {
            throw ModelError(.badConfig, "\(source): params.json vocab_size = \(json["vocab_size"]?.description ?? "missing") is out of range")
        }
        let multipleOf = try int("multiple_of", default: 256)
        var hidden = Double(Int(2.0 * Double(4 * dim) / 3.0))
        if let m = try double("ffn_dim_multiplier") {
            guard m > 0, m * hidden < Double(limit) else {
                throw ModelError(.badConfig, "\(source): params.json ffn_dim_multiplier = \(m) is out of range")
            }
            hidden = (m * hidden).rounded(.towardZero)
        }
        let mlp = multipleOf * ((Int(hidden) + multipleOf - 1) / multipleOf)
        let theta = try double("rope_theta") ?? 10000
        guard theta > 1 else { throw ModelError(.badConfig, "\(source): params.json rope_theta = \(theta) is out of range") }
        let eps = try double("norm_eps") ?? 1e-5
        guard eps > 0, eps < 1 else { throw ModelError(.badConfig, "\(source): params.json norm_eps = \(eps) is out of range") }
        let scaled = json["use_scaled_rope"]?.bool ?? false
        let scaling: RopeScaling? = scaled
            ? .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192) : nil
        // params.json carries no context length: Llama 3.1 (scaled RoPE) reaches 128K, Llama 3 8K, Llama 2 4K.
        let ctx = try int("max_seq_len", default: scaled ? 131_072 : theta >= 500_000 ? 8192 : 4096)
        // Llama 3's tiktoken vocabulary: <|begin_of_text|> 128000, <|end_of_text|> 128001.
        let llama3Vocab = vocab == 128_256
        return ModelConfig(architecture: .llama, nLayers: layers, dModel: dim, nHeads: heads, nKVHeads: kvHeads,
                           dHead: dim / heads, dMLP: mlp, dVocab: vocab, nCtx: ctx, eps: Float(eps),
                           ropeTheta: Float(theta), ropeScaling: scaling, tiedEmbeddings: false,
                           bosTokenID: llama3Vocab ? 128_000 : nil, eosTokenID: llama3Vocab ? 128_001 : nil, source: source)
    }
}

extension ModelConfig {
    /// Meta's `params.json`; `vocabFromWeights` stands in when it says `vocab_size: -1` (Llama 2).
    public init(metaParams url: URL, vocabFromWeights: Int? = nil) throws {
        self = try Llama.config(metaParams: url, vocabFromWeights: vocabFromWeights)
        try validate()
    }
}

/// Opening Meta's original checkpoint folders: params.json and the shards, joined by the split table.
public enum MetaCheckpoint {
    /// The weights (one mapped shard, or the shards joined) and the config of a located `.meta` model.
    public static func open(_ location: ModelLocation) throws -> (weights: WeightSource, config: ModelConfig) {
        guard let params = location.paramsURL else {
            throw ModelError(.badConfig, "\(location.url.path): no params.json")
        }
        let shards = try location.metaShards()
        // Llama 2 splits the embedding along the model dimension, so shard 0 has every row.
        let vocab = shards[0].info(Llama.metaNames.embed)?.shape.first
        let config = try ModelConfig(metaParams: params, vocabFromWeights: vocab)
        if shards.count == 1 { return (shards[0], config) }
        let joined = try JoinedShards(shards: shards, origin: location.url.path) { name, shape in
            Llama.metaSplit(name, shardShape: shape, shards: shards.count, config: config)
        }
        return (joined, config)
    }
}
