import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

final class GenerationTests: XCTestCase {
    func tiny(_ name: String, _ p: ProcessingOptions = .none) throws -> HookedTransformer {
        try HookedTransformer(path: ReferenceFixture.modelDirectory(name), options: LoadOptions(processing: p))
    }

    func testGreedyMatchesTransformers() throws {
        for name in ["gpt2-tiny", "llama-tiny", "llama3-tiny"] {
            let m = try tiny(name)
            let fx = try ReferenceFixture(name)
            for (i, prompt) in fx.intLists("tokens").enumerated() {
                for exact in [true, false] {
                    let r = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 12, stopAtEOS: false, exact: exact))
                    XCTAssertEqual(r.newTokens, fx.ints("greedy\(i)"), "\(name) prompt \(i) exact \(exact)")
                }
            }
        }
    }

    /// Each step's cache rows equal the last row of a full run_with_cache on the grown sequence.
    func testStepCachesEqualFullRuns() throws {
        for name in ["gpt2-tiny", "llama-tiny"] {
            let m = try tiny(name, .transformerLens)
            let prompt = try ReferenceFixture(name).intLists("tokens")[1]
            let r = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 4, stopAtEOS: false, cacheFilter: .all, exact: true))
            XCTAssertEqual(r.steps.count, 4)
            for s in 1..<r.steps.count {
                let seq = Array(r.tokens[0..<(prompt.count + s)])
                let (full, cache) = try m.runWithCache(seq)
                let stepCache = r.steps[s].cache!
                XCTAssertEqual(stepCache.keys, cache.keys)
                for key in cache.keys {
                    let a = try stepCache.get(key), b = try cache.get(key)
                    let lastRow: Tensor
                    if key.hasSuffix("attn_scores") || key.hasSuffix("pattern") {
                        // [head, q, k] -> the last query row, [head, 1, k]
                        let (H, Q, K) = (b.shape[0], b.shape[1], b.shape[2])
                        lastRow = Tensor(shape: [H, 1, K], data: (0..<H).flatMap { h in (0..<K).map { b[h, Q - 1, $0] } })
                    } else {
                        let per = b.count / b.shape[0]
                        lastRow = Tensor(shape: [1] + b.shape.dropFirst(), data: Array(b.toArray()[(b.count - per)...]))
                    }
                    XCTAssertLessThanOrEqual(relativeMaxDiff(a, lastRow) ?? 1, 1e-5, "\(name) step \(s) \(key) \(a.shape) vs \(lastRow.shape)")
                }
                let V = m.dVocab
                let fullLast = Tensor(shape: [V], data: Array(full.toArray()[(full.count - V)...]))
                XCTAssertLessThanOrEqual(relativeMaxDiff(r.steps[s].logits, fullLast) ?? 1, 1e-5)
            }
        }
    }

    /// GPT-2's Conv1D weights kept in bf16 / f16 as stored ([in, out]): one-position steps run on CKernels'
    /// row-streaming matvec (`HalfMatVec`), prompts on widened blocks; each step's logits equal the last row of
    /// a full run on the grown sequence, and the steps are the same with the kernel switched off (the column split).
    func testHalfPrecisionGPT2StepsEqualFullRuns() throws {
        defer { HalfMatVec.isActive = true }
        for dtype in [DType.bf16, .f16] {
            let m = try HookedTransformer(path: ReferenceFixture.modelDirectory("gpt2-tiny"),
                                          options: LoadOptions(processing: .none, dtype: dtype, compute: .f32))
            XCTAssertEqual(m.weights.layers[0].up.dtype, dtype)
            XCTAssertEqual(m.weights.layers[0].up.layout, .inOut)
            let prompt = try ReferenceFixture("gpt2-tiny").intLists("tokens")[1]
            var logits: [[Tensor]] = []
            for on in [true, false] {
                HalfMatVec.isActive = on
                let r = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 4, stopAtEOS: false, exact: true))
                logits.append(r.steps.map(\.logits))
                for s in 1..<r.steps.count {
                    let (full, _) = try m.runWithCache(Array(r.tokens[0..<(prompt.count + s)]))
                    let V = m.dVocab
                    let fullLast = Tensor(shape: [V], data: Array(full.toArray()[(full.count - V)...]))
                    XCTAssertLessThanOrEqual(relativeMaxDiff(r.steps[s].logits, fullLast) ?? 1, 1e-5, "\(dtype) kernel \(on) step \(s)")
                }
            }
            for (a, b) in zip(logits[0], logits[1]) { XCTAssertLessThanOrEqual(relativeMaxDiff(a, b) ?? 1, 1e-5, "\(dtype)") }
        }
    }

    func testSamplingIsSeededAndRespectsTopK() throws {
        let m = try tiny("llama-tiny")
        let prompt = [0, 5, 9]
        let o = GenerationOptions(maxNewTokens: 8, temperature: 1.5, topK: 3, seed: 42, stopAtEOS: false)
        let a = try m.generate(prompt, options: o), b = try m.generate(prompt, options: o)
        XCTAssertEqual(a.newTokens, b.newTokens)
        var o2 = o
        o2.seed = 7
        let c = try m.generate(prompt, options: o2)
        XCTAssertNotEqual(a.newTokens, c.newTokens)
        for s in a.steps {
            let top3 = s.logits.toArray().enumerated().sorted { $0.element > $1.element }.prefix(3).map(\.offset)
            XCTAssertTrue(top3.contains(s.token))
        }
        let p = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 5, temperature: 1, topP: 1e-6, seed: 1, stopAtEOS: false))
        let g = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 5, stopAtEOS: false))
        XCTAssertEqual(p.newTokens, g.newTokens, "top-p near 0 is greedy")
    }

    func testStopsAtEOS() throws {
        let m = try tiny("gpt2-tiny")
        let prompt = try ReferenceFixture("gpt2-tiny").intLists("tokens")[1]
        let greedy = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 12, stopAtEOS: false)).newTokens
        let r = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 12, eosTokenIDs: [greedy[2]]))
        XCTAssertTrue(r.stoppedAtEOS)
        XCTAssertEqual(r.newTokens, Array(greedy.prefix(3)))
    }
}
