import LoupeNotebook
import LoupeInterpreter
import LoupeModels
import LoupeTensor

/// `model.generate`: TransformerLens's HookedTransformer.generate on the engine's KV-cached generation.
enum GenerateBindings {
    static func install() {
        Builtins.registerMethod(
            type: "Model",
            """
            model.generate(input, max_new_tokens: int = 10, stop_at_eos: bool = True, eos_token_id=None,
                           do_sample: bool = True, top_k: int | None = None, top_p: float | None = None,
                           temperature: float = 1.0, seed: int = 0, prepend_bos: bool | None = None,
                           return_type: str = "input", keep=None, fwd_hooks=[], image=None)
            """,
            doc: """
            Generates after a prompt with a KV cache, as TransformerLens's generate: do_sample=True samples \
            (temperature, top_k, top_p; `seed` makes it repeatable, where TransformerLens uses torch's global \
            seed), do_sample=False is greedy; stops at the end-of-sequence token unless stop_at_eos=False. \
            return_type "input" (default) gives text for a text prompt and token ids [batch, pos + new] for ids, "str" text, \
            "tokens" ids [1, pos + new]; both include the prompt (text without the BOS token encoding added), as in TransformerLens. \
            fwd_hooks (and hooks added with model.add_hook) apply to every pass and see activations with the batch axis. Loupe's \
            addition: keep=names_filter also returns the per-step caches, (output, caches): caches[0] holds the \
            prompt pass [1, pos, ...], each later one the new position only [1, 1, ...] with attention rows over every \
            position so far (batch axis first, as run_with_cache). One prompt at a time: token ids [1, pos] or [pos], \
            not a batch of several. image= (LLaVA): pixel_values for the prompt's <image>s, read by the prompt pass.
            """,
            example: "model.generate(\"The capital of France is\", max_new_tokens=8, do_sample=False)"
        ) { interp, recv, args in
            guard case .host(let m as ModelObject) = recv else { throw LoupeError("generate: expected a Model") }
            let input = args.value("input")
            let prependBOS = try args.optionalBool("prepend_bos")
            let pixels = try args.optional("image").map { try ModelBindings.pixels(m, $0, "generate") }
            let rows = pixels == nil ? try m.rows(input, prependBOS: prependBOS, what: "generate")
                : [try ModelBindings.imagePrompt(m, input, prependBOS: prependBOS, what: "generate")]
            guard rows.count == 1, let prompt = rows.first else {
                throw LoupeError("generate: one prompt at a time (a text or token ids [1, pos]), not a batch of \(rows.count)")
            }
            guard !prompt.isEmpty else { throw LoupeError("generate: the prompt has no tokens") }
            var o = GenerationOptions()
            o.maxNewTokens = try args.int("max_new_tokens")
            guard o.maxNewTokens >= 0 else { throw LoupeError("generate: max_new_tokens must be ≥ 0, got \(o.maxNewTokens)") }
            o.stopAtEOS = try args.bool("stop_at_eos")
            if let eos = args.optional("eos_token_id") {
                if case .int(let i) = eos { o.eosTokenIDs = [i] } else { o.eosTokenIDs = try Ops.iterate(eos).map { try $0.asInt("eos_token_id") } }
            }
            let sample = try args.bool("do_sample")
            let temperature = try args.double("temperature")
            guard temperature >= 0 else { throw LoupeError("generate: temperature must be ≥ 0, got \(temperature)") }
            o.temperature = sample ? Float(temperature) : 0
            if let k = try args.optionalInt("top_k") {
                guard k >= 1 else { throw LoupeError("generate: top_k must be ≥ 1, got \(k)") }
                o.topK = k
            }
            if let p = try args.optionalDouble("top_p") {
                guard p > 0 && p <= 1 else { throw LoupeError("generate: top_p must be in (0, 1], got \(p)") }
                o.topP = Float(p)
            }
            // None reads as the declared default, as TransformerLens takes it.
            let seed = try args.optionalInt("seed") ?? 0
            guard seed >= 0 else { throw LoupeError("generate: seed must be ≥ 0, got \(seed)") }
            o.seed = UInt64(seed)
            let returnType = try args.optionalString("return_type") ?? "input"
            guard ["input", "str", "tokens"].contains(returnType) else {
                throw LoupeError("generate: return_type must be \"input\", \"str\" or \"tokens\", not \(Repr.repr(.string(returnType)))")
            }
            if let keep = args.optional("keep") { o.cacheFilter = try HookBindings.namesFilter(keep, interp) }
            o.hooks = (m.persistentHooks.map(\.hook) + (try HookBindings.hooks(args.value("fwd_hooks"), interp))).map(HookBindings.withBatchAxis)
            let result = try engineCall { try m.model.generate(prompt, pixelValues: pixels, options: o) }
            let asText: Bool
            switch returnType {
            case "str": asText = true
            case "tokens": asText = false
            default: if case .string = input { asText = true } else { asText = false }
            }
            // As TransformerLens: text output leaves out the BOS token that encoding a text prompt prepended.
            var shown = result.tokens
            if asText, case .string = input, prependBOS != false,
               let bos = m.tokenizer?.bosID ?? m.model.config.bosTokenID, shown.first == bos {
                shown.removeFirst()
            }
            let output: Value = asText ? .string(try m.requireTokenizer("generate").decode(shown)) : .tokenRows([result.tokens])
            guard o.cacheFilter != nil else { return output }
            let caches: [Value] = try result.steps.compactMap(\.cache).map { cache in
                .host(CacheObject(cache: try engineCall { try cache.addingBatchDim() }, model: m))
            }
            return .tuple([output, .list(caches)])
        }
    }
}
