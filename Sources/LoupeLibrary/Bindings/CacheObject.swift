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
    /// Replaced by `cache.remove_batch_dim()`, which works in place as in TransformerLens.
    private(set) var cache: ActivationCache
    let model: ModelObject

    init(cache: ActivationCache, model: ModelObject) {
        self.cache = cache
        self.model = model
    }

    var length: Int? { cache.count }

    func repr() -> String {
        let shape = cache.hasBatchDim ? "with the batch axis" : "without the batch axis"
        return "<ActivationCache of \(model.name): \(cache.count) activations, \(shape)>"
    }

    /// The residual-stream helpers, listed by their declared headers.
    static let stackMethods = ["accumulated_resid", "decompose_resid", "stack_head_results", "stack_neuron_results",
                               "get_full_resid_decomposition", "apply_ln_to_stack", "logit_attrs"]

    var help: String {
        let methods = Self.stackMethods.compactMap { Builtins.member(typeName, $0)?.signature }
        return """
        ActivationCache: activations of one run by TransformerLens hook name, with TransformerLens's shapes:
        the batch axis first (cache["pattern", 0] is [batch, head, query, key]) unless the run used
        remove_batch_dim=True. The stacks below are [component, batch, pos, d_model] (without batch when removed).
          cache["blocks.3.attn.hook_pattern"]   full names
          cache["pattern", 3]  cache["q", -1, "attn"]  cache["resid_pre", 0]  cache["embed"]   short names
          cache.keys(), len(cache), "blocks.0.hook_resid_pre" in cache

        """ + methods.map { "  " + $0 }.joined(separator: "\n")
    }

    var memberNames: [String] { ["keys", "items", "remove_batch_dim", "has_batch_dim"] + Self.stackMethods }

    func removeBatchDim() throws { cache = try engineCall { try cache.removingBatchDim() } }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        var parts: [Value]
        if case .tuple(let t) = key { parts = t.items } else { parts = [key] }
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
        installFullDecomposition()
        installNeuronResults()
        Builtins.registerMethod(
            type: "ActivationCache", "cache.remove_batch_dim()",
            doc: "Drops the batch axis of a cache of one prompt, in place, as TransformerLens's cache.remove_batch_dim() (an error for a batch of several).",
            example: "cache.remove_batch_dim()\ncache[\"pattern\", 0].shape"
        ) { _, recv, _ in
            try cache(recv).removeBatchDim()
            return .none
        }
        Builtins.registerAttribute(type: "ActivationCache", name: "has_batch_dim",
                                   doc: "Whether activations carry the batch axis first (True unless remove_batch_dim was used).",
                                   example: "cache.has_batch_dim") { _, recv in .bool(try cache(recv).cache.hasBatchDim) }
        Builtins.registerMethod(type: "ActivationCache", "cache.keys()", doc: "The hook names held, in forward order.",
                                example: "cache.keys()[:3]") { _, recv, _ in
            .list(try cache(recv).cache.keys.map { .string($0) })
        }
        Builtins.registerMethod(type: "ActivationCache", "cache.items()", doc: "(name, activation) pairs in forward order.",
                                example: "for name, act in cache.items():\n    print(name, act.shape)") { _, recv, _ in
            let c = try cache(recv)
            return .list(try c.cache.keys.map { .tuple([.string($0), .tensor(try c.cache.get($0))]) })
        }
        Builtins.registerMethod(
            type: "ActivationCache",
            """
            cache.accumulated_resid(layer: int | None = None, incl_mid: bool = False, pos_slice=None,
                                    return_labels: bool = False, apply_ln: bool = False)
            """,
            doc: "The residual stream before each layer up to `layer` (None: all, ending with the final state), with the mid-block states when incl_mid. [components, batch, pos, d_model] ([components, pos, d_model] for a cache without its batch axis; pos_slice=-1 drops pos); labels like \"3_pre\", \"3_mid\", \"final_post\" with return_labels. apply_ln=True passes the stack through the norm feeding `layer` (as apply_ln_to_stack).",
            example: "resid, labels = cache.accumulated_resid(incl_mid=True, return_labels=True)"
        ) { _, recv, args in
            let c = try cache(recv)
            let layer = try args.optionalInt("layer")
            let positions = try posSlice(args.value("pos_slice"))
            let r = try engineCall {
                try c.cache.accumulatedResid(layer: layer, inclMid: try args.bool("incl_mid"), posSlice: positions)
            }
            let labels = try args.bool("return_labels")
            if try args.bool("apply_ln") {
                let normed = try engineCall { try c.cache.applyLNToStack(r.stack, layer: layer, posSlice: positions) }
                return stackResult((normed, r.labels), labels: labels)
            }
            return stackResult(r, labels: labels)
        }
        Builtins.registerMethod(
            type: "ActivationCache",
            """
            cache.decompose_resid(layer: int | None = None, mlp_input: bool = False, incl_embeds: bool = True,
                                  pos_slice=None, return_labels: bool = False)
            """,
            doc: "The residual stream split into what each component wrote (embeddings, each attention and MLP output) up to `layer`: [components, batch, pos, d_model] (no batch axis for a cache without it).",
            example: "parts, labels = cache.decompose_resid(return_labels=True)"
        ) { _, recv, args in
            let c = try cache(recv)
            let r = try engineCall {
                try c.cache.decomposeResid(layer: try args.optionalInt("layer"), mlpInput: try args.bool("mlp_input"),
                                           inclEmbeds: try args.bool("incl_embeds"), posSlice: try posSlice(args.value("pos_slice")))
            }
            return stackResult(r, labels: try args.bool("return_labels"))
        }
        Builtins.registerMethod(
            type: "ActivationCache",
            "cache.stack_head_results(layer: int | None = None, pos_slice=None, return_labels: bool = False)",
            doc: "Each head's output in the residual stream (needs hook_result, which is computed from hook_z and W_O), [layer·head, batch, pos, d_model] (no batch axis for a cache without it), labels \"L0H3\".",
            example: "heads, labels = cache.stack_head_results(return_labels=True)"
        ) { _, recv, args in
            let c = try cache(recv)
            let r = try engineCall {
                try c.cache.stackHeadResults(layer: try args.optionalInt("layer"), posSlice: try posSlice(args.value("pos_slice")))
            }
            return stackResult(r, labels: try args.bool("return_labels"))
        }
        Builtins.registerMethod(
            type: "ActivationCache",
            """
            cache.apply_ln_to_stack(stack, layer: int | None = None, mlp_input: bool = False, pos_slice=None,
                                    recompute_ln: bool = False)
            """,
            aliases: ["recompute": "recompute_ln"],
            doc: """
            Applies the norm feeding `layer` (None: ln_final) to each component of a stack, for logit-lens style use.
            recompute_ln=False (the default, as TransformerLens) divides each component by the run's cached scale (after
            centring for LayerNorm); recompute_ln=True normalises each component with its own statistics.
            pos_slice must match the one used to build the stack.
            """,
            example: "resid = cache.accumulated_resid(incl_mid=True)\nlens = cache.apply_ln_to_stack(resid) @ model.W_U"
        ) { _, recv, args in
            let c = try cache(recv)
            let stack = try TensorBuiltins.tensorArg(args.value("stack"), "stack").tensor
            return .tensor(try engineCall {
                try c.cache.applyLNToStack(stack, layer: try args.optionalInt("layer"), mlpInput: try args.bool("mlp_input"),
                                           posSlice: try posSlice(args.value("pos_slice")), recompute: try args.bool("recompute_ln"))
            })
        }
        Builtins.registerMethod(
            type: "ActivationCache", "cache.logit_attrs(stack, tokens, incorrect_tokens=None, pos_slice=None)",
            doc: "Each component's direct contribution to the logit of `tokens` (minus `incorrect_tokens`): the stack through ln_final's cached scale and W_U. [components, batch, pos] (pos_slice=-1: [components, batch], with tokens one per prompt).",
            example: "parts = cache.decompose_resid(pos_slice=-1)\ncache.logit_attrs(parts, model.to_single_token(\" Paris\"), pos_slice=-1)"
        ) { _, recv, args in
            let c = try cache(recv)
            let stack = try TensorBuiltins.tensorArg(args.value("stack"), "stack").tensor
            let toks = try tokenList(args.value("tokens"), "tokens")
            let wrong = try args.optional("incorrect_tokens").map { try tokenList($0, "incorrect_tokens") }
            return .tensor(try engineCall {
                try c.cache.logitAttrs(stack, tokens: toks, incorrectTokens: wrong, posSlice: try posSlice(args.value("pos_slice")))
            })
        }
    }

    static func tokenList(_ v: Value, _ what: String) throws -> [Int] {
        if case .int(let i) = v { return [i] }
        return try TensorBuiltins.tensorArg(v, what).tensor.toArray().map { Int($0) }
    }
}
