import LoupeInterpreter
import LoupeModels
import LoupeTensor

/// TransformerLens's parameter listing: `model.tl_named_parameters()`, `model.named_parameters()` and
/// `model.state_dict()` with TransformerLens's names and shapes (key/value heads repeated under
/// grouped-query attention, as TransformerLens's W_K/W_V are; norm weights as folding leaves them).
extension ModelBindings {
    /// One parameter: its TransformerLens name and how to build it.
    typealias Parameter = (name: String, build: () throws -> Tensor)

    static func parameters(_ m: ModelObject) -> [Parameter] {
        let c = m.model.config, model = m.model
        let ones: () throws -> Tensor = { Tensor(shape: [c.dModel], data: [Float](repeating: 1, count: c.dModel)) }
        let zeros: () throws -> Tensor = { Tensor(zeros: [c.dModel]) }
        var out: [Parameter] = [("embed.W_E", { model.W_E })]
        if !c.usesRotary { out.append(("pos_embed.W_pos", { try model.W_pos })) }
        let attn = ["W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O"]
        let mlp = ["W_in", "W_out", "b_in", "b_out"] + (c.isGated ? ["W_gate"] : [])
        for l in 0..<c.nLayers {
            for (part, names) in [("attn", attn), ("mlp", mlp)] {
                for name in names {
                    guard let get = perLayerWeights.first(where: { $0.0 == name })?.2 else { continue }
                    out.append(("blocks.\(l).\(part).\(name)", { try repeatingKVHeads(try get(model, l), name, c) }))
                }
            }
            for norm in ["ln1", "ln2"] {
                out.append(("blocks.\(l).\(norm).w", ones))
                if !c.usesRMSNorm { out.append(("blocks.\(l).\(norm).b", zeros)) }
            }
        }
        out.append(("ln_final.w", ones))
        if !c.usesRMSNorm { out.append(("ln_final.b", zeros)) }
        out += [("unembed.W_U", { try model.W_U }), ("unembed.b_U", { try model.b_U })]
        return out
    }

    /// W_K, W_V, b_K, b_V of one layer with each key/value head repeated for its group of query heads.
    static func repeatingKVHeads(_ t: Tensor, _ name: String, _ c: ModelConfig) throws -> Tensor {
        guard ["W_K", "W_V", "b_K", "b_V"].contains(name), c.nKVHeads < c.nHeads, t.shape.first == c.nKVHeads else { return t }
        let group = c.nHeads / c.nKVHeads
        return try t.index([.indices((0..<c.nHeads).map { $0 / group })])
    }

    static func installParameters() {
        let doc = """
            TransformerLens's parameters as (name, tensor) pairs: embed.W_E, blocks.{l}.attn.W_Q [n_heads, d_model, d_head] \
            (W_K/W_V/b_K/b_V with key/value heads repeated under grouped-query attention), blocks.{l}.mlp.W_in, \
            blocks.{l}.ln1.w, ln_final.w, unembed.W_U, unembed.b_U. Norm weights are folded into the next weights at \
            loading (fold_ln, TransformerLens's default), so they read as ones (and biases as zeros).
            """
        for header in ["model.tl_named_parameters()", "model.named_parameters()"] {
            Builtins.registerMethod(type: "Model", header, doc: doc,
                                    example: "for name, param in model.tl_named_parameters():\n    if name.startswith(\"blocks.0.\"):\n        print(name, param.shape)") { _, recv, _ in
                let m = try model(recv)
                return .list(try parameters(m).map { p in .tuple([.string(p.name), .tensor(try engineCall(p.build))]) })
            }
        }
        Builtins.registerMethod(type: "Model", "model.state_dict()", doc: "The parameters of tl_named_parameters() as a dict name → tensor.",
                                example: "model.state_dict()[\"unembed.W_U\"].shape") { _, recv, _ in
            let m = try model(recv)
            return .dict(DictBox(try parameters(m).map { p in (p.name, Value.tensor(try engineCall(p.build))) }))
        }
    }
}
