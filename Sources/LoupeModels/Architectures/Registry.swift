import Foundation
import LoupeFormats
import LoupeTensor

/// A model family, as ModelConfig names it. Each is declared next to its definition (GPT2.swift,
/// Llama.swift) with the traits the shared code asks about.
public struct Architecture: Sendable, Hashable, CustomStringConvertible {
    /// The short name ("gpt2", "llama"), shown by `model.cfg` and in messages.
    public let rawValue: String
    /// RMSNorm (no centring, no bias) instead of LayerNorm.
    public let usesRMSNorm: Bool
    /// Rotary position embeddings (hook_rot_q, hook_rot_k) instead of learned positions (hook_pos_embed).
    public let usesRotary: Bool
    /// A gated MLP (W_gate, hook_pre_linear).
    public let isGated: Bool

    public var description: String { rawValue }
}

/// One architecture in one file: how its checkpoints' configs map to ModelConfig, the checkpoint
/// names of its weights (one table per format), and its forward pass, top to bottom.
protocol ArchitectureDefinition {
    static var architecture: Architecture { get }
    /// config.json `architectures[0]` / `model_type` values read by this definition.
    static var huggingFaceNames: [String] { get }
    /// How the supported-list in messages shows this architecture.
    static var huggingFaceSummary: String { get }
    /// GGUF `general.architecture`, or nil when the architecture is not read from GGUF files.
    static var ggufName: String? { get }

    static func config(huggingFace json: HFConfig) throws -> ModelConfig
    static func config(gguf: GGUFFile) throws -> ModelConfig
    /// Every weight, through the strict loader, by this architecture's name table for `format`.
    static func weights(_ loader: inout WeightLoader, config: ModelConfig, format: CheckpointFormat) throws -> ModelWeights
    /// Logits [B, T, dVocab] of one planned pass, firing the hook points in TransformerLens's order.
    static func forward(_ pass: ForwardPass) throws -> Tensor
}

/// Every architecture Loupe runs, one line each.
enum Architectures {
    static let all: [any ArchitectureDefinition.Type] = [
        GPT2.self,
        Llama.self,
        LLaVA.self,
    ]

    static func definition(of architecture: Architecture) throws -> any ArchitectureDefinition.Type {
        guard let d = all.first(where: { $0.architecture == architecture }) else {
            throw ModelError(.unsupportedArchitecture, "architecture \(architecture) has no definition in the registry")
        }
        return d
    }

    static func huggingFace(_ name: String) -> (any ArchitectureDefinition.Type)? {
        all.first { $0.huggingFaceNames.contains(name) }
    }

    static func gguf(_ name: String) -> (any ArchitectureDefinition.Type)? {
        all.first { $0.ggufName == name }
    }

    static var huggingFaceList: String { all.map { $0.huggingFaceSummary }.joined(separator: ", ") }
    static var ggufList: String { all.compactMap { $0.ggufName }.joined(separator: ", ") }
}
