import Foundation
import LoupeFormats
import LoupeTensor

extension Architecture {
    public static let llama = Architecture(rawValue: "llama", usesRMSNorm: true, usesRotary: true, isGated: true)
}

/// Llama (LlamaForCausalLM: Llama 2/3/3.x, SmolLM, TinyLlama; Mistral without sliding window):
/// RMSNorm, RoPE, SwiGLU, grouped-query attention. Read from Hugging Face safetensors and GGUF.
enum Llama: ArchitectureDefinition {
    static let architecture = Architecture.llama
    static let huggingFaceNames = ["LlamaForCausalLM", "llama", "MistralForCausalLM", "mistral"]
    static let huggingFaceSummary = "LlamaForCausalLM (llama), MistralForCausalLM"
    static let ggufName: String? = "llama"

    // MARK: config

    static func config(huggingFace j: HFConfig) throws -> ModelConfig {
        let source = j.source
        let d = try j.require("hidden_size")
        let h = try j.require("num_attention_heads")
        let rope = j["rope_parameters"]?.object ?? j["rope_scaling"]?.object
        let theta = rope?["rope_theta"]?.double ?? j.double("rope_theta") ?? 10000
        var scaling: RopeScaling?
        if let rope, let type = rope["rope_type"]?.string ?? rope["type"]?.string, type != "default" {
            func r(_ k: String) -> Double? { rope[k]?.double }
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
        if let act = j["hidden_act"]?.string, act != "silu" {
            throw ModelError(.badConfig, "\(source): hidden_act \(act) is not supported (only silu)")
        }
        if j["sliding_window"]?.double != nil {
            throw ModelError(.badConfig, "\(source): sliding-window attention is not supported")
        }
        let c = ModelConfig(architecture: .llama, nLayers: try j.require("num_hidden_layers"),
                            dModel: d, nHeads: h, nKVHeads: j.int("num_key_value_heads") ?? h,
                            dHead: j.int("head_dim") ?? d / max(h, 1), dMLP: try j.require("intermediate_size"),
                            dVocab: try j.require("vocab_size"), nCtx: try j.require("max_position_embeddings"),
                            eps: Float(j.double("rms_norm_eps") ?? 1e-6), ropeTheta: Float(theta), ropeScaling: scaling,
                            tiedEmbeddings: j["tie_word_embeddings"]?.bool ?? false,
                            bosTokenID: j.tokenID("bos_token_id"), eosTokenID: j.tokenID("eos_token_id"), source: source)
        if j["attention_bias"]?.bool == true || j["mlp_bias"]?.bool == true {
            throw ModelError(.badConfig, "\(source): attention_bias/mlp_bias Llama variants are not supported")
        }
        return c
    }

    /// The `llama.*` keys of a GGUF file.
    static func config(gguf: GGUFFile) throws -> ModelConfig {
        let source = gguf.url.path
        func int(_ key: String) throws -> Int {
            guard let v = gguf.archValue(key)?.int else {
                throw ModelError(.badConfig, "\(source): GGUF metadata has no llama.\(key)")
            }
            return v
        }
        let d = try int("embedding_length")
        let h = try int("attention.head_count")
        let kv = gguf.archValue("attention.head_count_kv")?.int ?? h
        let vocab = gguf.archValue("vocab_size")?.int
            ?? gguf["tokenizer.ggml.tokens"]?.array?.count
            ?? gguf.info(ggufNames.embed)?.shape.first ?? 0
        var scaling: RopeScaling?
        if let type = gguf.archValue("rope.scaling.type")?.string, type != "none" {
            let f = gguf.archValue("rope.scaling.factor")?.float ?? 1
            if type == "linear" { scaling = .linear(factor: f) }
            else { throw ModelError(.badConfig, "\(source): rope.scaling.type \(type) is not supported") }
        }
        return ModelConfig(architecture: .llama, nLayers: try int("block_count"), dModel: d, nHeads: h, nKVHeads: kv,
                           dHead: gguf.archValue("attention.key_length")?.int ?? d / max(h, 1),
                           dMLP: try int("feed_forward_length"), dVocab: vocab, nCtx: try int("context_length"),
                           eps: gguf.archValue("attention.layer_norm_rms_epsilon")?.float ?? 1e-5,
                           ropeTheta: gguf.archValue("rope.freq_base")?.float ?? 10000, ropeScaling: scaling,
                           tiedEmbeddings: gguf.info(ggufNames.unembed) == nil,
                           bosTokenID: gguf["tokenizer.ggml.bos_token_id"]?.int,
                           eosTokenID: gguf["tokenizer.ggml.eos_token_id"]?.int, source: source)
    }

    // MARK: checkpoint names

    /// One format's names; `{L}` is the layer.
    struct Names {
        let embed, lnFinal, unembed: String
        let ln1, q, k, v, o, ln2, gate, up, down: String
        /// Divisors of the rotary frequencies [dHead/2] (Llama 3 GGUF files), when the format has them.
        var ropeFreqs: String? = nil
    }

    /// Hugging Face safetensors.
    static let safetensorsNames = Names(
        embed: "model.embed_tokens.weight", lnFinal: "model.norm.weight", unembed: "lm_head.weight",
        ln1: "model.layers.{L}.input_layernorm.weight",
        q: "model.layers.{L}.self_attn.q_proj.weight", k: "model.layers.{L}.self_attn.k_proj.weight",
        v: "model.layers.{L}.self_attn.v_proj.weight", o: "model.layers.{L}.self_attn.o_proj.weight",
        ln2: "model.layers.{L}.post_attention_layernorm.weight",
        gate: "model.layers.{L}.mlp.gate_proj.weight", up: "model.layers.{L}.mlp.up_proj.weight",
        down: "model.layers.{L}.mlp.down_proj.weight")

    /// GGUF (llama.cpp's names).
    static let ggufNames = Names(
        embed: "token_embd.weight", lnFinal: "output_norm.weight", unembed: "output.weight",
        ln1: "blk.{L}.attn_norm.weight", q: "blk.{L}.attn_q.weight", k: "blk.{L}.attn_k.weight",
        v: "blk.{L}.attn_v.weight", o: "blk.{L}.attn_output.weight", ln2: "blk.{L}.ffn_norm.weight",
        gate: "blk.{L}.ffn_gate.weight", up: "blk.{L}.ffn_up.weight", down: "blk.{L}.ffn_down.weight",
        ropeFreqs: "rope_freqs.weight")

    static func weights(_ ld: inout WeightLoader, config c: ModelConfig, format: CheckpointFormat) throws -> ModelWeights {
        // GGUF and Meta's checkpoints store q/k with each head's rotary pairs interleaved.
        let names = format == .gguf ? ggufNames : format == .meta ? metaNames : safetensorsNames
        return try weights(&ld, config: c, names: names, permute: format != .huggingFace)
    }

    /// The weights by one name table; `permute`: q/k rows in the interleaved rotary order.
    static func weights(_ ld: inout WeightLoader, config c: ModelConfig, names n: Names, permute: Bool) throws -> ModelWeights {
        let d = c.dModel, m = c.dMLP, qDim = c.nHeads * c.dHead, kvDim = c.nKVHeads * c.dHead
        let embed = try ld.matrix(n.embed, out: c.dVocab, in: d)                // [dVocab, dModel]
        let unembed: WeightMatrix                                              // [dVocab, dModel]
        if !c.tiedEmbeddings {
            unembed = try ld.matrix(n.unembed, out: c.dVocab, in: d)
        } else {
            unembed = embed
            if ld.contains(n.unembed) { try ld.expect(n.unembed, [c.dVocab, d]) }   // a stored tied copy
        }
        let lnFinal = try ld.vector(n.lnFinal, d)
        var layers: [ModelWeights.Layer] = []
        for l in 0..<c.nLayers {
            func at(_ template: String) -> String { WeightLoader.name(template, layer: l) }
            layers.append(ModelWeights.Layer(
                ln1W: try ld.vector(at(n.ln1), d), ln1B: nil, ln2W: try ld.vector(at(n.ln2), d), ln2B: nil,
                qkv: nil, qkvB: nil,
                q: try ld.matrix(at(n.q), out: qDim, in: d, permuteHeads: permute ? c.nHeads : nil),
                k: try ld.matrix(at(n.k), out: kvDim, in: d, permuteHeads: permute ? c.nKVHeads : nil),
                v: try ld.matrix(at(n.v), out: kvDim, in: d),
                o: try ld.matrix(at(n.o), out: d, in: qDim), oB: nil,
                gate: try ld.matrix(at(n.gate), out: m, in: d),
                up: try ld.matrix(at(n.up), out: m, in: d), upB: nil,
                down: try ld.matrix(at(n.down), out: d, in: m), downB: nil))
        }
        var ropeFreqFactors: [Float]?
        if let name = n.ropeFreqs, ld.contains(name) {
            ropeFreqFactors = try ld.vector(name, c.dHead / 2).toArray()
        }
        return ModelWeights(config: c, layers: layers, embed: embed, posEmbed: nil, lnFinalW: lnFinal, lnFinalB: nil,
                            unembed: unembed, ropeFreqFactors: ropeFreqFactors, sources: [ld.source])
    }

    // MARK: forward pass

    static func forward(_ pass: ForwardPass) throws -> Tensor { try pass.llama() }
}

extension ForwardPass {
    /// Llama, top to bottom. Buffers are the plan's (shapes in ForwardPass); hooks fire as TransformerLens's.
    func llama() throws -> Tensor {
        let d = c.dModel
        prepareRope()
        let first = try beginResidual {
            embedTokens(into: resid.p)                                 // [B, T, dModel]
            try fire(.embed, resid.p, shapeResid)
        }

        // ln1 of the first block (or ln_final); each later norm runs at the end of the sub-layer before it.
        try norm(first < c.nLayers ? blockNorm(1, layer: first) : normAfter(layer: c.nLayers - 1))
        for l in first..<c.nLayers {
            let lw = w.layers[l]
            try queriesKeysValues(layer: l) { outs, then in
                projectFused(.qkv, layer: l, [lw.q!, lw.k!, lw.v!], lnOut.p, ldX: d, outs: outs, then: then)
            }
            try attention(layer: l)
            try attentionOutput(layer: l, bias: nil)                  // + resid_mid, ln2

            try swiGLU(layer: l)
            try mlpOutput(layer: l)                                    // + resid_post, the next ln1 or ln_final
        }
        return try unembed()
    }

