import Foundation
import LoupeFormats
import LoupeTensor

/// The model families Loupe runs.
public enum Architecture: String, Sendable, CaseIterable {
    /// GPT2LMHeadModel: learned positions, LayerNorm, gelu_new, fused Conv1D qkv, tied unembedding.
    case gpt2
    /// LlamaForCausalLM (Llama 2/3/3.x, SmolLM, TinyLlama, Mistral without sliding window):
    /// RMSNorm, RoPE, SwiGLU, grouped-query attention.
    case llama

    static let hfNames: [String: Architecture] = [
        "GPT2LMHeadModel": .gpt2, "gpt2": .gpt2,
        "LlamaForCausalLM": .llama, "llama": .llama, "MistralForCausalLM": .llama, "mistral": .llama,
    ]
    static var supportedList: String { "GPT2LMHeadModel (gpt2), LlamaForCausalLM (llama), MistralForCausalLM" }
}

/// Shapes and hyper-parameters of one model, in TransformerLens's terms.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: Architecture
    public var nLayers: Int
    public var dModel: Int
    public var nHeads: Int
    /// Key/value heads (== nHeads without grouped-query attention).
    public var nKVHeads: Int
    public var dHead: Int
    public var dMLP: Int
    public var dVocab: Int
    /// Context length (n_positions / max_position_embeddings / GGUF context_length).
    public var nCtx: Int
    /// LayerNorm / RMSNorm epsilon.
    public var eps: Float
    public var ropeTheta: Float
    public var ropeScaling: RopeScaling?
    /// The unembedding is the transposed embedding (no separate lm_head / output tensor).
    public var tiedEmbeddings: Bool
    public var bosTokenID: Int?
    public var eosTokenID: Int?
    /// Human-readable origin (file or directory).
    public var source: String = ""

    /// Heads sharing one key/value head.
    public var groupSize: Int { nHeads / nKVHeads }
    public var usesRotary: Bool { architecture == .llama }
    public var isGated: Bool { architecture == .llama }
    public var usesRMSNorm: Bool { architecture == .llama }

    func validate() throws {
        let fields: [(String, Int)] = [("n_layers", nLayers), ("d_model", dModel), ("n_heads", nHeads),
                                       ("n_kv_heads", nKVHeads), ("d_head", dHead), ("d_mlp", dMLP),
                                       ("d_vocab", dVocab), ("n_ctx", nCtx)]
        for (k, v) in fields where v <= 0 || v > 1 << 24 {
            throw ModelError(.badConfig, "\(source): \(k) = \(v) is out of range")
        }
        guard nHeads % nKVHeads == 0 else {
            throw ModelError(.badConfig, "\(source): n_heads \(nHeads) is not a multiple of n_kv_heads \(nKVHeads)")
        }
        if usesRotary && dHead % 2 != 0 {
            throw ModelError(.badConfig, "\(source): rotary d_head \(dHead) must be even")
        }
    }
}

// MARK: - Hugging Face config.json

