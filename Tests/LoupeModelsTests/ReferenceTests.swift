import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// Every hook point, logits and processed weights against TransformerLens / Hugging Face references.
final class ReferenceTests: XCTestCase {
    func load(_ name: String, _ processing: ProcessingOptions) throws -> HookedTransformer {
        try HookedTransformer(path: ReferenceFixture.modelDirectory(name), options: LoadOptions(processing: processing))
    }

    /// Compares every cached hook of `run` ("single", "proc", "batch") present in the fixture.
    func compareHooks(_ fx: ReferenceFixture, run: String, cache: ActivationCache, report: inout [String],
                      mask: [[Bool]]? = nil) throws {
        var compared = 0
        for name in cache.keys {
            guard let ref = fx.tensor("\(run)/\(name)") else { continue }
            let mine = try cache.get(name)
            var keep: ((Int) -> Bool)?
            if let mask {
                // Batch: compare real query positions only. Dim 1 is position except for [batch, head, q, k].
                let shape = ref.shape
                let isAttn = name.hasSuffix("attn_scores") || name.hasSuffix("pattern")
                let posDim = isAttn ? 2 : 1
                let strides = Tensor.contiguousStrides(shape)
                keep = { i in
                    let b = i / strides[0], p = (i / strides[posDim]) % shape[posDim]
                    return mask[b][p]
                }
            }
            assertClose(mine, ref, "\(run)/\(name)", report: &report, where: keep)
            compared += 1
        }
        XCTAssertGreaterThan(compared, 10, "few hooks compared for \(run)")
    }

