import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// llava-1.5-7b-hf's config.json (its text_config lists a few keys; the rest are LlamaConfig's
/// defaults) and tensor names, with a sparse 14 GB checkpoint: loading maps the F16 weights and reads
/// only the small vectors, so resident memory grows by megabytes, not gigabytes.
final class LLaVALoadTests: XCTestCase {
    static let config = """
    {"architectures": ["LlavaForConditionalGeneration"], "ignore_index": -100, "image_token_index": 32000,
     "model_type": "llava", "pad_token_id": 32001, "projector_hidden_act": "gelu",
     "text_config": {"_name_or_path": "lmsys/vicuna-7b-v1.5", "architectures": ["LlamaForCausalLM"],
                     "max_position_embeddings": 4096, "model_type": "llama", "pad_token_id": 0,
                     "rms_norm_eps": 1e-05, "torch_dtype": "float16", "vocab_size": 32064},
     "tie_word_embeddings": false, "torch_dtype": "float16", "vision_config": {"hidden_size": 1024,
       "image_size": 336, "intermediate_size": 4096, "model_type": "clip_vision_model", "num_attention_heads": 16,
       "num_hidden_layers": 24, "patch_size": 14, "projection_dim": 768, "vocab_size": 32000},
     "vision_feature_layer": -2, "vision_feature_select_strategy": "default"}
    """

    /// The checkpoint's tensors (llava-hf's layout) and shapes.
    static var tensors: [(String, [Int])] {
        var t: [(String, [Int])] = []
        let d = 4096, m = 11008, V = 32064, dV = 1024, mV = 4096
        t.append(("language_model.model.embed_tokens.weight", [V, d]))
        t.append(("language_model.model.norm.weight", [d]))
        t.append(("language_model.lm_head.weight", [V, d]))
        for l in 0..<32 {
            let p = "language_model.model.layers.\(l)."
            for n in ["q_proj", "k_proj", "v_proj", "o_proj"] { t.append((p + "self_attn.\(n).weight", [d, d])) }
            t.append((p + "mlp.gate_proj.weight", [m, d]))
            t.append((p + "mlp.up_proj.weight", [m, d]))
            t.append((p + "mlp.down_proj.weight", [d, m]))
            t.append((p + "input_layernorm.weight", [d]))
            t.append((p + "post_attention_layernorm.weight", [d]))
        }
        let v = "vision_tower.vision_model."
        t.append((v + "embeddings.class_embedding", [dV]))
        t.append((v + "embeddings.patch_embedding.weight", [dV, 3, 14, 14]))
        t.append((v + "embeddings.position_embedding.weight", [577, dV]))
        for n in ["pre_layrnorm", "post_layernorm"] { t.append((v + n + ".weight", [dV])); t.append((v + n + ".bias", [dV])) }
        for l in 0..<24 {
            let p = v + "encoder.layers.\(l)."
            for n in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                t.append((p + "self_attn.\(n).weight", [dV, dV]))
                t.append((p + "self_attn.\(n).bias", [dV]))
            }
            t.append((p + "mlp.fc1.weight", [mV, dV])); t.append((p + "mlp.fc1.bias", [mV]))
            t.append((p + "mlp.fc2.weight", [dV, mV])); t.append((p + "mlp.fc2.bias", [dV]))
            for n in ["layer_norm1", "layer_norm2"] { t.append((p + n + ".weight", [dV])); t.append((p + n + ".bias", [dV])) }
        }
        t.append(("multi_modal_projector.linear_1.weight", [d, dV])); t.append(("multi_modal_projector.linear_1.bias", [d]))
        t.append(("multi_modal_projector.linear_2.weight", [d, d])); t.append(("multi_modal_projector.linear_2.bias", [d]))
        return t
    }

    static func residentKB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func testSevenBillionLoadsMapped() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-llava7b-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.config.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        var header: [String: Any] = [:]
        var offset = 0
        for (name, shape) in Self.tensors {
            let bytes = shape.reduce(2, *)
            header[name] = ["dtype": "F16", "shape": shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header)
        while json.count % 8 != 0 { json.append(0x20) }
        let url = dir.appendingPathComponent("model.safetensors")
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        try file.write(to: url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(file.count + offset))    // sparse: the weights read as zeros
        try handle.close()
        XCTAssertGreaterThan(offset, 14_000_000_000)

        let before = Self.residentKB()
        let m = try HookedTransformer(path: dir.path)
        let grown = Self.residentKB() - before
        print("llava-1.5-7b-shaped checkpoint (\(offset / 1_000_000) MB F16): resident memory +\(grown / 1024) MB after load")
        XCTAssertLessThan(grown, 400 * 1024, "load must map the weights, not read them")
        let c = m.config
        XCTAssertEqual([c.nLayers, c.dModel, c.nHeads, c.dMLP, c.dVocab, c.nCtx], [32, 4096, 32, 11008, 32064, 4096])
        XCTAssertEqual(c.vision?.imageTokens, 576)
        XCTAssertEqual(c.vision?.featureBlocks, 23)
        XCTAssertEqual(m.weights.layers[31].down.dtype, .f16)
        XCTAssertEqual(m.hookNames.filter { $0.hasPrefix("vision.") }.count, 2 + 24 * 13)
    }
}
