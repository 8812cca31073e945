import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// The fused stages that write hook points straight into their cache tensors (q/k/v and their rotations
/// after the q|k|v product, the residual snapshots, the norms' outputs, attn_out / mlp_out with the residual
/// add, the MLP activation after its input product) against the step-by-step path that any hook function
/// forces: the same bits, the same cache order, hook functions that see and replace the activation, and
/// a filtered cache holding only what it names.
final class InPlaceHookTests: XCTestCase {
    let models = ["gpt2-tiny", "llama-tiny"]
    let tokens = [0, 282, 78, 316, 306, 276, 315]

    func load(_ name: String, threads: Int = 2) throws -> HookedTransformer {
        try HookedTransformer(path: ReferenceFixture.modelDirectory(name), options: LoadOptions(processing: .none, threads: threads))
    }

    func batch() -> [[Int]] {
        var state: UInt64 = 7
        return (0..<8).map { _ in
            (0..<64).map { _ in state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) % 320 }
        }
    }

    /// Identity hook functions on every point but the opt-in hook_result turn every fused stage off.
    func testEveryStageStepByStepGivesTheSameBits() throws {
        for name in models {
            for threads in [2, 1] {
                let m = try load(name, threads: threads)
                let (logits, fused) = try m.runWithCache(batch: batch())
                var fired = Set<String>()
                let identity = Hook(.predicate { !$0.hasSuffix("hook_result") }) { _, p in fired.insert(p.name); return nil }
                let (stepLogits, step) = try m.runWithCache(.batch(batch()), hooks: [identity])
                XCTAssertEqual(fired.count, fused.keys.count, "\(name): a hook function ran on every cached point")
                XCTAssertEqual(fused.keys, step.keys, "\(name): the same points cached in the same order")
                for key in fused.keys {
                    XCTAssertEqual(try fused.get(key).shape, try step.get(key).shape, "\(name) \(key)")
                    XCTAssertTrue(try fused.get(key).toArray() == step.get(key).toArray(), "\(name) \(key), \(threads) threads")
                }
                XCTAssertTrue(logits.toArray() == stepLogits.toArray(), "\(name) logits, \(threads) threads")
            }
        }
    }

    /// A cache of a few points holds exactly those, with the values of the full cache.
    func testFilteredCacheMatchesTheFullOne() throws {
        for name in models {
            let m = try load(name)
            let rotary = name == "llama-tiny"
            var names = ["blocks.0.hook_resid_pre", "blocks.0.attn.hook_k", "blocks.1.attn.hook_v", "blocks.0.hook_resid_mid",
                         "blocks.1.ln2.hook_normalized", "blocks.0.mlp.hook_post", "blocks.1.hook_mlp_out",
                         "blocks.1.hook_resid_post", "ln_final.hook_scale"]
            names += rotary ? ["blocks.1.attn.hook_rot_q", "blocks.0.attn.hook_rot_k"] : ["blocks.1.attn.hook_q"]
            let (_, full) = try m.runWithCache(batch: batch())
            let (_, some) = try m.runWithCache(batch: batch(), namesFilter: .names(names))
            XCTAssertEqual(Set(some.keys), Set(names), name)
            for key in names { XCTAssertTrue(try some.get(key).toArray() == full.get(key).toArray(), "\(name) \(key)") }
        }
    }

    /// Hook functions in the fused stages see the activation the cache holds and their replacements flow on.
    func testReplacementsInFusedStagesFlowOn() throws {
        for name in models {
            let m = try load(name)
            let rotary = name == "llama-tiny"
            let (_, clean) = try m.runWithCache(tokens)
            func zeros(_ x: Tensor) -> Tensor { Tensor(zeros: x.shape) }
            var seen: [String: [Float]] = [:]
            let hooks = [
                Hook("blocks.0.mlp.hook_pre") { x, p in seen[p.name] = x.toArray(); return zeros(x) },
                Hook("blocks.0.hook_mlp_out") { x, p in seen[p.name] = x.toArray(); return zeros(x) },
                Hook("blocks.1.hook_resid_pre") { x, p in seen[p.name] = x.toArray(); return x.map { $0 + 1 } },
                Hook("blocks.1.attn.hook_q") { x, p in seen[p.name] = x.toArray(); return zeros(x) },
                Hook("blocks.1.attn.hook_v") { x, p in seen[p.name] = x.toArray(); return zeros(x) },
            ]
            let (_, c) = try m.runWithCache(tokens, hooks: hooks)
            func same(_ a: [Float]?, _ key: String, _ cache: ActivationCache) throws -> Bool { a == (try cache.get(key).toArray()) }
            // The first hook saw what a run without hook functions caches; each later one what this run cached
            // before it.
            XCTAssertTrue(try same(seen["blocks.0.mlp.hook_pre"], "blocks.0.mlp.hook_pre", clean), "\(name): mlp pre seen")
            XCTAssertTrue(try same(seen["blocks.1.hook_resid_pre"], "blocks.0.hook_resid_post", c), "\(name): resid_pre seen")
            // Zero MLP input: post = act(0) = 0; zero MLP output: resid_post = resid_mid.
            XCTAssertTrue(try c.get("blocks.0.mlp.hook_post").toArray().allSatisfy { $0 == 0 }, "\(name): post of zeros")
            XCTAssertTrue(try same(try c.get("blocks.0.hook_resid_mid").toArray(), "blocks.0.hook_resid_post", c), name)
            XCTAssertTrue(try c.get("blocks.0.hook_mlp_out").toArray().allSatisfy { $0 == 0 }, "\(name): mlp_out replaced")
            // resid_pre + 1 is cached after the hook, resid_post of block 0 before it.
            XCTAssertTrue(try same(try c.get("blocks.0.hook_resid_post").toArray().map { $0 + 1 }, "blocks.1.hook_resid_pre", c), name)
            // Zero queries: rot_q is 0 (rotary), every score a query sees is 0; zero values: z is 0.
            if rotary { XCTAssertTrue(try c.get("blocks.1.attn.hook_rot_q").toArray().allSatisfy { $0 == 0 }, name) }
            XCTAssertTrue(try c.get("blocks.1.attn.hook_attn_scores").toArray().allSatisfy { $0 == 0 || $0 == -.infinity }, name)
            XCTAssertTrue(try c.get("blocks.1.attn.hook_z").toArray().allSatisfy { $0 == 0 }, "\(name): z of zero values")
        }
    }
}
