import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeModels
import LoupeTensor
import LoupeScript

/// The Model's weights and sizes under TransformerLens's names.
extension ModelBindings {
    /// Per-layer weights by TransformerLens name: (name, doc of the stacked form, one layer's accessor).
    static let perLayerWeights: [(String, String, (HookedTransformer, Int) throws -> Tensor)] = [
        ("W_Q", "query weights [n_layers, n_heads, d_model, d_head]", { try $0.W_Q(layer: $1) }),
        ("W_K", "key weights [n_layers, n_heads, d_model, d_head] (KV heads repeated under GQA, as TransformerLens)", { try $0.W_K(layer: $1) }),
        ("W_V", "value weights [n_layers, n_heads, d_model, d_head]", { try $0.W_V(layer: $1) }),
        ("W_O", "output weights [n_layers, n_heads, d_head, d_model]", { try $0.W_O(layer: $1) }),
        ("b_Q", "query biases [n_layers, n_heads, d_head]", { try $0.b_Q(layer: $1) }),
        ("b_K", "key biases [n_layers, n_heads, d_head]", { try $0.b_K(layer: $1) }),
        ("b_V", "value biases [n_layers, n_heads, d_head]", { try $0.b_V(layer: $1) }),
        ("b_O", "attention output biases [n_layers, d_model]", { try $0.b_O(layer: $1) }),
        ("W_in", "MLP input weights [n_layers, d_model, d_mlp]", { try $0.W_in(layer: $1) }),
        ("W_gate", "MLP gate weights [n_layers, d_model, d_mlp] (gated MLPs only)", { try $0.W_gate(layer: $1) }),
        ("W_out", "MLP output weights [n_layers, d_mlp, d_model]", { try $0.W_out(layer: $1) }),
        ("b_in", "MLP input biases [n_layers, d_mlp]", { try $0.b_in(layer: $1) }),
        ("b_out", "MLP output biases [n_layers, d_model]", { try $0.b_out(layer: $1) }),
    ]

    static func installAttributes() {
        let sizes: [(String, String, (ModelConfig) -> Int)] = [
            ("n_layers", "number of transformer blocks", { $0.nLayers }),
            ("n_heads", "attention (query) heads per block", { $0.nHeads }),
            ("n_key_value_heads", "key/value heads per block (fewer than n_heads under grouped-query attention)", { $0.nKVHeads }),
            ("d_model", "width of the residual stream", { $0.dModel }),
            ("d_head", "width of one attention head", { $0.dHead }),
            ("d_mlp", "hidden width of the MLP", { $0.dMLP }),
            ("d_vocab", "vocabulary size", { $0.dVocab }),
            ("n_ctx", "context length", { $0.nCtx }),
        ]
        for (name, doc, get) in sizes {
            Builtins.registerAttribute(type: "Model", name: name, doc: "The model's \(doc) (also model.cfg.\(name)).",
                                       example: "model.\(name)") { _, recv in .int(get(try model(recv).model.config)) }
        }
        Builtins.registerAttribute(type: "Model", name: "cfg",
                                   doc: "The configuration (TransformerLens's model.cfg fields that apply), read as attributes or keys: model.cfg.n_layers, model.cfg[\"n_layers\"].",
                                   example: "model.cfg.n_layers") { _, recv in
            let m = try model(recv)
            let c = m.model.config
            var pairs: [(String, Value)] = sizes.map { ($0.0, .int($0.2(c))) }
            pairs += [("architecture", .string(c.architecture.rawValue)), ("eps", .float(Double(c.eps))),
                      ("normalization_type", .string(c.usesRMSNorm ? "RMS" : "LN")),
                      ("positional_embedding_type", .string(c.usesRotary ? "rotary" : "standard")),
                      ("rotary_base", .float(Double(c.ropeTheta))), ("gated_mlp", .bool(c.isGated)),
                      ("act_fn", .string(c.isGated ? "silu" : "gelu_new")), ("model_name", .string(m.name)),
                      ("tied_embeddings", .bool(c.tiedEmbeddings)),
                      ("bos_token_id", m.tokenizer?.bosID.map { .int($0) } ?? c.bosTokenID.map { .int($0) } ?? .none),
                      ("eos_token_id", m.tokenizer?.eosID.map { .int($0) } ?? c.eosTokenID.map { .int($0) } ?? .none)]
            return .host(ConfigObject(pairs))
        }
        installComponents()
        Builtins.registerAttribute(type: "Model", name: "hook_names",
                                   doc: "Every hook point in forward order (TransformerLens's model.hook_dict keys).",
                                   example: "[n for n in model.hook_names if \"pattern\" in n][:3]") { _, recv in
            .list(try model(recv).model.hookNames.map { .string($0) })
        }
        Builtins.registerAttribute(type: "Model", name: "tokenizer_vocab_size",
                                   doc: "Number of entries in the tokenizer's vocabulary (may be below d_vocab).",
                                   example: "model.tokenizer_vocab_size") { _, recv in
            .int(try model(recv).tokenizer?.vocabSize ?? 0)
        }

        let global: [(String, String, (HookedTransformer) throws -> Tensor)] = [
            ("W_E", "token embedding [d_vocab, d_model]", { try $0.W_E }),
            ("W_pos", "learned position embedding [n_ctx, d_model] (GPT-2; an error for rotary models)", { try $0.W_pos }),
            ("W_U", "unembedding [d_model, d_vocab]", { try $0.W_U }),
            ("b_U", "unembedding bias [d_vocab]", { try $0.b_U }),
        ]
        for (name, doc, get) in global {
            Builtins.registerAttribute(type: "Model", name: name, doc: "The \(doc).", example: "model.\(name).shape") { _, recv in
                let m = try model(recv)
                if name == "W_pos" && m.model.config.usesRotary {
                    throw LoupeError("W_pos: \(m.name) uses rotary position embeddings and has no learned position matrix")
                }
                return .tensor(try m.memoized(name) { try engineCall { try get(m.model) } })
            }
        }
        let perLayer = perLayerWeights
        for (name, doc, get) in perLayer {
            Builtins.registerAttribute(type: "Model", name: name,
                                       doc: "The \(doc), dequantised to float32 on each access; index a layer first to save memory: model.\(name)[3] still builds all layers, use model.weight(\"\(name)\", 3).",
                                       example: "model.\(name).shape") { _, recv in
                let m = try model(recv)
                return .tensor(try m.memoized(name) { try engineCall { try m.model.stacked { try get(m.model, $0) } } })
            }
        }
        Builtins.registerMethod(type: "Model", "model.weight(name: str, layer: int)",
                                doc: "One layer's weight by TransformerLens name (W_Q, W_K, W_V, W_O, b_Q…, W_in, W_gate, W_out, b_in, b_out) without building the stack over all layers.",
                                example: "model.weight(\"W_Q\", 0).shape") { _, recv, args in
            let m = try model(recv)
            let name = try args.string("name")
            var layer = try args.int("layer")
            if layer < 0 { layer += m.model.config.nLayers }
            guard layer >= 0 && layer < m.model.config.nLayers else {
                throw LoupeError("weight: layer \(layer) out of range for \(m.model.config.nLayers) layers")
            }
            guard let get = perLayer.first(where: { $0.0 == name })?.2 else {
                throw LoupeError("weight: unknown weight `\(name)`", hint: Suggest.hint(for: name, in: perLayer.map(\.0)))
            }
            return .tensor(try engineCall { try get(m.model, layer) })
        }
    }
}
