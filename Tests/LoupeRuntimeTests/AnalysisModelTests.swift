import Foundation
import XCTest
import LoupeReport
@testable import LoupeRuntime

/// The model-taking analysis builtins on the tiny GPT-2 fixture, each checked against an independent
/// computation: plain tensor code in Loupe, or Hugging Face's greedy generation (the fixture's greedy0).
final class AnalysisModelTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models")

    func run(_ code: String) throws -> (Interpreter, CollectingSink) {
        let sink = CollectingSink()
        let interp = Interpreter(sink: sink)
        interp.define("FIXTURES", .string(Self.fixtures.path))
        _ = try interp.execute(code, file: "test.loupe")
        return (interp, sink)
    }

    func value(_ interp: Interpreter, _ expr: String) throws -> String {
        guard let v = try interp.execute(expr, file: "expr.loupe") else { return "None" }
        return Repr.str(v)
    }

    func testLogitLensMatchesTensorComputation() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny")
        logits, cache = model.run_with_cache("When Mary and John went to the store,")
        lens = logit_lens(model, cache, k=5, pos=None)
        resid, labels = cache.accumulated_resid(incl_mid=True, return_labels=True)
        direct = cache.apply_ln_to_stack(resid) @ model.W_U
        top = direct.topk(5, dim=-1)
        ref_ids = top[1].tolist()
        ref_probs = direct.softmax(dim=-1).topk(5, dim=-1)[0]
        """)
        XCTAssertEqual(try value(interp, "lens.top_ids == ref_ids"), "True")
        XCTAssertEqual(try value(interp, "lens.labels == labels"), "True")
        XCTAssertEqual(try value(interp, "(lens.top_probs - ref_probs).abs().max().item() < 1e-5"), "True")
        // The final component's top-1 is the model's own prediction.
        XCTAssertEqual(try value(interp, "lens.top_ids[-1][-1][0] == (logits[-1] - model.b_U).argmax().item()"), "True")
        let t = try value(interp, "len(logit_lens(model, cache, k=3).table())")
        XCTAssertEqual(t, String(5 * 3)) // 5 components (0_pre, 0_mid, 1_pre, 1_mid, final_post) × 1 position × 3
        XCTAssertEqual(try value(interp, "type(lens.grid())"), "Figure")
        let legacy = try value(interp, "logit_lens(model, cache, legacy_norm=True).top_ids[-1] == logit_lens(model, cache).top_ids[-1]")
        XCTAssertEqual(legacy, "True") // the final component is normalised by its own scale either way
    }

    func testGenerationTraceMatchesHuggingFaceGreedy() throws {
        let (interp, sink) = try run("""
        model = load(FIXTURES + "/gpt2-tiny", processing=False)
        trace = generation_trace(model, "When Mary and John went to the store,", max_new_tokens=12, top_k=3, pattern_layers=[1], every=2)
        """)
        // An independent greedy loop over full forward passes; its first tokens are Hugging Face's greedy0.
        _ = try interp.execute("""
        ids = model.to_tokens("When Mary and John went to the store,").tolist()
        for _ in range(12):
            ids.append(model(ids)[-1].argmax().item())
        """, file: "greedy.loupe")
        XCTAssertEqual(try value(interp, "trace.tokens.tolist() == ids[-12:]"), "True")
        XCTAssertEqual(try value(interp, "trace.tokens.tolist()[:3]"), "[212, 212, 212]")
        let lines = sink.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "step = 1")
        XCTAssertTrue(lines[1].hasPrefix("token: '") && lines[1].hasSuffix("' (id: 212)"), lines[1])
        XCTAssertTrue(lines.last?.hasPrefix("full text: ") ?? false)
        // The last component's top token is the generated token at every step.
        XCTAssertEqual(try value(interp, "all(trace.top_tokens[s][-1][0] == model.to_string([int(trace.tokens[s].item())]) for s in range(12))"), "True")
        XCTAssertEqual(try value(interp, "type(trace.grid())"), "Figure")
        _ = try interp.execute("trace.views(step=-1)", file: "v.loupe")
        let views = sink.outputs.filter { if case .view = $0 { return true } else { return false } }
        XCTAssertEqual(views.count, 1)
    }
}
