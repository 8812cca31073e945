import Foundation
import LoupeTensor

// The two forward passes, each one straight function top to bottom (llama2.c's `forward`).
// Hook points fire in TransformerLens's order; replacements flow on from where they are made.

extension ForwardPass {
    /// GPT-2: learned positions, LayerNorm, fused Conv1D qkv, gelu_new MLP, tied unembedding.
    func runGPT2() throws -> Tensor {
        let d = c.dModel, nH = c.nHeads, dH = c.dHead, qDim = nH * dH
        // Embeddings: hook_embed, hook_pos_embed, then resid_pre 0 = their sum.
        embedTokens(into: resid.p)
        if p.centerWriting { centerRows(resid.p, rows: rows, dim: d) }
        try fire(.embed, resid.p, shapeResid)
        let pos = attnOut   // reuse as [B, T, dModel] scratch for the position embeddings
        let wpe = w.posEmbed!.basePointer
        for b in 0..<B { for t in 0..<T { (pos.p + (b * T + t) * d).update(from: wpe + (past + t) * d, count: d) } }
        if p.centerWriting { centerRows(pos.p, rows: rows, dim: d) }
        try fire(.posEmbed, pos.p, shapeResid)
        addToResid(pos.p)

        for l in 0..<c.nLayers {
            let lw = w.layers[l]
            try fire(.residPre, l, resid.p, shapeResid)
            try norm(x: resid.p, weight: lw.ln1W, bias: lw.ln1B, scaleHook: HookRegistry.id(.ln1Scale, layer: l),
                     normalizedHook: HookRegistry.id(.ln1Normalized, layer: l))
            // qkv[rows, 3d] = lnOut · W + b, then split into q, k, v.
            let qkv = qkvFused!.p
            lw.qkv!.apply(lnOut.p, ldX: d, rows: rows, out: qkv, ldOut: 3 * d, scratch: scratch, fast: fast)
            let bias = (p.qkvBias[l] ?? lw.qkvB)!.basePointer
            let kNew = newKeys(l), vNew = newValues(l)
            for r in 0..<rows {
                let src = qkv + r * 3 * d
                for i in 0..<(3 * d) { src[i] += bias[i] }
                (q.p + r * qDim).update(from: src, count: d)
                (kNew + r * qDim).update(from: src + d, count: d)
                (vNew + r * qDim).update(from: src + 2 * d, count: d)
            }
            try fire(.q, l, q.p, shapeQ)
            try fire(.k, l, kNew, shapeKV)
            try fire(.v, l, vNew, shapeKV)
            try attention(layer: l)
            try attentionOutput(layer: l, bias: lw.oB)
            addToResid(attnOut.p)
            try fire(.residMid, l, resid.p, shapeResid)

            try norm(x: resid.p, weight: lw.ln2W, bias: lw.ln2B, scaleHook: HookRegistry.id(.ln2Scale, layer: l),
                     normalizedHook: HookRegistry.id(.ln2Normalized, layer: l))
            lw.up.apply(lnOut.p, ldX: d, rows: rows, out: mlpPre.p, ldOut: c.dMLP, scratch: scratch, fast: fast)
            if let b = lw.upB { for r in 0..<rows { Kernels.add(mlpPre.p + r * c.dMLP, b.basePointer, mlpPre.p + r * c.dMLP, count: c.dMLP) } }
            try fire(.mlpPre, l, mlpPre.p, shapeMLP)
            Kernels.geluNew(mlpPre.p, out: mlpPost.p, count: rows * c.dMLP)
            try fire(.mlpPost, l, mlpPost.p, shapeMLP)
            try mlpOutput(layer: l)
            addToResid(mlpOut.p)
            try fire(.residPost, l, resid.p, shapeResid)
        }
        return try unembed()
    }

    /// Llama: RMSNorm, RoPE, grouped-query attention, SwiGLU.
    func runLlama(invFreq: [Float]) throws -> Tensor {
        let d = c.dModel, qDim = c.nHeads * c.dHead, kvDim = c.nKVHeads * c.dHead
        prepareRope(invFreq: invFreq)
        embedTokens(into: resid.p)
        try fire(.embed, resid.p, shapeResid)

        for l in 0..<c.nLayers {
            let lw = w.layers[l]
            try fire(.residPre, l, resid.p, shapeResid)
            try norm(x: resid.p, weight: lw.ln1W, bias: nil, scaleHook: HookRegistry.id(.ln1Scale, layer: l),
                     normalizedHook: HookRegistry.id(.ln1Normalized, layer: l))
            let kNew = newKeys(l), vNew = newValues(l)
            lw.q!.apply(lnOut.p, ldX: d, rows: rows, out: q.p, ldOut: qDim, scratch: scratch, fast: fast)
            lw.k!.apply(lnOut.p, ldX: d, rows: rows, out: kNew, ldOut: kvDim, scratch: scratch, fast: fast)
            lw.v!.apply(lnOut.p, ldX: d, rows: rows, out: vNew, ldOut: kvDim, scratch: scratch, fast: fast)
            try fire(.q, l, q.p, shapeQ)
            try fire(.k, l, kNew, shapeKV)
            try fire(.v, l, vNew, shapeKV)
            rotate(q.p, heads: c.nHeads)
            rotate(kNew, heads: c.nKVHeads)
            try fire(.rotQ, l, q.p, shapeQ)
            try fire(.rotK, l, kNew, shapeKV)
            try attention(layer: l)
            try attentionOutput(layer: l, bias: nil)
            addToResid(attnOut.p)
            try fire(.residMid, l, resid.p, shapeResid)

            try norm(x: resid.p, weight: lw.ln2W, bias: nil, scaleHook: HookRegistry.id(.ln2Scale, layer: l),
                     normalizedHook: HookRegistry.id(.ln2Normalized, layer: l))
            lw.gate!.apply(lnOut.p, ldX: d, rows: rows, out: mlpPre.p, ldOut: c.dMLP, scratch: scratch, fast: fast)
            try fire(.mlpPre, l, mlpPre.p, shapeMLP)
            lw.up.apply(lnOut.p, ldX: d, rows: rows, out: mlpLin!.p, ldOut: c.dMLP, scratch: scratch, fast: fast)
            try fire(.mlpPreLinear, l, mlpLin!.p, shapeMLP)
            Kernels.swiGLU(gate: mlpPre.p, up: mlpLin!.p, out: mlpPost.p, count: rows * c.dMLP)
            try fire(.mlpPost, l, mlpPost.p, shapeMLP)
            try mlpOutput(layer: l)
            addToResid(mlpOut.p)
            try fire(.residPost, l, resid.p, shapeResid)
        }
        return try unembed()
    }

    /// mlpOut = post · W_outᵀ + b_out (centred when writing weights are centred).
    func mlpOutput(layer l: Int) throws {
        let d = c.dModel
        let lw = w.layers[l]
        lw.down.apply(mlpPost.p, ldX: c.dMLP, rows: rows, out: mlpOut.p, ldOut: d, scratch: scratch, fast: fast)
        if p.centerWriting { centerRows(mlpOut.p, rows: rows, dim: d) }
        if let b = p.mlpOutBias[l] ?? lw.downB {
            for r in 0..<rows { Kernels.axpy(1, b.basePointer, mlpOut.p + r * d, count: d) }
        }
        try fire(.mlpOut, l, mlpOut.p, shapeResid)
    }
}
