import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeFormats
import LoupeModels
import LoupeTensor
import LoupeScript

/// `load(...)` and the Model's TransformerLens-style methods and attributes.
enum ModelBindings {
    static let processingFlags = ["fold_ln", "center_writing_weights", "center_unembed", "fold_value_biases",
                                  "refactor_factored_attn_matrices"]

    static func install() {
        Builtins.register(
            """
            load(name: str = "smollm2", fold_ln: bool = True, center_writing_weights: bool = True,
                 center_unembed: bool = True, fold_value_biases: bool = True,
                 refactor_factored_attn_matrices: bool = False, processing: bool = True)
            """,
            doc: """
            Loads a model: a name under models/ (e.g. "smollm2", the embedded default), a Hugging Face folder
            (config.json + safetensors + tokenizer), a .gguf file, or a name from your Hugging Face cache
            ("gpt2", "HuggingFaceTB/SmolLM2-135M"). Weight processing follows TransformerLens's from_pretrained
            (fold_ln, center_writing_weights, center_unembed, fold_value_biases default True; refactor_factored_attn_matrices
            False); processing=False gives the raw checkpoint (from_pretrained_no_processing: Hugging Face's exact logits).
            Processing steps that do not apply to an architecture (centering for RMSNorm models) are skipped, as in TransformerLens.
            """,
            example: "model = load(\"smollm2\")\nraw = load(\"smollm2\", processing=False)"
        ) { interp, args in
            let name = try args.optionalString("name") ?? "smollm2"
            var options = try args.bool("processing") ? ProcessingOptions.transformerLens : .none
            if args.isGiven("fold_ln") { options.foldLN = try args.bool("fold_ln") }
            if args.isGiven("center_writing_weights") { options.centerWritingWeights = try args.bool("center_writing_weights") }
            if args.isGiven("center_unembed") { options.centerUnembed = try args.bool("center_unembed") }
            if args.isGiven("fold_value_biases") { options.foldValueBiases = try args.bool("fold_value_biases") }
            if args.isGiven("refactor_factored_attn_matrices") {
                options.refactorFactoredAttnMatrices = try args.bool("refactor_factored_attn_matrices")
            }
            let location = try ModelLoading.locate(name, scriptDirectory: interp.scriptDirectory)
            let model = try engineCall { try HookedTransformer(location: location, options: LoadOptions(processing: options)) }
            let tokenizer = try ModelLoading.tokenizer(for: location)
            let object = ModelObject(model: model, tokenizer: tokenizer, name: ModelLoading.displayName(location, typed: name),
                                     source: location.url.path)
            interp.noteModel(object.summary)
            return .host(object)
        }
        installTokenMethods()
        installRunMethods()
        installAttributes()
        GenerateBindings.install()
    }

    static func model(_ v: Value) throws -> ModelObject {
        guard case .host(let h) = v, let m = h as? ModelObject else { throw LoupeError("expected a Model, not \(v.typeName)") }
        return m
    }

    // MARK: tokens

    static func installTokenMethods() {
        Builtins.registerMethod(
            type: "Model", "model.to_tokens(input, prepend_bos: bool | None = None)",
            doc: "Token ids of a text ([pos]) or of a list of texts ([batch, pos], right-padded). Unlike TransformerLens, one text gives no batch dimension. prepend_bos=True (the default, as TransformerLens) puts the BOS token first; prepend_bos=False gives the bare tokens (what a Hugging Face tokenizer without add_bos_token gives).",
            example: "tokens = model.to_tokens(\"The cat sat\")"
        ) { _, recv, args in
            let m = try model(recv)
            switch try m.input(args.value("input"), prependBOS: try args.optionalBool("prepend_bos"), what: "to_tokens") {
            case .single(let ids): return .tokens(ids)
            case .batch(let b): return .tokenBatch(b, pad: m.model.padTokenID)
            }
        }
        Builtins.registerMethod(
            type: "Model", "model.to_str_tokens(input, prepend_bos: bool | None = None)",
            doc: "The text of each token (a list of strings), for a text or token ids, as TransformerLens's to_str_tokens.",
            example: "model.to_str_tokens(\"Hello world\")"
        ) { _, recv, args in
            let m = try model(recv)
            let tok = try m.requireTokenizer("to_str_tokens")
            switch try m.input(args.value("input"), prependBOS: try args.optionalBool("prepend_bos"), what: "to_str_tokens") {
            case .single(let ids): return .list(tok.tokenStrings(ids).map { .string($0) })
            case .batch(let b): return .list(b.map { .list(tok.tokenStrings($0).map { .string($0) }) })
            }
        }
        Builtins.registerMethod(
            type: "Model", "model.to_string(tokens)",
            doc: "Decodes token ids back to text ([pos] → a string, [batch, pos] → a list of strings).",
            example: "model.to_string(model.to_tokens(\"Hi there\"))"
        ) { _, recv, args in
            let m = try model(recv)
            let tokens = args.value("tokens")
            let tok = try m.requireTokenizer("to_string")
            if case .int(let i) = tokens { return .string(tok.decode([i])) }
            switch try m.input(tokens, prependBOS: false, what: "to_string") {
            case .single(let ids): return .string(tok.decode(ids))
            case .batch(let b): return .list(b.map { .string(tok.decode($0)) })
            }
        }
        Builtins.registerMethod(
            type: "Model", "model.to_single_token(text: str)",
            doc: "The id of a string that is exactly one token; an error otherwise.",
            example: "model.to_single_token(\" cat\")"
        ) { _, recv, args in
            let m = try model(recv)
            let text = try args.string("text")
            let ids = try m.encode(text, prependBOS: false)
            guard ids.count == 1 else {
                throw LoupeError("to_single_token: \(Repr.repr(.string(text))) is \(ids.count) tokens: \(ids)")
            }
            return .int(ids[0])
        }
    }

