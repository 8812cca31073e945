import Foundation
import LoupeFormats
import LoupeTensor
import LoupeTokenizers

/// How to load a model.
public struct LoadOptions: Sendable {
    /// Weight processing (TransformerLens's `from_pretrained` defaults; `.none` for raw Hugging Face numbers).
    public var processing: ProcessingOptions
    /// Worker threads for the forward pass.
    public var threads: Int
    /// The weights' type in memory: nil keeps them as stored (mapped); F32/F16/BF16/Q8_0 convert on load.
    public var dtype: DType?
    /// With `dtype` Q8_0: quantise the unembedding too (by default it stays as stored, as bitsandbytes'
    /// `skip_modules=["output"]`).
    public var quantizeUnembed: Bool
    /// Products on bf16 weights: bf16 × bf16 with f32 sums (fast) or f32 (exact).
    public var compute: ComputePrecision
    /// Keep only the first n blocks (TransformerLens's `first_n_layers`, transformers' `num_hidden_layers`):
    /// the embedding, those blocks, the final norm and the unembedding; the other blocks are never read.
    public var firstNLayers: Int?
    /// Called while weights are converted (the library or command line prints it; the engine does not).
    public var progress: (@Sendable (LoadProgress) -> Void)?

    public init(processing: ProcessingOptions = .transformerLens,
                threads: Int = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8),
                dtype: DType? = nil, quantizeUnembed: Bool = false, compute: ComputePrecision = .automatic,
                firstNLayers: Int? = nil,
                progress: (@Sendable (LoadProgress) -> Void)? = nil) {
        self.processing = processing
        self.threads = threads
        self.dtype = dtype
        self.quantizeUnembed = quantizeUnembed
        self.compute = compute
        self.firstNLayers = firstNLayers
        self.progress = progress
    }
}

extension HookedTransformer {
    /// Loads a located model (a Hugging Face directory, a GGUF file or Meta's params.json + .pth folder).
    public convenience init(location: ModelLocation, options: LoadOptions = LoadOptions()) throws {
        switch location.kind {
        case .meta:
            let (source, config) = try MetaCheckpoint.open(location)
            try self.init(weights: try ModelWeights.load(source, config: config, format: .meta), options: options)
            // Llama 3's tokenizer.model is tiktoken's; Llama 2's (SentencePiece protobuf) loads without a tokenizer.
            if let model = location.sentencePieceURL, Tokenizer.isTiktokenFile(model) {
                tokenizer = try Tokenizer(tiktokenFile: model)
            }
            padTokenID = tokenizer?.padID ?? padTokenID
        case .gguf:
            guard let gguf = try location.weights() as? GGUFFile else {
                throw ModelError(.internalError, "\(location.url.path): expected a GGUF weight source")
            }
            let config = try ModelConfig(gguf: gguf)
            try self.init(weights: try ModelWeights.load(gguf, config: config, format: .gguf), options: options)
            tokenizer = try Tokenizer(gguf: gguf)
            padTokenID = tokenizer?.padID ?? padTokenID
        case .huggingface:
            guard let configURL = location.configURL else {
                throw ModelError(.badConfig, "\(location.url.path): no config.json next to the weights")
            }
            let config = try ModelConfig(hfConfig: configURL)
            try self.init(weights: try ModelWeights.load(try location.weights(), config: config, format: .huggingFace), options: options)
            if let tj = location.tokenizerJSONURL {
                tokenizer = try Tokenizer(tokenizerJSON: tj, config: location.tokenizerConfigURL)
            } else if let v = location.vocabJSONURL, let m = location.mergesURL {
                tokenizer = try Tokenizer(vocab: v, merges: m)
            } else if let model = location.sentencePieceURL, Tokenizer.isTiktokenFile(model) {
                tokenizer = try Tokenizer(tiktokenFile: model)
            }
            padTokenID = tokenizer?.padID ?? padTokenID
        }
    }

    /// Loads a model from a directory, a .gguf/.pth/.bin file, or a name ModelLocator resolves (`models/NAME`, HF cache).
    public convenience init(path: String, options: LoadOptions = LoadOptions()) throws {
        try self.init(location: try ModelLocator.resolve(path), options: options)
    }
}
