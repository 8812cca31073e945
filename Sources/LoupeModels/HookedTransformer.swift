import Foundation
import LoupeTensor
import LoupeTokenizers

/// A transformer of any registered architecture (Architectures/Registry.swift) with TransformerLens's
/// hook points: run, cache activations, hook them, generate. Activations of one prompt have no batch dimension; a list of prompts runs as one batch,
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
    /// The architecture's file: its forward pass.
    let definition: any ArchitectureDefinition.Type
    let registry: HookRegistry
    let effective: EffectiveProcessing
    let scratch: ScratchPool
    /// Rotary inverse frequencies [dHead/2] (empty without rotary positions).
    let invFreq: [Float]
    let threads: Int
    /// One pass at a time: the pass reuses the model's scratch buffers.
    let lock = NSLock()
    var refactored: RefactoredWeights?
    let matVecScratch: MatVecScratch
    /// The model's tokenizer (from tokenizer.json or the GGUF file), when one was found.
    public var tokenizer: Tokenizer?

    /// Plans the per-model scratch and the processing for loaded weights.
    init(weights full: ModelWeights, options: LoadOptions) throws {
        let weights = try options.firstNLayers.map { try full.firstLayers($0) } ?? full
        if let dtype = options.dtype {
            try weights.convert(to: dtype, quantizeUnembed: options.quantizeUnembed, threads: max(1, options.threads),
                                progress: options.progress)
        }
        weights.setCompute(options.compute)
        let c = weights.config
        self.weights = weights
        definition = try Architectures.definition(of: c.architecture)
        config = c
        processing = options.processing
        registry = HookRegistry(config: c)
        threads = max(1, options.threads)
        padTokenID = c.eosTokenID ?? 0
        if options.processing.refactorFactoredAttnMatrices && c.usesRotary {
            throw ModelError(.badConfig, "refactor_factored_attn_matrices does not apply to rotary models (the QK matrix depends on position)")
        }
        var maxScratch = weights.unembed.scratchFloats
        for m in weights.vision?.matrices ?? [] { maxScratch = max(maxScratch, m.scratchFloats, m.inDim * 8) }
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
}
