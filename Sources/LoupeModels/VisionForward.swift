import Foundation
import LoupeTensor

/// The vision tower's per-block hook points in forward order (TransformerLens's suffixes, under
/// `vision.blocks.{L}.`).
enum VisionHook: Int, CaseIterable {
    case residPre, q, k, v, attnScores, pattern, z, attnOut, residMid, mlpPre, mlpPost, mlpOut, residPost

    var suffix: String {
        switch self {
        case .residPre: return "hook_resid_pre"
        case .q: return "attn.hook_q"
        case .k: return "attn.hook_k"
        case .v: return "attn.hook_v"
        case .attnScores: return "attn.hook_attn_scores"
        case .pattern: return "attn.hook_pattern"
        case .z: return "attn.hook_z"
        case .attnOut: return "hook_attn_out"
        case .residMid: return "hook_resid_mid"
        case .mlpPre: return "mlp.hook_pre"
        case .mlpPost: return "mlp.hook_post"
        case .mlpOut: return "hook_mlp_out"
        case .residPost: return "hook_resid_post"
        }
    }

    /// The names of a tower's hook points, in forward order: `vision.hook_embed` (class token and patch
    /// embeddings), `vision.hook_pos_embed`, the blocks (resid_pre of block 0 is after pre_layrnorm), and
    /// the projector's output `hook_image_features`. Their ids follow the language model's (HookRegistry).
    static func names(_ vc: VisionConfig) -> [String] {
        ["vision.hook_embed", "vision.hook_pos_embed"]
            + (0..<vc.nLayers).flatMap { l in allCases.map { "vision.blocks.\(l).\($0.suffix)" } }
            + ["hook_image_features"]
    }

    static let embedIndex = 0, posEmbedIndex = 1
    func index(layer l: Int) -> Int { 2 + l * VisionHook.allCases.count + rawValue }
    static func imageFeaturesIndex(_ vc: VisionConfig) -> Int { 2 + vc.nLayers * allCases.count }
}

/// One pass of the CLIP tower and the projector over N images: features [N · imageTokens, dLM] for
/// the `<image>` positions, firing the `vision.` hook points. Activations carry the image axis [N, …]
/// (dropped for a single [C, H, W] image in a one-sequence run, as the batch axis is).
final class VisionPass {
    let vc: VisionConfig
    let vw: VisionWeights
    let hooks: HookRunner
    let scratch: ScratchPool
    /// Hook ids start here (after the language model's).
    let idBase: Int
    let dLM: Int
    let N: Int
    /// The caller gave [N, C, H, W] (keep the image axis even in a one-sequence run).
    let imageAxis: Bool

    init(config vc: VisionConfig, weights vw: VisionWeights, hooks: HookRunner, scratch: ScratchPool, idBase: Int,
         dLM: Int, images: Int, imageAxis: Bool) {
        self.vc = vc
        self.vw = vw
        self.hooks = hooks
        self.scratch = scratch
        self.idBase = idBase
        self.dLM = dLM
        N = images
        self.imageAxis = imageAxis
    }

    private func fire(_ index: Int, _ p: UnsafeMutablePointer<Float>, _ shape: [Int]) throws {
        let id = idBase + index
        guard hooks.isActive(id) else { return }
        // HookRunner drops a leading axis in one-sequence runs: give it one of size 1 to drop.
        try hooks.fire(id, p, hooks.dropBatch && imageAxis ? [1] + shape : shape)
    }

    private func fire(_ h: VisionHook, _ l: Int, _ p: UnsafeMutablePointer<Float>, _ shape: [Int]) throws {
        try fire(h.index(layer: l), p, shape)
    }

    /// LayerNorm of x [rows, d] into out (may alias x).
    private func layerNorm(_ x: UnsafeMutablePointer<Float>, _ w: Tensor, _ b: Tensor, out: UnsafeMutablePointer<Float>,
                           rows: Int, scale: Buffer) {
        let d = vc.dModel
        Kernels.normScale(x, centre: true, eps: vc.eps, centred: out, scale: scale.p, rows: rows, dim: d)
        Kernels.divideRows(out, by: scale.p, out: out, rows: rows, dim: d)
        Kernels.scaleShift(out, weight: w.basePointer, bias: b.basePointer, out: out, rows: rows, dim: d)
    }

