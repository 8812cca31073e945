import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// LLaVA-1.5 (CLIP tower + projector + Llama) against transformers' LlavaForConditionalGeneration
/// (tools/gen_llava_fixtures.py): the merged input embeddings, both towers' activations, logits and
/// greedy tokens, for one and for two images.
final class LLaVATests: XCTestCase {
    static let name = "llava-tiny"

    func load(_ dir: String = ReferenceFixture.modelDirectory(LLaVATests.name)) throws -> HookedTransformer {
        try HookedTransformer(path: dir, options: LoadOptions(processing: .none))
    }

    func checkRun(_ run: String, _ m: HookedTransformer, _ fx: ReferenceFixture) throws {
        var report: [String] = []
        let ids = fx.ints("\(run)_input_ids")
        let pixels = fx.tensor("\(run)/pixel_values")!
        let (logits, cache) = try m.runWithCache(.multimodal(ids, pixelValues: pixels, batchAxis: false))
        assertClose(try cache.get("hook_embed"), fx.tensor("\(run)/inputs_embeds")!, "\(run)/inputs_embeds", report: &report)
        var compared = 0
        for name in cache.keys {
            guard let ref = fx.tensor("\(run)/\(name)") else { continue }
            assertClose(try cache.get(name), ref, "\(run)/\(name)", report: &report)
            compared += 1
        }
        XCTAssertEqual(compared, 2 * 5 + 1 + 2 * 2, "vision (5 per block), image features, language (2 per block)")
        assertClose(logits, fx.tensor("\(run)/logits")!, "\(run)/logits", report: &report)
        // input_embeddings: the same merged embeddings without a cache.
        assertClose(try m.inputEmbeddings(ids, pixelValues: pixels), fx.tensor("\(run)/inputs_embeds")!,
                    "\(run)/input_embeddings", report: &report)
        // Greedy generation with the KV cache, the images read by the prompt pass.
        let gen = try m.generate(ids, pixelValues: pixels,
                                 options: GenerationOptions(maxNewTokens: 8, stopAtEOS: false, exact: true))
        XCTAssertEqual(gen.newTokens, fx.ints("\(run)_greedy"), "\(run): greedy tokens")
        print("LLaVA \(run) (max relative |Δ|):\n  " + report.joined(separator: "\n  "))
    }

    func testOneImage() throws {
        let fx = try ReferenceFixture(Self.name)
        try checkRun("one", try load(), fx)
    }

    func testTwoImages() throws {
        let fx = try ReferenceFixture(Self.name)
        try checkRun("two", try load(), fx)
    }

    /// A single [C, H, W] image in a one-sequence run: the vision activations have no image axis.
    func testSingleImageShapes() throws {
        let fx = try ReferenceFixture(Self.name)
        let m = try load()
        let pixels = fx.tensor("one/pixel_values")!
        let single = try pixels.reshapedCopy(Array(pixels.shape.dropFirst()))
        let ids = fx.ints("one_input_ids")
        let (logits, cache) = try m.runWithCache(.multimodal(ids, pixelValues: single, batchAxis: false))
        XCTAssertEqual(try cache.get("vision.blocks.0.hook_resid_pre").shape, [10, 32])
        XCTAssertEqual(try cache.get("vision.blocks.1.attn.hook_pattern").shape, [2, 10, 10])
        XCTAssertEqual(try cache.get("hook_image_features").shape, [9, 64])
        var report: [String] = []
        assertClose(logits, fx.tensor("one/logits")!, "one/logits [3, H, W]", report: &report)
        // With the batch axis (TransformerLens's shapes): logits [1, pos, vocab], vision [images, ...].
        let (bl, bc) = try m.runWithCache(.multimodal(ids, pixelValues: pixels, batchAxis: true))
        XCTAssertEqual(bl.shape, [1, ids.count, m.config.dVocab])
        XCTAssertEqual(try bc.get("vision.blocks.0.attn.hook_q").shape, [1, 10, 2, 16])
        XCTAssertEqual(try bc.get("blocks.0.hook_resid_pre").shape, [1, ids.count, 64])
        // Hooks on the vision tower change the answer; the placeholder expansion matches LlavaProcessor's.
        let zeroed = try m.runWithHooks(ids, hooks: [])
        XCTAssertEqual(zeroed.shape, logits.shape)
        let ablated = try m.forward(.multimodal(ids, pixelValues: single, batchAxis: false),
                                    hooks: [Hook("hook_image_features") { t, _ in Tensor(zeros: t.shape) }]).logits
        XCTAssertGreaterThan(relativeMaxDiff(ablated, logits) ?? 0, 1e-3)
        let image = m.config.vision!.imageTokenID
        let compact = ids.reduce(into: [Int]()) { acc, t in if !(t == image && acc.last == image) { acc.append(t) } }
        XCTAssertEqual(try m.expandingImagePlaceholders(compact), ids)
        XCTAssertTrue(m.hookNames.prefix(2) == ["vision.hook_embed", "vision.hook_pos_embed"])
    }

