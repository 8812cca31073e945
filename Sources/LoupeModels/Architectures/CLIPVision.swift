import Foundation
import LoupeFormats
import LoupeTensor

/// The image side of a vision-language model: a CLIP ViT (patch embedding, class token, learned
/// positions, pre-LN blocks) whose hidden state at `featureLayer` a two-layer projector maps into the
/// language model's embedding space (LLaVA-1.5).
public struct VisionConfig: Sendable, Equatable {
    public var nLayers: Int
    public var dModel: Int
    public var nHeads: Int
    public var dMLP: Int
    public var imageSize: Int
    public var patchSize: Int
    public var channels: Int
    public var eps: Float
    /// The tower's MLP activation ("quick_gelu" or "gelu").
    public var activation: String
    /// The hidden state the projector reads: an index into (embeddings, block 0, …, block n−1),
    /// negative from the end, as `vision_feature_layer`.
    public var featureLayer: Int
    /// "default" drops the class token from the features; "full" keeps it.
    public var keepsClassToken: Bool
    /// The projector's activation ("gelu").
    public var projectorActivation: String
    public var projectorBias: Bool
    /// The language model's id of the `<image>` placeholder token.
    public var imageTokenID: Int

    public var dHead: Int { dModel / nHeads }
    /// Patches per side and per image.
    public var patchesPerSide: Int { imageSize / patchSize }
    public var patches: Int { patchesPerSide * patchesPerSide }
    /// Positions in the tower: the class token and the patches.
    public var positions: Int { patches + 1 }
    /// Language-model positions one image fills (LlavaProcessor's expansion of `<image>`).
    public var imageTokens: Int { keepsClassToken ? positions : patches }
    /// How many blocks run before the selected hidden state.
    public var featureBlocks: Int { featureLayer >= 0 ? featureLayer : nLayers + 1 + featureLayer }
}

/// CLIP's vision transformer (CLIPVisionModel) as LLaVA embeds it: config mapping and checkpoint names.
enum CLIPVision {
    /// `vision_config` of a LLaVA config.json, with CLIPVisionConfig's defaults for missing keys.
    static func config(_ v: JSONObject, llava j: HFConfig, imageTokenID: Int) throws -> VisionConfig {
        let source = j.source
        func int(_ k: String, _ def: Int) throws -> Int {
            guard let x = v[k] else { return def }
            guard let i = x.int else { throw ModelError(.badConfig, "\(source): vision_config.\(k) is not an integer (\(x))") }
            return i
        }
        let type = v["model_type"]?.string ?? "clip_vision_model"
        guard type == "clip_vision_model" else {
            throw ModelError(.badConfig, "\(source): vision_config.model_type \(type) is not supported (only clip_vision_model)")
        }
        let act = v["hidden_act"]?.string ?? "quick_gelu"
        guard ["quick_gelu", "gelu"].contains(act) else {
            throw ModelError(.badConfig, "\(source): vision_config.hidden_act \(act) is not supported (quick_gelu, gelu)")
        }
        let projAct = j["projector_hidden_act"]?.string ?? "gelu"
        guard projAct == "gelu" else {
            throw ModelError(.badConfig, "\(source): projector_hidden_act \(projAct) is not supported (only gelu)")
        }
        if let fl = j["vision_feature_layer"], fl.int == nil {
            throw ModelError(.badConfig, "\(source): vision_feature_layer \(fl) is not supported (one layer index, as LLaVA-1.5)")
        }
        let strategy = j["vision_feature_select_strategy"]?.string ?? "default"
        guard strategy == "default" || strategy == "full" else {
            throw ModelError(.badConfig, "\(source): vision_feature_select_strategy \(strategy) is not supported (default, full)")
        }
        let c = VisionConfig(nLayers: try int("num_hidden_layers", 12), dModel: try int("hidden_size", 768),
                             nHeads: try int("num_attention_heads", 12), dMLP: try int("intermediate_size", 3072),
                             imageSize: try int("image_size", 224), patchSize: try int("patch_size", 32),
                             channels: try int("num_channels", 3), eps: Float(v["layer_norm_eps"]?.double ?? 1e-5),
                             activation: act, featureLayer: j["vision_feature_layer"]?.int ?? -2,
                             keepsClassToken: strategy == "full", projectorActivation: projAct,
                             projectorBias: j["multimodal_projector_bias"]?.bool ?? true, imageTokenID: imageTokenID)
        for (k, x) in [("num_hidden_layers", c.nLayers), ("hidden_size", c.dModel), ("num_attention_heads", c.nHeads),
                       ("intermediate_size", c.dMLP), ("image_size", c.imageSize), ("patch_size", c.patchSize),
                       ("num_channels", c.channels)] where x <= 0 || x > 1 << 20 {
            throw ModelError(.badConfig, "\(source): vision_config.\(k) = \(x) is out of range")
        }
        guard c.dModel % c.nHeads == 0 else {
            throw ModelError(.badConfig, "\(source): vision_config.hidden_size \(c.dModel) is not a multiple of num_attention_heads \(c.nHeads)")
        }
        guard c.imageSize % c.patchSize == 0 else {
            throw ModelError(.badConfig, "\(source): vision_config.image_size \(c.imageSize) is not a multiple of patch_size \(c.patchSize)")
        }
        guard (0...c.nLayers).contains(c.featureBlocks) else {
            throw ModelError(.badConfig, "\(source): vision_feature_layer \(c.featureLayer) is outside the tower's \(c.nLayers + 1) hidden states")
        }
        return c
    }

