import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// Prompt products through packed weights: made on the first prompt pass, counted in `memory()`, and the
/// same logits as the stored matrices' products.
final class PackedProductTests: XCTestCase {
    func testPackedPassMatchesStoredAndIsCounted() throws {
        for name in ["gpt2-tiny", "llama-tiny"] {
            let m = try HookedTransformer(path: ReferenceFixture.modelDirectory(name),
                                          options: LoadOptions(processing: .none, threads: 2))
            let tokens = try ReferenceFixture(name).intLists("tokens")[0]
            XCTAssertEqual(m.memory().packed, 0, "\(name): nothing packed before a prompt")
            let packed = try m.run(tokens).toArray()
            let mem = m.memory()
            XCTAssertGreaterThan(mem.packed, 0, "\(name): the first prompt packs")
            XCTAssertEqual(mem.ownedBytes, mem.owned.values.reduce(0, +) + mem.scratch + mem.packed)
            // The same product on the stored matrices (packing refused), one matrix at a time.
            let w = m.weights
            var stored = [Float]()
            for l in w.layers {
                for matrix in [l.qkv, l.q, l.k, l.v, l.o, l.gate, l.up, l.down].compactMap({ $0 }) { matrix.packState = .refused }
            }
            w.unembed.packState = .refused
            stored = try m.run(tokens).toArray()
            var worst: Float = 0, scale: Float = 0
            for i in stored.indices { worst = max(worst, abs(stored[i] - packed[i])); scale = max(scale, abs(stored[i])) }
            print("\(name): packed vs stored logits max |Δ| \(worst) (max |logit| \(scale)), packed \(mem.packed) bytes")
            XCTAssertLessThan(worst, 1e-4 * max(1, scale), name)
        }
    }
}
