import Foundation
import LoupeTensor

// Attention, shared by the architectures: rotary positions, scores → pattern → z, and the output
// projection, each hook point where TransformerLens has it.

extension ForwardPass {
    /// Rotary tables ropeCos, ropeSin [T, dHead/2] for absolute positions past..<past+T.
    func prepareRope() {
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

    /// Rotates x [B, T, heads, dHead] in place (Hugging Face's rotate_half pairing).
    func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int) {
        ropeCos.withUnsafeBufferPointer { cb in
            ropeSin.withUnsafeBufferPointer { sb in
                rotateRows(x, heads: heads, 0, rows, cos: cb.baseAddress!, sin: sb.baseAddress!)
            }
        }
    }

    /// Rotates rows r0..<r0+n of x [B·T, heads, dHead] in place; row r is position r % T of its sequence.
    /// cos, sin: the pass's tables [T, dHead/2].
    func rotateRows(_ x: UnsafeMutablePointer<Float>, heads: Int, _ r0: Int, _ n: Int, cos: UnsafePointer<Float>,
                    sin: UnsafePointer<Float>) {
        let half = c.dHead / 2, width = heads * c.dHead
        var r = r0
        while r < r0 + n {
            let t = r % T, len = min(T - t, r0 + n - r)                // one sequence's run of positions
            Kernels.rope(x + r * width, positions: len, heads: heads, dHead: c.dHead, style: .neox,
                         cos: cos + t * half, sin: sin + t * half)
            r += len
        }
    }

    /// q [B, T, nHeads, dHead] and this pass's keys and values [B, T, nKV, dHead] of layer l with their hook
    /// points q, k, v (then rot_q, rot_k with rotary positions). `product(outs, then)` runs the q|k|v product
    /// into outs = [q, new keys, new values] and calls `then(r0, n)` on each thread's finished rows. Without a
    /// hook function on any of these points, each thread copies its rows of the cached ones into their cache
    /// tensors and rotates them, and q goes straight into the cache tensor of its last hook point (attention
    /// reads it there); they are cached after. Otherwise the points fire one by one around the rotation.
    /// Sets `qWritten`.
    func queriesKeysValues(layer l: Int,
                           product: ([UnsafeMutablePointer<Float>], ((Int, Int) -> Void)?) -> Void) throws {
        let kNew = newKeys(l), vNew = newValues(l)                     // [B, T, nKV, dHead]
        let rotary = c.usesRotary
        let points: [BlockHook] = rotary ? [.q, .k, .v, .rotQ, .rotK] : [.q, .k, .v]
        let ids = points.map { HookRegistry.id($0, layer: l) }
        guard noHookFunctions(ids) else {
            product([q.p, kNew, vNew], nil)
            try fire(.q, l, q.p, shapeQ)
            try fire(.k, l, kNew, shapeKV)
            try fire(.v, l, vNew, shapeKV)
            if rotary {
                rotate(q.p, heads: c.nHeads)
                rotate(kNew, heads: c.nKVHeads)
                try fire(.rotQ, l, q.p, shapeQ)
                try fire(.rotK, l, kNew, shapeKV)
            }
            qWritten = q.p
            return
        }
        let shapes = rotary ? [shapeQ, shapeKV, shapeKV, shapeQ, shapeKV] : [shapeQ, shapeKV, shapeKV]
        let targets = zip(ids, shapes).map { hooks.inPlaceTarget($0, $1) }
        let qDim = c.nHeads * c.dHead, kvDim = c.nKVHeads * c.dHead, (nH, nKV) = (c.nHeads, c.nKVHeads)
        // The queries attention reads: the cache tensor of the last hook point on them (rot_q, or q without
        // rotation) when it is cached, else the pass's buffer.
        let qFinal = targets[rotary ? 3 : 0]?.storage.pointer ?? q.p
        // Copies of the cached points that are not written in place: q and k before rotation, v, k after.
        let qCopy = rotary ? targets[0]?.storage.pointer : nil
        let (kCopy, vCopy) = (targets[1]?.storage.pointer, targets[2]?.storage.pointer)
        let rotKCopy = rotary ? targets[4]?.storage.pointer : nil
        ropeCos.withUnsafeBufferPointer { cb in
            ropeSin.withUnsafeBufferPointer { sb in
                let (cosP, sinP) = (cb.baseAddress, sb.baseAddress)
                product([qFinal, kNew, vNew]) { [self] r0, n in
                    qCopy?.advanced(by: r0 * qDim).update(from: qFinal + r0 * qDim, count: n * qDim)
                    kCopy?.advanced(by: r0 * kvDim).update(from: kNew + r0 * kvDim, count: n * kvDim)
                    vCopy?.advanced(by: r0 * kvDim).update(from: vNew + r0 * kvDim, count: n * kvDim)
                    if rotary, let cosP, let sinP {
                        rotateRows(qFinal, heads: nH, r0, n, cos: cosP, sin: sinP)
                        rotateRows(kNew, heads: nKV, r0, n, cos: cosP, sin: sinP)
                        rotKCopy?.advanced(by: r0 * kvDim).update(from: kNew + r0 * kvDim, count: n * kvDim)
                    }
                }
            }
        }
        for (id, t) in zip(ids, targets) { if let t { hooks.adopt(id, t) } }
        qWritten = qFinal
    }

