import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// Quantised and F16 weights with compute="bf16" (panels dequantised to bf16, `WeightMatrix.applyPanels`)
/// against compute="f32" on the same stored weights, per hook point: max |Δ| and relative
/// (max |Δ| / max(1, max |ref|)) printed, the worst bounded, and the same greedy next token.
final class QuantBF16HookTests: XCTestCase {
    func load(_ path: String, dtype: DType?, compute: ComputePrecision) throws -> HookedTransformer {
        try HookedTransformer(path: path, options: LoadOptions(processing: .none, threads: 2, dtype: dtype, compute: compute))
    }

    /// Runs `tokens` on both, prints one line per model, checks the bound and the greedy next token, and
    /// returns the worst relative |Δ| over hook points and logits.
    @discardableResult
    func compare(_ label: String, path: String, dtype: DType?, tokens: [Int], bound: Float) throws -> Float {
        let exact = try load(path, dtype: dtype, compute: .f32)
        let fast = try load(path, dtype: dtype, compute: .bf16)
        let panels = fast.weights.layers.flatMap { [$0.qkv, $0.q, $0.up, $0.down].compactMap { $0 } }
        XCTAssertTrue(panels.contains { $0.hasBF16Panels && $0.usesBF16Products(rows: tokens.count) }, "\(label): no panel matrix")
        let (l0, c0) = try exact.runWithCache(tokens)
        let (l1, c1) = try fast.runWithCache(tokens)
        var worst: [String: (abs: Float, rel: Float)] = [:], order: [String] = []
        for name in c0.keys {
            let suffix = name.split(separator: ".").drop { $0 == "blocks" || Int($0) != nil }.joined(separator: ".")
            let (a, b) = (try c1.get(name), try c0.get(name))
            let rel = try XCTUnwrap(relativeMaxDiff(a, b), name)
            let abs = zip(a.toArray(), b.toArray()).reduce(Float(0)) { max($0, Swift.abs($1.0 - $1.1)) }
            if worst[suffix] == nil { order.append(suffix) }
            let w = worst[suffix] ?? (0, 0)
            worst[suffix] = (max(w.abs, abs), max(w.rel, rel))
        }
        let logits = try XCTUnwrap(relativeMaxDiff(l1, l0))
        print("\(label) compute=bf16 vs f32: logits rel \(String(format: "%.1e", logits)); per hook max|Δ|/rel: "
              + order.map { "\($0) \(String(format: "%.1e/%.1e", worst[$0]!.abs, worst[$0]!.rel))" }.joined(separator: ", "))
        let all = max(logits, worst.values.map(\.rel).max() ?? 0)
        XCTAssertLessThanOrEqual(all, bound, label)
        XCTAssertGreaterThan(all, 0, "\(label): the bf16 products were not used")
        let last = l0.shape[0] - 1, v = l0.shape[1]
        let argmax = { (t: Tensor) -> Int in
            let a = t.toArray()[(last * v)..<((last + 1) * v)]
            return a.indices.max { a[$0] < a[$1] }! - last * v
        }
        XCTAssertEqual(argmax(l1), argmax(l0), "\(label): greedy next token")
        return all
    }

    func testFixturesPerHook() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "no AVX512_BF16: compute=bf16 is not used here")
        // Random tiny models (errors larger than a trained model's). llama-tiny is stored F16 ([out, in]);
        // quantised on load to Q8_0; gpt2-tiny converted to F16 ([in, out] Conv1D).
        for (name, dtype) in [("llama-tiny", nil), ("llama-tiny", DType.q8_0), ("gpt2-tiny", DType.f16)] {
            let tokens = try ReferenceFixture(name).intLists("tokens")[0]
            try compare("\(name) dtype=\(dtype?.rawValue ?? "as stored")", path: ReferenceFixture.modelDirectory(name),
                        dtype: dtype, tokens: tokens, bound: 3e-2)
        }
    }

    /// The default model: Q4_1 matrices with GGUF's Q/K row permutation, a Q8_0 embedding and unembedding.
    func testSmolLM2Q4_1PerHook() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "no AVX512_BF16")
        let path = SmolLM2Tests.modelPath
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "default model missing: run make setup")
        let tokens = try ReferenceFixture("smollm2").intLists("tokens")[0]
        let m = try load(path, dtype: nil, compute: .bf16)
        XCTAssertNotNil(m.weights.layers[0].q?.rowMap, "the Q/K permutation is exercised")
        try compare("smollm2 Q4_1", path: path, dtype: nil, tokens: tokens, bound: 3e-2)
    }
}
