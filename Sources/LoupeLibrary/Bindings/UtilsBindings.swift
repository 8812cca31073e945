import Foundation
import LoupeInterpreter
import LoupeModels
import LoupeTensor

/// `transformer_lens` (HookedTransformer.from_pretrained, utils.get_act_name, utils.test_prompt, …) and
/// `circuitsvis` as namespaces over Loupe's builtins and model methods.
enum UtilsBindings {
    static func install() {
        let utils = Namespace(name: "transformer_lens.utils", doc: "TransformerLens's utils: get_act_name, to_numpy, test_prompt.",
                              otherwise: "Loupe's analysis functions are builtins: see help()")
        utils.set("get_act_name", .builtin(Builtins.function(
            "utils.get_act_name(name: str, layer=None, layer_type: str | None = None)",
            doc: "A hook name from TransformerLens's shorthand: get_act_name(\"pattern\", 0) → \"blocks.0.attn.hook_pattern\", get_act_name(\"k6\") → \"blocks.6.attn.hook_k\", get_act_name(\"embed\") → \"hook_embed\".",
            example: "utils.get_act_name(\"resid_post\", 3)") { _, args in
            let layer: String?
            switch args.value("layer") {
            case .none: layer = nil
            case .string(let s): layer = s
            case let v: layer = String(try v.asInt("get_act_name layer"))
            }
            return .string(ActivationCache.getActName(try args.string("name"), layer: layer, layerType: try args.optionalString("layer_type")))
        }))
        utils.set("to_numpy", .builtin(Builtins.function("utils.to_numpy(tensor)",
            doc: "Returns the tensor itself: Loupe's tensors are already numpy-compatible arrays.",
            example: "utils.to_numpy(zeros(3))") { _, args in args.value("tensor") }))
        utils.set("remove_batch_dim", .builtin(Builtins.function("utils.remove_batch_dim(tensor)",
            doc: "Drops a leading dimension of size 1; other tensors are returned unchanged.",
            example: "utils.remove_batch_dim(zeros(1, 3)).shape  # (3,)") { _, args in
            guard case .tensor(let t) = args.value("tensor") else { return args.value("tensor") }
            guard t.tensor.rank > 0, t.tensor.shape[0] == 1 else { return .tensor(t) }
            return .tensor(try EinopsBindings.engine { try t.tensor.squeezed(0) }, kind: t.kind)
        }))
        utils.set("test_prompt", .builtin(TestPrompt.builtin))
        utils.set("get_corner", .builtin(TensorTorchMethods.getCorner))
        utils.set("get_device", .builtin(Builtins.function("utils.get_device()", doc: "\"cpu\": Loupe runs on the CPU.",
                                                             example: "device = utils.get_device()") { _, _ in .string("cpu") }))

        let hookedTransformer = Namespace(name: "HookedTransformer", doc: "Loads models as TransformerLens's HookedTransformer does.")
        if let load = Builtins.functions["load"] {
            let keywords = Set(load.declared.keywordNames)
            hookedTransformer.set("from_pretrained", .builtin(Builtins.function(
                "HookedTransformer.from_pretrained(model_name: str, **kwargs)",
                doc: "load(model_name, …): processing keywords (fold_ln, center_writing_weights, center_unembed, fold_value_biases, refactor_factored_attn_matrices) apply; device and dtype are ignored (Loupe runs float32 on the CPU).",
                example: "model = HookedTransformer.from_pretrained(\"gpt2\")") { rt, args in
                let ignored: Set<String> = ["device", "dtype", "torch_dtype", "n_devices", "move_to_device", "default_padding_side",
                                            "trust_remote_code", "hf_model", "tokenizer"]
                var passed: [(String, Value)] = []
                for (k, v) in args.varKeywords where !ignored.contains(k) {
                    guard keywords.contains(k) else {
                        throw LoupeError("from_pretrained: Loupe does not support `\(k)=`",
                                         hint: "Loupe's load takes \(load.declared.keywordNames.joined(separator: ", "))")
                    }
                    passed.append((k, v))
                }
                return try rt.call(.builtin(load), Arguments([args.value("model_name")], keywords: passed))
            }))
            hookedTransformer.set("from_pretrained_no_processing", .builtin(Builtins.function(
                "HookedTransformer.from_pretrained_no_processing(model_name: str, **kwargs)",
                doc: "load(model_name, processing=False): the raw checkpoint, Hugging Face's exact logits.",
                example: "model = HookedTransformer.from_pretrained_no_processing(\"gpt2\")") { rt, args in
                try rt.call(.builtin(load), Arguments([args.value("model_name")], keywords: [("processing", .bool(false))]))
            }))
        }
        let transformerLens = Namespace(name: "transformer_lens", doc: "TransformerLens's entry points as Loupe has them.",
                                        otherwise: "Loupe's models, caches and hooks follow TransformerLens's names: see help(\"Model\")")
        transformerLens.set("HookedTransformer", .host(hookedTransformer))
        transformerLens.set("utils", .host(utils))
        transformerLens.lack("ActivationCache", "caches come from model.run_with_cache(...)")
        transformerLens.lack("HookedTransformerConfig", "Loupe builds configs from checkpoints; read them as model.cfg")
        transformerLens.set("FactoredMatrix", .builtin(FactoredMatrixBindings.constructor))
        transformerLens.lack("patching", "activation patching sweeps are built in: patching_sweep(...), ablation_sweep(...)")
        Builtins.registerModule("transformer_lens", .host(transformerLens))
        Builtins.registerModule("transformer_lens.utils", .host(utils))
        Builtins.registerModule("transformer_lens.utilities", .host(utils))
        transformerLens.set("utilities", .host(utils))
        Builtins.registerModule("transformer_lens.HookedTransformer", .host(hookedTransformer))
        // `from transformer_lens.hook_points import HookPoint` appears for annotations, which Loupe ignores.
        let hookPoints = Namespace(name: "transformer_lens.hook_points", doc: "HookPoint, for annotations of hook functions.")
        hookPoints.set("HookPoint", .string("transformer_lens.hook_points.HookPoint"))
        transformerLens.set("hook_points", .host(hookPoints))
        Builtins.registerModule("transformer_lens.hook_points", .host(hookPoints))
        Builtins.registerValue(name: "utils", doc: "TransformerLens's utils: get_act_name, to_numpy, test_prompt.", .host(utils))
        Builtins.registerValue(name: "HookedTransformer", doc: "HookedTransformer.from_pretrained(name) loads a model (as load(name)).",
                               .host(hookedTransformer))
        installCircuitsvis()
    }

