import Foundation
import LoupeFormats
import LoupeTensor

/// Shapes and hyper-parameters of one model, in TransformerLens's terms. The architecture files map
/// each checkpoint format's config onto it.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: Architecture
    public var nLayers: Int
    public var dModel: Int
    public var nHeads: Int
    /// Key/value heads (== nHeads without grouped-query attention).
    public var nKVHeads: Int
    public var dHead: Int
    public var dMLP: Int
    public var dVocab: Int
    /// Context length (n_positions / max_position_embeddings / GGUF context_length).
    public var nCtx: Int
    /// LayerNorm / RMSNorm epsilon.
    public var eps: Float
    public var ropeTheta: Float
    public var ropeScaling: RopeScaling?
    /// The unembedding is the transposed embedding (no separate lm_head / output tensor).
    public var tiedEmbeddings: Bool
    public var bosTokenID: Int?
    public var eosTokenID: Int?
    /// Human-readable origin (file or directory).
    public var source: String = ""
    /// The image tower and projector of a vision-language model (LLaVA), nil for text-only models.
    public var vision: VisionConfig? = nil

    /// Heads sharing one key/value head.
    public var groupSize: Int { nHeads / nKVHeads }
    public var usesRotary: Bool { architecture.usesRotary }
    public var isGated: Bool { architecture.isGated }
    public var usesRMSNorm: Bool { architecture.usesRMSNorm }

    func validate() throws {
        let fields: [(String, Int)] = [("n_layers", nLayers), ("d_model", dModel), ("n_heads", nHeads),
                                       ("n_kv_heads", nKVHeads), ("d_head", dHead), ("d_mlp", dMLP),
                                       ("d_vocab", dVocab), ("n_ctx", nCtx)]
        for (k, v) in fields where v <= 0 || v > 1 << 24 {
            throw ModelError(.badConfig, "\(source): \(k) = \(v) is out of range")
        }
        guard nHeads % nKVHeads == 0 else {
            throw ModelError(.badConfig, "\(source): n_heads \(nHeads) is not a multiple of n_kv_heads \(nKVHeads)")
        }
        if usesRotary && dHead % 2 != 0 {
            throw ModelError(.badConfig, "\(source): rotary d_head \(dHead) must be even")
        }
    }
}

extension ModelConfig {
    /// Reads a Hugging Face `config.json`; its `architectures` (or `model_type`) picks the definition.
    public init(hfConfig url: URL) throws {
        let json: JSONValue
        do { json = try JSONValue.load(url) } catch {
            throw ModelError(.badConfig, "\(url.path): cannot read config.json (\(error))")
        }
        guard json.object != nil else { throw ModelError(.badConfig, "\(url.path): not a JSON object") }
        try self.init(hfConfig: HFConfig(json: json, source: url.path))
    }

    init(hfConfig json: HFConfig) throws {
        let modelType = json["model_type"]?.string
        let archName = json["architectures"]?.stringArray?.first ?? modelType ?? "?"
        guard let definition = Architectures.huggingFace(archName) ?? modelType.flatMap(Architectures.huggingFace) else {
            throw ModelError(.unsupportedArchitecture,
                             "\(json.source): architecture \(archName) is not supported; supported: \(Architectures.huggingFaceList)")
        }
        self = try definition.config(huggingFace: json)
        try validate()
    }

    /// Reads `general.architecture` and the architecture's keys of a GGUF file.
    public init(gguf: GGUFFile) throws {
        let archName = gguf.architecture ?? "?"
        guard let definition = Architectures.gguf(archName) else {
            throw ModelError(.unsupportedArchitecture,
                             "\(gguf.url.path): GGUF architecture \(archName) is not supported; supported: \(Architectures.ggufList)")
        }
        self = try definition.config(gguf: gguf)
        try validate()
    }
}

/// A Hugging Face config.json (parsed by LoupeFormats' JSON reader), with the lookups the config
/// mappings share; errors name the file and the key.
struct HFConfig {
    let json: JSONValue
    let source: String

    subscript(key: String) -> JSONValue? { json[key] }

    /// The first of `keys` present as a number.
    func int(_ keys: String...) -> Int? { keys.lazy.compactMap { self.json[$0]?.int }.first }
    func double(_ keys: String...) -> Double? { keys.lazy.compactMap { self.json[$0]?.double }.first }

    /// The first of `keys` present as a number, or an error naming the first key.
    func require(_ keys: String...) throws -> Int {
        guard let v = keys.lazy.compactMap({ self.json[$0]?.int }).first else {
            throw ModelError(.badConfig, "\(source): config.json has no \(keys[0])")
        }
        return v
    }

    /// A token id given as a number or as a list (its first element).
    func tokenID(_ key: String) -> Int? { json[key]?.int ?? json[key]?.array?.first?.int }
}
