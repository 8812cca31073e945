import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// Llama's q|k|v and gate|up as one packed product each (`FusedPacks`): the same hook values and logits
/// as one product per matrix, the fused copies counted in `memory()`, the members left unpacked.
final class FusedProjectionTests: XCTestCase {
    func testFusedMatchesOneProductPerMatrix() throws {
        for name in ["llama-tiny", "llama3-tiny", "meta-tiny"] {
            let m = try HookedTransformer(path: ReferenceFixture.modelDirectory(name),
                                          options: LoadOptions(processing: .none, threads: 2))
            let tokens = try ReferenceFixture(name).intLists("tokens")[0]
            let (fusedLogits, fused) = try m.runWithCache(tokens)
            let w = m.weights
            XCTAssertGreaterThan(w.fusedPacks.bytes, 0, "\(name): the prompt pass fused q|k|v and gate|up")
            XCTAssertGreaterThanOrEqual(m.memory().packed, w.fusedPacks.bytes, "\(name): fused copies counted")
            for l in w.layers {
                for matrix in [l.q, l.k, l.v, l.gate, l.up].compactMap({ $0 }) {
                    guard case .untried = matrix.packState else {
                        return XCTFail("\(name): \(matrix.name) packed on its own besides the fused copy")
                    }
                }
            }
            w.fusedPacks.enabled = false
            let (plainLogits, plain) = try m.runWithCache(tokens)
            var worst: Float = 0
            for l in 0..<w.config.nLayers {
                for hook in ["attn.hook_q", "attn.hook_k", "attn.hook_v", "mlp.hook_pre", "mlp.hook_pre_linear",
                             "hook_resid_post"] {
                    let key = "blocks.\(l).\(hook)"
                    let a = try fused[key].toArray(), b = try plain[key].toArray()
                    XCTAssertEqual(a.count, b.count, key)
                    var d: Float = 0, s: Float = 0
                    for i in a.indices { d = max(d, abs(a[i] - b[i])); s = max(s, abs(b[i])) }
                    worst = max(worst, d / max(1, s))
                }
            }
            let a = fusedLogits.toArray(), b = plainLogits.toArray()
            var d: Float = 0, s: Float = 0
            for i in a.indices { d = max(d, abs(a[i] - b[i])); s = max(s, abs(b[i])) }
            print("\(name): fused vs one product per matrix: hooks max relative |Δ| \(worst), logits max |Δ| \(d)")
            XCTAssertLessThan(worst, 1e-5, name)
            XCTAssertLessThan(d, 1e-4 * max(1, s), name)
        }
    }

    func testRefusedMemberIsNotFused() throws {
        let m = try HookedTransformer(path: ReferenceFixture.modelDirectory("llama-tiny"),
                                      options: LoadOptions(processing: .none, threads: 2))
        m.weights.layers[0].k!.packState = .refused
        _ = try m.run(try ReferenceFixture("llama-tiny").intLists("tokens")[0])
        let fused = m.weights.fusedPacks
        let l0 = m.weights.layers[0]
        XCTAssertNil(fused.packed(slot: 0, [l0.q!, l0.k!, l0.v!], rows: 4), "a refused member keeps its group apart")
        XCTAssertNotNil(fused.packed(slot: 1, [l0.gate!, l0.up], rows: 4))
        XCTAssertNil(fused.packed(slot: 1, [l0.gate!, l0.up], rows: 1), "one row is a matrix-vector product")
    }
}