extension ModelConfig {
    /// Reads a Hugging Face `config.json`.
    public init(hfConfig url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError(.badConfig, "\(url.path): cannot read config.json (\(error.localizedDescription))")
        }
        guard let obj = try? JSONSerialization.jsonObject(with: data), let json = obj as? [String: Any] else {
            throw ModelError(.badConfig, "\(url.path): not a JSON object")
        }
        try self.init(hfConfig: json, source: url.path)
    }

    public init(hfConfig json: [String: Any], source: String) throws {
        func int(_ keys: String...) -> Int? {
            for k in keys { if let v = json[k] as? NSNumber { return v.intValue } }
            return nil
        }
        func double(_ keys: String...) -> Double? {
            for k in keys { if let v = json[k] as? NSNumber { return v.doubleValue } }
            return nil
        }
        func require(_ v: Int?, _ key: String) throws -> Int {
            guard let v else { throw ModelError(.badConfig, "\(source): config.json has no \(key)") }
            return v
        }
        func tokenID(_ key: String) -> Int? {
            if let v = json[key] as? NSNumber { return v.intValue }
            if let a = json[key] as? [NSNumber] { return a.first?.intValue }
            return nil
        }
        let archName = (json["architectures"] as? [String])?.first ?? (json["model_type"] as? String) ?? "?"
        guard let arch = Architecture.hfNames[archName] ?? (json["model_type"] as? String).flatMap({ Architecture.hfNames[$0] }) else {
            throw ModelError(.unsupportedArchitecture,
                             "\(source): architecture \(archName) is not supported; supported: \(Architecture.supportedList)")
        }
        switch arch {
        case .gpt2:
            let d = try require(int("n_embd", "hidden_size"), "n_embd")
            let h = try require(int("n_head", "num_attention_heads"), "n_head")
            self.init(architecture: .gpt2, nLayers: try require(int("n_layer", "num_hidden_layers"), "n_layer"),
                      dModel: d, nHeads: h, nKVHeads: h, dHead: d / max(h, 1), dMLP: int("n_inner") ?? 4 * d,
                      dVocab: try require(int("vocab_size"), "vocab_size"),
                      nCtx: try require(int("n_positions", "n_ctx"), "n_positions"),
                      eps: Float(double("layer_norm_epsilon") ?? 1e-5), ropeTheta: 0, ropeScaling: nil,
                      tiedEmbeddings: true, bosTokenID: tokenID("bos_token_id"), eosTokenID: tokenID("eos_token_id"),
                      source: source)
            if let act = json["activation_function"] as? String, act != "gelu_new" {
                throw ModelError(.badConfig, "\(source): activation_function \(act) is not supported (only gelu_new)")
            }
        case .llama:
            let d = try require(int("hidden_size"), "hidden_size")
            let h = try require(int("num_attention_heads"), "num_attention_heads")
            let rope = (json["rope_parameters"] as? [String: Any]) ?? (json["rope_scaling"] as? [String: Any])
            let theta = (rope?["rope_theta"] as? NSNumber)?.doubleValue ?? double("rope_theta") ?? 10000
            var scaling: RopeScaling?
            if let rope, let type = (rope["rope_type"] as? String) ?? (rope["type"] as? String), type != "default" {
                func r(_ k: String) -> Double? { (rope[k] as? NSNumber)?.doubleValue }
                switch type {
                case "llama3":
                    guard let f = r("factor"), let orig = r("original_max_position_embeddings") else {
                        throw ModelError(.badConfig, "\(source): llama3 rope scaling needs factor and original_max_position_embeddings")
                    }
                    scaling = .llama3(factor: Float(f), lowFreqFactor: Float(r("low_freq_factor") ?? 1),
                                      highFreqFactor: Float(r("high_freq_factor") ?? 4), originalMaxPositions: Int(orig))
                case "linear":
                    scaling = .linear(factor: Float(r("factor") ?? 1))
                default:
                    throw ModelError(.badConfig, "\(source): rope scaling type \(type) is not supported (default, linear, llama3)")
                }
            }
            if let act = json["hidden_act"] as? String, act != "silu" {
                throw ModelError(.badConfig, "\(source): hidden_act \(act) is not supported (only silu)")
            }
            if json["sliding_window"] is NSNumber {
                throw ModelError(.badConfig, "\(source): sliding-window attention is not supported")
            }
            self.init(architecture: .llama, nLayers: try require(int("num_hidden_layers"), "num_hidden_layers"),
                      dModel: d, nHeads: h, nKVHeads: int("num_key_value_heads") ?? h,
                      dHead: int("head_dim") ?? d / max(h, 1),
                      dMLP: try require(int("intermediate_size"), "intermediate_size"),
                      dVocab: try require(int("vocab_size"), "vocab_size"),
                      nCtx: try require(int("max_position_embeddings"), "max_position_embeddings"),
                      eps: Float(double("rms_norm_eps") ?? 1e-6), ropeTheta: Float(theta), ropeScaling: scaling,
                      tiedEmbeddings: (json["tie_word_embeddings"] as? Bool) ?? false,
                      bosTokenID: tokenID("bos_token_id"), eosTokenID: tokenID("eos_token_id"), source: source)
            if json["attention_bias"] as? Bool == true || json["mlp_bias"] as? Bool == true {
                throw ModelError(.badConfig, "\(source): attention_bias/mlp_bias Llama variants are not supported")
            }
        }
        try validate()
    }
}

// MARK: - GGUF metadata

extension ModelConfig {
    /// Reads `general.architecture` and the `llama.*` keys of a GGUF file.
    public init(gguf: GGUFFile) throws {
        let source = gguf.url.path
        let archName = gguf.architecture ?? "?"
        guard archName == "llama" else {
            throw ModelError(.unsupportedArchitecture,
                             "\(source): GGUF architecture \(archName) is not supported; supported: llama")
        }
        func int(_ key: String) throws -> Int {
            guard let v = gguf.archValue(key)?.int else {
                throw ModelError(.badConfig, "\(source): GGUF metadata has no \(archName).\(key)")
            }
            return v
        }
        let d = try int("embedding_length")
        let h = try int("attention.head_count")
        let kv = gguf.archValue("attention.head_count_kv")?.int ?? h
        let vocab = gguf.archValue("vocab_size")?.int
            ?? gguf["tokenizer.ggml.tokens"]?.array?.count
            ?? gguf.info("token_embd.weight")?.shape.first ?? 0
        var scaling: RopeScaling?
        if let type = gguf.archValue("rope.scaling.type")?.string, type != "none" {
            let f = gguf.archValue("rope.scaling.factor")?.float ?? 1
            if type == "linear" { scaling = .linear(factor: f) }
            else { throw ModelError(.badConfig, "\(source): rope.scaling.type \(type) is not supported") }
        }
        self.init(architecture: .llama, nLayers: try int("block_count"), dModel: d, nHeads: h, nKVHeads: kv,
                  dHead: gguf.archValue("attention.key_length")?.int ?? d / max(h, 1),
                  dMLP: try int("feed_forward_length"), dVocab: vocab, nCtx: try int("context_length"),
                  eps: gguf.archValue("attention.layer_norm_rms_epsilon")?.float ?? 1e-5,
                  ropeTheta: gguf.archValue("rope.freq_base")?.float ?? 10000, ropeScaling: scaling,
                  tiedEmbeddings: gguf.info("output.weight") == nil,
                  bosTokenID: gguf["tokenizer.ggml.bos_token_id"]?.int,
                  eosTokenID: gguf["tokenizer.ggml.eos_token_id"]?.int, source: source)
        try validate()
    }
}
