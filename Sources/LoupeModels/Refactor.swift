import Foundation
import LoupeTensor

/// refactor_factored_attn_matrices (GPT-2 only): per head, W_Q·W_Kᵀ (with the biases as an extra
/// input row) is re-factored evenly from its SVD, U·S^½ and V·S^½, and W_V·W_O as U·S and Vᵀ —
/// TransformerLens's formulas. Singular vectors are determined up to sign, so q/k/v/z may differ from
/// TransformerLens's in the sign of whole d_head columns; every product and output is the same.
///
/// The refactored attention weights are materialised in F32 with the norm already folded in (the
/// layer's ln1 weights become identity); everything else keeps the virtual processing.
struct RefactoredWeights {
    let weights: ModelWeights
    let effective: EffectiveProcessing

    init(model m: HookedTransformer) throws {
        let c = m.config
        guard !c.usesRotary, m.weights.layers.first?.qkv != nil else {
            throw ModelError(.badConfig, "refactor_factored_attn_matrices is only defined for models without rotary embeddings")
        }
        let d = c.dModel, dH = c.dHead, nH = c.nHeads
        var layers = m.weights.layers
        for l in 0..<c.nLayers {
            let wq = try m.W_Q(layer: l), wk = try m.W_K(layer: l), wv = try m.W_V(layer: l)   // [h, d, dH]
            let bq = try m.b_Q(layer: l), bk = try m.b_K(layer: l), bv = try m.b_V(layer: l)   // [h, dH]
            let wo = try m.W_O(layer: l)                                                      // [h, dH, d]
            var bo = try m.b_O(layer: l).toArray()
            let qkv = Tensor(zeros: [d, 3 * d])          // Conv1D layout [in, out]
            var qkvB = [Float](repeating: 0, count: 3 * d)
            let o = Tensor(zeros: [nH * dH, d])          // Conv1D layout [in (head·dHead), out]
            let Q = wq.toArray(), K = wk.toArray(), Vw = wv.toArray(), O = wo.toArray()
            let BQ = bq.toArray(), BK = bk.toArray(), BV = bv.toArray()
            for h in 0..<nH {
                // QK with biases: A = [W_Q; b_Q] [d+1, dH], B = [W_K; b_K]ᵀ [dH, d+1].
                var A = [Double](repeating: 0, count: (d + 1) * dH), Bt = A
                for i in 0..<d { for e in 0..<dH {
                    A[i * dH + e] = Double(Q[(h * d + i) * dH + e]); Bt[i * dH + e] = Double(K[(h * d + i) * dH + e]) } }
                for e in 0..<dH { A[d * dH + e] = Double(BQ[h * dH + e]); Bt[d * dH + e] = Double(BK[h * dH + e]) }
                let (U, S, V) = factoredSVD(A, Bt, m: d + 1, n: d + 1, r: dH)
                for i in 0...d { for e in 0..<dH {
                    let q = Float(U[i * dH + e] * S[e].squareRoot()), k = Float(V[i * dH + e] * S[e].squareRoot())
                    if i < d { qkv[i, h * dH + e] = q; qkv[i, d + h * dH + e] = k } else { qkvB[h * dH + e] = q; qkvB[d + h * dH + e] = k }
                } }
                // OV: b_O += b_V·W_O, then W_V·W_O = U S Vᵀ -> W_V = U·S, W_O = Vᵀ.
                for e in 0..<dH { for i in 0..<d { bo[i] += BV[h * dH + e] * O[(h * dH + e) * d + i] } }
                var Av = [Double](repeating: 0, count: d * dH), Bo = Av
                for i in 0..<d { for e in 0..<dH { Av[i * dH + e] = Double(Vw[(h * d + i) * dH + e]); Bo[i * dH + e] = Double(O[(h * dH + e) * d + i]) } }
                let (Uv, Sv, Vv) = factoredSVD(Av, Bo, m: d, n: d, r: dH)
                for i in 0..<d { for e in 0..<dH {
                    qkv[i, 2 * d + h * dH + e] = Float(Uv[i * dH + e] * Sv[e])
                    o[h * dH + e, i] = Float(Vv[i * dH + e])
                } }
            }
            layers[l].qkv = WeightMatrix(name: "refactored.\(l).qkv", f32: qkv, layout: .inOut)
            layers[l].qkvB = Tensor(shape: [3 * d], data: qkvB)
            layers[l].o = WeightMatrix(name: "refactored.\(l).o", f32: o, layout: .inOut)
            layers[l].oB = Tensor(shape: [d], data: bo)
            layers[l].ln1W = Tensor(shape: [d], data: [Float](repeating: 1, count: d))
            layers[l].ln1B = nil
        }
        let w = m.weights
        weights = ModelWeights(config: c, layers: layers, embed: w.embed, posEmbed: w.posEmbed, lnFinalW: w.lnFinalW,
                               lnFinalB: w.lnFinalB, unembed: w.unembed, ropeFreqFactors: w.ropeFreqFactors,
                               sources: w.sources)
        effective = EffectiveProcessing(options: m.processing, weights: weights)
    }
}

