import Foundation
import LoupeTensor

/// TransformerLens's load-time weight processing. Defaults are `from_pretrained`'s; `.none` is
/// `from_pretrained_no_processing` and reproduces Hugging Face's logits.
public struct ProcessingOptions: Sendable, Equatable {
    /// Fold each norm's weight (and bias) into the weights that read from it.
    public var foldLN: Bool
    /// Make every write to the residual stream zero-mean (LayerNorm models only, as TransformerLens).
    public var centerWritingWeights: Bool
    /// Make the unembedding zero-mean over the vocabulary (logits shift by their mean).
    public var centerUnembed: Bool
    /// Move the value biases into the output bias (pattern rows sum to one).
    public var foldValueBiases: Bool
    /// Re-factor W_Q·W_Kᵀ and W_V·W_O per head into balanced factors (GPT-2 only: not for rotary models).
    public var refactorFactoredAttnMatrices: Bool

    public init(foldLN: Bool = true, centerWritingWeights: Bool = true, centerUnembed: Bool = true,
                foldValueBiases: Bool = true, refactorFactoredAttnMatrices: Bool = false) {
        self.foldLN = foldLN
        self.centerWritingWeights = centerWritingWeights
        self.centerUnembed = centerUnembed
        self.foldValueBiases = foldValueBiases
        self.refactorFactoredAttnMatrices = refactorFactoredAttnMatrices
    }

    /// TransformerLens's `from_pretrained` defaults.
    public static let transformerLens = ProcessingOptions()
    /// No processing: raw checkpoint weights, Hugging Face's numbers.
    public static let none = ProcessingOptions(foldLN: false, centerWritingWeights: false, centerUnembed: false,
                                               foldValueBiases: false)
}

/// How the options act on the forward pass. Processing is applied to what the weights write, not by
/// rewriting the stored (possibly quantized) weights: folding a norm changes no activation,
/// centring writing weights centres each write, centring the unembedding centres the logits, and
/// folding value biases moves b_V into the attention output bias. Accessors (W_Q, ...) materialise
/// the processed matrices on request.
struct EffectiveProcessing {
    let options: ProcessingOptions
    let centerWriting: Bool
    let centerUnembed: Bool
    let foldValueBiases: Bool
    /// Per layer: GPT-2's fused q|k|v bias with the v part removed (when folding value biases).
    var qkvBias: [Tensor?]
    /// Per layer: b_O (+ Σ_h b_V[h]·W_O[h]), centred when writing weights are centred.
    var attnOutBias: [Tensor?]
    /// Per layer: b_out, centred when writing weights are centred.
    var mlpOutBias: [Tensor?]

    init(options o: ProcessingOptions, weights w: ModelWeights) {
        let c = w.config
        options = o
        centerWriting = o.centerWritingWeights && !c.usesRMSNorm
        centerUnembed = o.centerUnembed
        foldValueBiases = o.foldValueBiases
        qkvBias = Array(repeating: nil, count: c.nLayers)
        attnOutBias = Array(repeating: nil, count: c.nLayers)
        mlpOutBias = Array(repeating: nil, count: c.nLayers)
        let d = c.dModel
        for l in 0..<c.nLayers {
            let lw = w.layers[l]
            var ob = lw.oB?.copy()
            if foldValueBiases, let qkvB = lw.qkvB {
                // The effective value bias (b_V, plus the norm's bias through W_V when folding norms)
                // moves into b_O: b_O += shift · W_Oᵀ, and v loses it.
                let all = qkvB.toArray()
                var shift = Array(all[(2 * d)..<(3 * d)])
                if o.foldLN, let lnb = lw.ln1B?.toArray(), let qkv = lw.qkv {
                    let wv = qkv.dequantizedOutIn()                       // [3d, d]
                    for e in 0..<d {
                        var s: Float = 0
                        for i in 0..<d { s += lnb[i] * wv.basePointer[(2 * d + e) * d + i] }
                        shift[e] += s
                    }
                }
                let wo = lw.o.dequantizedOutIn()                          // [d, d]
                let out = ob ?? Tensor(zeros: [d])
                shift.withUnsafeBufferPointer { sp in
                    Kernels.sgemv(m: d, n: d, a: wo.basePointer, lda: d, x: sp.baseAddress!, beta: 1,
                                  y: out.storage.pointer + out.offset)
                }
                ob = out
                var nb = all
                for e in 0..<d { nb[2 * d + e] -= shift[e] }
                qkvBias[l] = Tensor(shape: [3 * d], data: nb)
            }
            if centerWriting {
                if let b = ob { attnOutBias[l] = EffectiveProcessing.centered(b) }
                if let b = lw.downB { mlpOutBias[l] = EffectiveProcessing.centered(b) }
            } else {
                attnOutBias[l] = ob
            }
        }
    }

    static func centered(_ t: Tensor) -> Tensor {
        let v = t.toArray()
        let m = Float(v.reduce(0.0) { $0 + Double($1) } / Double(max(v.count, 1)))
        return Tensor(shape: t.shape, data: v.map { $0 - m })
    }
}
