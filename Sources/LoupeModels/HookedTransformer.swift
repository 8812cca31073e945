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

    public init(processing: ProcessingOptions = .transformerLens,
                threads: Int = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)) {
        self.processing = processing
        self.threads = threads
    }
}

/// A GPT-2 or Llama model with TransformerLens's hook points: run, cache activations, hook them,
/// generate. Activations of one prompt have no batch dimension; a list of prompts runs as one batch,
/// right-padded as TransformerLens pads, with the padding masked.
///
/// Not safe to run from two threads at once (the pass reuses per-model scratch buffers).
public final class HookedTransformer: @unchecked Sendable {
    public let config: ModelConfig
    public let processing: ProcessingOptions
    /// Every hook point, in forward order.
    public var hookNames: [String] { registry.names }
    /// Token used to pad batches (the config's pad/eos token, else 0).
    public var padTokenID: Int

    let weights: ModelWeights
    let registry: HookRegistry
    let effective: EffectiveProcessing
    let scratch: ScratchPool
    let invFreq: [Float]
    let threads: Int
    private let lock = NSLock()
    var refactored: RefactoredWeights?
    let matVecScratch: MatVecScratch
    /// The model's tokenizer (from tokenizer.json or the GGUF file), when one was found.
    public var tokenizer: Tokenizer?

    /// Loads a located model (a Hugging Face directory or a GGUF file).
    public convenience init(location: ModelLocation, options: LoadOptions = LoadOptions()) throws {
        let source = try location.weights()
        switch location.kind {
        case .gguf:
            guard let gguf = source as? GGUFFile else {
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
            try self.init(weights: try ModelWeights.load(source, config: config, format: .huggingFace), options: options)
            if let tj = location.tokenizerJSONURL {
                tokenizer = try Tokenizer(tokenizerJSON: tj, config: location.tokenizerConfigURL)
            } else if let v = location.vocabJSONURL, let m = location.mergesURL {
                tokenizer = try Tokenizer(vocab: v, merges: m)
            }
            padTokenID = tokenizer?.padID ?? padTokenID
        }
    }

    /// Loads a model from a directory, a .gguf file, or a name ModelLocator resolves (`models/NAME`, HF cache).
    public convenience init(path: String, options: LoadOptions = LoadOptions()) throws {
        let url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        let location: ModelLocation
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            location = isDir.boolValue ? try ModelLocation(huggingface: url) : ModelLocation(gguf: url)
        } else {
            location = try ModelLocator.resolve(path)
        }
        try self.init(location: location, options: options)
    }

    init(weights: ModelWeights, options: LoadOptions) throws {
        let c = weights.config
        self.weights = weights
        config = c
        processing = options.processing
        registry = HookRegistry(config: c)
        threads = max(1, options.threads)
        padTokenID = c.eosTokenID ?? 0
        if options.processing.refactorFactoredAttnMatrices && c.usesRotary {
            throw ModelError(.badConfig, "refactor_factored_attn_matrices does not apply to rotary models (the QK matrix depends on position)")
        }
        var maxScratch = weights.unembed.scratchFloats
        for l in weights.layers {
            for m in [l.qkv, l.q, l.k, l.v, l.o, l.gate, l.up, l.down].compactMap({ $0 }) {
                maxScratch = max(maxScratch, m.scratchFloats, m.inDim * 8)
            }
        }
        scratch = ScratchPool(threads: threads, floatsEach: max(maxScratch, weights.unembed.inDim * 8, c.dVocab,
                                                              c.dMLP, c.nHeads * c.dHead))
        matVecScratch = MatVecScratch(maxCols: max(c.dModel, c.dMLP, c.nHeads * c.dHead))
        if c.usesRotary {
            var f = Kernels.ropeInverseFrequencies(rotaryDim: c.dHead, base: c.ropeTheta, scaling: c.ropeScaling)
            if let factors = weights.ropeFreqFactors { f = zip(f, factors).map { $0 / $1 } }
            invFreq = f
        } else {
            invFreq = []
        }
        effective = EffectiveProcessing(options: options.processing, weights: weights)
        if options.processing.refactorFactoredAttnMatrices {
            refactored = try RefactoredWeights(model: self)
        }
    }

    // MARK: running

    /// Logits [pos, d_vocab] of one sequence of token ids.
    public func run(_ tokens: [Int]) throws -> Tensor {
        try forward([tokens], single: true, cache: nil, hooks: []).logits
    }

    /// Logits [batch, pos, d_vocab] of several sequences, right-padded to the longest.
    public func run(batch: [[Int]]) throws -> Tensor {
        try forward(batch, single: false, cache: nil, hooks: []).logits
    }

    /// Logits and the activations the filter selects (all by default), without a batch dimension.
    public func runWithCache(_ tokens: [Int], namesFilter: NamesFilter = .all,
                             hooks: [Hook] = []) throws -> (logits: Tensor, cache: ActivationCache) {
        let r = try forward([tokens], single: true, cache: namesFilter, hooks: hooks)
        return (r.logits, r.cache!)
    }

