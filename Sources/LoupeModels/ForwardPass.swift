import Foundation
import LoupeTensor

/// Keys and values of past positions for one sequence, per layer: [maxPositions, nKV·dHead] each,
/// keys already rotated (Llama).
final class KVCache {
    let maxPositions: Int
    let kvDim: Int
    var length = 0
    let keys: [UnsafeMutablePointer<Float>]
    let values: [UnsafeMutablePointer<Float>]

    init(config c: ModelConfig, maxPositions: Int) {
        self.maxPositions = maxPositions
        kvDim = c.nKVHeads * c.dHead
        keys = (0..<c.nLayers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: maxPositions * c.nKVHeads * c.dHead) }
        values = (0..<c.nLayers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: maxPositions * c.nKVHeads * c.dHead) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }
}

/// A zero-filled Float buffer owned by one forward pass.
final class Buffer {
    let p: UnsafeMutablePointer<Float>
    let count: Int
    init(_ count: Int) {
        self.count = max(count, 1)
        p = .allocate(capacity: self.count)
        p.initialize(repeating: 0, count: self.count)
    }
    deinit { p.deallocate() }
}

/// One forward pass over a batch [B, T] (B == 1 when continuing from a KV cache): the activation
/// buffers planned once (llm.c's activation struct), and the pieces both architectures share.
/// The architecture files (GPT2.swift, Llama.swift) call these top to bottom.
final class ForwardPass {
    let w: ModelWeights
    let c: ModelConfig
    let p: EffectiveProcessing
    let hooks: HookRunner
    let scratch: ScratchPool
    let B: Int, T: Int
    /// Positions already in `kv` before this pass (0 without a cache).
    let past: Int
    /// Keys per sequence: past + T.
    let Tk: Int
    let rows: Int
    let tokens: [Int]              // [B·T]
    let keyMask: [Bool]?           // [B·Tk], false = padding
    let kv: KVCache?
    /// Quantized one-token matvecs (generation steps) when set; exact dequantise-and-dot otherwise.
    let fast: MatVecScratch?

    // Activation buffers (row-major, shapes as TransformerLens's hooks with batch).
    let resid: Buffer              // [B, T, dModel]
    let normalized: Buffer         // [B, T, dModel]  the norm output before its weights
    let lnOut: Buffer              // [B, T, dModel]  after weights (what the projections read)
    let scale: Buffer              // [B, T]
    let qkvFused: Buffer?          // [B, T, 3·dModel] (GPT-2)
    let q: Buffer                  // [B, T, nHeads, dHead]
    let kLocal: Buffer?            // [B, T, nKV, dHead] when there is no KV cache
    let vLocal: Buffer?
    let scores: Buffer             // [B, nHeads, T, Tk]
    let pattern: Buffer            // [B, nHeads, T, Tk]
    let z: Buffer                  // [B, T, nHeads, dHead]
    let attnOut: Buffer            // [B, T, dModel]
    let mlpPre: Buffer             // [B, T, dMLP]
    let mlpLin: Buffer?            // [B, T, dMLP]  (gated)
    let mlpPost: Buffer            // [B, T, dMLP]
    let mlpOut: Buffer             // [B, T, dModel]
    var ropeCos: [Float] = []      // [T, dHead/2]
    var ropeSin: [Float] = []

