import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

final class HookTests: XCTestCase {
    let tokens = [0, 282, 78, 316, 306, 276, 315]

    func model(_ name: String = "gpt2-tiny") throws -> HookedTransformer {
        try HookedTransformer(path: ReferenceFixture.modelDirectory(name), options: LoadOptions(processing: .none))
    }

    func testNamesFilterAndLookup() throws {
        let m = try model()
        let (_, c1) = try m.runWithCache(tokens, namesFilter: .glob("blocks.*.attn.hook_pattern"))
        XCTAssertEqual(c1.keys, ["blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern"])
        XCTAssertEqual(try c1["pattern", -1].shape, [4, 7, 7])
        XCTAssertEqual(try c1["attn", 1].toArray(), try c1.get("blocks.1.attn.hook_pattern").toArray())
        let (_, c2) = try m.runWithCache(tokens, namesFilter: .names(["hook_embed", "blocks.0.attn.hook_q"]))
        XCTAssertEqual(c2.keys, ["hook_embed", "blocks.0.attn.hook_q"])
        XCTAssertEqual(try c2["q", 0, "attn"].shape, [7, 4, 16])
        let (_, c3) = try m.runWithCache(tokens, namesFilter: .predicate { $0.hasSuffix("resid_post") })
        XCTAssertEqual(c3.count, 2)
        XCTAssertEqual(ActivationCache.actName("scale", nLayers: 2), "ln_final.hook_scale")
        XCTAssertEqual(ActivationCache.actName("scale", layer: 1, layerType: "ln2", nLayers: 2), "blocks.1.ln2.hook_scale")
        XCTAssertEqual(ActivationCache.actName("resid_pre", layer: -2, nLayers: 2), "blocks.0.hook_resid_pre")
        XCTAssertThrowsError(try c1.get("blocks.0.attn.hook_q")) { e in
            XCTAssertTrue("\(e)".contains("not cached"))
        }
    }

    func testUnknownHookSuggestsNearest() throws {
        let m = try model()
        XCTAssertThrowsError(try m.runWithCache(tokens, namesFilter: .name("blocks.0.attn.hook_patern"))) { e in
            XCTAssertTrue("\(e)".contains("did you mean blocks.0.attn.hook_pattern"), "\(e)")
        }
        XCTAssertThrowsError(try m.runWithHooks(tokens, hooks: [Hook("blocks.9.hook_resid_pre") { _, _ in nil }])) { e in
            XCTAssertEqual((e as? ModelError)?.kind, .unknownHook)
        }
        XCTAssertThrowsError(try m.runWithCache(tokens, namesFilter: .name("blocks.0.attn.hook_rot_q"))) { e in
            XCTAssertTrue("\(e)".contains("unknown hook point"), "GPT-2 has no rotary hooks: \(e)")
        }
    }

    func testHookWrongShapeIsAnError() throws {
        let m = try model()
        XCTAssertThrowsError(try m.runWithHooks(tokens, hooks: [Hook("blocks.0.hook_resid_pre") { _, _ in Tensor(zeros: [3]) }])) { e in
            XCTAssertTrue("\(e)".contains("returned shape [3]; expected [7, 64]"), "\(e)")
        }
    }

    /// Zero-ablating a head changes z only for that head and the logits; the next run is clean.
    func testHeadAblationAndNoLeak() throws {
        let m = try model("llama-tiny")
        let clean = try m.run(tokens)
        var seen: [String] = []
        let ablate = Hook("blocks.0.attn.hook_z") { z, point in
            seen.append(point.name)
            let out = z.copy()
            for p in 0..<z.shape[0] { for e in 0..<z.shape[2] { out[p, 1, e] = 0 } }
            return out
        }
        let (ablated, cache) = try m.runWithCache(tokens, hooks: [ablate])
        XCTAssertEqual(seen, ["blocks.0.attn.hook_z"])
        XCTAssertEqual(try cache["z", 0][3, 1, 5], 0)
        XCTAssertGreaterThan(relativeMaxDiff(ablated, clean) ?? 0, 1e-4)
        XCTAssertEqual(try m.run(tokens).toArray(), clean.toArray(), "hooks must not leak into the next run")
    }