    /// Scores, pattern [B, nHeads, T, Tk] and z [B, T, nHeads, dHead] of layer l from q (this pass) and
    /// the keys/values (cache + this pass), with the hooks attn_scores, pattern and z. Masked scores
    /// are −∞, as TransformerLens shows them. The work is split into tasks of (batch, head, block of
    /// query rows), claimed by the threads as they come free, the heaviest blocks (last queries, most
    /// keys) first; each product runs on one thread (`Kernels.headProduct`). Without a user hook function
    /// on attn_scores or pattern, a task runs its rows' scores, softmax and z in one go (one hand-off per
    /// layer), and the hooks fire after; with one, the three steps run one after another around the hooks.
    func attention(layer l: Int) throws {
        let nH = c.nHeads, dH = c.dHead, qDim = nH * dH, kvDim = c.nKVHeads * dH, group = c.groupSize
        let kBase = keys(l), vBase = values(l)                        // [B, Tk, nKV·dHead]
        let alpha = 1 / Float(dH).squareRoot()
        let (T, Tk, past) = (self.T, self.Tk, self.past)
        // Cached-only hook points are written straight into their cache tensors (no copy when they fire).
        let ids = (scores: HookRegistry.id(.attnScores, layer: l), pattern: HookRegistry.id(.pattern, layer: l),
                   z: HookRegistry.id(.z, layer: l))
        let scoresT = hooks.inPlaceTarget(ids.scores, shapeScores), patternT = hooks.inPlaceTarget(ids.pattern, shapeScores)
        let zT = hooks.inPlaceTarget(ids.z, shapeQ)
        let scoresP = scoresT?.storage.pointer ?? scores.p, patternP = patternT?.storage.pointer ?? pattern.p
        let qP = qWritten, zP = zT?.storage.pointer ?? z.p
        zWritten = zP
        let keyMask = self.keyMask
        let pairs = B * nH
        // Queries go in blocks of `block` rows; a block multiplies only the keys its last query sees (the
        // causal half above is never computed: the mask writes it, and the pattern there is exactly 0).
        let block = 64
        let blocks = (T + block - 1) / block
        let tasks = pairs * blocks
        // Task i: block blocks − 1 − i / pairs of pair i % pairs (the heaviest blocks go first).
        @inline(__always) func task(_ i: Int) -> (pi: Int, r0: Int, rn: Int) {
            let r0 = (blocks - 1 - i / pairs) * block
            return (i % pairs, r0, min(block, T - r0))
        }
        // scores[b, h, rows] = q[b, rows, h] · k[b, :seen, h / group]ᵀ / √dHead, then the causal and padding mask.
        let scoreRows: (Int, Int, Int) -> Void = { pi, r0, rn in
            let b = pi / nH, h = pi % nH
            let s = scoresP + pi * T * Tk + r0 * Tk
            let seen = min(Tk, past + r0 + rn)
            Kernels.headProduct(transB: true, m: rn, n: seen, k: dH, alpha: alpha,
                                a: qP + (b * T + r0) * qDim + h * dH, lda: qDim,
                                b: kBase + b * Tk * kvDim + (h / group) * dH, ldb: kvDim, c: s, ldc: Tk)
            if let keyMask {
                keyMask.withUnsafeBufferPointer { m in
                    Kernels.causalMask(s, rows: rn, cols: Tk, pastLength: past + r0, keyMask: m.baseAddress! + b * Tk)
                }
            } else {
                Kernels.causalMask(s, rows: rn, cols: Tk, pastLength: past + r0)
            }
        }
        // pattern = softmax over the keys each query sees (the causal tail is 0), or over whole rows when a
        // hook function may have replaced the scores.
        let wholeRows = hooks.hasHookFunction(ids.scores)
        let softmaxRows: (Int, Int, Int) -> Void = { pi, r0, rn in
            let s = scoresP + pi * T * Tk + r0 * Tk, pat = patternP + pi * T * Tk + r0 * Tk
            if wholeRows {
                Kernels.softmaxRows(s, out: pat, rows: rn, cols: Tk)
            } else {
                Kernels.causalSoftmaxRows(s, out: pat, rows: rn, cols: Tk, pastLength: past + r0)
            }
        }
        // z[b, rows, h] [rn, dHead] = pattern[b, h, rows, :seen] · v[b, :seen, h / group].
        let zRows: (Int, Int, Int) -> Void = { pi, r0, rn in
            let b = pi / nH, h = pi % nH
            let seen = min(Tk, past + r0 + rn)
            Kernels.headProduct(m: rn, n: dH, k: seen, a: patternP + pi * T * Tk + r0 * Tk, lda: Tk,
                                b: vBase + b * Tk * kvDim + (h / group) * dH, ldb: kvDim,
                                c: zP + (b * T + r0) * qDim + h * dH, ldc: qDim)
        }
        // One thread when the pass is told so (scratch.threads), else the shared pool.
        let oneThread = scratch.threads < 2
        let run: (Int, @escaping (Int) -> Void) -> Void = { n, body in
            if oneThread { for i in 0..<n { body(i) } } else { ParallelFor.run(n, body) }
        }
        let fireScores = { [self] in
            if let scoresT { hooks.adopt(ids.scores, scoresT) } else { try fire(id: ids.scores, scoresP, shapeScores) }
        }
        let firePattern = { [self] in
            if let patternT { hooks.adopt(ids.pattern, patternT) } else { try fire(id: ids.pattern, patternP, shapeScores) }
        }
        if !wholeRows && !hooks.hasHookFunction(ids.pattern) {
            run(tasks) { i in
                let (pi, r0, rn) = task(i)
                scoreRows(pi, r0, rn)
                softmaxRows(pi, r0, rn)
                zRows(pi, r0, rn)
            }
            try fireScores()
            try firePattern()
        } else {
            run(tasks) { i in let (pi, r0, rn) = task(i); scoreRows(pi, r0, rn) }
            try fireScores()
            run(tasks) { i in let (pi, r0, rn) = task(i); softmaxRows(pi, r0, rn) }
            try firePattern()
            run(tasks) { i in let (pi, r0, rn) = task(i); zRows(pi, r0, rn) }
        }
        if let zT { hooks.adopt(ids.z, zT) } else { try fire(id: ids.z, zP, shapeQ) }
    }