    // MARK: checkpoint names

    /// The tower's names after a prefix (`vision_tower.vision_model.` in LLaVA checkpoints written by
    /// transformers 4, `vision_tower.` by 5, each with `model.` in front in the current in-memory layout).
    struct Names {
        let classEmbedding, patchEmbedding, positionEmbedding, preLNW, preLNB, postLNW, postLNB: String
        let ln1W, ln1B, q, qB, k, kB, v, vB, o, oB, ln2W, ln2B, fc1, fc1B, fc2, fc2B: String

        init(prefix p: String) {
            classEmbedding = p + "embeddings.class_embedding"
            patchEmbedding = p + "embeddings.patch_embedding.weight"
            positionEmbedding = p + "embeddings.position_embedding.weight"
            preLNW = p + "pre_layrnorm.weight"; preLNB = p + "pre_layrnorm.bias"
            postLNW = p + "post_layernorm.weight"; postLNB = p + "post_layernorm.bias"
            let b = p + "encoder.layers.{L}."
            ln1W = b + "layer_norm1.weight"; ln1B = b + "layer_norm1.bias"
            q = b + "self_attn.q_proj.weight"; qB = b + "self_attn.q_proj.bias"
            k = b + "self_attn.k_proj.weight"; kB = b + "self_attn.k_proj.bias"
            v = b + "self_attn.v_proj.weight"; vB = b + "self_attn.v_proj.bias"
            o = b + "self_attn.out_proj.weight"; oB = b + "self_attn.out_proj.bias"
            ln2W = b + "layer_norm2.weight"; ln2B = b + "layer_norm2.bias"
            fc1 = b + "mlp.fc1.weight"; fc1B = b + "mlp.fc1.bias"
            fc2 = b + "mlp.fc2.weight"; fc2B = b + "mlp.fc2.bias"
        }
    }

    /// The first of `towerPrefixes` (each after the LLaVA layout's prefix) whose class embedding is present.
    static let towerPrefixes = ["vision_tower.vision_model.", "vision_tower."]

