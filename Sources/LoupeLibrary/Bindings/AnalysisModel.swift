import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeModels
import LoupePlot
import LoupeTensor

/// What the model-taking analysis builtins share: finding the model (a Model or a cache's), one head's
/// activations out of a cache, the input ids of a cached run, and `ax=` handling for figures.
enum AnalysisModel {
    /// A Model, or the model behind an ActivationCache (the attention-tokens notebook passes either to plot_attn).
    static func model(_ v: Value, _ what: String = "model") throws -> ModelObject {
        if case .host(let m as ModelObject) = v { return m }
        if case .host(let c as CacheObject) = v { return c.model }
        throw LoupeError("\(what) must be a Model (from load(...)), not \(v.typeName)")
    }

    static func cache(_ v: Value, _ what: String = "cache") throws -> CacheObject {
        if case .host(let c as CacheObject) = v {
            guard c.cache.hasBatchDim else { return c }
            // The analyses read one prompt's activations: a batch of one is that prompt.
            guard let single = try? c.cache.removingBatchDim() else {
                throw LoupeError("\(what): this cache holds a batch of several prompts; run one prompt at a time (model.run_with_cache(text))")
            }
            return CacheObject(cache: single, model: c.model)
        }
        throw LoupeError("\(what) must be an ActivationCache (from model.run_with_cache), not \(v.typeName)")
    }

    static func layer(_ v: Value?, _ m: ModelObject, _ what: String = "layer") throws -> Int {
        var l = try (v ?? .int(0)).asInt(what)
        let n = m.model.config.nLayers
        if l < 0 { l += n }
        guard l >= 0 && l < n else { throw LoupeError("\(what) \(l) out of range for \(n) layers") }
        return l
    }

    static func head(_ v: Value?, _ m: ModelObject) throws -> Int {
        let h = try (v ?? .int(0)).asInt("head")
        guard h >= 0 && h < m.model.config.nHeads else { throw LoupeError("head \(h) out of range for \(m.model.config.nHeads) heads") }
        return h
    }

    /// [pos, d_head] of one head from a [pos, heads, d_head] activation; under GQA the key/value head
    /// the query head reads when the activation has fewer heads.
    static func headSlice(_ t: Tensor, head: Int, config c: ModelConfig) throws -> Tensor {
        guard t.rank == 3 else { throw LoupeError("expected a [pos, head, d_head] activation, got shape \(TensorMath.shapeText(t.shape))") }
        let h = t.shape[1] == c.nHeads ? head : head / max(1, c.nHeads / max(1, t.shape[1]))
        return try engineCall { try t.index([.range(nil, nil, nil), .at(h)]).contiguous() }
    }

    /// The token ids of the cached run, recovered from hook_embed: each embedding is exactly one row of
    /// W_E, so its best match by dot product minus half the squared norm (nearest row) is the id.
    static func inputIDs(_ c: CacheObject) throws -> [Int] {
        let embed = try engineCall { try c.cache.get("hook_embed") }.contiguous() // [pos, d_model]
        let wE = try engineCall { c.model.model.W_E }.contiguous()               // [vocab, d_model]
        let scores = try engineCall { try Tensor.matmul(embed, wE.transposed(0, 1)) }.contiguous().toArray() // [pos, vocab]
        let vocab = wE.shape[0], d = wE.shape[1]
        var halfNorm = [Float](repeating: 0, count: vocab)
        let w = wE.toArray()
        for r in 0..<vocab { var s: Float = 0; for i in 0..<d { s += w[r * d + i] * w[r * d + i] }; halfNorm[r] = s / 2 }
        return (0..<embed.shape[0]).map { p in
            var best = 0, bestScore = -Float.infinity
            for r in 0..<vocab { let s = scores[p * vocab + r] - halfNorm[r]; if s > bestScore { bestScore = s; best = r } }
            return best
        }
    }

    /// Draws into `ax` when given (returning that Axes) or into a new figure (returning the Figure).
    static func figure(_ ax: Value?, make: () throws -> Figure, draw: (Axes) throws -> Void) throws -> Value {
        if let ax = ax?.orNil {
            guard case .host(let a as AxesObject) = ax else { throw LoupeError("ax must be an Axes (from subplots), not \(ax.typeName)") }
            try draw(a.axes)
            return .none
        }
        return .host(FigureObject(try make()))
    }
}
