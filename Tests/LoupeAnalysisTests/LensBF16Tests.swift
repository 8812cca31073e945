import Foundation
import XCTest
import LoupeAnalysis
import LoupeModels
import LoupeTensor

/// The logit lens through the stored bf16 unembedding (no f32 W_U) against the lens through `W_U`.
final class LensBF16Tests: XCTestCase {
    func modelDirectory(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/models").appendingPathComponent(name).path
    }

    func testLensInPlaceMatchesW_U() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "no AVX512_BF16")
        // llama3-tiny (RMSNorm, BF16 as stored) and gpt2-tiny converted to BF16 (LayerNorm: the fold
        // centres W_U over d_model), both with TransformerLens's processing; llama-tiny quantised on load to
        // Q8_0 and gpt2-tiny as F16 take the unembedding through bf16 panels.
        for (name, dtype) in [("llama3-tiny", nil), ("gpt2-tiny", DType.bf16), ("llama-tiny", DType.q8_0), ("gpt2-tiny", DType.f16)] {
            let m = try HookedTransformer(path: modelDirectory(name), options: LoadOptions(threads: 2, dtype: dtype, compute: .bf16))
            XCTAssertTrue(m.unembedsInPlace, name)
            let d = m.dModel
            var g: UInt64 = 7
            let values = (0..<(3 * 5 * d)).map { _ -> Float in
                g = g &* 6364136223846793005 &+ 1442695040888963407
                return Float(g >> 40) / Float(1 << 24) * 4 - 2
            }
            let stack = Tensor(shape: [3, 5, d], data: values)                     // [component, pos, d_model]
            let fast = try LogitLens.topK(stack: stack, model: m, k: 3)
            let ref = try LogitLens.topK(stack: stack, W_U: try m.W_U, k: 3)
            var worst: Float = 0, agree = 0
            for c in 0..<3 {
                for p in 0..<5 {
                    worst = max(worst, abs(fast.probs[c][p][0] - ref.probs[c][p][0]))
                    if fast.ids[c][p][0] == ref.ids[c][p][0] { agree += 1 }
                }
            }
            print("lens \(name) \(dtype.map { "\($0)" } ?? "as stored"): bf16 unembedding vs W_U: top-1 agrees \(agree)/15, top-1 prob max |Δ| \(String(format: "%.1e", worst))")
            XCTAssertLessThan(worst, 2e-2, name)
            XCTAssertGreaterThanOrEqual(agree, 13, name)
        }
    }
}
