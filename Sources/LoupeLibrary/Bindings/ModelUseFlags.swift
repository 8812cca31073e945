import LoupeInterpreter

/// TransformerLens's `model.set_use_attn_result(True)`: what the cfg flag changes for Loupe's runs.
enum ModelUseFlags {
    static func install() {
        Builtins.registerMethod(type: "Model", "model.set_use_attn_result(use_attn_result: bool)",
                                doc: "As TransformerLens's cfg.use_attn_result: when True, run_with_cache keeps each head's output (blocks.L.attn.hook_result [batch, pos, head, d_model]) with the other activations; hooks can always name hook_result.",
                                example: "model.set_use_attn_result(True)\n_, cache = model.run_with_cache(tokens)\ncache[\"result\", 0].shape") { _, recv, args in
            guard case .host(let h) = recv, let m = h as? ModelObject else { throw LoupeError("set_use_attn_result: expected a model") }
            m.useAttnResult = try args.bool("use_attn_result")
            return .none
        }
    }
}
