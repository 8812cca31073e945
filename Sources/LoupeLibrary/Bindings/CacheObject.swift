import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeModels
import LoupeReport
import LoupeScript
import LoupeTensor

/// An ActivationCache in Loupe code: `cache["blocks.0.attn.hook_pattern"]`, `cache["pattern", 0]`,
/// `cache["q", -1, "attn"]`, `cache.keys()`, and TransformerLens's residual-stream helpers.
final class CacheObject: HostObject {
    let typeName = "ActivationCache"
    let cache: ActivationCache
    let model: ModelObject

    init(cache: ActivationCache, model: ModelObject) {
        self.cache = cache
        self.model = model
    }

    var length: Int? { cache.count }

    func repr() -> String {
        let shape = cache.hasBatchDim ? "batched" : "one prompt"
        return "<ActivationCache of \(model.name): \(cache.count) activations, \(shape)>"
    }

    var help: String {
        """
        ActivationCache: activations of one run by TransformerLens hook name.
          cache["blocks.3.attn.hook_pattern"]   full names
          cache["pattern", 3]  cache["q", -1, "attn"]  cache["resid_pre", 0]  cache["embed"]   short names
          cache.keys(), len(cache), "blocks.0.hook_resid_pre" in cache
          cache.accumulated_resid(layer=None, incl_mid=False, pos_slice=None, return_labels=False)
          cache.decompose_resid(layer=None, mlp_input=False, incl_embeds=True, pos_slice=None, return_labels=False)
          cache.stack_head_results(layer=None, pos_slice=None, return_labels=False)
          cache.apply_ln_to_stack(stack, layer=None, mlp_input=False, pos_slice=None, recompute=True)
          cache.logit_attrs(stack, tokens, incorrect_tokens=None, pos_slice=None)
        """
    }

    var memberNames: [String] { ["keys", "items", "accumulated_resid", "decompose_resid", "stack_head_results",
                                 "apply_ln_to_stack", "logit_attrs"] }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        var parts: [Value]
        if case .tuple(let t) = key { parts = t } else { parts = [key] }
        guard !parts.isEmpty, case .string(let name) = parts[0] else {
            throw LoupeError("cache[...] takes a hook name, optionally with a layer and a layer type: cache[\"pattern\", 3]")
        }
        let layer = parts.count > 1 ? try parts[1].orNil?.asInt("layer") : nil
        let type = parts.count > 2 ? try parts[2].orNil?.asString("layer type") : nil
        if parts.count > 3 { throw LoupeError("cache[...] takes at most (name, layer, layer_type)") }
        let full = ActivationCache.actName(name, layer: layer, layerType: type, nLayers: model.model.config.nLayers)
        if let l = layer, l >= model.model.config.nLayers || l < -model.model.config.nLayers {
            throw LoupeError("cache[\(Repr.repr(key))]: layer \(l) out of range for \(model.model.config.nLayers) layers")
        }
        do {
            return .tensor(try cache.get(full))
        } catch let e as ModelError {
            let hint = Suggest.hint(for: full, in: cache.keys)
            throw LoupeError(e.message, hint: hint)
        }
    }

    func iterate() throws -> [Value]? { cache.keys.map { .string($0) } }

    /// The `in` test arrives as a membership query on the keys.
    func contains(_ name: String) -> Bool { cache.contains(name) }
}

/// The cache's methods.
enum CacheBindings {
    static func cache(_ v: Value) throws -> CacheObject {
        guard case .host(let h) = v, let c = h as? CacheObject else { throw LoupeError("expected an ActivationCache, not \(v.typeName)") }
        return c
    }

    /// TransformerLens's pos_slice: None (all), an int (that position, dimension dropped) or a slice.
    static func posSlice(_ v: Value?) throws -> PosSlice {
        guard let v = v?.orNil else { return .all }
        switch v {
        case .slice(let s):
            if let step = s.step, step != 1 { throw LoupeError("pos_slice: steps other than 1 are not supported") }
            return .range(s.start, s.stop)
        default: return .index(try v.asInt("pos_slice"))
        }
    }

    static func stackResult(_ r: (stack: Tensor, labels: [String]), labels: Bool) -> Value {
        labels ? .tuple([.tensor(r.stack), .list(r.labels.map { .string($0) })]) : .tensor(r.stack)
    }

