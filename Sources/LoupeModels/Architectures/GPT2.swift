import Foundation
import LoupeFormats
import LoupeTensor

extension Architecture {
    public static let gpt2 = Architecture(rawValue: "gpt2", usesRMSNorm: false, usesRotary: false, isGated: false)
}

/// GPT-2 (GPT2LMHeadModel): learned positions, LayerNorm, fused Conv1D q|k|v, gelu_new MLP, tied
/// unembedding. Read from Hugging Face safetensors.
enum GPT2: ArchitectureDefinition {
    static let architecture = Architecture.gpt2
    static let huggingFaceNames = ["GPT2LMHeadModel", "gpt2"]
    static let huggingFaceSummary = "GPT2LMHeadModel (gpt2)"
    static let ggufName: String? = nil

    // MARK: config

    static func config(huggingFace j: HFConfig) throws -> ModelConfig {
        let d = try j.require("n_embd", "hidden_size")
        let h = try j.require("n_head", "num_attention_heads")
        let c = ModelConfig(architecture: .gpt2, nLayers: try j.require("n_layer", "num_hidden_layers"),
                            dModel: d, nHeads: h, nKVHeads: h, dHead: d / max(h, 1), dMLP: j.int("n_inner") ?? 4 * d,
                            dVocab: try j.require("vocab_size"), nCtx: try j.require("n_positions", "n_ctx"),
                            eps: Float(j.double("layer_norm_epsilon") ?? 1e-5), ropeTheta: 0, ropeScaling: nil,
                            tiedEmbeddings: true, bosTokenID: j.tokenID("bos_token_id"),
                            eosTokenID: j.tokenID("eos_token_id"), source: j.source)
        if let act = j["activation_function"]?.string, act != "gelu_new" {
            throw ModelError(.badConfig, "\(j.source): activation_function \(act) is not supported (only gelu_new)")
        }
        return c
    }

    static func config(gguf: GGUFFile) throws -> ModelConfig {
        throw ModelError(.unsupportedArchitecture, "\(gguf.url.path): GPT-2 from GGUF is not supported; use the Hugging Face safetensors")
    }

    // MARK: checkpoint names

    /// Hugging Face safetensors names; `{L}` is the layer. `prefix` is "transformer." in
    /// GPT2LMHeadModel checkpoints and "" in bare GPT2Model ones.
    struct Names {
        let embed, posEmbed, lnFinalW, lnFinalB: String
        let ln1W, ln1B, qkv, qkvB, o, oB, ln2W, ln2B, up, upB, down, downB: String
        /// The tied unembedding some checkpoints also store.
        let unembedCopy = "lm_head.weight"

        init(prefix p: String) {
            embed = p + "wte.weight"; posEmbed = p + "wpe.weight"
            lnFinalW = p + "ln_f.weight"; lnFinalB = p + "ln_f.bias"
            ln1W = p + "h.{L}.ln_1.weight"; ln1B = p + "h.{L}.ln_1.bias"
            qkv = p + "h.{L}.attn.c_attn.weight"; qkvB = p + "h.{L}.attn.c_attn.bias"
            o = p + "h.{L}.attn.c_proj.weight"; oB = p + "h.{L}.attn.c_proj.bias"
            ln2W = p + "h.{L}.ln_2.weight"; ln2B = p + "h.{L}.ln_2.bias"
            up = p + "h.{L}.mlp.c_fc.weight"; upB = p + "h.{L}.mlp.c_fc.bias"
            down = p + "h.{L}.mlp.c_proj.weight"; downB = p + "h.{L}.mlp.c_proj.bias"
        }
    }

    static func weights(_ ld: inout WeightLoader, config c: ModelConfig, format: CheckpointFormat) throws -> ModelWeights {
        guard format == .huggingFace else {
            throw ModelError(.unsupportedArchitecture, "\(ld.origin): GPT-2 from GGUF is not supported; use the Hugging Face safetensors")
        }
        let n = Names(prefix: ld.contains("transformer.wte.weight") ? "transformer." : "")
        let d = c.dModel, m = c.dMLP
        let embed = try ld.matrix(n.embed, out: c.dVocab, in: d)                 // [dVocab, dModel]
        if ld.contains(n.unembedCopy) { try ld.expect(n.unembedCopy, [c.dVocab, d]) }
        let posEmbed = try ld.f32(n.posEmbed, [c.nCtx, d])                      // [nCtx, dModel]
        let lnFinalW = try ld.vector(n.lnFinalW, d), lnFinalB = try ld.vector(n.lnFinalB, d)
        var layers: [ModelWeights.Layer] = []
        for l in 0..<c.nLayers {
            func at(_ template: String) -> String { WeightLoader.name(template, layer: l) }
            layers.append(ModelWeights.Layer(
                ln1W: try ld.vector(at(n.ln1W), d), ln1B: try ld.vector(at(n.ln1B), d),
                ln2W: try ld.vector(at(n.ln2W), d), ln2B: try ld.vector(at(n.ln2B), d),
                qkv: try ld.conv1D(at(n.qkv), in: d, out: 3 * d), qkvB: try ld.vector(at(n.qkvB), 3 * d),
                q: nil, k: nil, v: nil,
                o: try ld.conv1D(at(n.o), in: d, out: d), oB: try ld.vector(at(n.oB), d),
                gate: nil, up: try ld.conv1D(at(n.up), in: d, out: m), upB: try ld.vector(at(n.upB), m),
                down: try ld.conv1D(at(n.down), in: m, out: d), downB: try ld.vector(at(n.downB), d)))
        }
        return ModelWeights(config: c, layers: layers, embed: embed, posEmbed: posEmbed, lnFinalW: lnFinalW,
                            lnFinalB: lnFinalB, unembed: embed, ropeFreqFactors: nil, sources: [ld.source])
    }

