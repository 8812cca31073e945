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

    enum Format { case huggingFace, gguf }

    /// Loads from any WeightSource with the name table of `format`.
    static func load(_ src: WeightSource, config c: ModelConfig, format: Format) throws -> ModelWeights {
        var used = Set<String>()
        let origin = c.source

        func info(_ name: String, _ shape: [Int]) throws -> TensorInfo {
            guard let i = src.info(name) else {
                let near = nearest(name, in: src.tensorNames).map { " (nearest present: \($0))" } ?? ""
                throw ModelError(.missingTensor, "\(origin): tensor \(name) is missing\(near); expected shape \(shape)")
            }
            guard i.shape == shape else {
                throw ModelError(.shapeMismatch, "\(origin): tensor \(name) has shape \(i.shape) but the config expects \(shape)")
            }
            used.insert(name)
            return i
        }
        func vector(_ name: String?, _ n: Int) throws -> Tensor? {
            guard let name else { return nil }
            _ = try info(name, [n])
            return try src.loadFloat32(name)
        }
        func matrix(_ name: String, out: Int, in inDim: Int, permuteHeads: Int? = nil) throws -> WeightMatrix {
            let i = try info(name, [out, inDim])
            guard inDim % i.dtype.blockSize == 0 else {
                throw ModelError(.unsupportedDType, "\(origin): tensor \(name) rows of \(inDim) are not whole \(i.dtype) blocks")
            }
            var rowMap: [Int]?
            if let heads = permuteHeads {
                // GGUF stores q/k rows of each head as (i, j) pairs for ggml's rope; HF as (j, i).
                let d = out / heads, half = d / 2
                var map = [Int](repeating: 0, count: out)
                for h in 0..<heads { for j in 0..<2 { for r in 0..<half { map[h * d + j * half + r] = h * d + 2 * r + j } } }
                rowMap = map
            }
            return WeightMatrix(name: name, dtype: i.dtype, layout: .outIn, inDim: inDim, outDim: out,
                                bytes: try src.bytes(name), owner: src, rowMap: rowMap)
        }
        /// GPT-2 Conv1D [in, out], used as F32 in place (other dtypes converted once).
        func conv1D(_ name: String, in inDim: Int, out: Int) throws -> WeightMatrix {
            let i = try info(name, [inDim, out])
            if i.dtype == .f32 {
                return WeightMatrix(name: name, dtype: .f32, layout: .inOut, inDim: inDim, outDim: out,
                                    bytes: try src.bytes(name), owner: src)
            }
            let t = try src.loadFloat32(name)
            return WeightMatrix(name: name, f32: t, layout: .inOut)
        }

        let d = c.dModel, qDim = c.nHeads * c.dHead, kvDim = c.nKVHeads * c.dHead
        var layers: [Layer] = []
        let embed: WeightMatrix, unembed: WeightMatrix
        var posEmbed: Tensor?, ropeFactors: [Float]?
        let lnFinalW: Tensor, lnFinalB: Tensor?

        switch (c.architecture, format) {
        case (.gpt2, .huggingFace):
            let prefix = src.info("transformer.wte.weight") != nil ? "transformer." : ""
            let (g, l) = CheckpointNames.gpt2HF(prefix: prefix)
            embed = try matrix(g.embed, out: c.dVocab, in: d)
            unembed = embed
            if src.info("lm_head.weight") != nil { _ = try info("lm_head.weight", [c.dVocab, d]) }  // tied copy
            posEmbed = try src.loadFloat32(try info(g.posEmbed!, [c.nCtx, d]).name)
            lnFinalW = try vector(g.lnFinalW, d)!
            lnFinalB = try vector(g.lnFinalB, d)
            for L in 0..<c.nLayers {
                func n(_ s: String?) -> String? { l.resolve(s, L) }
                layers.append(Layer(
                    ln1W: try vector(n(l.ln1W), d)!, ln1B: try vector(n(l.ln1B), d),
                    ln2W: try vector(n(l.ln2W), d)!, ln2B: try vector(n(l.ln2B), d),
                    qkv: try conv1D(n(l.qkv)!, in: d, out: 3 * d), qkvB: try vector(n(l.qkvB), 3 * d),
                    q: nil, k: nil, v: nil,
                    o: try conv1D(n(l.o)!, in: d, out: d), oB: try vector(n(l.oB), d),
                    gate: nil, up: try conv1D(n(l.up)!, in: d, out: c.dMLP), upB: try vector(n(l.upB), c.dMLP),
                    down: try conv1D(n(l.down)!, in: c.dMLP, out: d), downB: try vector(n(l.downB), d)))
            }
        case (.llama, _):
            let (g, l) = format == .gguf ? CheckpointNames.llamaGGUF : CheckpointNames.llamaHF
            embed = try matrix(g.embed, out: c.dVocab, in: d)
            if !c.tiedEmbeddings, let u = g.unembed {
                unembed = try matrix(u, out: c.dVocab, in: d)
            } else {
                unembed = embed
                if let u = g.unembed, src.info(u) != nil { _ = try info(u, [c.dVocab, d]) }
            }
            lnFinalW = try vector(g.lnFinalW, d)!
            lnFinalB = nil
            let permute = format == .gguf
            for L in 0..<c.nLayers {
                func n(_ s: String?) -> String { l.resolve(s, L)! }
                layers.append(Layer(
                    ln1W: try vector(n(l.ln1W), d)!, ln1B: nil, ln2W: try vector(n(l.ln2W), d)!, ln2B: nil,
                    qkv: nil, qkvB: nil,
                    q: try matrix(n(l.q), out: qDim, in: d, permuteHeads: permute ? c.nHeads : nil),
                    k: try matrix(n(l.k), out: kvDim, in: d, permuteHeads: permute ? c.nKVHeads : nil),
                    v: try matrix(n(l.v), out: kvDim, in: d),
                    o: try matrix(n(l.o), out: d, in: qDim), oB: nil,
                    gate: try matrix(n(l.gate), out: c.dMLP, in: d),
                    up: try matrix(n(l.up), out: c.dMLP, in: d), upB: nil,
                    down: try matrix(n(l.down), out: d, in: c.dMLP), downB: nil))
            }
            if format == .gguf, src.info("rope_freqs.weight") != nil {
                _ = try info("rope_freqs.weight", [c.dHead / 2])
                ropeFactors = try src.loadFloat32("rope_freqs.weight").toArray()
            }
        case (.gpt2, .gguf):
            throw ModelError(.unsupportedArchitecture, "\(origin): GPT-2 from GGUF is not supported; use the Hugging Face safetensors")
        }

        let leftover = src.tensorNames.filter { !used.contains($0) && !CheckpointNames.isIgnorable($0) }
        if !leftover.isEmpty {
            let shown = leftover.prefix(5).map { "\($0) \(src.info($0)?.shape ?? [])" }.joined(separator: ", ")
            throw ModelError(.unexpectedTensor,
                             "\(origin): \(leftover.count) tensor(s) not explained by the \(c.architecture) config: \(shown)"
                             + (leftover.count > 5 ? ", ..." : "") + " (does the file match its config.json?)")
        }
        return ModelWeights(config: c, layers: layers, embed: embed, posEmbed: posEmbed, lnFinalW: lnFinalW,
                            lnFinalB: lnFinalB, unembed: unembed, ropeFreqFactors: ropeFactors, sources: [src])
    }
}
