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
                for b in 0..<B {
                    Kernels.rope(x + b * T * heads * c.dHead, positions: T, heads: heads, dHead: c.dHead,
                                 style: .neox, cos: cb.baseAddress!, sin: sb.baseAddress!)
                }
            }
        }
    }

    /// Scores, pattern [B, nHeads, T, Tk] and z [B, T, nHeads, dHead] of layer l from q (this pass) and
    /// the keys/values (cache + this pass), with the hooks attn_scores, pattern and z. Masked scores
    /// are −∞, as TransformerLens shows them. Each (batch, head) pair is a few sgemm calls on one thread.
    func attention(layer l: Int) throws {
        let nH = c.nHeads, dH = c.dHead, qDim = nH * dH, kvDim = c.nKVHeads * dH, group = c.groupSize
        let kBase = keys(l), vBase = values(l)                        // [B, Tk, nKV·dHead]
        let alpha = 1 / Float(dH).squareRoot()
        let (T, Tk, past) = (self.T, self.Tk, self.past)
        let scoresP = scores.p, patternP = pattern.p, qP = q.p, zP = z.p
        let keyMask = self.keyMask
        let pairs = B * nH
        let threads = min(scratch.threads, pairs)
        // Queries go in blocks of `block` rows; a block multiplies only the keys its last query sees (the
        // causal half above is never computed: the mask writes it, and the pattern there is exactly 0).
        let block = 64
        // scores[b, h] [T, Tk] = q[b, :, h] · k[b, :, h / group]ᵀ / √dHead, then the causal and padding mask.
        ParallelFor.run(threads) { t in
            var pi = t
            while pi < pairs {
                let b = pi / nH, h = pi % nH
                let s = scoresP + pi * T * Tk
                for r0 in stride(from: 0, to: T, by: block) {
                    let rn = min(block, T - r0), seen = min(Tk, past + r0 + rn)
                    Kernels.sgemm(transB: true, m: rn, n: seen, k: dH, alpha: alpha,
                                  a: qP + (b * T + r0) * qDim + h * dH, lda: qDim,
                                  b: kBase + b * Tk * kvDim + (h / group) * dH, ldb: kvDim, c: s + r0 * Tk, ldc: Tk)
                }
                if let keyMask {
                    keyMask.withUnsafeBufferPointer { m in
                        Kernels.causalMask(s, rows: T, cols: Tk, pastLength: past, keyMask: m.baseAddress! + b * Tk)
                    }
                } else {
                    Kernels.causalMask(s, rows: T, cols: Tk, pastLength: past)
                }
                pi += threads
            }
        }
        try fire(.attnScores, l, scores.p, shapeScores)
        // pattern[b, h] = softmax, one (batch, head) pair per thread at a time: over the keys each query sees
        // (the causal tail is 0), or over whole rows when a hook function may have replaced the scores.
        let wholeRows = hooks.hasHookFunction(HookRegistry.id(.attnScores, layer: l))
        ParallelFor.run(threads) { t in
            var pi = t
            while pi < pairs {
                let s = scoresP + pi * T * Tk, pat = patternP + pi * T * Tk
                if wholeRows {
                    Kernels.softmaxRows(s, out: pat, rows: T, cols: Tk)
                } else {
                    Kernels.causalSoftmaxRows(s, out: pat, rows: T, cols: Tk, pastLength: past)
                }
                pi += threads
            }
        }
        try fire(.pattern, l, pattern.p, shapeScores)
        // z[b, :, h] [T, dHead] = pattern[b, h] · v[b, :, h / group].
        ParallelFor.run(threads) { t in
            var pi = t
            while pi < pairs {
                let b = pi / nH, h = pi % nH
                for r0 in stride(from: 0, to: T, by: block) {
                    let rn = min(block, T - r0), seen = min(Tk, past + r0 + rn)
                    Kernels.sgemm(m: rn, n: dH, k: seen, a: patternP + pi * T * Tk + r0 * Tk, lda: Tk,
                                  b: vBase + b * Tk * kvDim + (h / group) * dH, ldb: kvDim,
                                  c: zP + (b * T + r0) * qDim + h * dH, ldc: qDim)
                }
                pi += threads
            }
        }
        try fire(.z, l, z.p, shapeQ)
    }

    /// attnOut [B, T, dModel] = z · W_Oᵀ + b_O (+ folded value biases), centred when writing weights are
    /// centred; hook_result (opt-in) per head first.
    func attentionOutput(layer l: Int, bias: Tensor?) throws {
        let d = c.dModel, nH = c.nHeads, dH = c.dHead, qDim = nH * dH
        let lw = w.layers[l]
        if hooks.isActive(HookRegistry.id(.result, layer: l)) {
            // result[b, t, h, :] = z[b, t, h, :] · W_O[h]  (no bias), [B, T, nHeads, dModel]
            let wo = lw.o.dequantizedOutIn()                           // [dModel, nHeads·dHead]
            let res = Buffer(rows * nH * d)
            for h in 0..<nH {
                Kernels.sgemm(transB: true, m: rows, n: d, k: dH, a: z.p + h * dH, lda: qDim,
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
        } else {
            project(lw.o, z.p, ldX: qDim, out: attnOut.p, ldOut: d)
            if p.centerWriting { Kernels.centreRows(attnOut.p, rows: rows, dim: d) }
        }
        if let ob = p.attnOutBias[l] ?? bias {
            for r in 0..<rows { Kernels.axpy(1, ob.basePointer, attnOut.p + r * d, count: d) }
        }
        try fire(.attnOut, l, attnOut.p, shapeResid)
    }
}
