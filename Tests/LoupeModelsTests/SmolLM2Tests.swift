import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// The default model (SmolLM2-135M-Instruct Q4_1 GGUF) against transformers' GGUF loading
/// (dequantised weights) and TransformerLens wrapping it.
final class SmolLM2Tests: XCTestCase {
    static var modelPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf").path
    }

    static let shared: Result<HookedTransformer, Error> = Result {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw ModelError(.badInput, "default model missing at \(modelPath): run `make setup` (scripts/fetch-model.sh)")
        }
        return try HookedTransformer(path: modelPath, options: LoadOptions(processing: .none))
    }

    func model() throws -> HookedTransformer { try SmolLM2Tests.shared.get() }

    func testLogitsMatchTransformers() throws {
        let m = try model()
        let fx = try ReferenceFixture("smollm2")
        var report: [String] = []
        XCTAssertEqual(m.config.nLayers, 30)
        XCTAssertEqual(m.config.nKVHeads, 3)
        for (i, tokens) in fx.intLists("tokens").enumerated() {
            let logits = try m.run(tokens)                   // [pos, vocab]
            let T = tokens.count, V = m.dVocab
            let last = Array(logits.toArray()[((T - 1) * V)...])
            let ids = fx.ints("top20_ids\(i)")
            assertClose(Tensor(shape: [20], data: ids.map { last[$0] }), fx.tensor("hf/top20_logits\(i)")!,
                        "prompt \(i) top-20 logits", tol: 1e-3, report: &report)
            let rows = (0..<T).map { Array(logits.toArray()[($0 * V)..<(($0 + 1) * V)]) }
            let lse = rows.map { r -> Float in let mx = r.max()!; return mx + log(r.reduce(0) { $0 + exp($1 - mx) }) }
            assertClose(Tensor(shape: [T], data: lse), fx.tensor("hf/logsumexp\(i)")!, "prompt \(i) logsumexp", tol: 1e-3, report: &report)
            assertClose(Tensor(shape: [T, 64], data: rows.flatMap { Array($0[0..<64]) }), fx.tensor("hf/logits_first64_\(i)")!,
                        "prompt \(i) logits[:, :64]", tol: 1e-3, report: &report)
            let argmax = rows.map { r in r.indices.max { r[$0] < r[$1] }! }
            XCTAssertEqual(argmax, fx.ints("argmax\(i)"), "top-1 per position, prompt \(i)")
        }
        print("== smollm2 vs transformers\n" + report.joined(separator: "\n"))
    }

    func testHooksMatchTransformerLens() throws {
        let m = try model()
        let fx = try ReferenceFixture("smollm2")
        var report: [String] = []
        let (logits, cache) = try m.runWithCache(fx.intLists("tokens")[0])
        for key in fx.index.keys.sorted() where key.hasPrefix("tl/") && key != "tl/logits_last" {
            let name = String(key.dropFirst(3))
            assertClose(try cache.get(name), fx.tensor(key)!, name, tol: 1e-3, report: &report)
        }
        let T = logits.shape[0]
        assertClose(Tensor(shape: [m.dVocab], data: Array(logits.toArray()[((T - 1) * m.dVocab)...])),
                    fx.tensor("tl/logits_last")!, "logits[-1]", tol: 1e-3, report: &report)
        print("== smollm2 vs TransformerLens\n" + report.joined(separator: "\n"))
    }

    func testTokenizationAndGreedyMatchTransformers() throws {
        let m = try model()
        let fx = try ReferenceFixture("smollm2")
        let prompts = fx.meta["prompts"] as! [String]
        #if DEBUG
        let (generated, newTokens, exact) = (1, 2, true)   // unoptimised builds are ~50x slower; release checks all
        #else
        let (generated, newTokens, exact) = (3, 16, false)
        #endif
        for (i, p) in prompts.enumerated() {
            let ids = try m.toTokens(p, prependBOS: false)
            XCTAssertEqual(ids, fx.intLists("tokens")[i], "tokenization of prompt \(i)")
            if i >= generated { continue }
            let start = Date()
            let r = try m.generate(fx.intLists("tokens")[i], options: GenerationOptions(maxNewTokens: newTokens, stopAtEOS: false, exact: exact))
            let dt = Date().timeIntervalSince(start)
            XCTAssertEqual(r.newTokens, Array(fx.intLists("greedy")[i].prefix(newTokens)), "greedy continuation of prompt \(i)")
            print("smollm2 greedy \(i): \(try m.toString(r.newTokens).debugDescription) (\(String(format: "%.1f", Double(newTokens) / dt)) tok/s)")
        }
    }
}