    /// attnOut [B, T, dModel] = z · W_Oᵀ + b_O (+ folded value biases), centred when writing weights are
    /// centred, then resid += attnOut, hook_resid_mid and ln2 (`sublayerOutput`); hook_result (opt-in) per head first.
    func attentionOutput(layer l: Int, bias: Tensor?) throws {
        let d = c.dModel, nH = c.nHeads, dH = c.dHead, qDim = nH * dH
        let lw = w.layers[l]
        let outBias = p.attnOutBias[l] ?? bias
        guard hooks.isActive(HookRegistry.id(.result, layer: l)) else {
            try sublayerOutput(lw.o, zWritten, ldX: qDim, bias: outBias, outHook: HookRegistry.id(.attnOut, layer: l),
                               buffer: attnOut.p, residHook: HookRegistry.id(.residMid, layer: l), then: blockNorm(2, layer: l))
            return
        }
        // result[b, t, h, :] = z[b, t, h, :] · W_O[h]  (no bias), [B, T, nHeads, dModel]
        let wo = lw.o.dequantizedOutIn()                               // [dModel, nHeads·dHead]
        let res = Buffer(rows * nH * d)
        for h in 0..<nH {
            Kernels.sgemm(transB: true, m: rows, n: d, k: dH, a: zWritten + h * dH, lda: qDim,
                          b: wo.basePointer + h * dH, ldb: qDim, c: res.p + h * d, ldc: nH * d)
        }
        if p.centerWriting { Kernels.centreRows(res.p, rows: rows * nH, dim: d) }
        try fire(.result, l, res.p, [B, T, nH, d])
        // Replacing the results replaces the output: sum over heads.
        for r in 0..<rows {
            let o = attnOut.p + r * d
            for i in 0..<d { o[i] = 0 }
            for h in 0..<nH { Kernels.axpy(1, res.p + (r * nH + h) * d, o, count: d) }
        }
        if let outBias {
            for r in 0..<rows { Kernels.axpy(1, outBias.basePointer, attnOut.p + r * d, count: d) }
        }
        try fire(.attnOut, l, attnOut.p, shapeResid)
        addToResid(attnOut.p)
        try fire(.residMid, l, resid.p, shapeResid)
        try norm(blockNorm(2, layer: l))
    }
}
