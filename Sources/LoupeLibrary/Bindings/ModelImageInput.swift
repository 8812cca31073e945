import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeModels
import LoupeTensor

/// Model inputs beyond token ids: `image=` (LLaVA: pixel_values at the prompt's `<image>`s) and
/// TransformerLens's `start_at_layer=` (the input is the residual stream before that block), and
/// `model.input_embeddings(prompt, image=...)`.
extension ModelBindings {
    /// pixel_values of `image=`: [C, H, W] or [images, C, H, W], as CLIPImageProcessor gives them.
    static func pixels(_ v: Value, _ what: String) throws -> Tensor {
        try TensorBuiltins.tensorArg(v, "\(what): image").tensor
    }

    /// Token ids of one prompt with images: a text has each `<image>` expanded to the positions an image
    /// fills (LlavaProcessor's expansion: 576 for a 336-pixel CLIP with patch 14); token ids are taken
    /// as given (already expanded, as to_tokens(prompt, image=...) gives them).
    static func imagePrompt(_ m: ModelObject, _ v: Value, prependBOS: Bool?, what: String) throws -> [Int] {
        guard case .single(let ids) = try m.input(v, prependBOS: prependBOS, what: what) else {
            throw LoupeError("\(what): image= goes with one prompt, not a batch")
        }
        if case .string = v { return try engineCall { try m.model.expandingImagePlaceholders(ids) } }
        return ids
    }

    /// The engine input of a call with `image=` or `start_at_layer=` and its token rows (none for a
    /// residual input); nil when neither is given.
    static func extendedInput(_ m: ModelObject, _ args: BoundArguments, what: String) throws -> (ForwardInput, [[Int]])? {
        let image = args.optional("image")
        if var start = try args.optionalInt("start_at_layer") {
            let n = m.model.config.nLayers
            if start < 0 { start += n }                                 // a Python slice index, as TransformerLens's blocks[k:]
            if image != nil {
                throw LoupeError("\(what): image= and start_at_layer= exclude each other: with start_at_layer the input is the residual stream already (model.input_embeddings(prompt, image=...) gives it)")
            }
            if case .string(let rt) = args.value("return_type"), rt != "logits" {
                throw LoupeError("\(what): return_type \(Repr.repr(.string(rt))) needs token ids; with start_at_layer the input is a residual stream")
            }
            var t = try TensorBuiltins.tensorArg(args.value("input"), "\(what): input (the residual stream with start_at_layer)").tensor
            if t.rank == 2 { t = try engineCall { try t.reshaped([1] + t.shape) } }   // TransformerLens's batch axis
            // Rows without tokens, one per sequence (the batch size remove_batch_dim checks).
            return (.residual(t, startAtLayer: start), [[Int]](repeating: [], count: t.shape[0]))
        }
        guard let image else { return nil }
        let ids = try imagePrompt(m, args.value("input"), prependBOS: try args.optionalBool("prepend_bos"), what: what)
        return (.multimodal(ids, pixelValues: try pixels(image, what), batchAxis: true), [ids])
    }

    static func installImageMethods() {
        Builtins.registerMethod(
            type: "Model", "model.input_embeddings(input, image=None, prepend_bos: bool | None = None)",
            doc: """
            The language model's input embeddings [1, pos, d_model] of a prompt (a text or token ids): the token \
            embeddings, with the projected image features at the image positions when image= (pixel_values \
            [3, H, W] or [images, 3, H, W]) is given — LLaVA's merged inputs_embeds. Each <image> in a text fills \
            the positions of one image, as LlavaProcessor expands it. Run them with model.run_with_cache(embeds, start_at_layer=0).
            """,
            example: "embeds = model.input_embeddings(\"USER: <image>\\nCat or dog? ASSISTANT:\", image=pixel_values)\nlogits, cache = model.run_with_cache(embeds, start_at_layer=0)"
        ) { _, recv, args in
            let m = try model(recv)
            let prependBOS = try args.optionalBool("prepend_bos")
            let e: Tensor
            if let image = args.optional("image") {
                let ids = try imagePrompt(m, args.value("input"), prependBOS: prependBOS, what: "input_embeddings")
                let px = try pixels(image, "input_embeddings")
                e = try engineCall { try m.model.inputEmbeddings(ids, pixelValues: px) }
            } else {
                guard case .single(let ids) = try m.input(args.value("input"), prependBOS: prependBOS, what: "input_embeddings") else {
                    throw LoupeError("input_embeddings: one prompt at a time")
                }
                e = try engineCall { try m.model.inputEmbeddings(ids) }
            }
            return .tensor(try engineCall { try e.reshaped([1] + e.shape) })
        }
    }
}