/// SVD of M = A·Bᵀ with A [m, r], B [n, r] (row-major, Double): returns U [m, r], S [r] (descending),
/// V [n, r] with M = U·diag(S)·Vᵀ. QR of both factors, then one-sided Jacobi on the small r×r core.
func factoredSVD(_ A: [Double], _ B: [Double], m: Int, n: Int, r: Int) -> (U: [Double], S: [Double], V: [Double]) {
    let (qa, ra) = thinQR(A, rows: m, cols: r)
    let (qb, rb) = thinQR(B, rows: n, cols: r)
    // C = Ra · Rbᵀ  [r, r]
    var C = [Double](repeating: 0, count: r * r)
    for i in 0..<r { for j in 0..<r { var s = 0.0; for k in 0..<r { s += ra[i * r + k] * rb[j * r + k] }; C[i * r + j] = s } }
    var W = C                                             // columns rotated into U·S
    var Vc = [Double](repeating: 0, count: r * r)
    for i in 0..<r { Vc[i * r + i] = 1 }
    for _ in 0..<60 {
        var rotated = false
        for p in 0..<(r - 1) { for q in (p + 1)..<r {
            var alpha = 0.0, beta = 0.0, gamma = 0.0
            for i in 0..<r { let a = W[i * r + p], b = W[i * r + q]; alpha += a * a; beta += b * b; gamma += a * b }
            if abs(gamma) <= 1e-15 * (alpha * beta).squareRoot() || gamma == 0 { continue }
            rotated = true
            let zeta = (beta - alpha) / (2 * gamma)
            let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
            let cs = 1 / (1 + t * t).squareRoot(), sn = cs * t
            for i in 0..<r {
                let a = W[i * r + p], b = W[i * r + q]
                W[i * r + p] = cs * a - sn * b; W[i * r + q] = sn * a + cs * b
                let va = Vc[i * r + p], vb = Vc[i * r + q]
                Vc[i * r + p] = cs * va - sn * vb; Vc[i * r + q] = sn * va + cs * vb
            }
        } }
        if !rotated { break }
    }
    var S = (0..<r).map { j in (0..<r).reduce(0.0) { $0 + W[$1 * r + j] * W[$1 * r + j] }.squareRoot() }
    let order = (0..<r).sorted { S[$0] > S[$1] }
    S = order.map { S[$0] }
    var U = [Double](repeating: 0, count: m * r), V = [Double](repeating: 0, count: n * r)
    for (jNew, j) in order.enumerated() {
        let s = S[jNew]
        for i in 0..<m { var acc = 0.0; for k in 0..<r { acc += qa[i * r + k] * (s > 0 ? W[k * r + j] / s : 0) }; U[i * r + jNew] = acc }
        for i in 0..<n { var acc = 0.0; for k in 0..<r { acc += qb[i * r + k] * Vc[k * r + j] }; V[i * r + jNew] = acc }
    }
    return (U, S, V)
}

/// Modified Gram–Schmidt: X [rows, cols] = Q [rows, cols] · R [cols, cols].
func thinQR(_ X: [Double], rows: Int, cols: Int) -> (Q: [Double], R: [Double]) {
    var Q = X
    var R = [Double](repeating: 0, count: cols * cols)
    for j in 0..<cols {
        for k in 0..<j {
            var dot = 0.0
            for i in 0..<rows { dot += Q[i * cols + k] * Q[i * cols + j] }
            R[k * cols + j] += dot
            for i in 0..<rows { Q[i * cols + j] -= dot * Q[i * cols + k] }
        }
        var norm = 0.0
        for i in 0..<rows { norm += Q[i * cols + j] * Q[i * cols + j] }
        norm = norm.squareRoot()
        R[j * cols + j] = norm
        if norm > 0 { for i in 0..<rows { Q[i * cols + j] /= norm } }
    }
    return (Q, R)
}