    /// Batched `runWithCache`: activations have a leading batch dimension; `paddingMask` tells real tokens.
    public func runWithCache(batch: [[Int]], namesFilter: NamesFilter = .all,
                             hooks: [Hook] = []) throws -> (logits: Tensor, cache: ActivationCache) {
        let r = try forward(batch, single: false, cache: namesFilter, hooks: hooks)
        return (r.logits, r.cache!)
    }

    /// Logits with hooks applied (read or replace activations). Hooks last for this call only.
    public func runWithHooks(_ tokens: [Int], hooks: [Hook]) throws -> Tensor {
        try forward([tokens], single: true, cache: nil, hooks: hooks).logits
    }

    public func runWithHooks(batch: [[Int]], hooks: [Hook]) throws -> Tensor {
        try forward(batch, single: false, cache: nil, hooks: hooks).logits
    }

    /// Checks token ids and lengths; returns the padded flat batch and mask (nil without padding).
    func prepare(_ batch: [[Int]], past: Int = 0) throws -> (flat: [Int], T: Int, mask: [Bool]?) {
        guard !batch.isEmpty else { throw ModelError(.badInput, "empty batch: give at least one sequence of token ids") }
        let T = batch.map(\.count).max() ?? 0
        for (i, seq) in batch.enumerated() {
            if seq.isEmpty { throw ModelError(.badInput, "sequence \(i) is empty: give at least one token id") }
            for (j, t) in seq.enumerated() where t < 0 || t >= config.dVocab {
                throw ModelError(.badInput, "token id \(t) at position \(j)\(batch.count > 1 ? " of sequence \(i)" : "") is out of range 0..<\(config.dVocab)")
            }
        }
        if past + T > config.nCtx {
            throw ModelError(.badInput, "sequence of \(past + T) tokens is longer than the context length \(config.nCtx); shorten it")
        }
        var flat: [Int] = []
        flat.reserveCapacity(batch.count * T)
        var mask: [Bool]? = nil
        if batch.contains(where: { $0.count != T }) {
            var m: [Bool] = []
            for seq in batch {
                flat += seq + Array(repeating: padTokenID, count: T - seq.count)
                m += Array(repeating: true, count: seq.count) + Array(repeating: false, count: T - seq.count)
            }
            mask = m
        } else {
            for seq in batch { flat += seq }
        }
        return (flat, T, mask)
    }

    struct ForwardResult {
        var logits: Tensor
        var cache: ActivationCache?
    }

    func forward(_ batch: [[Int]], single: Bool, cache filter: NamesFilter?, hooks: [Hook],
                 kv: KVCache? = nil, fast: Bool = false) throws -> ForwardResult {
        let (flat, T, mask) = try prepare(batch, past: kv?.length ?? 0)
        let cacheIDs = try filter.map { try registry.select($0) } ?? []
        var userHooks: [(Int, HookFunction)] = []
        for h in hooks { for id in try registry.select(h.filter) { userHooks.append((id, h.function)) } }
        let runner = HookRunner(registry: registry, cacheIDs: cacheIDs, hooks: userHooks, dropBatch: single)
        lock.lock()
        defer { lock.unlock() }
        let savedThreads = Blas.threads
        Blas.setThreads(1)
        defer { Blas.setThreads(savedThreads) }
        let pass = ForwardPass(weights: refactored?.weights ?? weights, processing: refactored?.effective ?? effective,
                               hooks: runner, scratch: scratch, tokens: flat, batch: batch.count, mask: mask, kv: kv,
                               fast: fast ? matVecScratch : nil)
        var logits: Tensor
        switch config.architecture {
        case .gpt2: logits = try pass.runGPT2()
        case .llama: logits = try pass.runLlama(invFreq: invFreq)
        }
        if let kv { kv.length += T }
        if single { logits = try logits.reshapedCopy([T, config.dVocab]) }
        var cache: ActivationCache?
        if filter != nil {
            cache = ActivationCache(model: self, activations: runner.cache, order: runner.order, hasBatchDim: !single,
                                    paddingMask: mask.map { m in (0..<batch.count).map { Array(m[($0 * T)..<(($0 + 1) * T)]) } })
        }
        return ForwardResult(logits: logits, cache: cache)
    }
}

extension Tensor {
    /// Same data, new shape (contiguous tensors share storage).
    func reshapedCopy(_ shape: [Int]) throws -> Tensor {
        guard shape.reduce(1, *) == count else {
            throw ModelError(.internalError, "cannot reshape \(self.shape) to \(shape)")
        }
        let c = contiguous()
        return Tensor(storage: c.storage, shape: shape, strides: Tensor.contiguousStrides(shape), offset: c.offset)
    }
}
