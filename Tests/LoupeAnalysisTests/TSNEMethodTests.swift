import XCTest
@testable import LoupeAnalysis

/// The fast t-SNE gradients (Barnes–Hut, FFT-accelerated interpolation) against the exact method.
final class TSNEMethodTests: XCTestCase {
    private func clusters(n: Int, d: Int, seed: UInt64) -> [Float] {
        var gen = SplitMix(seed: seed)
        var x = [Float](repeating: 0, count: n * d)
        for i in 0..<n { for c in 0..<d { x[i * d + c] = Float(gen.nextGaussian()) + (c == i % 4 ? 6 : 0) } }
        return x
    }

    /// The interpolated repulsion and normaliser against the exact sums: within openTSNE's accuracy at its
    /// default grid (box width ≤ 1: a few percent on the closest pairs), and converging as the box width cubed.
    func testFFTRepulsionMatchesExactSums() {
        var gen = SplitMix(seed: 5)
        let n = 700
        let y = (0..<(2 * n)).map { _ in gen.nextGaussian() * 8 }
        var zExact = 0.0, exact = [Double](repeating: 0, count: 2 * n), scale = 0.0
        for i in 0..<n {
            for j in 0..<n where j != i {
                let dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1]
                let q = 1 / (1 + dx * dx + dy * dy)
                zExact += q; exact[2 * i] += q * q * dx; exact[2 * i + 1] += q * q * dy
            }
            scale = max(scale, abs(exact[2 * i]), abs(exact[2 * i + 1]))
        }
        var errors: [(z: Double, force: Double)] = []
        for boxes in [50, 200] {
            var rep = [Double](repeating: 0, count: 2 * n)
            let z = y.withUnsafeBufferPointer { yp in rep.withUnsafeMutableBufferPointer {
                FFTRepulsion(minBoxes: boxes).repulsion(yp.baseAddress!, n: n, into: $0.baseAddress!)
            } }
            errors.append((abs(z - zExact) / zExact, zip(rep, exact).map { abs($0 - $1) }.max()! / scale))
        }
        XCTAssertLessThan(errors[0].z, 0.01, "\(errors)")
        XCTAssertLessThan(errors[0].force, 0.06, "\(errors)")
        XCTAssertLessThan(errors[1].z, errors[0].z / 20, "\(errors)")
        XCTAssertLessThan(errors[1].force, errors[0].force / 20, "\(errors)")
    }

    /// Same schedule, same points: the KL divergence (exact P and Q) and the neighbourhoods kept by Barnes–Hut
    /// and by FFT interpolation are those of the exact gradient.
    func testFastMethodsMatchExactQuality() {
        let n = 400, d = 10
        let x = clusters(n: n, d: d, seed: 11)
        var results: [(TSNE.Method, Double, Double)] = []
        for method in [TSNE.Method.exact, .barnesHut, .fft] {
            var t = TSNE(perplexity: 30, iterations: 500, seed: 0)
            t.method = method
            let y = t.embed(x, n: n, d: d)
            XCTAssertFalse(y.contains { !$0.isFinite }, "\(method)")
            results.append((method, TSNE.klDivergence(points: x, n: n, d: d, embedding: y, perplexity: 30),
                            trustworthiness(high: x, d: d, low: y, lowD: 2, n: n, neighbours: 10)))
        }
        let (_, klExact, trustExact) = results[0]
        for (method, kl, trust) in results.dropFirst() {
            XCTAssertLessThan(kl, klExact * 1.05, "\(method): KL \(kl) vs exact \(klExact)")
            XCTAssertGreaterThan(trust, trustExact - 0.01, "\(method): trustworthiness \(trust) vs exact \(trustExact)")
        }
    }
}