    func checkModel(_ name: String) throws {
        let fx = try ReferenceFixture(name)
        var report: [String] = []
        let tokens = fx.intLists("tokens")

        // Raw weights: equal to Hugging Face and to TransformerLens without processing.
        let raw = try load(name, .none)
        let V = raw.dVocab
        let (logits, cache) = try raw.runWithCache(tokens[0])
        XCTAssertEqual(cache.keys.count, raw.hookNames.count - raw.nLayers)  // hook_result is opt-in
        assertClose(logits, fx.tensor("single/logits")!, "single/logits", report: &report)
        try compareHooks(fx, run: "single", cache: cache, report: &report)
        let (_, resCache) = try raw.runWithCache(tokens[0], namesFilter: .glob("blocks.*.attn.hook_result"))
        for l in 0..<raw.nLayers {
            let n = "blocks.\(l).attn.hook_result"
            assertClose(try resCache.get(n), fx.tensor("single/\(n)")!, "single/\(n)", report: &report)
        }
        assertClose(try raw.run(tokens[1]), fx.tensor("hf/logits1")!, "hf/logits1", report: &report)

        // Batch of two prompts, right-padded.
        let (blogits, bcache) = try raw.runWithCache(batch: tokens)
        XCTAssertEqual(fx.intLists("batch_tokens")[1].prefix(tokens[1].count).map { $0 }, tokens[1])
        let mask = fx.intLists("batch_mask").map { $0.map { $0 == 1 } }
        XCTAssertEqual(bcache.paddingMask, mask)
        assertClose(blogits, fx.tensor("batch/logits")!, "batch/logits", report: &report,
                    where: { i in mask[i / (V * mask[0].count)][(i / V) % mask[0].count] })
        try compareHooks(fx, run: "batch", cache: bcache, report: &report, mask: mask)

        // TransformerLens's default processing.
        let proc = try load(name, .transformerLens)
        let (plogits, pcache) = try proc.runWithCache(tokens[0])
        // Processing changes logits only by their mean over the vocabulary. (TransformerLens 4.3's bridge
        // drops the folded ln_final bias from b_U, so its processed GPT-2 logits are off by b_lnf·W_U;
        // compare against the invariant instead, and TransformerLens directly where no norm bias exists.)
        let rawLogits = fx.tensor("single/logits")!
        let centered = Tensor(shape: rawLogits.shape, data: stride(from: 0, to: rawLogits.count, by: V).flatMap { r -> [Float] in
            let row = Array(rawLogits.toArray()[r..<(r + V)]); let m = row.reduce(0, +) / Float(V); return row.map { $0 - m } })
        assertClose(plogits, centered, "proc/logits (raw − mean)", report: &report)
        if raw.weights.lnFinalB == nil { assertClose(plogits, fx.tensor("proc/logits")!, "proc/logits", report: &report) }
        try compareHooks(fx, run: "proc", cache: pcache, report: &report)
        let weights: [(String, Tensor)] = [
            ("W_Q", try proc.stacked { try proc.W_Q(layer: $0) }), ("W_K", try proc.stacked { try proc.W_K(layer: $0) }),
            ("W_V", try proc.stacked { try proc.W_V(layer: $0) }), ("W_O", try proc.stacked { try proc.W_O(layer: $0) }),
            ("b_Q", try proc.stacked { try proc.b_Q(layer: $0) }), ("b_K", try proc.stacked { try proc.b_K(layer: $0) }),
            ("b_V", try proc.stacked { try proc.b_V(layer: $0) }), ("b_O", try proc.stacked { try proc.b_O(layer: $0) }),
        ] + (raw.weights.lnFinalB == nil ? [("b_U", try proc.b_U)] : [])
        // TransformerLens 4.3's bridge shows Llama's W_O untransposed (z·W_O does not give attn_out there);
        // check ours by the invariant instead: Σ_h z[h]·W_O[h] + b_O == hook_attn_out.
        for l in 0..<proc.nLayers {
            let z = try pcache["z", l], wo = try proc.W_O(layer: l), bo = try proc.b_O(layer: l)
            let T = z.shape[0], d = proc.dModel
            var out = [Float](repeating: 0, count: T * d)
            for p in 0..<T { for h in 0..<proc.nHeads { for e in 0..<proc.dHead { for i in 0..<d {
                out[p * d + i] += z[p, h, e] * wo[h, e, i] } } }; for i in 0..<d { out[p * d + i] += bo[i] } }
            assertClose(Tensor(shape: [T, d], data: out), try pcache["attn_out", l], "z·W_O + b_O (layer \(l))", report: &report)
        }
        for (k, t) in weights where fx.has("proc/\(k)") && !(k == "W_O" && proc.config.usesRotary) {
            assertClose(t, fx.tensor("proc/\(k)")!, "proc/\(k)", report: &report)
        }
        let firstLayer: [(String, Tensor)] = try [("W_in", proc.W_in(layer: 0)), ("W_out", proc.W_out(layer: 0))]
            + (proc.config.isGated ? [("W_gate", try proc.W_gate(layer: 0))] : [("b_in", try proc.b_in(layer: 0)), ("b_out", try proc.b_out(layer: 0))])
        for (k, t) in firstLayer where fx.has("proc/\(k)") {
            let ref = fx.tensor("proc/\(k)")!
            assertClose(try t.reshapedCopy(ref.shape), ref, "proc/\(k)[0]", report: &report)
        }
        let wu = try proc.W_U, we = proc.W_E
        let refU = fx.tensor("proc/W_U")!, refE = fx.tensor("proc/W_E")!
        let d = proc.dModel
        assertClose(Tensor(shape: refU.shape, data: (0..<d).flatMap { i in (0..<16).map { wu[i, $0] } }), refU, "proc/W_U[:, :16]", report: &report)
        assertClose(Tensor(shape: refE.shape, data: Array(we.toArray()[0..<(16 * d)])), refE, "proc/W_E[:16]", report: &report)

        // Logit lens pieces.
        let (stack, labels) = try pcache.accumulatedResid(inclMid: true)
        XCTAssertEqual(labels, fx.meta["accumulated_labels"] as? [String])
        assertClose(stack, fx.tensor("proc/accumulated_resid")!, "proc/accumulated_resid", report: &report)
        assertClose(try pcache.applyLNToStack(stack, recompute: false), fx.tensor("proc/ln_stack_cached")!, "proc/ln_stack_cached", report: &report)
        assertClose(try pcache.applyLNToStack(stack, recompute: true), fx.tensor("proc/ln_stack_recomputed")!, "proc/ln_stack_recomputed", report: &report)
        let (dec, dlabels) = try pcache.decomposeResid()
        XCTAssertEqual(dlabels, fx.meta["decompose_labels"] as? [String])
        assertClose(dec, fx.tensor("proc/decompose_resid")!, "proc/decompose_resid", report: &report)

        print("== \(name): max relative |Δ| per hook/tensor\n" + report.joined(separator: "\n"))
    }

    func testGPT2Tiny() throws { try checkModel("gpt2-tiny") }
    func testLlamaTiny() throws { try checkModel("llama-tiny") }
    func testLlama3Tiny() throws { try checkModel("llama3-tiny") }
}