    /// The in-memory layout of current transformers (model.language_model…, model.vision_tower.vision_model…,
    /// lm_head) loads to the same numbers; the weights stay F16 and mapped.
    func testCurrentCheckpointLayout() throws {
        let fx = try ReferenceFixture(Self.name)
        let dir = try SafetensorsEdit.copyModel(Self.name) { name in
            if name.hasPrefix("language_model.lm_head") { return "lm_head.weight" }
            if name.hasPrefix("language_model.model.") { return "model.language_model." + name.dropFirst("language_model.model.".count) }
            if name.hasPrefix("vision_tower.") { return "model.vision_tower.vision_model." + name.dropFirst("vision_tower.".count) }
            return "model." + name
        }
        // llava-hf's published layout: transformers 4's CLIPVisionModel wrapper (vision_model.).
        let hub = try SafetensorsEdit.copyModel(Self.name) { name in
            name.hasPrefix("vision_tower.") ? "vision_tower.vision_model." + name.dropFirst("vision_tower.".count) : name
        }
        let ids = fx.ints("one_input_ids")
        var report: [String] = []
        for (label, path) in [("current layout", dir), ("llava-hf layout", hub)] {
            let m = try load(path)
            XCTAssertEqual(m.weights.vision?.layers[0].q.dtype, .f16)
            XCTAssertEqual(m.weights.vision?.patch.dtype, .f16)
            XCTAssertEqual(m.weights.layers[0].q?.dtype, .f16)
            assertClose(try m.forward(.multimodal(ids, pixelValues: fx.tensor("one/pixel_values")!, batchAxis: false)).logits,
                        fx.tensor("one/logits")!, "one/logits (\(label))", report: &report)
        }
    }

    func testBadInput() throws {
        let fx = try ReferenceFixture(Self.name)
        let m = try load()
        let ids = fx.ints("one_input_ids"), pixels = fx.tensor("one/pixel_values")!
        func expectError(_ fragment: String, _ body: () throws -> Void) {
            XCTAssertThrowsError(try body()) { e in XCTAssertTrue("\(e)".contains(fragment), "\(e)") }
        }
        expectError("pixel_values of shape [1, 3, 28, 42]") {
            _ = try m.forward(.multimodal(ids, pixelValues: Tensor(zeros: [1, 3, 28, 42]), batchAxis: false))
        }
        expectError("takes [3, 42, 42] or [images, 3, 42, 42]") {
            _ = try m.forward(.multimodal(ids, pixelValues: Tensor(zeros: [42, 42]), batchAxis: false))
        }
        expectError("1 image(s) worth of image tokens but 2 image(s) were given") {
            _ = try m.forward(.multimodal(ids, pixelValues: fx.tensor("two/pixel_values")!, batchAxis: false))
        }
        let two = fx.ints("two_input_ids")
        expectError("2 image(s) worth of image tokens but 1 image(s) were given") {
            _ = try m.forward(.multimodal(two, pixelValues: pixels, batchAxis: false))
        }
        expectError("not a multiple of 9") {
            _ = try m.forward(.multimodal(Array(ids.dropLast(ids.count - 5)) + [320], pixelValues: pixels, batchAxis: false))
        }
        let text = try HookedTransformer(path: ReferenceFixture.modelDirectory("llama-tiny"), options: LoadOptions(processing: .none))
        expectError("has no vision tower") {
            _ = try text.forward(.multimodal([0, 1], pixelValues: pixels, batchAxis: false))
        }
        // A missing projector weight names the tensor; a config without a vision tower says so.
        let noProjector = try SafetensorsEdit.copyModel(Self.name) { $0 == "multi_modal_projector.linear_2.bias" ? nil : $0 }
        expectError("tensor multi_modal_projector.linear_2.bias is missing") { _ = try self.load(noProjector) }
        let noVision = try SafetensorsEdit.copyModel(Self.name, config: { cfg in
            var c = cfg
            c.removeValue(forKey: "vision_config")
            return c
        }) { $0 }
        expectError("needs a vision_config") { _ = try self.load(noVision) }
    }
}

/// Copies a fixture model to a temporary directory with its safetensors header rewritten: each
/// tensor renamed (or dropped: nil) by `rename`, and config.json edited by `config`.
enum SafetensorsEdit {
    static func copyModel(_ name: String, config edit: (([String: Any]) -> [String: Any])? = nil,
                          rename: (String) -> String?) throws -> String {
        let src = URL(fileURLWithPath: ReferenceFixture.modelDirectory(name))
        let dst = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dst, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: src.path) where f != "model.safetensors" {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: dst.appendingPathComponent(f))
        }
        if let edit {
            let url = dst.appendingPathComponent("config.json")
            let cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            try JSONSerialization.data(withJSONObject: edit(cfg)).write(to: url)
        }
        let data = try Data(contentsOf: src.appendingPathComponent("model.safetensors"))
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        var renamed: [String: Any] = [:]
        for (k, v) in header {
            if k == "__metadata__" { renamed[k] = v; continue }
            if let r = rename(k) { renamed[r] = v }
        }
        var json = try JSONSerialization.data(withJSONObject: renamed)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(data.subdata(in: (8 + n)..<data.count))
        try out.write(to: dst.appendingPathComponent("model.safetensors"))
        return dst.path
    }
}