    /// Patching the whole residual stream from another run reproduces that run downstream.
    func testActivationPatching() throws {
        let m = try model()
        let other = [0, 262, 319, 292, 270, 307, 78]
        let (otherLogits, otherCache) = try m.runWithCache(other, namesFilter: .name("blocks.1.hook_resid_pre"))
        let patched = try m.runWithHooks(tokens, hooks: [Hook("blocks.1.hook_resid_pre") { _, _ in
            try otherCache.get("blocks.1.hook_resid_pre") }])
        XCTAssertLessThanOrEqual(relativeMaxDiff(patched, otherLogits) ?? 1, 1e-5)
        // Adding a vector and scaling compose in order.
        var order: [Int] = []
        _ = try m.runWithHooks(tokens, hooks: [
            Hook(.glob("blocks.0.hook_resid_mid")) { x, _ in order.append(1); return x },
            Hook(.glob("blocks.0.hook_resid_mid")) { x, _ in order.append(2); return nil },
        ])
        XCTAssertEqual(order, [1, 2])
    }

    func testResultHookSumsToAttnOut() throws {
        let m = try model()
        let (_, c) = try m.runWithCache(tokens, namesFilter: .glob("blocks.0.*"))
        XCTAssertTrue(c.contains("blocks.0.attn.hook_result"))
        let (stack, labels) = try c.stackHeadResults(layer: 1)
        XCTAssertEqual(labels, ["L0H0", "L0H1", "L0H2", "L0H3"])
        XCTAssertEqual(stack.shape, [4, 7, 64])
    }

    func testBadInputs() throws {
        let m = try model()
        func expect(_ body: @autoclosure () throws -> Any, _ text: String) {
            XCTAssertThrowsError(try body()) { e in XCTAssertTrue("\(e)".contains(text), "\(e)") }
        }
        expect(try m.run([]), "empty")
        expect(try m.run([0, 5, 320]), "token id 320 at position 2 is out of range 0..<320")
        expect(try m.run([0, -1]), "out of range")
        expect(try m.run(Array(repeating: 1, count: 65)), "longer than the context length 64")
        expect(try m.run(batch: []), "empty batch")
        expect(try m.generate([1, 2], options: GenerationOptions(maxNewTokens: 63)), "exceeds the context length")
        expect(try HookedTransformer(path: "/nonexistent/model.gguf"), "no model found")
    }

    func testStrictLoading() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-strict-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = URL(fileURLWithPath: ReferenceFixture.modelDirectory("gpt2-tiny"))
        try FileManager.default.copyItem(at: src.appendingPathComponent("model.safetensors"), to: dir.appendingPathComponent("model.safetensors"))
        var config = try String(contentsOf: src.appendingPathComponent("config.json"), encoding: .utf8)
        // A config that does not match the file: fewer positions.
        config = config.replacingOccurrences(of: "\"n_positions\": 64", with: "\"n_positions\": 32")
        try config.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HookedTransformer(path: dir.path)) { e in
            XCTAssertTrue("\(e)".contains("transformer.wpe.weight has shape [64, 64] but the config expects [32, 64]"), "\(e)")
        }
        config = config.replacingOccurrences(of: "\"n_positions\": 32", with: "\"n_positions\": 64")
            .replacingOccurrences(of: "\"n_layer\": 2", with: "\"n_layer\": 1")
        try config.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HookedTransformer(path: dir.path)) { e in
            XCTAssertTrue("\(e)".contains("not explained"), "\(e)")
        }
        let bad = config.replacingOccurrences(of: "GPT2LMHeadModel", with: "FalconForCausalLM")
            .replacingOccurrences(of: "\"model_type\": \"gpt2\"", with: "\"model_type\": \"falcon\"")
        try bad.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HookedTransformer(path: dir.path)) { e in
            XCTAssertTrue("\(e)".contains("FalconForCausalLM is not supported; supported: GPT2LMHeadModel"), "\(e)")
        }
    }
}