    // MARK: running

    static func installRunMethods() {
        Builtins.registerMethod(
            type: "Model", "model.forward(input, prepend_bos: bool | None = None)",
            doc: "Logits [pos, d_vocab] (or [batch, pos, d_vocab]) for a text, texts or token ids. `model(x)` is the same.",
            example: "logits = model(\"The cat sat on the\")\nmodel.to_string(logits[-1].argmax())"
        ) { _, recv, args in
            try forward(try model(recv), args, cache: nil, hooks: []).logits
        }
        Builtins.registerMethod(
            type: "Model",
            "model.run_with_cache(input, names_filter=None, prepend_bos: bool | None = None, fwd_hooks=[])",
            doc: """
            Runs the model and keeps activations at TransformerLens's hook points. names_filter keeps only some:
            a full name, a list of names, a pattern with * ("blocks.*.attn.hook_pattern") or a function name -> bool.
            Returns (logits, cache); one prompt gives activations without a batch dimension (TransformerLens's
            remove_batch_dim=True), a list of prompts a batch right-padded like TransformerLens.
            fwd_hooks may add hooks for this run (their edits show in the cache).
            """,
            example: "logits, cache = model.run_with_cache(\"The cat sat\")\ncache[\"pattern\", 0].shape"
        ) { interp, recv, args in
            let m = try model(recv)
            let filter = try HookBindings.namesFilter(args.value("names_filter"), interp)
            let hooks = try HookBindings.hooks(args.value("fwd_hooks"), interp)
            let run = try forward(m, args, cache: filter, hooks: hooks)
            guard let cache = run.cache else { throw LoupeError("run_with_cache: the run kept no cache") }
            return .tuple([run.logits, .host(CacheObject(cache: cache, model: m))])
        }
        Builtins.registerMethod(
            type: "Model", "model.run_with_hooks(input, fwd_hooks=[], prepend_bos: bool | None = None)",
            doc: """
            Runs the model with forward hooks and returns the logits. fwd_hooks is a list of (name, fn) pairs: name
            is a hook name, a pattern with *, or a function name -> bool; fn(activation, hook) may return a replacement
            tensor of the same shape, edit the activation in place, or return None to leave it. Prebuilt hooks:
            ablate_heads, patch_hook, scale_hook, add_hook. Hooks last for this call only.
            """,
            example: "def zero(z, hook):\n    z[:, 4, :] = 0\nlogits = model.run_with_hooks(\"Hi\", fwd_hooks=[(\"blocks.3.attn.hook_z\", zero)])"
        ) { interp, recv, args in
            let hooks = try HookBindings.hooks(args.value("fwd_hooks"), interp)
            return try forward(try model(recv), args, cache: nil, hooks: hooks).logits
        }
    }

    /// One forward pass of the call's `input` (with its `prepend_bos`), as `model(x)`, `model.forward`,
    /// `run_with_hooks` and `run_with_cache` declare them; keeps a cache when `cache` filters one.
    static func forward(_ m: ModelObject, _ args: BoundArguments, cache: NamesFilter?,
                        hooks: [Hook]) throws -> (logits: Value, cache: ActivationCache?) {
        let what = args.signature.name
        let input = try m.input(args.value("input"), prependBOS: try args.optionalBool("prepend_bos"), what: what)
        return try engineCall {
            switch input {
            case .single(let ids):
                if let f = cache {
                    let r = try m.model.runWithCache(ids, namesFilter: f, hooks: hooks)
                    return (.tensor(r.logits), r.cache)
                }
                return (.tensor(try hooks.isEmpty ? m.model.run(ids) : m.model.runWithHooks(ids, hooks: hooks)), nil)
            case .batch(let b):
                if let f = cache {
                    let r = try m.model.runWithCache(batch: b, namesFilter: f, hooks: hooks)
                    return (.tensor(r.logits), r.cache)
                }
                return (.tensor(try hooks.isEmpty ? m.model.run(batch: b) : m.model.runWithHooks(batch: b, hooks: hooks)), nil)
            }
        }
    }
}