    /// Every tower weight, strictly; `post_layernorm` (unused by LLaVA, which reads a hidden state) is
    /// checked and left out.
    static func weights(_ ld: inout WeightLoader, config c: VisionConfig, names n: Names) throws -> VisionWeights {
        let d = c.dModel, m = c.dMLP, patchIn = c.channels * c.patchSize * c.patchSize
        let patchName = n.patchEmbedding
        let patchInfo = try ld.expect(patchName, [d, c.channels, c.patchSize, c.patchSize])
        guard [DType.f32, .f16, .bf16].contains(patchInfo.dtype) else {
            throw ModelError(.unsupportedDType, "\(ld.origin): tensor \(patchName) is \(patchInfo.dtype); the patch embedding must be F32, F16 or BF16")
        }
        // The conv kernel [d, C, p, p] is a linear map of each flattened patch [C·p·p].
        let patch = WeightMatrix(name: patchName, dtype: patchInfo.dtype, layout: .outIn, inDim: patchIn, outDim: d,
                                 bytes: try ld.source.bytes(patchName), owner: ld.source)
        try ld.expect(n.postLNW, [d])
        try ld.expect(n.postLNB, [d])
        var layers: [VisionWeights.Layer] = []
        for l in 0..<c.nLayers {
            func at(_ t: String) -> String { WeightLoader.name(t, layer: l) }
            layers.append(VisionWeights.Layer(
                ln1W: try ld.vector(at(n.ln1W), d), ln1B: try ld.vector(at(n.ln1B), d),
                q: try ld.matrix(at(n.q), out: d, in: d), qB: try ld.vector(at(n.qB), d),
                k: try ld.matrix(at(n.k), out: d, in: d), kB: try ld.vector(at(n.kB), d),
                v: try ld.matrix(at(n.v), out: d, in: d), vB: try ld.vector(at(n.vB), d),
                o: try ld.matrix(at(n.o), out: d, in: d), oB: try ld.vector(at(n.oB), d),
                ln2W: try ld.vector(at(n.ln2W), d), ln2B: try ld.vector(at(n.ln2B), d),
                fc1: try ld.matrix(at(n.fc1), out: m, in: d), fc1B: try ld.vector(at(n.fc1B), m),
                fc2: try ld.matrix(at(n.fc2), out: d, in: m), fc2B: try ld.vector(at(n.fc2B), d)))
        }
        return VisionWeights(classEmbedding: try ld.vector(n.classEmbedding, d), patch: patch,
                             positions: try ld.f32(n.positionEmbedding, [c.positions, d]),
                             preLNW: try ld.vector(n.preLNW, d), preLNB: try ld.vector(n.preLNB, d), layers: layers,
                             projector1: nil, projector1B: nil, projector2: nil, projector2B: nil)
    }
}

/// The vision tower's and projector's weights, kept in their stored types (mapped).
final class VisionWeights: @unchecked Sendable {
    struct Layer {
        var ln1W, ln1B: Tensor                   // [d]
        var q: WeightMatrix; var qB: Tensor      // [d, d], [d]
        var k: WeightMatrix; var kB: Tensor
        var v: WeightMatrix; var vB: Tensor
        var o: WeightMatrix; var oB: Tensor
        var ln2W, ln2B: Tensor                   // [d]
        var fc1: WeightMatrix; var fc1B: Tensor  // [dMLP, d], [dMLP]
        var fc2: WeightMatrix; var fc2B: Tensor  // [d, dMLP], [d]
    }
    let classEmbedding: Tensor                   // [d]
    /// The patch convolution as a matrix [d, C·p·p].
    let patch: WeightMatrix
    let positions: Tensor                        // [patches + 1, d]
    let preLNW, preLNB: Tensor                   // [d]
    let layers: [Layer]
    /// The projector: linear_1 [dLM, d] (+ [dLM]), GELU, linear_2 [dLM, dLM] (+ [dLM]).
    var projector1: WeightMatrix?, projector1B: Tensor?
    var projector2: WeightMatrix?, projector2B: Tensor?

    init(classEmbedding: Tensor, patch: WeightMatrix, positions: Tensor, preLNW: Tensor, preLNB: Tensor, layers: [Layer],
         projector1: WeightMatrix?, projector1B: Tensor?, projector2: WeightMatrix?, projector2B: Tensor?) {
        self.classEmbedding = classEmbedding
        self.patch = patch
        self.positions = positions
        self.preLNW = preLNW
        self.preLNB = preLNB
        self.layers = layers
        self.projector1 = projector1
        self.projector1B = projector1B
        self.projector2 = projector2
        self.projector2B = projector2B
    }

    /// Every matrix, for sizing the per-thread scratch.
    var matrices: [WeightMatrix] {
        [patch] + layers.flatMap { [$0.q, $0.k, $0.v, $0.o, $0.fc1, $0.fc2] } + [projector1, projector2].compactMap { $0 }
    }
}