    /// The gated MLP's input: pre = x · W_gateᵀ, pre_linear = x · W_upᵀ (one fused product), post = silu(pre) ⊙
    /// pre_linear [B, T, dMLP] each, with their hook points. Without a hook function on any of the three, each
    /// thread computes its own rows' post right after its product, all three written straight into their
    /// cache tensors; otherwise step by step. Sets `mlpPostWritten`.
    func swiGLU(layer l: Int) throws {
        let lw = w.layers[l], d = c.dModel, m = c.dMLP
        let ids = [BlockHook.mlpPre, .mlpPreLinear, .mlpPost].map { HookRegistry.id($0, layer: l) }
        guard noHookFunctions(ids) else {
            projectFused(.gateUp, layer: l, [lw.gate!, lw.up], lnOut.p, ldX: d, outs: [mlpPre.p, mlpLin!.p])
            try fire(.mlpPre, l, mlpPre.p, shapeMLP)
            try fire(.mlpPreLinear, l, mlpLin!.p, shapeMLP)
            let (g, u, o) = (mlpPre.p, mlpLin!.p, mlpPost.p)
            Kernels.inChunks(rows * m) { a, n in Kernels.swiGLU(gate: g + a, up: u + a, out: o + a, count: n) }
            try fire(.mlpPost, l, mlpPost.p, shapeMLP)
            mlpPostWritten = mlpPost.p
            return
        }
        let pre = output(ids[0], shapeMLP, buffer: mlpPre.p), lin = output(ids[1], shapeMLP, buffer: mlpLin!.p)
        let post = output(ids[2], shapeMLP, buffer: mlpPost.p)
        let (g, u, o) = (pre.p, lin.p, post.p)
        projectFused(.gateUp, layer: l, [lw.gate!, lw.up], lnOut.p, ldX: d, outs: [g, u]) { r0, n in
            Kernels.swiGLU(gate: g + r0 * m, up: u + r0 * m, out: o + r0 * m, count: n * m)
        }
        try settle(pre, shapeMLP)
        try settle(lin, shapeMLP)
        try settle(post, shapeMLP)
        mlpPostWritten = o
    }
}