    init(weights: ModelWeights, processing: EffectiveProcessing, hooks: HookRunner, scratch: ScratchPool,
         tokens: [Int], batch: Int, mask: [Bool]?, kv: KVCache?, fast: MatVecScratch? = nil) {
        self.fast = fast
        w = weights
        c = weights.config
        p = processing
        self.hooks = hooks
        self.scratch = scratch
        B = batch
        T = tokens.count / batch
        past = kv?.length ?? 0
        Tk = past + T
        rows = B * T
        self.tokens = tokens
        self.kv = kv
        if let mask {
            // Keys of past positions are always real (generation runs one sequence without padding).
            var km = [Bool](repeating: true, count: B * Tk)
            for b in 0..<B { for t in 0..<T { km[b * Tk + past + t] = mask[b * T + t] } }
            keyMask = km
        } else {
            keyMask = nil
        }
        let d = c.dModel, qDim = c.nHeads * c.dHead, kvDim = c.nKVHeads * c.dHead
        resid = Buffer(rows * d)
        normalized = Buffer(rows * d)
        lnOut = Buffer(rows * d)
        scale = Buffer(rows)
        qkvFused = c.architecture == .gpt2 ? Buffer(rows * 3 * d) : nil
        q = Buffer(rows * qDim)
        kLocal = kv == nil ? Buffer(rows * kvDim) : nil
        vLocal = kv == nil ? Buffer(rows * kvDim) : nil
        scores = Buffer(B * c.nHeads * T * Tk)
        pattern = Buffer(B * c.nHeads * T * Tk)
        z = Buffer(rows * qDim)
        attnOut = Buffer(rows * d)
        mlpPre = Buffer(rows * c.dMLP)
        mlpLin = c.isGated ? Buffer(rows * c.dMLP) : nil
        mlpPost = Buffer(rows * c.dMLP)
        mlpOut = Buffer(rows * d)
    }

    // MARK: shapes of hook points (with batch)
    var shapeResid: [Int] { [B, T, c.dModel] }
    var shapeScale: [Int] { [B, T, 1] }
    var shapeQ: [Int] { [B, T, c.nHeads, c.dHead] }
    var shapeKV: [Int] { [B, T, c.nKVHeads, c.dHead] }
    var shapeScores: [Int] { [B, c.nHeads, T, Tk] }
    var shapeMLP: [Int] { [B, T, c.dMLP] }

    /// Keys of layer l for sequence b start here; row stride kvDim, Tk rows.
    func keys(_ l: Int) -> UnsafeMutablePointer<Float> { kv?.keys[l] ?? kLocal!.p }
    func values(_ l: Int) -> UnsafeMutablePointer<Float> { kv?.values[l] ?? vLocal!.p }
    /// Where this pass's new keys go: [B, T, kvDim] rows (after the cached ones when there is a cache).
    func newKeys(_ l: Int) -> UnsafeMutablePointer<Float> {
        kv.map { $0.keys[l] + past * $0.kvDim } ?? kLocal!.p
    }
    func newValues(_ l: Int) -> UnsafeMutablePointer<Float> {
        kv.map { $0.values[l] + past * $0.kvDim } ?? vLocal!.p
    }

    func fire(_ h: BlockHook, _ l: Int, _ ptr: UnsafeMutablePointer<Float>, _ shape: [Int]) throws {
        let id = HookRegistry.id(h, layer: l)
        if hooks.isActive(id) { try hooks.fire(id, ptr, shape) }
    }

    func fire(_ g: GlobalHook, _ ptr: UnsafeMutablePointer<Float>, _ shape: [Int]) throws {
        let id = HookRegistry.id(g, nLayers: c.nLayers)
        if hooks.isActive(id) { try hooks.fire(id, ptr, shape) }
    }

    // MARK: shared pieces

    /// out[rows, dModel] = embedding rows of the tokens.
    func embedTokens(into out: UnsafeMutablePointer<Float>) {
        let d = c.dModel
        for (r, t) in tokens.enumerated() { w.embed.dequantizeRows(t, 1, into: out + r * d) }
    }

    /// Subtracts each row's mean (TransformerLens's centred writing weights, applied to what they write).
    func centerRows(_ x: UnsafeMutablePointer<Float>, rows n: Int, dim: Int) {
        for r in 0..<n {
            let v = x + r * dim
            var s: Double = 0
            for i in 0..<dim { s += Double(v[i]) }
            let m = Float(s / Double(dim))
            for i in 0..<dim { v[i] -= m }
        }
    }

