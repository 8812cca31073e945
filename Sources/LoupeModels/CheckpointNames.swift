/// The one place checkpoint tensor names appear: one table per architecture and format.
/// Everything else uses the model's own names (TransformerLens's W_Q, W_in, ...).
enum CheckpointNames {
    /// Model-level tensors (nil: the format has none).
    struct Global {
        let embed: String
        let posEmbed: String?
        let lnFinalW: String
        let lnFinalB: String?
        /// Separate unembedding (absent when tied).
        let unembed: String?
    }

    /// Per-layer tensors; `{L}` is the layer index.
    struct Layer {
        let ln1W: String, ln1B: String?
        let ln2W: String, ln2B: String?
        /// Fused q,k,v (GPT-2) or nil.
        let qkv: String?, qkvB: String?
        let q: String?, k: String?, v: String?
        let o: String, oB: String?
        let gate: String?
        let up: String, upB: String?
        let down: String, downB: String?

        func resolve(_ name: String?, _ layer: Int) -> String? {
            name?.replacingOccurrences(of: "{L}", with: String(layer))
        }
    }

    /// Checkpoint entries that carry no weights (buffers some exporters write).
    static func isIgnorable(_ name: String) -> Bool {
        name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") || name.hasSuffix("rotary_emb.inv_freq")
    }

    static func gpt2HF(prefix: String) -> (Global, Layer) {
        let p = prefix
        return (Global(embed: p + "wte.weight", posEmbed: p + "wpe.weight", lnFinalW: p + "ln_f.weight",
                       lnFinalB: p + "ln_f.bias", unembed: nil),
                Layer(ln1W: p + "h.{L}.ln_1.weight", ln1B: p + "h.{L}.ln_1.bias",
                      ln2W: p + "h.{L}.ln_2.weight", ln2B: p + "h.{L}.ln_2.bias",
                      qkv: p + "h.{L}.attn.c_attn.weight", qkvB: p + "h.{L}.attn.c_attn.bias",
                      q: nil, k: nil, v: nil,
                      o: p + "h.{L}.attn.c_proj.weight", oB: p + "h.{L}.attn.c_proj.bias",
                      gate: nil, up: p + "h.{L}.mlp.c_fc.weight", upB: p + "h.{L}.mlp.c_fc.bias",
                      down: p + "h.{L}.mlp.c_proj.weight", downB: p + "h.{L}.mlp.c_proj.bias"))
    }

    static let llamaHF = (
        Global(embed: "model.embed_tokens.weight", posEmbed: nil, lnFinalW: "model.norm.weight", lnFinalB: nil,
               unembed: "lm_head.weight"),
        Layer(ln1W: "model.layers.{L}.input_layernorm.weight", ln1B: nil,
              ln2W: "model.layers.{L}.post_attention_layernorm.weight", ln2B: nil,
              qkv: nil, qkvB: nil,
              q: "model.layers.{L}.self_attn.q_proj.weight", k: "model.layers.{L}.self_attn.k_proj.weight",
              v: "model.layers.{L}.self_attn.v_proj.weight",
              o: "model.layers.{L}.self_attn.o_proj.weight", oB: nil,
              gate: "model.layers.{L}.mlp.gate_proj.weight", up: "model.layers.{L}.mlp.up_proj.weight", upB: nil,
              down: "model.layers.{L}.mlp.down_proj.weight", downB: nil))

    static let llamaGGUF = (
        Global(embed: "token_embd.weight", posEmbed: nil, lnFinalW: "output_norm.weight", lnFinalB: nil,
               unembed: "output.weight"),
        Layer(ln1W: "blk.{L}.attn_norm.weight", ln1B: nil, ln2W: "blk.{L}.ffn_norm.weight", ln2B: nil,
              qkv: nil, qkvB: nil,
              q: "blk.{L}.attn_q.weight", k: "blk.{L}.attn_k.weight", v: "blk.{L}.attn_v.weight",
              o: "blk.{L}.attn_output.weight", oB: nil,
              gate: "blk.{L}.ffn_gate.weight", up: "blk.{L}.ffn_up.weight", upB: nil,
              down: "blk.{L}.ffn_down.weight", downB: nil))

    /// GGUF tensors that are not weights of the forward pass but are understood.
    static let ggufExtras: Set<String> = ["rope_freqs.weight"]
}
