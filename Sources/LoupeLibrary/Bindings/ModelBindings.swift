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
                 refactor_factored_attn_matrices: bool = False, processing: bool = True,
                 dtype: str | None = None, quantize_unembed: bool = False, compute: str | None = None,
                 first_n_layers: int | None = None)
            """,
            doc: """
            Loads a model: a name under models/ (e.g. "smollm2", the embedded default), a Hugging Face folder
            (config.json + safetensors + tokenizer), a .gguf file, or a name from your Hugging Face cache
            ("gpt2", "HuggingFaceTB/SmolLM2-135M"). Weight processing follows TransformerLens's from_pretrained
            (fold_ln, center_writing_weights, center_unembed, fold_value_biases default True; refactor_factored_attn_matrices
            False); processing=False gives the raw checkpoint (from_pretrained_no_processing: Hugging Face's exact logits).
            Processing steps that do not apply to an architecture (centering for RMSNorm models) are skipped, as in TransformerLens.
            Weights stay as stored (memory-mapped, never widened to float32 as a whole) unless dtype converts them on load:
            "f32", "f16", "bf16", or "q8_0" (8-bit blocks of 32, the counterpart of load_in_8bit; the embedding and the
            unembedding stay as stored unless quantize_unembed=True). model.memory() shows what they occupy.
            compute sets how bf16 weights multiply: "bf16" (oneDNN's bf16 products with f32 sums on AVX512_BF16; each
            product's activations are rounded to bf16, so hook points differ from the exact path by about 1e-2 of their
            largest value: 0.4–1.2e-2 per hook on SmolLM2 in bf16) or "f32" (exact: float32 products bit for bit as
            before). With "bf16", prompts on quantised (Q8_0, Q4_*, Q5_*, K-quants) and f16 weights dequantise panels of
            rows to bf16 and multiply the same way, rounding each weight too: 0.2–2.3e-2 per hook (logits 1.0e-2) on
            SmolLM2's Q4_1 against "f32" on the same file; float32 weights stay exact. The default (None) is "bf16" for models of 500M
            weights or more (gpt2-large, Llama 3.2 1B, the seeds' 7–8B models) on a CPU with AVX512_BF16, where bf16 is 3–5× faster than widening
            to float32, and "f32" for smaller models, whose products are quick either way. One-token generation steps
            keep their own kernels.
            first_n_layers=n keeps the embedding, the first n blocks, the final norm and the unembedding, as
            TransformerLens's from_pretrained(first_n_layers=n) and transformers' num_hidden_layers=n do: a smaller
            model to try a sweep on before the full one.
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
            let dtype = try ModelMemoryBindings.dtype(try args.optionalString("dtype"))
            let compute = try ModelMemoryBindings.compute(try args.optionalString("compute"))
            let loadOptions = LoadOptions(processing: options, dtype: dtype, quantizeUnembed: try args.bool("quantize_unembed"),
                                          compute: compute, firstNLayers: try args.optionalInt("first_n_layers"),
                                          progress: ModelMemoryBindings.progress(target: dtype))
            let model = try engineCall { try HookedTransformer(location: location, options: loadOptions) }
            let tokenizer = model.tokenizer  // built once, by the engine's loader
            let object = ModelObject(model: model, tokenizer: tokenizer, name: ModelLoading.displayName(location, typed: name),
                                     source: location.url.path)
            interp.noteModel(object.summary)
            return .host(object)
        }
        installTokenMethods()
        installRunMethods()
        installImageMethods()
        installTLMethods()
        installParameters()
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
            type: "Model", "model.to_tokens(input, prepend_bos: bool | None = None, *, image=None)",
            doc: "Token ids [batch, pos], as TransformerLens's to_tokens: a text gives [1, pos], a list of texts [batch, pos] right-padded with the pad token (TransformerLens's default padding side). prepend_bos=True (the default, as TransformerLens) puts the BOS token first; prepend_bos=False gives the bare tokens (what a Hugging Face tokenizer without add_bos_token gives). With image= (LLaVA's pixel_values), each <image> becomes the image's positions, as LlavaProcessor expands it.",
            example: "tokens = model.to_tokens(\"The cat sat\")   # [1, pos]\ntokens[0]"
        ) { _, recv, args in
            let m = try model(recv)
            let input = args.value("input")
            switch input {
            case .string, .list: break
            default: throw LoupeError("to_tokens: expected a text or a list of texts, not \(input.typeName)")
            }
            if args.optional("image") != nil {
                return .tokenRows([try imagePrompt(m, input, prependBOS: try args.optionalBool("prepend_bos"), what: "to_tokens")])
            }
            return .tokenRows(try m.rows(input, prependBOS: try args.optionalBool("prepend_bos"), what: "to_tokens"))
        }
        Builtins.registerMethod(
            type: "Model", "model.to_str_tokens(input, prepend_bos: bool | None = None, *, image=None)",
            doc: "The text of each token (a list of strings), as TransformerLens's to_str_tokens: a text, token ids [pos] or [1, pos] (a batch of one is squeezed) give one list; a list of texts gives a list per text. Token ids [batch, pos] of several prompts are an error, as in TransformerLens. With image=, a text's <image>s are expanded as to_tokens(..., image=) does: one \"<image>\" cell per image position.",
            example: "model.to_str_tokens(\"Hello world\")"
        ) { _, recv, args in
            let m = try model(recv)
            let tok = try m.requireTokenizer("to_str_tokens")
            let input = args.value("input")
            if case .tensor(let t) = input, t.tensor.rank == 2, t.tensor.shape[0] != 1 {
                throw LoupeError("to_str_tokens: token ids of shape \(TensorMath.shapeText(t.tensor.shape)) hold several prompts; as TransformerLens, give one: to_str_tokens(tokens[i])")
            }
            if args.optional("image") != nil {
                let ids = try imagePrompt(m, input, prependBOS: try args.optionalBool("prepend_bos"), what: "to_str_tokens")
                return .list(tok.tokenStrings(ids).map { .string($0) })
            }
            switch try m.input(input, prependBOS: try args.optionalBool("prepend_bos"), what: "to_str_tokens") {
            case .single(let ids): return .list(tok.tokenStrings(ids).map { .string($0) })
            case .batch(let b): return .list(b.map { .list(tok.tokenStrings($0).map { .string($0) }) })
            }
        }
        Builtins.registerMethod(
            type: "Model", "model.to_string(tokens)",
            doc: "Decodes token ids back to text, as TransformerLens's to_string: an id or [pos] gives a string, [batch, pos] (also [1, pos]) a list of strings.",
            example: "model.to_string(model.to_tokens(\"Hi there\")[0])"
        ) { _, recv, args in
            let m = try model(recv)
            let tokens = args.value("tokens")
            let tok = try m.requireTokenizer("to_string")
            if case .int(let i) = tokens { return .string(tok.decode([i])) }
            let t = try TensorBuiltins.tensorArg(tokens, "to_string").tensor
            switch t.rank {
            case 0, 1: return .string(tok.decode(try m.ids(t, what: "to_string")))
            case 2: return .list(try (0..<t.shape[0]).map { .string(tok.decode(try m.ids(t.index([.at($0)]), what: "to_string"))) })
            default: throw LoupeError("to_string: token ids must be [pos] or [batch, pos], got shape \(TensorMath.shapeText(t.shape))")
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
}
