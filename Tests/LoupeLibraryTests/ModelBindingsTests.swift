import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook
import LoupeTensor

/// The model, cache and hook bindings, driven through Loupe code on the tiny GPT-2 fixture and checked
/// against its TransformerLens references (Tests/Fixtures/models, made by tools/gen_model_fixtures.py).
final class ModelBindingsTests: XCTestCase {
    static let fixtures = modelFixtures

    struct Reference {
        let meta: [String: Any]
        let tensors: [String: (offset: Int, shape: [Int])]
        let data: Data
        func tensor(_ key: String) -> [Float]? {
            guard let t = tensors[key] else { return nil }
            let n = t.shape.reduce(1, *)
            return data.withUnsafeBytes { raw in
                (0..<n).map { raw.loadUnaligned(fromByteOffset: (t.offset + $0) * 4, as: Float.self) }
            }
        }
    }

    static func reference(_ name: String) throws -> Reference {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("\(name).json"))) as? [String: Any] ?? [:]
        var tensors: [String: (Int, [Int])] = [:]
        for (k, v) in json["tensors"] as? [String: [String: Any]] ?? [:] {
            tensors[k] = (v["offset"] as? Int ?? 0, v["shape"] as? [Int] ?? [])
        }
        return Reference(meta: json["meta"] as? [String: Any] ?? [:], tensors: tensors,
                         data: try Data(contentsOf: fixtures.appendingPathComponent("\(name).bin")))
    }

    func run(_ code: String) throws -> (Interpreter, CollectingSink) { try runWithFixtures(code) }

    func floats(_ interp: Interpreter, _ expr: String) throws -> (shape: [Int], values: [Float]) {
        guard case .tensor(let t)? = try interp.execute(expr, file: "expr.loupe") else {
            XCTFail("\(expr) is not a tensor"); return ([], [])
        }
        return (t.tensor.shape, t.tensor.toArray())
    }

    func testEveryCachedHookMatchesTransformerLens() throws {
        let ref = try Self.reference("gpt2-tiny")
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny", processing=False)
        prompt = "When Mary and John went to the store,"
        logits, cache = model.run_with_cache(prompt)
        """)
        let expectedTokens = (ref.meta["tokens"] as? [[Int]])?.first ?? []
        let toks = try floats(interp, "model.to_tokens(prompt)[0]").values.map { Int($0) }
        XCTAssertEqual(toks, expectedTokens, "tokenizer + BOS convention")
        var checked = 0
        var report: [String] = []
        for key in ref.tensors.keys.sorted() where key.hasPrefix("single/") {
            let name = String(key.dropFirst("single/".count))
            var expr = name == "logits" ? "logits" : "cache[\"\(name)\"]"
            if name.hasSuffix("hook_result") {  // opt-in, as TransformerLens's use_attn_result
                expr = "model.run_with_cache(prompt, names_filter=\"\(name)\")[1][\"\(name)\"]"
            }
            let got = try floats(interp, expr)
            let want = ref.tensor(key) ?? []
            // The references dropped TransformerLens's batch axis of one prompt; Loupe keeps it, as TransformerLens.
            XCTAssertEqual(got.shape, [1] + (ref.tensors[key]?.shape ?? []), name)
            let scale = max(want.map { abs($0) }.max() ?? 1, 1)
            let diff = zip(got.values, want).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(diff / scale, 1e-4, name)
            report.append(String(format: "%@ %.2e", name, diff))
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
        print("binding max |Δ| per hook (gpt2-tiny):", report.joined(separator: ", "))
    }

    func testShortCacheNamesAndFilters() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny", processing=False)
        logits, cache = model.run_with_cache("The quick brown fox", names_filter="blocks.*.attn.hook_pattern")
        keys = cache.keys()
        a = cache["pattern", 1]
        b = cache["blocks.1.attn.hook_pattern"]
        c = cache["pattern", -1, "attn"]
        """)
        guard case .list(let keys)? = try interp.execute("keys", file: "x") else { return XCTFail() }
        XCTAssertEqual(keys.items.count, 2)
        XCTAssertEqual(try floats(interp, "a").values, try floats(interp, "b").values)
        XCTAssertEqual(try floats(interp, "c").values, try floats(interp, "b").values)
        XCTAssertThrowsError(try interp.execute("cache[\"blocks.0.attn.hook_patern\"]", file: "x")) { e in
            XCTAssertTrue("\(e)".contains("hook_pattern"), "\(e)")
        }
        XCTAssertThrowsError(try interp.execute("cache[\"blocks.0.hook_resid_pre\"]", file: "x")) { e in
            XCTAssertTrue("\(e)".contains("not cached"), "\(e)")
        }
    }

    func testHooksAblateAndPatch() throws {
        let (interp, _) = try run("""
        model = load(FIXTURES + "/gpt2-tiny", processing=False)
        a = "When Mary and John went"
        b = "When John and Mary went"
        clean = model(a)
        def zero_head(z, hook):
            z[0, -2, 1, :] = 0
        by_hand = model.run_with_hooks(a, fwd_hooks=[("blocks.0.attn.hook_z", zero_head)])
        prebuilt = model.run_with_hooks(a, fwd_hooks=[ablate_heads(0, [1], positions=[-2])])
        after = model(a)
        _, cache_b = model.run_with_cache(b)
        patched = model.run_with_hooks(a, fwd_hooks=[patch_hook("blocks.0.hook_resid_pre", cache_b)])
        other = model(b)
        """)
        let clean = try floats(interp, "clean").values
        let byHand = try floats(interp, "by_hand").values
        XCTAssertEqual(byHand, try floats(interp, "prebuilt").values)
        XCTAssertGreaterThan(zip(clean, byHand).map { abs($0 - $1) }.max() ?? 0, 1e-4, "ablation changed nothing")
        XCTAssertEqual(clean, try floats(interp, "after").values, "hooks leaked into the next run")
        // Position -2's ablation cannot change the logits at earlier positions (causal attention).
        let vocab = try floats(interp, "clean").shape[2]
        let n = clean.count / vocab
        XCTAssertEqual(Array(clean[0..<((n - 2) * vocab)]), Array(byHand[0..<((n - 2) * vocab)]))
        let patched = try floats(interp, "patched").values, other = try floats(interp, "other").values
        XCTAssertLessThan(zip(patched, other).map { abs($0 - $1) }.max() ?? 1, 1e-4)
    }

    func testBadInputIsAClearError() throws {
        let (interp, _) = try run("model = load(FIXTURES + \"/gpt2-tiny\")")
        XCTAssertThrowsError(try interp.execute("model([1, 2, 99999])", file: "x")) { e in
            XCTAssertTrue("\(e)".contains("99999"), "\(e)")
        }
        XCTAssertThrowsError(try interp.execute("model.run_with_hooks(\"hi\", fwd_hooks=[(\"blocks.0.attn.hook_z\", lambda z, h: z[0])])", file: "x")) { e in
            XCTAssertTrue("\(e)".contains("shape"), "\(e)")
        }
        XCTAssertThrowsError(try interp.execute("load(\"no-such-model-anywhere\")", file: "x")) { e in
            XCTAssertTrue("\(e)".contains("no-such-model-anywhere"), "\(e)")
        }
        XCTAssertThrowsError(try interp.execute("ablate_heads(0, [7])", file: "x").map { _ in
            try interp.execute("model.run_with_hooks(\"hi\", fwd_hooks=[ablate_heads(0, [7])])", file: "x")
        }) { e in XCTAssertTrue("\(e)".contains("head 7"), "\(e)") }
    }

    func testWeightsAndConfig() throws {
        let (interp, _) = try run("model = load(FIXTURES + \"/gpt2-tiny\", processing=False)")
        let wq = try floats(interp, "model.W_Q")
        XCTAssertEqual(wq.shape, [2, 4, 64, 16])
        XCTAssertEqual(try floats(interp, "model.weight(\"W_Q\", 1)").values, Array(wq.values[(4 * 64 * 16)...]))
        guard case .int(let n)? = try interp.execute("model.cfg[\"n_layers\"]", file: "x") else { return XCTFail() }
        XCTAssertEqual(n, 2)
        XCTAssertEqual(interp.modelsUsed.count, 1)
    }
}