    /// The norm before a sub-layer with its two hook points: scale [B,T,1] and normalized (before the
    /// norm's weights), then lnOut = normalized·w (+ b). LayerNorm centres first; RMSNorm does not.
    func norm(x: UnsafeMutablePointer<Float>, weight: Tensor, bias: Tensor?, scaleHook: Int, normalizedHook: Int) throws {
        let d = c.dModel
        let center = !c.usesRMSNorm
        for r in 0..<rows {
            let xr = x + r * d, nr = normalized.p + r * d
            var mean: Double = 0
            if center {
                for i in 0..<d { mean += Double(xr[i]) }
                mean /= Double(d)
            }
            var ss: Double = 0
            for i in 0..<d { let v = Double(xr[i]) - mean; ss += v * v }
            scale.p[r] = Float((ss / Double(d) + Double(c.eps)).squareRoot())
            let m = Float(mean)
            for i in 0..<d { nr[i] = xr[i] - m }
        }
        if hooks.isActive(scaleHook) { try hooks.fire(scaleHook, scale.p, shapeScale) }
        for r in 0..<rows {
            let nr = normalized.p + r * d
            let inv = 1 / scale.p[r]
            for i in 0..<d { nr[i] *= inv }
        }
        if hooks.isActive(normalizedHook) { try hooks.fire(normalizedHook, normalized.p, shapeResid) }
        let wp = weight.basePointer
        let bp = bias?.basePointer
        for r in 0..<rows {
            let nr = normalized.p + r * d, o = lnOut.p + r * d
            if let bp { for i in 0..<d { o[i] = nr[i] * wp[i] + bp[i] } }
            else { for i in 0..<d { o[i] = nr[i] * wp[i] } }
        }
    }

    /// Rotary tables for absolute positions past..<past+T.
    func prepareRope(invFreq: [Float]) {
        let half = c.dHead / 2
        ropeCos = [Float](repeating: 0, count: T * half)
        ropeSin = [Float](repeating: 0, count: T * half)
        invFreq.withUnsafeBufferPointer { f in
            ropeCos.withUnsafeMutableBufferPointer { cb in
                ropeSin.withUnsafeMutableBufferPointer { sb in
                    Kernels.ropeTables(invFreq: f.baseAddress!, half: half, start: past, positions: T,
                                       cos: cb.baseAddress!, sin: sb.baseAddress!)
                }
            }
        }
    }

