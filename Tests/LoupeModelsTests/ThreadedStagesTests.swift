import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// The pass's threaded stages (norms by row blocks, attention's scores → softmax → z per task, the
/// activation in parts, large cache copies in parts, scores/pattern/z written straight into the cache)
/// give the same hook values as the step-by-step path that a hook function forces (identity hooks on
/// the norms' and attention's hook points), and as one thread. 8 prompts × 64 positions, so every stage
/// is large enough to be split.
final class ThreadedStagesTests: XCTestCase {
    func testThreadedStagesMatchStepByStep() throws {
        for name in ["gpt2-tiny", "llama-tiny"] {
            var state: UInt64 = 41
            let batch = (0..<8).map { _ in
                (0..<64).map { _ in state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) % 320 }
            }
            let two = try HookedTransformer(path: ReferenceFixture.modelDirectory(name),
                                            options: LoadOptions(processing: .none, threads: 2))
            let (logits, fast) = try two.runWithCache(batch: batch)
            // Identity hook functions (returning nil keeps the value) on the points whose stages are fused.
            var fired = 0
            let identity: HookFunction = { _, _ in fired += 1; return nil }
            let names = ["hook_scale", "hook_attn_scores", "hook_pattern", "hook_z"]
            let hooks = names.map { suffix in Hook(.predicate { $0.hasSuffix(suffix) }, identity) }
            let (stepLogits, step) = try two.runWithCache(.batch(batch), hooks: hooks)
            XCTAssertGreaterThan(fired, 0, "\(name): the identity hooks ran")
            let one = try HookedTransformer(path: ReferenceFixture.modelDirectory(name),
                                            options: LoadOptions(processing: .none, threads: 1))
            let (oneLogits, single) = try one.runWithCache(batch: batch)
            var worstStep: Float = 0, worstOne: Float = 0
            for key in fast.keys {
                let a = try fast.get(key).toArray(), b = try step.get(key).toArray(), c = try single.get(key).toArray()
                XCTAssertEqual(a.count, b.count, key)
                XCTAssertEqual(a.count, c.count, key)
                var ds: Float = 0, d1: Float = 0, s: Float = 0
                for i in a.indices {
                    if a[i].isInfinite || b[i].isInfinite || c[i].isInfinite {
                        XCTAssertEqual(a[i], b[i], "\(name) \(key)[\(i)] masked")
                        XCTAssertEqual(a[i], c[i], "\(name) \(key)[\(i)] masked")
                        continue
                    }
                    ds = max(ds, abs(a[i] - b[i]))
                    d1 = max(d1, abs(a[i] - c[i]))
                    s = max(s, abs(b[i]))
                }
                worstStep = max(worstStep, ds / max(1, s))
                worstOne = max(worstOne, d1 / max(1, s))
            }
            let dl = zip(logits.toArray(), stepLogits.toArray()).map { abs($0 - $1) }.max() ?? 0
            let d1 = zip(logits.toArray(), oneLogits.toArray()).map { abs($0 - $1) }.max() ?? 0
            print("\(name): threaded vs step-by-step hooks max relative |Δ| \(worstStep), logits \(dl); vs one thread \(worstOne), logits \(d1)")
            XCTAssertEqual(worstStep, 0, "\(name): the same kernels per row either way")
            XCTAssertEqual(dl, 0, name)
            XCTAssertLessThan(worstOne, 1e-5, name)
            XCTAssertLessThan(d1, 1e-4, name)
        }
    }
}
