import Foundation
import XCTest
@testable import LoupeAnalysis

final class EmbeddingTests: XCTestCase {
    func testPCAMatchesScikitLearn() throws {
        let fx = try fixtureJSON("analysis/pca_tsne.json")
        let x = floats(fx["x"])
        let expected = floats(fx["pca_coords"])
        let (coords, variance) = PCA.project(x, n: 60, d: 10, components: 2)
        // sklearn's sign convention (svd_flip) may differ per component; compare up to sign.
        for c in 0..<2 {
            let sign: Float = coords[c] * expected[c] < 0 ? -1 : 1
            var worst: Float = 0
            for i in 0..<60 { worst = max(worst, abs(sign * coords[i * 2 + c] - expected[i * 2 + c])) }
            XCTAssertLessThan(worst, 1e-3, "component \(c)")
        }
        let ev = floats(fx["pca_variance"])
        XCTAssertEqual(variance[0], ev[0], accuracy: ev[0] * 1e-4)
        XCTAssertEqual(variance[1], ev[1], accuracy: ev[1] * 1e-4)
    }

    func testTrustworthinessMatchesScikitLearn() throws {
        let fx = try fixtureJSON("analysis/pca_tsne.json")
        let t = trustworthiness(high: floats(fx["x"]), d: 10, low: floats(fx["random_embedding"]), lowD: 2, n: 60)
        XCTAssertEqual(t, fx["trust_random_k5"] as? Double ?? -1, accuracy: 1e-9)
    }

    func testExactTSNEKeepsNeighboursLikeScikitLearn() throws {
        let fx = try fixtureJSON("analysis/pca_tsne.json")
        let x = floats(fx["x"])
        let y = TSNE(perplexity: 10, iterations: 500, seed: 0).embed(x, n: 60, d: 10)
        let t = trustworthiness(high: x, d: 10, low: y, lowD: 2, n: 60)
        let reference = fx["sklearn_tsne_trust_k5"] as? Double ?? 1
        XCTAssertGreaterThan(t, reference - 0.03, "ours \(t) vs sklearn \(reference)")
        // The three clusters stay apart: each point's nearest neighbour shares its label.
        let labels = fx["labels"] as? [Int] ?? []
        for i in 0..<60 {
            var best = (Float.infinity, -1)
            for j in 0..<60 where j != i {
                let d = pow(y[i * 2] - y[j * 2], 2) + pow(y[i * 2 + 1] - y[j * 2 + 1], 2)
                if d < best.0 { best = (d, j) }
            }
            XCTAssertEqual(labels[i], labels[best.1])
        }
    }

    func testBarnesHutAgreesWithExactOnClusters() throws {
        let fx = try fixtureJSON("analysis/pca_tsne.json")
        let x = floats(fx["x"])
        var bh = TSNE(perplexity: 10, iterations: 500, seed: 0)
        bh.exactLimit = 10
        let y = bh.embed(x, n: 60, d: 10)
        let t = trustworthiness(high: x, d: 10, low: y, lowD: 2, n: 60)
        XCTAssertGreaterThan(t, 0.9)
        XCTAssertFalse(y.contains { $0.isNaN })
    }
}
