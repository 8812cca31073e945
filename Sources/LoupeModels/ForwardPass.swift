import Foundation
import LoupeTensor

/// One forward pass over a batch [B, T] (B == 1 when continuing from a KV cache): the activation
/// buffers planned once (llm.c's activation struct) and the pieces the architectures share. Each
/// architecture's file (Architectures/GPT2.swift, Llama.swift) calls them top to bottom.
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
    /// Rotary inverse frequencies [dHead/2] (empty without rotary positions).
    let invFreq: [Float]
    /// Quantized one-token matvecs (generation steps) when set; exact dequantise-and-dot otherwise.
    let fast: MatVecScratch?

    // Activation buffers (row-major, shapes as TransformerLens's hooks with batch).
    let resid: Buffer              // [B, T, dModel]
    let normalized: Buffer         // [B, T, dModel]  the norm output before its weights
    let lnOut: Buffer              // [B, T, dModel]  after weights (what the projections read)
    let scale: Buffer              // [B, T]
    let qkvFused: Buffer?          // [B, T, 3·dModel]  (fused q|k|v projection)
    /// [B, T, max(qDim + 2·kvDim, 2·dMLP)]: the output of a product on fused packed matrices (Llama's q|k|v,
    /// gate|up) before its split; nil on one row (such products are not fused) and without separate q, k, v.
    let fusedOut: Buffer?
    let q: Buffer                  // [B, T, nHeads, dHead]
    /// Where this layer's queries (rotated when rotary) were written for attention to read [B, T, nHeads, dHead]:
    /// `q`, or a cache tensor when they were written in place.
    var qWritten: UnsafeMutablePointer<Float>
    let kLocal: Buffer?            // [B, T, nKV, dHead] when there is no KV cache
    let vLocal: Buffer?            // [B, T, nKV, dHead] when there is no KV cache
    let scores: Buffer             // [B, nHeads, T, Tk]
    let pattern: Buffer            // [B, nHeads, T, Tk]
    let z: Buffer                  // [B, T, nHeads, dHead]
    /// Where the last layer's attention wrote z [B, T, nHeads, dHead]: `z`, or its cache tensor when written in place.
    var zWritten: UnsafeMutablePointer<Float>
    let attnOut: Buffer            // [B, T, dModel]
    let mlpPre: Buffer             // [B, T, dMLP]
    let mlpLin: Buffer?            // [B, T, dMLP]  (gated)
    let mlpPost: Buffer            // [B, T, dMLP]
    /// Where this layer's MLP activation was written for the output product to read [B, T, dMLP]: `mlpPost`,
    /// or its cache tensor when written in place.
    var mlpPostWritten: UnsafeMutablePointer<Float>
    let mlpOut: Buffer             // [B, T, dModel]
    /// What fills the residual stream before the first block (ForwardPassInput.swift).
    var start: PassStart = .tokens
    /// The unembedding runs on each row's last position only: logits [B, 1, dVocab].
    var lastLogitsOnly = false
    var ropeCos: [Float] = []      // [T, dHead/2]
    var ropeSin: [Float] = []      // [T, dHead/2]

    init(weights: ModelWeights, processing: EffectiveProcessing, hooks: HookRunner, scratch: ScratchPool,
         tokens: [Int], batch: Int, mask: [Bool]?, kv: KVCache?, invFreq: [Float], fast: MatVecScratch?) {
        self.fast = fast
        w = weights
        c = weights.config
        p = processing
        self.hooks = hooks
        self.scratch = scratch
        self.invFreq = invFreq
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
        resid = Buffer(rows * d, zeroed: false)
        normalized = Buffer(rows * d, zeroed: false)
        lnOut = Buffer(rows * d, zeroed: false)
        scale = Buffer(rows, zeroed: false)
        qkvFused = weights.layers.first?.qkv != nil ? Buffer(rows * 3 * d, zeroed: false) : nil
        fusedOut = rows >= 2 && weights.layers.first?.q != nil
            ? Buffer(rows * max(qDim + 2 * kvDim, c.isGated ? 2 * c.dMLP : 0), zeroed: false) : nil
        q = Buffer(rows * qDim, zeroed: false)
        qWritten = q.p
        kLocal = kv == nil ? Buffer(rows * kvDim, zeroed: false) : nil
        vLocal = kv == nil ? Buffer(rows * kvDim, zeroed: false) : nil
        scores = Buffer(B * c.nHeads * T * Tk, zeroed: false)
        pattern = Buffer(B * c.nHeads * T * Tk, zeroed: false)
        z = Buffer(rows * qDim, zeroed: false)
        zWritten = z.p
        attnOut = Buffer(rows * d, zeroed: false)
        mlpPre = Buffer(rows * c.dMLP, zeroed: false)
        mlpLin = c.isGated ? Buffer(rows * c.dMLP, zeroed: false) : nil
        mlpPost = Buffer(rows * c.dMLP, zeroed: false)
        mlpPostWritten = mlpPost.p
        mlpOut = Buffer(rows * d, zeroed: false)
    }

    // MARK: shapes of hook points (with batch)
    var shapeResid: [Int] { [B, T, c.dModel] }
    var shapeScale: [Int] { [B, T, 1] }
    var shapeQ: [Int] { [B, T, c.nHeads, c.dHead] }
    var shapeKV: [Int] { [B, T, c.nKVHeads, c.dHead] }
    var shapeScores: [Int] { [B, c.nHeads, T, Tk] }
    var shapeMLP: [Int] { [B, T, c.dMLP] }

    /// Keys of layer l: [B, Tk, nKV·dHead] rows (the cache's when there is one).
    func keys(_ l: Int) -> UnsafeMutablePointer<Float> { kv?.keys[l] ?? kLocal!.p }
    func values(_ l: Int) -> UnsafeMutablePointer<Float> { kv?.values[l] ?? vLocal!.p }
    /// Where this pass's new keys go: [B, T, nKV·dHead] rows (after the cached ones when there is a cache).
    func newKeys(_ l: Int) -> UnsafeMutablePointer<Float> {
        kv.map { $0.keys[l] + past * $0.kvDim } ?? kLocal!.p
    }
    func newValues(_ l: Int) -> UnsafeMutablePointer<Float> {
        kv.map { $0.values[l] + past * $0.kvDim } ?? vLocal!.p
    }

    func fire(_ h: BlockHook, _ l: Int, _ ptr: UnsafeMutablePointer<Float>, _ shape: [Int]) throws {
        try fire(id: HookRegistry.id(h, layer: l), ptr, shape)
    }

    func fire(_ g: GlobalHook, _ ptr: UnsafeMutablePointer<Float>, _ shape: [Int]) throws {
        try fire(id: HookRegistry.id(g, nLayers: c.nLayers), ptr, shape)
    }

    func fire(id: Int, _ ptr: UnsafeMutablePointer<Float>, _ shape: [Int]) throws {
        if hooks.isActive(id) { try hooks.fire(id, ptr, shape) }
    }

    /// Where a kernel writes the activation of hook point `id`: a fresh cache tensor when the point is only
    /// cached (no hook function may replace it), else `buffer`. `settle` then caches the tensor without a copy,
    /// or fires the point on the buffer (copy, hook functions) as `fire` does.
    struct HookOutput {
        let id: Int
        let tensor: Tensor?
        let p: UnsafeMutablePointer<Float>
    }

    func output(_ id: Int, _ shape: [Int], buffer: UnsafeMutablePointer<Float>) -> HookOutput {
        let t = hooks.inPlaceTarget(id, shape)
        return HookOutput(id: id, tensor: t, p: t?.storage.pointer ?? buffer)
    }

    func settle(_ o: HookOutput, _ shape: [Int]) throws {
        if let t = o.tensor { hooks.adopt(o.id, t) } else { try fire(id: o.id, o.p, shape) }
    }

    /// True when no hook function runs at any of `ids`: their stage may run fused on the threads, each point
    /// written in place or copied row block by row block, and cached after.
    func noHookFunctions(_ ids: [Int]) -> Bool { !ids.contains { hooks.hasHookFunction($0) } }

    // MARK: shared pieces

    /// out[B·T, dModel] = embedding rows of the tokens.
    func embedTokens(into out: UnsafeMutablePointer<Float>) {
        let d = c.dModel
        for (r, t) in tokens.enumerated() { w.embed.dequantizeRows(t, 1, into: out + r * d) }
    }

    /// A norm of the residual stream (LayerNorm, or RMSNorm without centring) with its hook points: scale
    /// [B, T, 1] and normalized [B, T, dModel] between the kernel's stages, then lnOut = normalized ⊙ w (+ b)
    /// (what the next projections read). `snapshotHook` is a hook point on the residual itself, fired first
    /// (a block's resid_pre before its ln1).
    struct NormSpec {
        let weight: Tensor, bias: Tensor?           // [dModel]
        let scaleHook: Int, normalizedHook: Int
        let snapshotHook: Int?
        var ids: [Int] { [scaleHook, normalizedHook] + (snapshotHook.map { [$0] } ?? []) }
    }

    /// ln1 (with hook_resid_pre first) or ln2 of block l.
    func blockNorm(_ which: Int, layer l: Int) -> NormSpec {
        let lw = w.layers[l]
        return which == 1
            ? NormSpec(weight: lw.ln1W, bias: lw.ln1B, scaleHook: HookRegistry.id(.ln1Scale, layer: l),
                       normalizedHook: HookRegistry.id(.ln1Normalized, layer: l), snapshotHook: HookRegistry.id(.residPre, layer: l))
            : NormSpec(weight: lw.ln2W, bias: lw.ln2B, scaleHook: HookRegistry.id(.ln2Scale, layer: l),
                       normalizedHook: HookRegistry.id(.ln2Normalized, layer: l), snapshotHook: nil)
    }

    /// The norm that follows block l: ln1 of block l + 1, or ln_final after the last block.
    func normAfter(layer l: Int) -> NormSpec {
        if l + 1 < c.nLayers { return blockNorm(1, layer: l + 1) }
        return NormSpec(weight: w.lnFinalW, bias: w.lnFinalB, scaleHook: HookRegistry.id(.lnFinalScale, nLayers: c.nLayers),
                        normalizedHook: HookRegistry.id(.lnFinalNormalized, nLayers: c.nLayers), snapshotHook: nil)
    }

    /// Where a norm without hook functions writes: the snapshot's cache tensor (nil when not cached), scale and
    /// normalized straight into theirs when cached.
    struct NormTargets {
        let snapshot: Tensor?                       // [B, T, dModel]
        let scale: HookOutput, normalized: HookOutput
    }

    func normTargets(_ s: NormSpec) -> NormTargets {
        NormTargets(snapshot: s.snapshotHook.flatMap { hooks.inPlaceTarget($0, shapeResid) },
                    scale: output(s.scaleHook, shapeScale, buffer: scale.p),
                    normalized: output(s.normalizedHook, shapeResid, buffer: normalized.p))
    }

    /// Rows r0..<r0+n of the residual through the norm's three stages into `t` and lnOut (safe on any thread:
    /// rows are disjoint).
    func normRows(_ s: NormSpec, _ t: NormTargets, _ r0: Int, _ n: Int) {
        let d = c.dModel, x = resid.p, nP = t.normalized.p + r0 * d, sP = t.scale.p + r0
        t.snapshot?.storage.pointer.advanced(by: r0 * d).update(from: x + r0 * d, count: n * d)
        Kernels.normScale(x + r0 * d, centre: !c.usesRMSNorm, eps: c.eps, centred: nP, scale: sP, rows: n, dim: d)
        Kernels.divideRows(nP, by: sP, out: nP, rows: n, dim: d)
        Kernels.scaleShift(nP, weight: s.weight.basePointer, bias: s.bias?.basePointer, out: lnOut.p + r0 * d, rows: n, dim: d)
    }

    /// Caches what `normRows` wrote, in hook order.
    func settleNorm(_ s: NormSpec, _ t: NormTargets) throws {
        if let snap = t.snapshot, let id = s.snapshotHook { hooks.adopt(id, snap) }
        try settle(t.scale, shapeScale)
        try settle(t.normalized, shapeResid)
    }

    /// The norm `s` of the residual stream. Without a hook function on its points, its stages run row block
    /// by row block on the threads (one hand-off) and the points are cached after; otherwise step by step,
    /// each point firing between the stages.
    func norm(_ s: NormSpec) throws {
        let d = c.dModel
        if noHookFunctions(s.ids) {
            let parts = max(1, min(scratch.threads, rows, rows * d / 8192))
            let t = normTargets(s), rows = self.rows
            ParallelFor.run(parts) { [self] i in
                let r0 = rows * i / parts
                normRows(s, t, r0, rows * (i + 1) / parts - r0)
            }
            try settleNorm(s, t)
            return
        }
        if let id = s.snapshotHook { try fire(id: id, resid.p, shapeResid) }
        Kernels.normScale(resid.p, centre: !c.usesRMSNorm, eps: c.eps, centred: normalized.p, scale: scale.p, rows: rows, dim: d)
        try fire(id: s.scaleHook, scale.p, shapeScale)
        Kernels.divideRows(normalized.p, by: scale.p, out: normalized.p, rows: rows, dim: d)
        try fire(id: s.normalizedHook, normalized.p, shapeResid)
        Kernels.scaleShift(normalized.p, weight: s.weight.basePointer, bias: s.bias?.basePointer, out: lnOut.p, rows: rows, dim: d)
    }

    /// mlpOut [B, T, dModel] = post · W_outᵀ + b_out (centred when writing weights are centred), then
    /// resid += mlpOut, hook_resid_post, and the next norm (`normAfter`).
    func mlpOutput(layer l: Int) throws {
        let lw = w.layers[l]
        try sublayerOutput(lw.down, mlpPostWritten, ldX: c.dMLP, bias: p.mlpOutBias[l] ?? lw.downB,
                           outHook: HookRegistry.id(.mlpOut, layer: l), buffer: mlpOut.p,
                           residHook: HookRegistry.id(.residPost, layer: l), then: normAfter(layer: l))
    }

    /// The end of a sub-layer: out [B, T, dModel] = x · Wᵀ (rows centred when writing weights are centred) + bias
    /// at hook point `outHook`, then resid += out at `residHook` (resid_mid or resid_post), then the norm `next`.
    /// Without a hook function on out and the residual, each thread finishes its own rows of the product
    /// (centring, bias, the residual add, the snapshot's copy, and the next norm when it has no hook function
    /// either: one hand-off less) and out is written straight into its cache tensor; else step by step into
    /// `buffer`.
    func sublayerOutput(_ m: WeightMatrix, _ x: UnsafePointer<Float>, ldX: Int, bias: Tensor?, outHook: Int,
                        buffer: UnsafeMutablePointer<Float>, residHook: Int, then next: NormSpec) throws {
        let d = c.dModel, centre = p.centerWriting
        if noHookFunctions([outHook, residHook]) {
            let o = output(outHook, shapeResid, buffer: buffer)
            let snap = hooks.inPlaceTarget(residHook, shapeResid)                       // [B, T, dModel]
            let normHere = noHookFunctions(next.ids), nt = normHere ? normTargets(next) : nil
            let (out, r, snapP, biasP) = (o.p, resid.p, snap?.storage.pointer, bias?.basePointer)
            project(m, x, ldX: ldX, out: out, ldOut: d, bias: centre ? nil : biasP, then: { [self] r0, rn in
                let a = r0 * d
                if centre {
                    Kernels.centreRows(out + a, rows: rn, dim: d)
                    if let biasP { for i in 0..<rn { Kernels.axpy(1, biasP, out + a + i * d, count: d) } }
                }
                Kernels.add(r + a, out + a, r + a, count: rn * d)
                snapP?.advanced(by: a).update(from: r + a, count: rn * d)
                if let nt { normRows(next, nt, r0, rn) }
            })
            try settle(o, shapeResid)
            if let snap { hooks.adopt(residHook, snap) }
            if let nt { try settleNorm(next, nt) } else { try norm(next) }
            return
        }
        if centre {
            project(m, x, ldX: ldX, out: buffer, ldOut: d)
            Kernels.centreRows(buffer, rows: rows, dim: d)
            if let bias { for r in 0..<rows { Kernels.axpy(1, bias.basePointer, buffer + r * d, count: d) } }
        } else {
            project(m, x, ldX: ldX, out: buffer, ldOut: d, bias: bias?.basePointer)   // bias per thread
        }
        try fire(id: outHook, buffer, shapeResid)
        addToResid(buffer)
        try fire(id: residHook, resid.p, shapeResid)
        try norm(next)
    }

    /// out[rows, outDim] (row stride ldOut) = x[rows, inDim] (row stride ldX) · W (+ bias): the packed matrix
    /// when it has one (`WeightMatrix.packedForPrompts`), else an F32 matrix as one sgemm split across the
    /// threads by output columns, any other through `WeightMatrix.apply`.
    /// `then(r0, n)`, when given, runs on rows r0..<r0+n of the finished output (bias added): on each thread's
    /// own rows right after its product on packed weights, else once on all rows.
    func project(_ m: WeightMatrix, _ x: UnsafePointer<Float>, ldX: Int, out: UnsafeMutablePointer<Float>, ldOut: Int,
                 bias: UnsafePointer<Float>? = nil, rows: Int? = nil, then: ((Int, Int) -> Void)? = nil) {
        let rows = rows ?? self.rows
        if m.applyPacked(x, ldX: ldX, rows: rows, out: out, ldOut: ldOut, bias: bias, accumulate: false, scratch: scratch,
                         then: then) {
            return
        }
        defer { then?(0, rows) }
        if m.dtype == .f32 && (m.layout == .inOut || m.rowMap == nil) {
            Kernels.linear(x: x, ldX: ldX, w: m.bytes.baseAddress!.assumingMemoryBound(to: Float.self), layout: m.layout,
                           bias: bias, out: out, ldOut: ldOut, rows: rows, inDim: m.inDim, outDim: m.outDim,
                           threads: scratch.threads)
        } else {
            m.apply(x, ldX: ldX, rows: rows, out: out, ldOut: ldOut, bias: bias, scratch: scratch, fast: fast)
        }
    }

    /// resid += x, both [B, T, dModel] (in parts on the threads when large).
    func addToResid(_ x: UnsafeMutablePointer<Float>) {
        let r = resid.p
        Kernels.inChunks(rows * c.dModel) { a, n in Kernels.add(r + a, x + a, r + a, count: n) }
    }

    /// The unembedding of lnOut (the final norm's output, which the last block's `mlpOutput` ran): logits
    /// [B, T, dVocab], or [B, 1, dVocab] of each row's last position when `lastLogitsOnly`.
    func unembed() throws -> Tensor {
        let d = c.dModel
        let positions = lastLogitsOnly ? 1 : T, n = B * positions
        let shape = [B, positions, c.dVocab]
        let logits = Tensor(storage: TensorStorage(uninitializedCount: n * c.dVocab), shape: shape,
                            strides: Tensor.contiguousStrides(shape), offset: 0)    // written in full below
        if lastLogitsOnly && B > 1 && T > 1 {
            // Each row's last position gathered into a dense [B, dModel] block, so the product can take the
            // packed weights (they need dense rows).
            let last = UnsafeMutablePointer<Float>.allocate(capacity: B * d)            // [B, dModel]
            defer { last.deallocate() }
            for b in 0..<B { (last + b * d).update(from: lnOut.p + (b * T + T - 1) * d, count: d) }
            project(w.unembed, last, ldX: d, out: logits.storage.pointer, ldOut: c.dVocab, rows: n)
        } else {
            // Row b reads lnOut[b, T - positions ..< T] (one row of one position when B == 1).
            project(w.unembed, lnOut.p + (T - positions) * d, ldX: d, out: logits.storage.pointer, ldOut: c.dVocab, rows: n)
        }
        if p.centerUnembed { Kernels.centreRows(logits.storage.pointer, rows: n, dim: c.dVocab) }
        return logits
    }
}
