import LoupeTensor

extension HookedTransformer {
    /// True when the logit lens can multiply by the stored unembedding with bf16 products
    /// (`lensLogits`) instead of materialising `W_U` in f32 ([d_model, vocab]: 2.1 GB on an 8B): bf16
    /// read in place, or a quantised / f16 unembedding through bf16 panels.
    public var unembedsInPlace: Bool {
        (refactored?.weights ?? weights).unembed.usesBF16Products(rows: 2)
    }

    /// out[p, vocab] = rows[p, d_model] · W_U through the stored unembedding (bf16 products), equal to
    /// `rows · W_U` up to a constant per row: the fold of the final norm's weight (and, for LayerNorm, its
    /// centring over d_model) is applied here; `center_unembed`'s shift (one number per row) is not, so
    /// softmax probabilities and rankings are those of W_U. Call only when `unembedsInPlace`.
    public func lensLogits(_ rows: UnsafePointer<Float>, count p: Int, into out: UnsafeMutablePointer<Float>) {
        lock.lock()
        defer { lock.unlock() }
        let w = refactored?.weights ?? weights
        let u = w.unembed
        let d = config.dModel, vocab = config.dVocab
        let fold = processing.foldLN
        let lnw = fold ? w.lnFinalW.contiguous().toArray() : [Float](repeating: 1, count: d)
        var x = [Float](repeating: 0, count: p * d)                              // [p, d_model]
        for r in 0..<p { for i in 0..<d { x[r * d + i] = rows[r * d + i] * lnw[i] } }
        x.withUnsafeBufferPointer { xp in
            u.apply(xp.baseAddress!, ldX: d, rows: p, out: out, ldOut: vocab, scratch: scratch)
        }
        guard fold && !config.usesRMSNorm else { return }
        // Folding a LayerNorm centres W_U over d_model: logits[r, v] -= Σ_i x[r, i] · mean_i(lnw_i · W[v, i]).
        var mean = [Float](repeating: 0, count: vocab)                           // [vocab]
        let row = lnw.map { $0 / Float(d) }                                      // [d_model]
        row.withUnsafeBufferPointer { rp in
            mean.withUnsafeMutableBufferPointer { mp in
                u.apply(rp.baseAddress!, ldX: d, rows: 1, out: mp.baseAddress!, ldOut: vocab, scratch: scratch)
            }
        }
        for r in 0..<p {
            var s: Float = 0
            for i in 0..<d { s += x[r * d + i] }
            let o = out + r * vocab
            for v in 0..<vocab { o[v] -= s * mean[v] }
        }
    }
}