    /// Rotates x [B, T, heads, dHead] in place (HF's rotate_half pairing).
    func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int) {
        ropeCos.withUnsafeBufferPointer { cb in
            ropeSin.withUnsafeBufferPointer { sb in
                for b in 0..<B {
                    Kernels.rope(x + b * T * heads * c.dHead, positions: T, heads: heads, dHead: c.dHead,
                                 style: .neox, cos: cb.baseAddress!, sin: sb.baseAddress!)
                }
            }
        }
    }

    /// Scores, pattern and z of layer l from q (this pass) and keys/values (cache + this pass), with
    /// the hooks attn_scores, pattern and z. Masked scores are -inf, as TransformerLens shows them.
    func attention(layer l: Int) throws {
        let nH = c.nHeads, dH = c.dHead, qDim = nH * dH, kvDim = c.nKVHeads * dH, group = c.groupSize
        let kBase = keys(l), vBase = values(l)
        let alpha = 1 / Float(dH).squareRoot()
        let (T, Tk, past, B) = (self.T, self.Tk, self.past, self.B)
        let scoresP = scores.p, patternP = pattern.p, qP = q.p, zP = z.p
        let keyMask = self.keyMask
        let pairs = B * nH
        let threads = min(scratch.threads, pairs)
        parallelFor(threads) { t in
            var pi = t
            while pi < pairs {
                let b = pi / nH, h = pi % nH
                let s = scoresP + pi * T * Tk
                Kernels.sgemm(transB: true, m: T, n: Tk, k: dH, alpha: alpha,
                              a: qP + b * T * qDim + h * dH, lda: qDim,
                              b: kBase + b * Tk * kvDim + (h / group) * dH, ldb: kvDim, c: s, ldc: Tk)
                for i in 0..<T {
                    let row = s + i * Tk
                    for j in 0..<Tk where j > past + i || (keyMask.map { !$0[b * Tk + j] } ?? false) {
                        row[j] = -.infinity
                    }
                }
                pi += threads
            }
        }
        try fire(.attnScores, l, scores.p, shapeScores)
        // Softmax over keys; a row with every key masked becomes zeros (TransformerLens's nan_to_num).
        for r in 0..<(pairs * T) {
            let x = scoresP + r * Tk, o = patternP + r * Tk
            var mx = -Float.infinity
            for j in 0..<Tk { mx = max(mx, x[j]) }
            if mx == -.infinity {
                for j in 0..<Tk { o[j] = 0 }
                continue
            }
            var sum: Float = 0
            for j in 0..<Tk { let e = expf(x[j] - mx); o[j] = e; sum += e }
            let inv = 1 / sum
            for j in 0..<Tk { o[j] *= inv }
        }
        try fire(.pattern, l, pattern.p, shapeScores)
        parallelFor(threads) { t in
            var pi = t
            while pi < pairs {
                let b = pi / nH, h = pi % nH
                Kernels.sgemm(m: T, n: dH, k: Tk, a: patternP + pi * T * Tk, lda: Tk,
                              b: vBase + b * Tk * kvDim + (h / group) * dH, ldb: kvDim,
                              c: zP + b * T * qDim + h * dH, ldc: qDim)
                pi += threads
            }
        }
        try fire(.z, l, z.p, shapeQ)
    }

    /// attnOut = z · W_Oᵀ + b_O (+ folded value biases), centred when writing weights are centred;
    /// hook_result (opt-in) per head first.
    func attentionOutput(layer l: Int, bias: Tensor?) throws {
        let d = c.dModel, nH = c.nHeads, dH = c.dHead, qDim = nH * dH
        let lw = w.layers[l]
        if hooks.isActive(HookRegistry.id(.result, layer: l)) {
            // result[b, t, h, :] = z[b, t, h, :] · W_O[h]  (no bias), [B, T, nHeads, dModel]
            let wo = lw.o.dequantizedOutIn()            // [dModel, qDim]
            let res = Buffer(rows * nH * d)
            for h in 0..<nH {
                Kernels.sgemm(transB: true, m: rows, n: d, k: dH, a: z.p + h * dH, lda: qDim,
                              b: wo.basePointer + h * dH, ldb: qDim, c: res.p + h * d, ldc: nH * d)
            }
            if p.centerWriting { centerRows(res.p, rows: rows * nH, dim: d) }
            try fire(.result, l, res.p, [B, T, nH, d])
            // Replacing the results replaces the output: sum over heads.
            for r in 0..<rows {
                let o = attnOut.p + r * d
                for i in 0..<d { o[i] = 0 }
                for h in 0..<nH { Kernels.axpy(1, res.p + (r * nH + h) * d, o, count: d) }
            }
        } else {
            lw.o.apply(z.p, ldX: qDim, rows: rows, out: attnOut.p, ldOut: d, scratch: scratch, fast: fast)
            if p.centerWriting { centerRows(attnOut.p, rows: rows, dim: d) }
        }
        if let ob = p.attnOutBias[l] ?? bias {
            for r in 0..<rows { Kernels.axpy(1, ob.basePointer, attnOut.p + r * d, count: d) }
        }
        try fire(.attnOut, l, attnOut.p, shapeResid)
    }

    /// resid += x (row by row).
    func addToResid(_ x: UnsafeMutablePointer<Float>) {
        Kernels.add(resid.p, x, resid.p, count: rows * c.dModel)
    }

    /// The final norm and unembedding: logits [B, T, dVocab].
    func unembed() throws -> Tensor {
        let nL = c.nLayers
        try norm(x: resid.p, weight: w.lnFinalW, bias: w.lnFinalB,
                 scaleHook: HookRegistry.id(.lnFinalScale, nLayers: nL),
                 normalizedHook: HookRegistry.id(.lnFinalNormalized, nLayers: nL))
        let logits = Tensor(zeros: [B, T, c.dVocab])
        w.unembed.apply(lnOut.p, ldX: c.dModel, rows: rows, out: logits.storage.pointer, ldOut: c.dVocab,
                        scratch: scratch, fast: fast)
        if p.centerUnembed { centerRows(logits.storage.pointer, rows: rows, dim: c.dVocab) }
        return logits
    }
}