final class RefactorTests: XCTestCase {
    /// Compares [layer, head, a, dHead]-shaped factors up to the sign of each d_head column.
    func signAligned(_ mine: Tensor, _ ref: Tensor, headDim: Int) -> Tensor {
        let s = mine.shape, a = mine.toArray(), r = ref.toArray()
        let (L, H, N, E) = headDim == 3 ? (s[0], s[1], s[2], s[3]) : (s[0], s[1], s[3], s[2])
        var out = a
        for l in 0..<L { for h in 0..<H { for e in 0..<E {
            func idx(_ i: Int) -> Int { headDim == 3 ? ((l * H + h) * N + i) * E + e : ((l * H + h) * E + e) * N + i }
            var dot: Float = 0
            for i in 0..<N { dot += a[idx(i)] * r[idx(i)] }
            if dot < 0 { for i in 0..<N { out[idx(i)] = -a[idx(i)] } }
        } } }
        return Tensor(shape: s, data: out)
    }

    func testRefactorFactoredAttnMatrices() throws {
        let fx = try ReferenceFixture("gpt2-tiny")
        var report: [String] = []
        var opts = ProcessingOptions.transformerLens
        opts.refactorFactoredAttnMatrices = true
        let m = try HookedTransformer(path: ReferenceFixture.modelDirectory("gpt2-tiny"), options: LoadOptions(processing: opts))
        let tokens = fx.intLists("tokens")[0]
        let logits = try m.run(tokens)
        let raw = fx.tensor("single/logits")!, V = m.dVocab
        let centered = Tensor(shape: raw.shape, data: stride(from: 0, to: raw.count, by: V).flatMap { r -> [Float] in
            let row = Array(raw.toArray()[r..<(r + V)]); let mean = row.reduce(0, +) / Float(V); return row.map { $0 - mean } })
        assertClose(logits, centered, "refactor logits (raw − mean)", report: &report)
        // TransformerLens 4.3's refactored factors do not preserve its own processed QK/OV products
        // (|Δ| 0.3), so they are no reference; check the defining properties instead: same products as
        // the processed model, W_O orthonormal rows, b_V zero.
        let proc = try HookedTransformer(path: ReferenceFixture.modelDirectory("gpt2-tiny"), options: LoadOptions(processing: .transformerLens))
        func products(_ m: HookedTransformer, _ l: Int) throws -> (qk: Tensor, ov: Tensor) {
            let q = try m.W_Q(layer: l), k = try m.W_K(layer: l), v = try m.W_V(layer: l), o = try m.W_O(layer: l)
            let bq = try m.b_Q(layer: l), bk = try m.b_K(layer: l)
            let (H, D, E) = (q.shape[0], q.shape[1], q.shape[2])
            var qk = [Float](repeating: 0, count: H * (D + 1) * (D + 1)), ov = [Float](repeating: 0, count: H * D * D)
            for h in 0..<H {
                for i in 0...D { for j in 0...D {
                    var acc: Float = 0
                    for e in 0..<E { acc += (i < D ? q[h, i, e] : bq[h, e]) * (j < D ? k[h, j, e] : bk[h, e]) }
                    qk[(h * (D + 1) + i) * (D + 1) + j] = acc } }
                for i in 0..<D { for j in 0..<D {
                    var acc: Float = 0
                    for e in 0..<E { acc += v[h, i, e] * o[h, e, j] }
                    ov[(h * D + i) * D + j] = acc } }
            }
            return (Tensor(shape: [H, D + 1, D + 1], data: qk), Tensor(shape: [H, D, D], data: ov))
        }
        for l in 0..<m.nLayers {
            let a = try products(m, l), b = try products(proc, l)
            assertClose(a.qk, b.qk, "refactor W_Q·W_Kᵀ (with biases) layer \(l)", report: &report)
            assertClose(a.ov, b.ov, "refactor W_V·W_O layer \(l)", report: &report)
            let o = try m.W_O(layer: l)
            var worst: Float = 0
            for h in 0..<m.nHeads { for e in 0..<m.dHead { for f in 0..<m.dHead {
                var acc: Float = 0
                for i in 0..<m.dModel { acc += o[h, e, i] * o[h, f, i] }
                worst = max(worst, abs(acc - (e == f ? 1 : 0))) } } }
            XCTAssertLessThan(worst, 1e-4, "W_O rows orthonormal")
            assertClose(try m.b_O(layer: l), try proc.b_O(layer: l), "refactor b_O layer \(l)", report: &report)
        }
        print("== gpt2-tiny refactor\n" + report.joined(separator: "\n"))
    }
}