    static func install() {
        Builtins.registerMethod(type: "ActivationCache", name: "keys", doc: "The hook names held, in forward order.",
                                signature: "cache.keys()", example: "cache.keys()[:3]") { _, recv, _ in
            .list(try cache(recv).cache.keys.map { .string($0) })
        }
        Builtins.registerMethod(type: "ActivationCache", name: "items", doc: "(name, activation) pairs in forward order.",
                                signature: "cache.items()", example: "for name, act in cache.items():\n    print(name, act.shape)") { _, recv, _ in
            let c = try cache(recv)
            return .list(try c.cache.keys.map { .tuple([.string($0), .tensor(try c.cache.get($0))]) })
        }
        Builtins.registerMethod(
            type: "ActivationCache", name: "accumulated_resid",
            doc: "The residual stream before each layer up to `layer` (None: all, ending with the final state), with the mid-block states when incl_mid. [components, pos, d_model]; labels like \"3_pre\", \"3_mid\", \"final_post\" with return_labels.",
            signature: "cache.accumulated_resid(layer=None, incl_mid=False, pos_slice=None, return_labels=False)",
            example: "resid, labels = cache.accumulated_resid(incl_mid=True, return_labels=True)"
        ) { _, recv, args in
            let c = try cache(recv)
            let a = try args.bind("accumulated_resid", ["layer", "incl_mid", "pos_slice", "return_labels", "apply_ln"])
            let layer = try a[0]?.orNil?.asInt("layer")
            let r = try engineCall {
                try c.cache.accumulatedResid(layer: layer, inclMid: try a[1]?.asBool("incl_mid") ?? false,
                                             posSlice: try posSlice(a[2]))
            }
            if try a[4]?.asBool("apply_ln") ?? false {
                let normed = try engineCall { try c.cache.applyLNToStack(r.stack, layer: layer, posSlice: try posSlice(a[2])) }
                return stackResult((normed, r.labels), labels: try a[3]?.asBool("return_labels") ?? false)
            }
            return stackResult(r, labels: try a[3]?.asBool("return_labels") ?? false)
        }
        Builtins.registerMethod(
            type: "ActivationCache", name: "decompose_resid",
            doc: "The residual stream split into what each component wrote (embeddings, each attention and MLP output) up to `layer`: [components, pos, d_model].",
            signature: "cache.decompose_resid(layer=None, mlp_input=False, incl_embeds=True, pos_slice=None, return_labels=False)",
            example: "parts, labels = cache.decompose_resid(return_labels=True)"
        ) { _, recv, args in
            let c = try cache(recv)
            let a = try args.bind("decompose_resid", ["layer", "mlp_input", "incl_embeds", "pos_slice", "return_labels"])
            let r = try engineCall {
                try c.cache.decomposeResid(layer: try a[0]?.orNil?.asInt("layer"), mlpInput: try a[1]?.asBool("mlp_input") ?? false,
                                           inclEmbeds: try a[2]?.asBool("incl_embeds") ?? true, posSlice: try posSlice(a[3]))
            }
            return stackResult(r, labels: try a[4]?.asBool("return_labels") ?? false)
        }
        Builtins.registerMethod(
            type: "ActivationCache", name: "stack_head_results",
            doc: "Each head's output in the residual stream (needs hook_result, which is computed from hook_z and W_O), [layer·head, pos, d_model], labels \"L0H3\".",
            signature: "cache.stack_head_results(layer=None, pos_slice=None, return_labels=False)",
            example: "heads, labels = cache.stack_head_results(return_labels=True)"
        ) { _, recv, args in
            let c = try cache(recv)
            let a = try args.bind("stack_head_results", ["layer", "pos_slice", "return_labels"])
            let r = try engineCall { try c.cache.stackHeadResults(layer: try a[0]?.orNil?.asInt("layer"), posSlice: try posSlice(a[1])) }
            return stackResult(r, labels: try a[2]?.asBool("return_labels") ?? false)
        }
        Builtins.registerMethod(
            type: "ActivationCache", name: "apply_ln_to_stack",
            doc: """
            Applies the norm feeding `layer` (None: ln_final) to each component of a stack, for logit-lens style use.
            recompute=True (default, current TransformerLens) normalises each component with its own statistics;
            recompute=False divides by the run's cached scale, as TransformerLens ≤ 2.17 did (what the seed notebooks ran).
            pos_slice must match the one used to build the stack.
            """,
            signature: "cache.apply_ln_to_stack(stack, layer=None, mlp_input=False, pos_slice=None, recompute=True)",
            example: "resid = cache.accumulated_resid(incl_mid=True)\nlens = cache.apply_ln_to_stack(resid) @ model.W_U"
        ) { _, recv, args in
            let c = try cache(recv)
            let a = try args.bind("apply_ln_to_stack", ["stack", "layer", "mlp_input", "pos_slice", "recompute"], required: 1)
            let stack = try TensorBuiltins.tensorArg(a[0], "stack").tensor
            return .tensor(try engineCall {
                try c.cache.applyLNToStack(stack, layer: try a[1]?.orNil?.asInt("layer"), mlpInput: try a[2]?.asBool("mlp_input") ?? false,
                                           posSlice: try posSlice(a[3]), recompute: try a[4]?.asBool("recompute") ?? true)
            })
        }
        Builtins.registerMethod(
            type: "ActivationCache", name: "logit_attrs",
            doc: "Each component's direct contribution to the logit of `tokens` (minus `incorrect_tokens`): the stack through ln_final's cached scale and W_U. [components, pos].",
            signature: "cache.logit_attrs(stack, tokens, incorrect_tokens=None, pos_slice=None)",
            example: "parts = cache.decompose_resid(pos_slice=-1)\ncache.logit_attrs(parts, model.to_single_token(\" Paris\"), pos_slice=-1)"
        ) { _, recv, args in
            let c = try cache(recv)
            let a = try args.bind("logit_attrs", ["stack", "tokens", "incorrect_tokens", "pos_slice"], required: 2)
            let stack = try TensorBuiltins.tensorArg(a[0], "stack").tensor
            let toks = try tokenList(a[1]!, "tokens")
            let wrong = try a[2]?.orNil.map { try tokenList($0, "incorrect_tokens") }
            return .tensor(try engineCall {
                try c.cache.logitAttrs(stack, tokens: toks, incorrectTokens: wrong, posSlice: try posSlice(a[3]))
            })
        }
    }

    static func tokenList(_ v: Value, _ what: String) throws -> [Int] {
        if case .int(let i) = v { return [i] }
        return try TensorBuiltins.tensorArg(v, what).tensor.toArray().map { Int($0) }
    }
}