    /// `circuitsvis`: cv.attention.attention_patterns / attention_heads, cv.tokens.colored_tokens,
    /// cv.topk_tokens.topk_tokens, each Loupe's view of the same name.
    static func installCircuitsvis() {
        let cv = Namespace(name: "circuitsvis", doc: "circuitsvis's views as Loupe's interactive views.")
        for (sub, names) in [("attention", ["attention_patterns", "attention_heads"]), ("tokens", ["colored_tokens"]),
                             ("topk_tokens", ["topk_tokens"])] {
            let module = Namespace(name: "circuitsvis.\(sub)", doc: "circuitsvis.\(sub) as Loupe views.")
            module.forward(names)
            if sub == "attention", let patterns = Builtins.functions["attention_patterns"] {
                module.set("attention_pattern", .builtin(singleHeadPattern(patterns)))
            }
            cv.set(sub, .host(module))
            Builtins.registerModule("circuitsvis.\(sub)", .host(module))
        }
        Builtins.registerModule("circuitsvis", .host(cv))
    }

    /// circuitsvis's one-head `attention_pattern(tokens, attention [dest, src])` as a one-head attention_patterns.
    static func singleHeadPattern(_ patterns: BuiltinFunction) -> BuiltinFunction {
        Builtins.function("cv.attention.attention_pattern(tokens, attention, **kwargs)",
                          doc: "One head's pattern [dest, src] shown as attention_patterns with a single head.",
                          example: "cv.attention.attention_pattern(tokens=str_tokens, attention=cache[\"pattern\", 0][0])") { rt, args in
            var attention = args.value("attention")
            if case .tensor(let t) = attention, t.tensor.rank == 2 {
                attention = .tensor(try EinopsBindings.engine { try t.tensor.unsqueezed(0) }, kind: t.kind)
            }
            return try rt.call(.builtin(patterns), Arguments(keywords: [("tokens", args.value("tokens")), ("attention", attention)] + args.varKeywords))
        }
    }
}