    // MARK: forward pass

    static func forward(_ pass: ForwardPass) throws -> Tensor { try pass.gpt2() }
}

extension ForwardPass {
    /// GPT-2, top to bottom. Buffers are the plan's (shapes in ForwardPass); hooks fire as TransformerLens's.
    fileprivate func gpt2() throws -> Tensor {
        let d = c.dModel
        // Embeddings: hook_embed, hook_pos_embed, then resid_pre 0 = their sum.
        let first = try beginResidual {
            embedTokens(into: resid.p)                                 // [B, T, dModel]
            if p.centerWriting { Kernels.centreRows(resid.p, rows: rows, dim: d) }
            try fire(.embed, resid.p, shapeResid)
            let pos = attnOut                                          // [B, T, dModel] scratch until attention
            let wpe = w.posEmbed!.basePointer                          // [nCtx, dModel]
            for b in 0..<B { for t in 0..<T { (pos.p + (b * T + t) * d).update(from: wpe + (past + t) * d, count: d) } }
            if p.centerWriting { Kernels.centreRows(pos.p, rows: rows, dim: d) }
            try fire(.posEmbed, pos.p, shapeResid)
            addToResid(pos.p)
        }

        // ln1 of the first block (or ln_final); each later norm runs at the end of the sub-layer before it.
        try norm(first < c.nLayers ? blockNorm(1, layer: first) : normAfter(layer: c.nLayers - 1))
        for l in first..<c.nLayers {
            let lw = w.layers[l]
            // qkv [B, T, 3·dModel] = lnOut · W_qkv + b_qkv, split into q [B, T, nHeads, dHead] and new k, v.
            try queriesKeysValues(layer: l) { outs, then in
                projectSplit(lw.qkv!, lnOut.p, ldX: d, bias: (p.qkvBias[l] ?? lw.qkvB)!.basePointer, fused: qkvFused!.p,
                             widths: [d, d, d], outs: outs, then: then)
            }
            try attention(layer: l)
            try attentionOutput(layer: l, bias: lw.oB)                 // + resid_mid, ln2

            try geluMLPInput(layer: l)
            try mlpOutput(layer: l)                                    // + resid_post, the next ln1 or ln_final
        }
        return try unembed()
    }

    /// pre = x · W_in + b_in and post = gelu_new(pre) [B, T, dMLP], with their hook points. Without a hook
    /// function on either, each thread computes its own rows' post right after its product, both written
    /// straight into their cache tensors; otherwise step by step. Sets `mlpPostWritten`.
    fileprivate func geluMLPInput(layer l: Int) throws {
        let lw = w.layers[l], d = c.dModel, m = c.dMLP
        let ids = [BlockHook.mlpPre, .mlpPost].map { HookRegistry.id($0, layer: l) }
        guard noHookFunctions(ids) else {
            project(lw.up, lnOut.p, ldX: d, out: mlpPre.p, ldOut: m, bias: lw.upB?.basePointer)
            try fire(.mlpPre, l, mlpPre.p, shapeMLP)
            Kernels.geluNew(mlpPre.p, out: mlpPost.p, count: rows * m)
            try fire(.mlpPost, l, mlpPost.p, shapeMLP)
            mlpPostWritten = mlpPost.p
            return
        }
        let pre = output(ids[0], shapeMLP, buffer: mlpPre.p), post = output(ids[1], shapeMLP, buffer: mlpPost.p)
        let (x, y) = (pre.p, post.p)
        project(lw.up, lnOut.p, ldX: d, out: x, ldOut: m, bias: lw.upB?.basePointer) { r0, n in
            Kernels.geluNew(x + r0 * m, out: y + r0 * m, count: n * m)
        }
        try settle(pre, shapeMLP)
        try settle(post, shapeMLP)
        mlpPostWritten = y
    }
}
