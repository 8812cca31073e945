import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary

/// attention_token_dataset (kept layer maps, blocked product+argmax over all prompts at once) against
/// attention_tokens head by head (per-head maps, whole products, argmax) on the default model, SmolLM2-135M:
/// every row identical.
final class AttentionTokenDatasetModelTests: XCTestCase {
    func testDatasetEqualsHeadByHeadOnSmolLM2() throws {
        let root = modelFixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf").path
        guard FileManager.default.fileExists(atPath: path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("the default model is missing: run scripts/fetch-model.sh") }
            throw XCTSkip("the default model is not fetched (scripts/fetch-model.sh)")
        }
        let (interp, _) = try runWithFixtures("""
        model = load("\(path)", fold_ln=True, center_writing_weights=True, center_unembed=True)
        prompts = ["The next sentence is false. The previous", "When Mary and John went"]
        layers = [model.n_layers - 1]
        df = attention_token_dataset(model, prompts, max_tokens=7, layers=layers)
        again = attention_token_dataset(model, prompts, max_tokens=7, layers=layers)
        kept = drop_attention_token_maps(model)
        same = df["hp"].tolist() == again["hp"].tolist()
        ref_rows = 0
        for p in range(2):
            logits, c = model.run_with_cache(model.to_tokens(prompts[p])[:, :7])
            for layer in layers:
                for h in range(model.n_heads):
                    mine = df.where("prompt", "==", p).where("layer", "==", layer).where("head", "==", h)
                    ref = attention_tokens(model, c, layer, h).rows(prompt=p)
                    ref_rows += len(ref)
                    for col in ["hp", "q", "k", "v", "attn", "input_token", "key_pos"]:
                        same = same and mine[col].tolist() == ref[col].tolist()
        """)
        XCTAssertEqual(try value(interp, "same"), "True")
        XCTAssertEqual(try value(interp, "len(df) == ref_rows and ref_rows > 0"), "True")
        // One layer's (2·9 + 3) maps of [64, 49152] floats were kept between the calls.
        XCTAssertEqual(try value(interp, "kept"), "\(21 * 64 * 49152 * 4)")
        XCTAssertEqual(try value(interp, "drop_attention_token_maps(model)"), "0")
    }
}
