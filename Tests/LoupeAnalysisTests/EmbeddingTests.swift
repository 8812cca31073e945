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

    func testBlockwiseNeighboursMatchBruteForce() {
        var rng = SystemRandomNumberGenerator()
        let n = 1100, d = 7, k = 13 // several row blocks, shared between the cores
        let x = (0..<(n * d)).map { _ in Float.random(in: -1...1, using: &rng) }
        let got = TSNE.nearestNeighbours(x, n: n, d: d, k: k)
        for i in stride(from: 0, to: n, by: 37) {
            var dist: [(Float, Int)] = []
            for j in 0..<n where j != i {
                var s: Float = 0
                for c in 0..<d { s += (x[i * d + c] - x[j * d + c]) * (x[i * d + c] - x[j * d + c]) }
                dist.append((s, j))
            }
            let want = Set(dist.sorted { $0.0 < $1.0 }.prefix(k).map { $0.1 })
            XCTAssertEqual(Set(got.index[(i * k)..<((i + 1) * k)].map { Int($0) }), want, "row \(i)")
        }
    }

    /// Big enough for the sparse neighbours and the two-thread repulsion: three well-separated clusters
    /// must come out as three clusters.
    func testBarnesHutSeparatesClustersAtScale() {
        var gen = SplitMix(seed: 7)
        let n = 3000, d = 8
        var x = [Float](repeating: 0, count: n * d)
        for i in 0..<n { for c in 0..<d { x[i * d + c] = Float(gen.nextGaussian()) + (c == i % 3 ? 10 : 0) } }
        let y = TSNE(perplexity: 30, iterations: 400, seed: 0).embed(x, n: n, d: d)
        XCTAssertFalse(y.contains { !$0.isFinite })
        var agree = 0
        for i in stride(from: 0, to: n, by: 10) {
            var best = (Float.infinity, -1)
            for j in 0..<n where j != i {
                let dd = (y[i * 2] - y[j * 2]) * (y[i * 2] - y[j * 2]) + (y[i * 2 + 1] - y[j * 2 + 1]) * (y[i * 2 + 1] - y[j * 2 + 1])
                if dd < best.0 { best = (dd, j) }
            }
            if best.1 % 3 == i % 3 { agree += 1 }
        }
        XCTAssertGreaterThan(agree, 295, "nearest neighbour in the same cluster for \(agree)/300 points")
    }
}
