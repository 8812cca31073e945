import Foundation
import XCTest
import LoupeFormats
import LoupeTensor
@testable import LoupeModels

/// Meta's original Llama 3.1 layout (params.json + consolidated.NN.pth) against llama-models' own
/// Transformer (tools/gen_meta_fixtures.py): every recorded hook, logits, the logit lens and greedy tokens.
final class MetaCheckpointTests: XCTestCase {
    func load(_ name: String) throws -> HookedTransformer {
        try HookedTransformer(path: ReferenceFixture.modelDirectory(name), options: LoadOptions(processing: .none))
    }

    func testConfigFromParamsJSON() throws {
        let m = try load("meta-tiny")
        let c = m.config
        XCTAssertEqual(c.architecture, .llama)
        XCTAssertEqual([c.nLayers, c.dModel, c.nHeads, c.nKVHeads, c.dHead, c.dVocab], [2, 8, 2, 1, 4, 128_256])
        // FeedForward: int(2·32/3) = 21, int(1.3·21) = 27, rounded up to a multiple of 16.
        XCTAssertEqual(c.dMLP, 32)
        XCTAssertEqual(c.ropeScaling, .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192))
        XCTAssertEqual(c.ropeTheta, 500_000)
        XCTAssertEqual(c.eps, 1e-5)
        XCTAssertEqual(c.nCtx, 131_072)
        XCTAssertEqual(c.bosTokenID, 128_000)
        XCTAssertFalse(c.tiedEmbeddings)
        XCTAssertNil(m.tokenizer)
        // The 8B's params.json gives its published MLP width.
        let dir = try makeModelsTempDir(self)
        let params = dir.appendingPathComponent("params.json")
        try #"{"dim": 4096, "ffn_dim_multiplier": 1.3, "multiple_of": 1024, "n_heads": 32, "n_kv_heads": 8, "n_layers": 32, "norm_eps": 1e-05, "rope_theta": 500000.0, "use_scaled_rope": true, "vocab_size": 128256}"#
            .write(to: params, atomically: true, encoding: .utf8)
        let big = try ModelConfig(metaParams: params)
        XCTAssertEqual([big.dMLP, big.dHead, big.nKVHeads], [14336, 128, 8])
    }

    /// Weights stay bf16 and mapped: the matrices point into the .pth file.
    func testWeightsAreMappedBF16() throws {
        let m = try load("meta-tiny")
        XCTAssertEqual(m.weights.embed.dtype, .bf16)
        XCTAssertEqual(m.weights.layers[0].q?.dtype, .bf16)
        XCTAssertNotNil(m.weights.layers[0].q?.rowMap, "Meta's interleaved rotary rows are permuted on read")
        XCTAssertNotNil(m.weights.sources.first as? PyTorchFile)
    }

    func testEveryHookMatchesLlamaModels() throws {
        let fx = try ReferenceFixture("meta-tiny")
        let m = try load("meta-tiny")
        let tokens = fx.intLists("tokens")
        var report: [String] = []
        let (logits, cache) = try m.runWithCache(tokens[0])
        var compared = 0
        for name in cache.keys {
            guard let ref = fx.tensor("single/\(name)") else { continue }
            assertClose(try cache.get(name), ref, name, tol: 1e-5, report: &report)
            compared += 1
        }
        XCTAssertEqual(compared, 1 + 2 * 16, "hook_embed and 16 hooks per layer")
        let ids = fx.ints("logit_ids")
        func columns(_ t: Tensor, _ ids: [Int]) -> Tensor {
            let rows = t.shape[0], v = t.shape[1], x = t.contiguous().toArray()
            return Tensor(shape: [rows, ids.count], data: (0..<rows).flatMap { r in ids.map { x[r * v + $0] } })
        }
        assertClose(columns(logits, ids), fx.tensor("single/logits_sub")!, "logits (at \(ids.count) ids)", tol: 1e-5, report: &report)
        XCTAssertEqual(argmax(logits), fx.ints("argmax0"))
        let second = try m.run(tokens[1])
        assertClose(columns(second, ids), fx.tensor("second/logits_sub")!, "logits, prompt 2", tol: 1e-5, report: &report)
        XCTAssertEqual(argmax(second), fx.ints("argmax1"))

        // Logit lens: llama-models' norm and output on each layer's residual stream.
        let wu = try m.W_U                                           // [dModel, dVocab]
        let g = m.weights.lnFinalW.toArray(), d = m.dModel, V = m.dVocab, eps = m.config.eps
        let u = wu.contiguous().toArray()
        var lens: [Float] = []
        var lensTop: [[Int]] = []
        for l in 0..<m.nLayers {
            let r = try cache["resid_post", l].contiguous().toArray()  // [pos, dModel]
            let T = r.count / d
            var top: [Int] = []
            for p in 0..<T {
                let x = Array(r[(p * d)..<(p * d + d)])
                let s = 1 / (x.map { $0 * $0 }.reduce(0, +) / Float(d) + eps).squareRoot()
                let n = (0..<d).map { x[$0] * s * g[$0] }
                var row = [Float](repeating: 0, count: V)
                for i in 0..<d { for v in 0..<V { row[v] += n[i] * u[i * V + v] } }
                lens += ids.map { row[$0] }
                top.append(row.indices.max { row[$0] < row[$1] }!)
            }
            lensTop.append(top)
        }
        let refLens = fx.tensor("single/logit_lens_sub")!
        assertClose(Tensor(shape: refLens.shape, data: lens), refLens, "logit lens (at \(ids.count) ids)", tol: 1e-5, report: &report)
        XCTAssertEqual(lensTop, fx.intLists("lens_argmax"))

        for (i, prompt) in tokens.enumerated() {
            let r = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 8, stopAtEOS: false, exact: true))
            XCTAssertEqual(r.newTokens, fx.ints("greedy\(i)"), "greedy tokens, prompt \(i)")
        }
        print("== meta-tiny (Meta .pth, bf16 weights, f32 compute) vs llama-models: max relative |Δ|\n" + report.joined(separator: "\n"))
    }

    /// Two model-parallel shards joined as fairscale split them, against llama-models' own merge.
    func testShardsJoinAsLlamaModels() throws {
        let fx = try ReferenceFixture("meta-tiny-mp2")
        let m = try load("meta-tiny-mp2")
        XCTAssertNotNil(m.weights.sources.first as? JoinedShards)
        var report: [String] = []
        let t = fx.intLists("tokens")[0]
        assertClose(try m.run(t), fx.tensor("single/logits")!, "meta-tiny-mp2 logits", tol: 1e-5, report: &report)
        let r = try m.generate(t, options: GenerationOptions(maxNewTokens: 6, stopAtEOS: false, exact: true))
        XCTAssertEqual(r.newTokens, fx.ints("greedy0"))
        print("== meta-tiny-mp2 (2 shards) vs llama-models: " + report.joined(separator: "; "))
    }

    /// An older Hugging Face checkpoint: pytorch_model.bin beside config.json.
    func testPytorchModelBinMatchesSafetensors() throws {
        let fx = try ReferenceFixture("llama3-tiny")
        let m = try load("llama3-tiny-bin")
        XCTAssertNotNil(m.weights.sources.first as? PyTorchFile)
        var report: [String] = []
        assertClose(try m.run(fx.intLists("tokens")[0]), fx.tensor("single/logits")!, "llama3-tiny-bin logits", report: &report)
        print("== " + report.joined())
    }

    /// The sharded form: pytorch_model-0000N-of-00003.bin listed by pytorch_model.bin.index.json.
    func testShardedPytorchModelBinMatchesSafetensors() throws {
        let fx = try ReferenceFixture("llama3-tiny")
        let m = try load("llama3-tiny-bin-sharded")
        let index = try XCTUnwrap(m.weights.sources.first as? ShardIndex)
        XCTAssertEqual(index.shards.count, 3)
        XCTAssertTrue(index.shards.allSatisfy { $0 is PyTorchFile })
        var report: [String] = []
        assertClose(try m.run(fx.intLists("tokens")[0]), fx.tensor("single/logits")!, "llama3-tiny-bin-sharded logits", report: &report)
        print("== " + report.joined())
    }

    func argmax(_ t: Tensor) -> [Int] {
        let v = t.shape[1], x = t.contiguous().toArray()
        return (0..<t.shape[0]).map { r in (0..<v).max { x[r * v + $0] < x[r * v + $1] }! }
    }
}

func makeModelsTempDir(_ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-models-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}
