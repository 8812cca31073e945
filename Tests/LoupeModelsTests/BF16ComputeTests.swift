import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// bf16 products (`load(compute="bf16")`, the default on AVX512_BF16) against the exact f32 path on the
/// same bf16 weights, per hook point: max |Δ| and relative (max |Δ| / max(1, max |ref|)), printed.
final class BF16ComputeTests: XCTestCase {
    func load(_ path: String, dtype: DType?, compute: ComputePrecision) throws -> HookedTransformer {
        try HookedTransformer(path: path, options: LoadOptions(processing: .none, threads: 2, dtype: dtype, compute: compute))
    }

    /// Worst max |Δ| and relative Δ per hook-point suffix (over layers), as one printed line; the worst relative.
    func compare(_ label: String, _ a: ActivationCache, _ b: ActivationCache, logits: (Tensor, Tensor),
                 what: String = "compute=bf16 vs f32") throws -> Float {
        var rel: [String: Float] = [:], abs: [String: Float] = [:], order: [String] = []
        for name in b.keys {
            let suffix = name.split(separator: ".").drop { $0 == "blocks" || Int($0) != nil }.joined(separator: ".")
            let (x, y) = (try a.get(name), try b.get(name))
            let r = try XCTUnwrap(relativeMaxDiff(x, y), name)
            let d = zip(x.toArray(), y.toArray()).reduce(Float(0)) { max($0, Swift.abs($1.0 - $1.1)) }
            if rel[suffix] == nil { order.append(suffix) }
            rel[suffix] = max(rel[suffix] ?? 0, r)
            abs[suffix] = max(abs[suffix] ?? 0, d)
        }
        let dl = try XCTUnwrap(relativeMaxDiff(logits.0, logits.1))
        print("\(label) \(what): logits rel \(String(format: "%.1e", dl)); per hook max|Δ|/rel: "
              + order.map { "\($0) \(String(format: "%.1e/%.1e", abs[$0]!, rel[$0]!))" }.joined(separator: ", "))
        return max(rel.values.max() ?? 0, dl)
    }

    func testFixturesPerHook() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "no AVX512_BF16: compute=bf16 is not the default here")
        // llama3-tiny is stored BF16 ([out, in]); gpt2-tiny converts to BF16 ([in, out] Conv1D).
        // Random tiny models: errors larger than a trained model's (bf16 keeps 8 bits of each input).
        for (name, dtype) in [("llama3-tiny", nil), ("llama-tiny", DType.bf16), ("gpt2-tiny", DType.bf16)] {
            let path = ReferenceFixture.modelDirectory(name)
            let tokens = try ReferenceFixture(name).intLists("tokens")[0]
            let exact = try load(path, dtype: dtype, compute: .f32)
            let fast = try load(path, dtype: dtype, compute: .bf16)
            let (l0, c0) = try exact.runWithCache(tokens)
            let (l1, c1) = try fast.runWithCache(tokens)
            let worst = try compare(name, c1, c0, logits: (l1, l0))
            XCTAssertLessThanOrEqual(worst, 3e-2, name)
            XCTAssertGreaterThan(worst, 0, "\(name): the bf16 products were not used")
        }
    }

    /// GPT-2's [in, out] bf16 Conv1D weights, mapped from a checkpoint: prompts above `inOutRowsMax` rows multiply
    /// them packed once (`PackedWeights(bf16:)`, Loupe's pair packer) and the checkpoint's pages are unmapped
    /// from the process; every hook point agrees with the unpacked products, and one-position steps, which read
    /// the stored rows back through the page cache, agree exactly.
    func testPackedInOutWeightsMatchUnpacked() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "no AVX512_BF16")
        let dir = try halfCopy("gpt2-tiny", element: .bfloat16)
        let tokens = (0..<40).map { ($0 * 37) % 300 + 3 }
        defer { WeightMatrix.packsBF16InOut = true }
        WeightMatrix.packsBF16InOut = false
        let plain = try load(dir.path, dtype: nil, compute: .bf16)
        let (l0, c0) = try plain.runWithCache(tokens)
        let step0 = try plain.run([tokens[0]])
        XCTAssertEqual(plain.weights.layers[0].qkv?.packedBytes, 0)
        WeightMatrix.packsBF16InOut = true
        let packed = try load(dir.path, dtype: nil, compute: .bf16)
        let (l1, c1) = try packed.runWithCache(tokens)
        let layer = packed.weights.layers[0]
        for m in [layer.qkv, layer.o, layer.up, layer.down] {
            let m = try XCTUnwrap(m)
            XCTAssertTrue(m.isMapped, "\(m.name) is mapped from the checkpoint")
            XCTAssertGreaterThanOrEqual(m.packedBytes, m.inDim * m.outDim * 2, "\(m.name) was packed")
        }
        let worst = try compare("gpt2-tiny bf16", c1, c0, logits: (l1, l0), what: "packed vs as stored")
        XCTAssertLessThanOrEqual(worst, 1e-4)
        // After the pages were unmapped: a one-position step reads the stored rows again, a second pass the packed copy.
        XCTAssertEqual(try packed.run([tokens[0]]).toArray(), step0.toArray())
        XCTAssertEqual(try packed.runWithCache(tokens).logits.toArray(), l1.toArray())
    }

    func testSmolLM2PerHook() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "no AVX512_BF16")
        let path = SmolLM2Tests.modelPath
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "default model missing: run make setup")
        let tokens = try ReferenceFixture("smollm2").intLists("tokens")[0]
        let exact = try load(path, dtype: .bf16, compute: .f32)
        let fast = try load(path, dtype: .bf16, compute: .bf16)
        let (l0, c0) = try exact.runWithCache(tokens)
        let (l1, c1) = try fast.runWithCache(tokens)
        let worst = try compare("smollm2 dtype=bf16", c1, c0, logits: (l1, l0))
        XCTAssertLessThanOrEqual(worst, 5e-2)
        XCTAssertGreaterThan(worst, 0)
        // The greedy next token agrees.
        let last = l0.shape[0] - 1, v = l0.shape[1]
        let argmax = { (t: Tensor) -> Int in
            let a = t.toArray()[(last * v)..<((last + 1) * v)]
            return a.indices.max { a[$0] < a[$1] }! - last * v
        }
        XCTAssertEqual(argmax(l1), argmax(l0))
    }

    func testExactPathTurnsProductsOff() throws {
        let path = ReferenceFixture.modelDirectory("llama3-tiny")
        let exact = try load(path, dtype: nil, compute: .f32)
        XCTAssertFalse(exact.unembedsInPlace)
        let all = [exact.weights.embed, exact.weights.unembed] + exact.weights.layers.flatMap {
            [$0.q, $0.k, $0.v, $0.o, $0.gate, $0.up, $0.down].compactMap { $0 }
        }
        XCTAssertTrue(all.allSatisfy { !$0.bf16Products })
        XCTAssertEqual(LoadOptions().compute, ComputePrecision.automatic)
        // The default leaves a small model exact and takes bf16 for a model of 500M weights or more (gpt2-large).
        let auto = try load(path, dtype: nil, compute: .automatic)
        XCTAssertFalse(auto.weights.unembed.bf16Products)
        XCTAssertFalse(ComputePrecision.automatic.bf16Products(modelWeights: 405_000_000))
        XCTAssertEqual(ComputePrecision.automatic.bf16Products(modelWeights: 836_000_000), BF16Products.isAvailable)
        XCTAssertEqual(ComputePrecision.automatic.bf16Products(modelWeights: 7_000_000_000), BF16Products.isAvailable)
    }
}
