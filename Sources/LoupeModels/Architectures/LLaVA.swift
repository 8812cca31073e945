import Foundation
import LoupeFormats
import LoupeTensor

extension Architecture {
    public static let llava = Architecture(rawValue: "llava", usesRMSNorm: true, usesRotary: true, isGated: true)
}

/// LLaVA-1.5 (LlavaForConditionalGeneration): a CLIP ViT (CLIPVision.swift) whose hidden state at
/// `vision_feature_layer` a GELU projector maps into a Llama language model's embeddings, at the
/// `<image>` placeholder positions. The language model and its hook points are Llama's; the tower's
/// hook points are under `vision.` (VisionForward.swift). Read from Hugging Face safetensors.
enum LLaVA: ArchitectureDefinition {
    static let architecture = Architecture.llava
    static let huggingFaceNames = ["LlavaForConditionalGeneration", "llava"]
    static let huggingFaceSummary = "LlavaForConditionalGeneration (llava-1.5)"
    static let ggufName: String? = nil

    // MARK: config

    /// LlamaConfig's defaults for keys a LLaVA `text_config` leaves out (llava-1.5-7b-hf's lists a few).
    static let textDefaults: [(String, JSONValue)] = [
        ("hidden_size", 4096), ("intermediate_size", 11008), ("num_hidden_layers", 32), ("num_attention_heads", 32),
        ("max_position_embeddings", 2048), ("vocab_size", 32000), ("rms_norm_eps", .double(1e-6)),
        ("bos_token_id", 1), ("eos_token_id", 2),
    ]

    static func config(huggingFace j: HFConfig) throws -> ModelConfig {
        let source = j.source
        guard let vision = j["vision_config"]?.object else {
            throw ModelError(.badConfig, "\(source): a LLaVA config.json needs a vision_config (the CLIP vision tower); this one has none")
        }
        guard let text = j["text_config"]?.object else {
            throw ModelError(.badConfig, "\(source): a LLaVA config.json needs a text_config (the language model)")
        }
        if let type = text["model_type"]?.string, type != "llama" {
            throw ModelError(.badConfig, "\(source): text_config.model_type \(type) is not supported (only llama)")
        }
        var pairs = text.entries.map { ($0.key, $0.value) }
        for (k, v) in textDefaults where text[k] == nil { pairs.append((k, v)) }
        var c = try Llama.config(huggingFace: HFConfig(json: .object(JSONObject(uniquing: pairs)), source: source + " (text_config)"))
        c.architecture = .llava
        c.source = source
        let imageToken = j.int("image_token_index", "image_token_id") ?? 32000
        guard (0..<c.dVocab).contains(imageToken) else {
            throw ModelError(.badConfig, "\(source): image_token_index \(imageToken) is outside the vocabulary of \(c.dVocab)")
        }
        c.vision = try CLIPVision.config(vision, llava: j, imageTokenID: imageToken)
        return c
    }

    static func config(gguf: GGUFFile) throws -> ModelConfig {
        throw ModelError(.unsupportedArchitecture, "\(gguf.url.path): LLaVA is read from Hugging Face safetensors, not GGUF")
    }

    // MARK: checkpoint names

    /// One checkpoint layout: where the language model, the projector and the tower live.
    struct Layout {
        /// Marks the layout: its embedding's name.
        let probe: String
        let language: Llama.Names
        let projector: String
        let tower: String
    }

    static func languageNames(_ p: String, head: String) -> Llama.Names {
        Llama.Names(
            embed: p + "embed_tokens.weight", lnFinal: p + "norm.weight", unembed: head,
            ln1: p + "layers.{L}.input_layernorm.weight",
            q: p + "layers.{L}.self_attn.q_proj.weight", k: p + "layers.{L}.self_attn.k_proj.weight",
            v: p + "layers.{L}.self_attn.v_proj.weight", o: p + "layers.{L}.self_attn.o_proj.weight",
            ln2: p + "layers.{L}.post_attention_layernorm.weight",
            gate: p + "layers.{L}.mlp.gate_proj.weight", up: p + "layers.{L}.mlp.up_proj.weight",
            down: p + "layers.{L}.mlp.down_proj.weight")
    }

    /// The saved layout (llava-hf checkpoints; transformers writes it back on save) and the in-memory
    /// one of transformers ≥ 4.52 (`model.language_model…`, `lm_head`).
    static let layouts = [
        Layout(probe: "language_model.model.embed_tokens.weight",
               language: languageNames("language_model.model.", head: "language_model.lm_head.weight"),
               projector: "multi_modal_projector.", tower: ""),
        Layout(probe: "model.language_model.embed_tokens.weight",
               language: languageNames("model.language_model.", head: "lm_head.weight"),
               projector: "model.multi_modal_projector.", tower: "model."),
    ]

    static func weights(_ ld: inout WeightLoader, config c: ModelConfig, format: CheckpointFormat) throws -> ModelWeights {
        guard format == .huggingFace else {
            throw ModelError(.unsupportedArchitecture, "\(ld.origin): LLaVA is read from Hugging Face safetensors")
        }
        guard let vc = c.vision else { throw ModelError(.internalError, "\(ld.origin): LLaVA config without vision") }
        guard let layout = layouts.first(where: { ld.contains($0.probe) }) else {
            throw ModelError(.missingTensor, "\(ld.origin): no LLaVA language model found: neither \(layouts.map(\.probe).joined(separator: " nor ")) is present")
        }
        let weights = try Llama.weights(&ld, config: c, names: layout.language, permute: false)
        let towerPrefix = CLIPVision.towerPrefixes.map { layout.tower + $0 }
            .first { ld.contains($0 + "embeddings.class_embedding") } ?? layout.tower + CLIPVision.towerPrefixes[0]
        let vision = try CLIPVision.weights(&ld, config: vc, names: CLIPVision.Names(prefix: towerPrefix))
        let p = layout.projector, dV = vc.dModel, d = c.dModel
        vision.projector1 = try ld.matrix(p + "linear_1.weight", out: d, in: dV)
        vision.projector2 = try ld.matrix(p + "linear_2.weight", out: d, in: d)
        if vc.projectorBias {
            vision.projector1B = try ld.vector(p + "linear_1.bias", d)
            vision.projector2B = try ld.vector(p + "linear_2.bias", d)
        }
        weights.vision = vision
        return weights
    }

    // MARK: forward pass

    /// The language model's pass; the image features are already in its input embeddings (ImageInput.swift).
    static func forward(_ pass: ForwardPass) throws -> Tensor { try pass.llama() }
}
