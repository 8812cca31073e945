import Foundation
import LoupeFormats
import LoupeTensor

/// The checkpoint formats Loupe reads weights from; each architecture has one name table per format.
enum CheckpointFormat {
    case huggingFace, gguf
    /// Meta's original state dicts (consolidated.NN.pth, llama-models' names).
    case meta
}

extension ModelWeights {
    /// Loads every weight of `config`'s architecture from `src`, strictly: each expected tensor present
    /// with its expected shape, nothing unexplained left over.
    static func load(_ src: WeightSource, config c: ModelConfig, format: CheckpointFormat) throws -> ModelWeights {
        var loader = WeightLoader(source: src, origin: c.source)
        let weights = try Architectures.definition(of: c.architecture).weights(&loader, config: c, format: format)
        try loader.requireAllUsed(architecture: c.architecture)
        return weights
    }
}

/// Strict reads from one checkpoint. Every read names the tensor and the shape the config expects;
/// a missing tensor or a shape mismatch is one error naming the tensor and both shapes.
struct WeightLoader {
    let source: WeightSource
    /// The file or directory, for messages.
    let origin: String
    private var used = Set<String>()

    init(source: WeightSource, origin: String) {
        self.source = source
        self.origin = origin
    }

    /// A checkpoint name template with `{L}` replaced by the layer index.
    static func name(_ template: String, layer: Int) -> String {
        template.replacingOccurrences(of: "{L}", with: String(layer))
    }

    /// Checkpoint entries that carry no weights (buffers some exporters write).
    static func isIgnorable(_ name: String) -> Bool {
        name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") || name.hasSuffix("rotary_emb.inv_freq")
            || name.hasSuffix("embeddings.position_ids")
            || name == "rope.freqs"   // Meta's Llama 2 rotary frequencies, recomputed from params.json
    }

    func contains(_ name: String) -> Bool { source.info(name) != nil }

    /// The tensor's info after checking it is present with `shape`; marks it explained.
    @discardableResult
    mutating func expect(_ name: String, _ shape: [Int]) throws -> TensorInfo {
        guard let i = source.info(name) else {
            let near = nearest(name, in: source.tensorNames).map { " (nearest present: \($0))" } ?? ""
            throw ModelError(.missingTensor, "\(origin): tensor \(name) is missing\(near); expected shape \(shape)")
        }
        guard i.shape == shape else {
            throw ModelError(.shapeMismatch, "\(origin): tensor \(name) has shape \(i.shape) but the config expects \(shape)")
        }
        used.insert(name)
        return i
    }

    /// A vector [n] as F32.
    mutating func vector(_ name: String, _ n: Int) throws -> Tensor {
        try expect(name, [n])
        return try source.loadFloat32(name)
    }

    /// A matrix [n, m] as F32.
    mutating func f32(_ name: String, _ shape: [Int]) throws -> Tensor {
        try expect(name, shape)
        return try source.loadFloat32(name)
    }

    /// An nn.Linear / GGUF weight [out, in], kept in its stored type. `permuteHeads`: the row order
    /// of GGUF's q/k weights (each head's rotary pairs interleaved for ggml's rope) is undone for
    /// that many heads.
    mutating func matrix(_ name: String, out: Int, in inDim: Int, permuteHeads: Int? = nil) throws -> WeightMatrix {
        let i = try expect(name, [out, inDim])
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
                            bytes: try source.bytes(name), owner: source, rowMap: rowMap)
    }

    /// GPT-2's Conv1D weight [in, out], kept in its stored type (F32 used in place, F16/BF16 widened a
    /// block of columns at a time); block-quantized types are converted once.
    mutating func conv1D(_ name: String, in inDim: Int, out: Int) throws -> WeightMatrix {
        let i = try expect(name, [inDim, out])
        if i.dtype.blockSize == 1 {
            return WeightMatrix(name: name, dtype: i.dtype, layout: .inOut, inDim: inDim, outDim: out,
                                bytes: try source.bytes(name), owner: source)
        }
        return WeightMatrix(name: name, f32: try source.loadFloat32(name), layout: .inOut)
    }

    /// Fails when the checkpoint holds tensors no read explained.
    func requireAllUsed(architecture: Architecture) throws {
        let leftover = source.tensorNames.filter { !used.contains($0) && !WeightLoader.isIgnorable($0) }
        guard !leftover.isEmpty else { return }
        let shown = leftover.prefix(5).map { "\($0) \(source.info($0)?.shape ?? [])" }.joined(separator: ", ")
        throw ModelError(.unexpectedTensor,
                         "\(origin): \(leftover.count) tensor(s) not explained by the \(architecture) config: \(shown)"
                         + (leftover.count > 5 ? ", ..." : "") + " (does the file match its config.json?)")
    }
}