    /// pixels: [N, C, H, W] contiguous, checked by the caller. Returns [N · imageTokens, dLM].
    func run(_ pixels: Tensor) throws -> Tensor {
        let C = vc.channels, ps = vc.patchSize, side = vc.patchesPerSide, H = vc.imageSize
        let P = vc.patches, S = vc.positions, d = vc.dModel, nH = vc.nHeads, dH = vc.dHead, m = vc.dMLP
        let rows = N * S, patchIn = C * ps * ps
        let px = pixels.contiguous()
        let src = px.basePointer

        // The patch convolution: each patch flattened in the kernel's (channel, row, column) order.
        let patches = Buffer(N * P * patchIn)                          // [N·P, C·p·p]
        for n in 0..<N { for py in 0..<side { for pxi in 0..<side { for c in 0..<C { for r in 0..<ps {
            let from = src + ((n * C + c) * H + py * ps + r) * H + pxi * ps
            let to = patches.p + (n * P + py * side + pxi) * patchIn + (c * ps + r) * ps
            to.update(from: from, count: ps)
        } } } } }
        let patchEmbeds = Buffer(N * P * d)                            // [N·P, d]
        vw.patch.apply(patches.p, ldX: patchIn, rows: N * P, out: patchEmbeds.p, ldOut: d, scratch: scratch)
        let resid = Buffer(rows * d)                                   // [N, S, d]
        for n in 0..<N {
            (resid.p + n * S * d).update(from: vw.classEmbedding.basePointer, count: d)
            (resid.p + (n * S + 1) * d).update(from: patchEmbeds.p + n * P * d, count: P * d)
        }
        try fire(VisionHook.embedIndex, resid.p, [N, S, d])
        let pos = Buffer(rows * d)                                     // [N, S, d]
        for n in 0..<N { (pos.p + n * S * d).update(from: vw.positions.basePointer, count: S * d) }
        try fire(VisionHook.posEmbedIndex, pos.p, [N, S, d])
        Kernels.add(resid.p, pos.p, resid.p, count: rows * d)
        let scale = Buffer(rows)
        layerNorm(resid.p, vw.preLNW, vw.preLNB, out: resid.p, rows: rows, scale: scale)

        let selected = Buffer(N * vc.imageTokens * d)                  // [N, imageTokens, d]
        func select() {
            let skip = vc.keepsClassToken ? 0 : 1
            for n in 0..<N {
                (selected.p + n * vc.imageTokens * d).update(from: resid.p + (n * S + skip) * d, count: vc.imageTokens * d)
            }
        }
        if vc.featureBlocks == 0 { select() }
        let lnOut = Buffer(rows * d), q = Buffer(rows * d), k = Buffer(rows * d), v = Buffer(rows * d)
        let scores = Buffer(N * nH * S * S), pattern = Buffer(N * nH * S * S), z = Buffer(rows * d)
        let attnOut = Buffer(rows * d), mlpPre = Buffer(rows * m), mlpPost = Buffer(rows * m), mlpOut = Buffer(rows * d)
        let shapeResid = [N, S, d], shapeHeads = [N, S, nH, dH], shapeScores = [N, nH, S, S], shapeMLP = [N, S, m]
        for l in 0..<vc.nLayers {
            let lw = vw.layers[l]
            try fire(.residPre, l, resid.p, shapeResid)
            layerNorm(resid.p, lw.ln1W, lw.ln1B, out: lnOut.p, rows: rows, scale: scale)
            lw.q.apply(lnOut.p, ldX: d, rows: rows, out: q.p, ldOut: d, bias: lw.qB.basePointer, scratch: scratch)
            lw.k.apply(lnOut.p, ldX: d, rows: rows, out: k.p, ldOut: d, bias: lw.kB.basePointer, scratch: scratch)
            lw.v.apply(lnOut.p, ldX: d, rows: rows, out: v.p, ldOut: d, bias: lw.vB.basePointer, scratch: scratch)
            try fire(.q, l, q.p, shapeHeads)
            try fire(.k, l, k.p, shapeHeads)
            try fire(.v, l, v.p, shapeHeads)
            // Every position attends to every position of its image (no mask).
            let alpha = 1 / Float(dH).squareRoot()
            let pairs = N * nH, threads = min(scratch.threads, pairs)
            let qP = q.p, kP = k.p, vP = v.p, sP = scores.p, pP = pattern.p, zP = z.p
            parallelFor(threads) { t in
                var pi = t
                while pi < pairs {
                    let n = pi / nH, h = pi % nH
                    Kernels.sgemm(transB: true, m: S, n: S, k: dH, alpha: alpha, a: qP + n * S * d + h * dH, lda: d,
                                  b: kP + n * S * d + h * dH, ldb: d, c: sP + pi * S * S, ldc: S)
                    pi += threads
                }
            }
            try fire(.attnScores, l, scores.p, shapeScores)
            Kernels.softmaxRows(scores.p, out: pattern.p, rows: pairs * S, cols: S)
            try fire(.pattern, l, pattern.p, shapeScores)
            parallelFor(threads) { t in
                var pi = t
                while pi < pairs {
                    let n = pi / nH, h = pi % nH
                    Kernels.sgemm(m: S, n: dH, k: S, a: pP + pi * S * S, lda: S, b: vP + n * S * d + h * dH, ldb: d,
                                  c: zP + n * S * d + h * dH, ldc: d)
                    pi += threads
                }
            }
            try fire(.z, l, z.p, shapeHeads)
            lw.o.apply(z.p, ldX: d, rows: rows, out: attnOut.p, ldOut: d, bias: lw.oB.basePointer, scratch: scratch)
            try fire(.attnOut, l, attnOut.p, shapeResid)
            Kernels.add(resid.p, attnOut.p, resid.p, count: rows * d)
            try fire(.residMid, l, resid.p, shapeResid)

            layerNorm(resid.p, lw.ln2W, lw.ln2B, out: lnOut.p, rows: rows, scale: scale)
            lw.fc1.apply(lnOut.p, ldX: d, rows: rows, out: mlpPre.p, ldOut: m, bias: lw.fc1B.basePointer, scratch: scratch)
            try fire(.mlpPre, l, mlpPre.p, shapeMLP)
            if vc.activation == "gelu" {
                Kernels.gelu(mlpPre.p, out: mlpPost.p, count: rows * m)
            } else {
                Kernels.quickGelu(mlpPre.p, out: mlpPost.p, count: rows * m)
            }
            try fire(.mlpPost, l, mlpPost.p, shapeMLP)
            lw.fc2.apply(mlpPost.p, ldX: m, rows: rows, out: mlpOut.p, ldOut: d, bias: lw.fc2B.basePointer, scratch: scratch)
            try fire(.mlpOut, l, mlpOut.p, shapeResid)
            Kernels.add(resid.p, mlpOut.p, resid.p, count: rows * d)
            try fire(.residPost, l, resid.p, shapeResid)
            if l + 1 == vc.featureBlocks { select() }
        }
        return try project(selected)
    }

    /// The projector: linear_2(gelu(linear_1(x))) over the selected hidden states [N·imageTokens, d].
    private func project(_ x: Buffer) throws -> Tensor {
        guard let p1 = vw.projector1, let p2 = vw.projector2 else {
            throw ModelError(.internalError, "the vision tower has no projector weights")
        }
        let rows = N * vc.imageTokens
        let hidden = Buffer(rows * dLM)
        p1.apply(x.p, ldX: vc.dModel, rows: rows, out: hidden.p, ldOut: dLM, bias: vw.projector1B?.basePointer, scratch: scratch)
        Kernels.gelu(hidden.p, out: hidden.p, count: rows * dLM)
        let out = Tensor(zeros: [rows, dLM])
        p2.apply(hidden.p, ldX: dLM, rows: rows, out: out.storage.pointer, ldOut: dLM, bias: vw.projector2B?.basePointer,
                 scratch: scratch)
        try fire(VisionHook.imageFeaturesIndex(vc), out.storage.pointer, [N, vc.imageTokens, dLM])
        return out
    }
}
