import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// TransformerLens's start_at_layer: the input is the residual stream before block k; blocks k… and
/// the unembedding run, and nothing before block k fires. Checked against the reference runs of the
/// text fixtures (their resid_pre at block k in, their later hooks and logits out).
final class StartAtLayerTests: XCTestCase {
    func check(_ name: String) throws {
        let fx = try ReferenceFixture(name)
        let m = try HookedTransformer(path: ReferenceFixture.modelDirectory(name), options: LoadOptions(processing: .none))
        var report: [String] = []
        for k in 0...m.nLayers {
            let resid = k < m.nLayers ? fx.tensor("single/blocks.\(k).hook_resid_pre")!
                                      : try m.runWithCache(fx.intLists("tokens")[0]).cache.get("blocks.\(k - 1).hook_resid_post")
            let (logits, cache) = try m.runWithCache(.residual(resid, startAtLayer: k))
            assertClose(logits, fx.tensor("single/logits")!, "\(name) start_at_layer=\(k) logits", report: &report)
            XCTAssertFalse(cache.keys.contains("hook_embed"))
            XCTAssertFalse(cache.keys.contains { $0.hasPrefix("blocks.") && Int($0.split(separator: ".")[1])! < k })
            for l in k..<m.nLayers {
                for hook in ["hook_resid_pre", "attn.hook_pattern", "hook_resid_post"] {
                    let n = "blocks.\(l).\(hook)"
                    assertClose(try cache.get(n), fx.tensor("single/\(n)")!, "\(name) k=\(k) \(n)", report: &report)
                }
            }
            // With TransformerLens's batch axis: [1, pos, d_model] in, [1, pos, d_vocab] out.
            let batched = try m.forward(.residual(try resid.reshapedCopy([1] + resid.shape), startAtLayer: k)).logits
            XCTAssertEqual(batched.shape, [1] + logits.shape)
        }
        print("start_at_layer \(name) (max relative |Δ|):\n  " + report.joined(separator: "\n  "))
    }

    func testLlamaTiny() throws { try check("llama-tiny") }
    func testGPT2Tiny() throws { try check("gpt2-tiny") }

    func testBadResidual() throws {
        let m = try HookedTransformer(path: ReferenceFixture.modelDirectory("llama-tiny"), options: LoadOptions(processing: .none))
        XCTAssertThrowsError(try m.forward(.residual(Tensor(zeros: [4, 63]), startAtLayer: 0))) { e in
            XCTAssertTrue("\(e)".contains("expected the residual stream [pos, 64]"), "\(e)")
        }
        XCTAssertThrowsError(try m.forward(.residual(Tensor(zeros: [4, 64]), startAtLayer: 3))) { e in
            XCTAssertTrue("\(e)".contains("start_at_layer 3 is out of range 0...2"), "\(e)")
        }
    }
}
