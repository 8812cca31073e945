import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeImage
import LoupeModels
import LoupeTensor

/// Model inputs beyond token ids: `image=` (LLaVA: pixel_values at the prompt's `<image>`s) and
/// TransformerLens's `start_at_layer=` (the input is the residual stream before that block), and
/// `model.input_embeddings(prompt, image=...)`.
extension ModelBindings {
    /// pixel_values of `image=`: a tensor [C, H, W] or [images, C, H, W] is taken as CLIPImageProcessor's
    /// output; a picture (or a list of them) is preprocessed by the model's own processor config.
    static func pixels(_ m: ModelObject, _ v: Value, _ what: String) throws -> Tensor {
        if let pictures = pictures(v) { return try preprocessed(m, pictures, what) }
        if case .string(let s) = v {
            throw LoupeError("\(what): image= takes a picture or pixel_values, not the string \(Repr.repr(.string(s)))",
                             hint: "read the file first: image=read_image(path)")
        }
        return try TensorBuiltins.tensorArg(v, "\(what): image").tensor
    }

    /// The pictures in an Image value or a non-empty list of them; nil for anything else.
    static func pictures(_ v: Value) -> [ImageObject]? {
        switch v {
        case .host(let h as ImageObject): return [h]
        case .list(let l) where !l.items.isEmpty:
            let images = l.items.compactMap { if case .host(let h as ImageObject) = $0 { return h } else { return nil } }
            return images.count == l.items.count ? images : nil
        case .tuple(let items) where !items.isEmpty:
            let images = items.compactMap { if case .host(let h as ImageObject) = $0 { return h } else { return nil } }
            return images.count == items.count ? images : nil
        default: return nil
        }
    }

    /// pixel_values of pictures by the model's processor: [3, H, W] for one, [images, 3, H, W] for several.
    static func preprocessed(_ m: ModelObject, _ pictures: [ImageObject], _ what: String) throws -> Tensor {
        let processor = try m.imageProcessor(what)
        let values = try pictures.map { p in try ImageBindings.imageCall { try processor.preprocess(p.image) } }
        if values.count == 1 { return values[0] }
        return try engineCall { try Tensor.stack(values) }
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
        return (.multimodal(ids, pixelValues: try pixels(m, image, what), batchAxis: true), [ids])
    }

    static func installImageMethods() {
        Builtins.registerMethod(
            type: "Model", "model.preprocess(image)",
            doc: """
            The pixel_values a LLaVA model takes for a picture, by its folder's preprocessor_config.json (or \
            processor_config.json) as transformers' CLIPImageProcessor: [3, H, W] for one Image, [images, 3, H, W] \
            for a list. image= of the model's methods does this itself when given pictures.
            """,
            example: "pixel_values = model.preprocess(read_image(\"cat.jpg\"))   # [3, 336, 336] for llava-1.5"
        ) { _, recv, args in
            let m = try model(recv)
            let v = args.value("image")
            guard let pictures = pictures(v) else {
                throw LoupeError("preprocess: expected an Image or a list of Images, not \(v.typeName)", hint: "read_image(path) reads one")
            }
            return .tensor(try preprocessed(m, pictures, "preprocess"))
        }
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
                let px = try pixels(m, image, "input_embeddings")
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

extension ModelObject {
    /// The CLIPImageProcessor configured by the model's folder (`preprocessor_config.json`, else
    /// `processor_config.json`), as LlavaProcessor.from_pretrained reads it.
    func imageProcessor(_ what: String) throws -> CLIPImageProcessor {
        if let p = imageProcessorMemo { return p }
        guard model.imageTokensPerImage != nil else {
            throw LoupeError("\(what): \(name) has no vision tower; pictures need a LLaVA model")
        }
        var folder = URL(fileURLWithPath: source)
        var isDir: ObjCBool = false
        if !(FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir) && isDir.boolValue) {
            folder = folder.deletingLastPathComponent()
        }
        let hint = "pass pixel_values instead (image_processor(\"path/to/preprocessor_config.json\").preprocess(img)), or put the model's preprocessor_config.json in \(folder.path)"
        let found = ["preprocessor_config.json", "processor_config.json"].contains {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
        guard found else {
            throw LoupeError("\(what): \(folder.path) has no preprocessor_config.json or processor_config.json, so a picture cannot become this model's pixel_values", hint: hint)
        }
        let p = try ImageBindings.imageCall { try CLIPImageProcessor(configURL: folder) }
        imageProcessorMemo = p
        return p
    }
}
