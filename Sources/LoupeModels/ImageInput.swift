import Foundation
import LoupeTensor

// Inputs beyond token ids: images for a vision-language model (LLaVA's prompt path, after
// LlavaProcessor and LlavaModel.forward) and a residual stream for TransformerLens's start_at_layer.

extension HookedTransformer {
    /// The vision tower's config and weights, or an error saying the model has none.
    func requireVision() throws -> (VisionConfig, VisionWeights) {
        guard let vc = config.vision, let vw = weights.vision else {
            throw ModelError(.badInput, "\(config.source): this \(config.architecture) model has no vision tower; images need a LLaVA model")
        }
        return (vc, vw)
    }

    /// Positions one image fills in the language model's input (LlavaProcessor's expansion of `<image>`),
    /// nil without a vision tower.
    public var imageTokensPerImage: Int? { config.vision?.imageTokens }

    /// Token ids with each `<image>` placeholder id repeated once per image position, as LlavaProcessor
    /// expands the `<image>` text before tokenising (the tokenizer splits special tokens out first, so
    /// both give the same ids).
    public func expandingImagePlaceholders(_ ids: [Int]) throws -> [Int] {
        let (vc, _) = try requireVision()
        return ids.flatMap { $0 == vc.imageTokenID ? [Int](repeating: $0, count: vc.imageTokens) : [$0] }
    }

    /// pixel_values as [N, C, H, W] and whether the caller gave the image axis; errors name the
    /// expected shape.
    func imageBatch(_ pixels: Tensor) throws -> (Tensor, imageAxis: Bool) {
        let (vc, _) = try requireVision()
        let want = [vc.channels, vc.imageSize, vc.imageSize]
        let expected = "\(want) or [images, \(want.map(String.init).joined(separator: ", "))]"
        switch pixels.rank {
        case 3 where pixels.shape == want:
            return (try pixels.reshapedCopy([1] + want), false)
        case 4 where Array(pixels.shape.dropFirst()) == want && pixels.shape[0] >= 1:
            return (pixels.contiguous(), true)
        default:
            throw ModelError(.badInput, "pixel_values of shape \(pixels.shape): this model's vision tower takes \(expected) (CLIPImageProcessor's output, \(vc.imageSize)×\(vc.imageSize) pixels)")
        }
    }

    /// Checks an image prompt or a residual input before a pass is planned.
    func checkInput(_ input: ForwardInput) throws {
        switch input {
        case .tokens, .batch:
            return
        case .multimodal(let ids, let pixels, _):
            let (vc, _) = try requireVision()
            let (batch, _) = try imageBatch(pixels)
            let n = batch.shape[0]
            let found = ids.filter { $0 == vc.imageTokenID }.count
            guard found == n * vc.imageTokens else {
                let runs = Double(found) / Double(vc.imageTokens)
                let have = found % vc.imageTokens == 0 ? "\(Int(runs)) image(s) worth of image tokens" : "\(found) image tokens (not a multiple of \(vc.imageTokens))"
                throw ModelError(.badInput, "the prompt has \(have) but \(n) image(s) were given: each image fills \(vc.imageTokens) image tokens (one <image> in the text per image)")
            }
        case .residual(let r, let layer):
            guard r.rank == 2 || r.rank == 3, r.shape.last == config.dModel, r.shape[r.rank - 2] >= 1, r.shape[0] >= 1 else {
                throw ModelError(.badInput, "start_at_layer input of shape \(r.shape): expected the residual stream [pos, \(config.dModel)] or [batch, pos, \(config.dModel)]")
            }
            guard (0...config.nLayers).contains(layer) else {
                throw ModelError(.badInput, "start_at_layer \(layer) is out of range 0...\(config.nLayers)")
            }
        }
    }

    /// What the planned pass starts from: token embeddings, merged text and image embeddings, or a residual.
    func passStart(_ input: ForwardInput, pass: ForwardPass, hooks: HookRunner) throws -> PassStart {
        switch input {
        case .tokens, .batch: return .tokens
        case .residual(let r, let layer): return .residual(r, layer: layer)
        case .multimodal(let ids, let pixels, _):
            return .embeddings(try mergedEmbeddings(ids, pixels, hooks: hooks, embed: pass.w.embed))
        }
    }

    /// LlavaModel's inputs_embeds [T, dModel]: token embeddings, with the image-token positions taking
    /// the projected image features in order (masked_scatter). Runs the vision tower with `hooks`.
    func mergedEmbeddings(_ ids: [Int], _ pixels: Tensor, hooks: HookRunner, embed: WeightMatrix) throws -> Tensor {
        let (vc, vw) = try requireVision()
        let (batch, imageAxis) = try imageBatch(pixels)
        let tower = VisionPass(config: vc, weights: vw, hooks: hooks, scratch: scratch,
                               idBase: HookRegistry.visionBase(nLayers: config.nLayers), dLM: config.dModel,
                               images: batch.shape[0], imageAxis: imageAxis)
        let features = try tower.run(batch)                             // [N·imageTokens, dModel]
        let d = config.dModel
        let out = Tensor(zeros: [ids.count, d])
        let o = out.storage.pointer, f = features.basePointer
        var next = 0
        for (r, t) in ids.enumerated() {
            if t == vc.imageTokenID && next < features.shape[0] {
                (o + r * d).update(from: f + next * d, count: d)
                next += 1
            } else {
                embed.dequantizeRows(t, 1, into: o + r * d)
            }
        }
        return out
    }

    /// The language model's input embeddings [pos, d_model] of token ids, with images at the image-token
    /// positions when `pixelValues` is given (the vision tower and projector run; no hooks).
    public func inputEmbeddings(_ tokens: [Int], pixelValues: Tensor? = nil) throws -> Tensor {
        _ = try prepare([tokens])
        lock.lock()
        defer { lock.unlock() }
        let w = refactored?.weights ?? weights
        guard let pixels = pixelValues else {
            let d = config.dModel
            let out = Tensor(zeros: [tokens.count, d])
            for (r, t) in tokens.enumerated() { w.embed.dequantizeRows(t, 1, into: out.storage.pointer + r * d) }
            return out
        }
        try checkInput(.multimodal(tokens, pixelValues: pixels, batchAxis: false))
        let runner = HookRunner(registry: registry, cacheIDs: [], hooks: [], dropBatch: true)
        return try mergedEmbeddings(tokens, pixels, hooks: runner, embed: w.embed)
    }
}
