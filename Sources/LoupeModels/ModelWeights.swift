import Foundation
import LoupeFormats
import LoupeTensor

/// All weights of one model in the model's own terms, loaded strictly from a checkpoint: every
/// expected tensor present with its expected shape, nothing unexplained left over.
final class ModelWeights: @unchecked Sendable {
    struct Layer {
        var ln1W: Tensor                    // [dModel]
        var ln1B: Tensor?                   // [dModel]
        var ln2W: Tensor                    // [dModel]
        var ln2B: Tensor?                   // [dModel]
        /// GPT-2's fused projection, y[.., 3·dModel] = x · W (q | k | v).
        var qkv: WeightMatrix?
        var qkvB: Tensor?                   // [3·dModel]
        var q: WeightMatrix?                // [nHeads·dHead, dModel]
        var k: WeightMatrix?                // [nKV·dHead, dModel]
        var v: WeightMatrix?                // [nKV·dHead, dModel]
        var o: WeightMatrix                 // out [dModel] from in [nHeads·dHead]
        var oB: Tensor?                     // [dModel]
        var gate: WeightMatrix?             // [dMLP, dModel]
        var up: WeightMatrix                // [dMLP, dModel]  (TransformerLens's W_in)
        var upB: Tensor?                    // [dMLP]
        var down: WeightMatrix              // [dModel, dMLP]  (W_out)
        var downB: Tensor?                  // [dModel]
    }

    let config: ModelConfig
    var layers: [Layer]
    /// Token embedding, rows are tokens: [dVocab, dModel].
    var embed: WeightMatrix
    var posEmbed: Tensor?                   // [nCtx, dModel]
    var lnFinalW: Tensor                    // [dModel]
    var lnFinalB: Tensor?                   // [dModel]
    /// logits = x · unembedᵀ: [dVocab, dModel] (the embedding itself when tied).
    var unembed: WeightMatrix
    /// Llama 3 GGUF's `rope_freqs.weight` [dHead/2]: divisors of the rotary frequencies.
    var ropeFreqFactors: [Float]?
    /// Keeps the mapped files alive.
    let sources: [AnyObject]
    /// The image tower and projector (LLaVA), nil for text-only models.
    var vision: VisionWeights?
    /// Llama's q|k|v and gate|up packed as one matrix each for prompt products (FusedProjection.swift).
    var fusedPacks = FusedPacks()

    init(config: ModelConfig, layers: [Layer], embed: WeightMatrix, posEmbed: Tensor?, lnFinalW: Tensor,
         lnFinalB: Tensor?, unembed: WeightMatrix, ropeFreqFactors: [Float]?, sources: [AnyObject]) {
        self.config = config
        self.layers = layers
        self.embed = embed
        self.posEmbed = posEmbed
        self.lnFinalW = lnFinalW
        self.lnFinalB = lnFinalB
        self.unembed = unembed
        self.ropeFreqFactors = ropeFreqFactors
        self.sources = sources
    }
}

extension ModelWeights {
    /// The same weights with only the first `n` blocks: a model of `n` layers ending in the same final
    /// norm and unembedding (TransformerLens's `first_n_layers`).
    func firstLayers(_ n: Int) throws -> ModelWeights {
        guard (1...config.nLayers).contains(n) else {
            throw ModelError(.badConfig, "\(config.source): first_n_layers=\(n) is outside 1…\(config.nLayers), the model's layer count")
        }
        var c = config
        c.nLayers = n
        let w = ModelWeights(config: c, layers: Array(layers.prefix(n)), embed: embed, posEmbed: posEmbed, lnFinalW: lnFinalW,
                             lnFinalB: lnFinalB, unembed: unembed, ropeFreqFactors: ropeFreqFactors, sources: sources)
        w.vision = vision
        w.fusedPacks = fusedPacks
        return w
    }
}
