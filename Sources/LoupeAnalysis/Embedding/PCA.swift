import COpenBLAS
import Foundation
import LoupeTensor

/// Principal component analysis by subspace iteration on the covariance matrix.
public enum PCA {
    /// Projects `points` ([n, d] row-major) onto their first `components` principal axes.
    /// Returns [n, components] and the explained variance of each component. Signs follow sklearn's
    /// convention (the largest-magnitude loading of each axis is positive).
    public static func project(_ points: [Float], n: Int, d: Int, components k: Int = 2,
                               iterations: Int = 200) -> (coords: [Float], variance: [Float]) {
        precondition(points.count == n * d && k >= 1 && k <= d)
        // Centre.
        var x = points // [n, d]
        for j in 0..<d {
            var mean: Float = 0
            for i in 0..<n { mean += x[i * d + j] }
            mean /= Float(max(n, 1))
            for i in 0..<n { x[i * d + j] -= mean }
        }
        // Covariance C = XᵀX / (n - 1)  [d, d]
        var cov = [Float](repeating: 0, count: d * d)
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n),
                    1 / Float(max(n - 1, 1)), x, Int32(d), 0, &cov, Int32(d))
        for i in 0..<d { for j in 0..<i { cov[i * d + j] = cov[j * d + i] } }
        // Subspace iteration with Gram–Schmidt: V [d, k]
        var rng = SplitMix(seed: 0)
        var v = (0..<(d * k)).map { _ in Float(rng.nextDouble() - 0.5) }
        var w = [Float](repeating: 0, count: d * k)
        for _ in 0..<iterations {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(k), Int32(d),
                        1, cov, Int32(d), v, Int32(k), 0, &w, Int32(k))
            orthonormalizeColumns(&w, rows: d, cols: k)
            swap(&v, &w)
        }
        // Rayleigh quotients as variances; order by them.
        var variance = [Float](repeating: 0, count: k)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(k), Int32(d),
                    1, cov, Int32(d), v, Int32(k), 0, &w, Int32(k))
        for c in 0..<k { for r in 0..<d { variance[c] += v[r * k + c] * w[r * k + c] } }
        let order = (0..<k).sorted { variance[$0] > variance[$1] }
        var axes = [Float](repeating: 0, count: d * k)
        for (newC, oldC) in order.enumerated() {
            var biggest: Float = 0
            for r in 0..<d where abs(v[r * k + oldC]) > abs(biggest) { biggest = v[r * k + oldC] }
            let sign: Float = biggest < 0 ? -1 : 1
            for r in 0..<d { axes[r * k + newC] = sign * v[r * k + oldC] }
        }
        var coords = [Float](repeating: 0, count: n * k)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(k), Int32(d),
                    1, x, Int32(d), axes, Int32(k), 0, &coords, Int32(k))
        return (coords, order.map { variance[$0] })
    }

    static func orthonormalizeColumns(_ m: inout [Float], rows: Int, cols: Int) {
        for c in 0..<cols {
            for p in 0..<c {
                var dot: Float = 0
                for r in 0..<rows { dot += m[r * cols + c] * m[r * cols + p] }
                for r in 0..<rows { m[r * cols + c] -= dot * m[r * cols + p] }
            }
            var norm: Float = 0
            for r in 0..<rows { norm += m[r * cols + c] * m[r * cols + c] }
            norm = norm.squareRoot()
            if norm > 0 { for r in 0..<rows { m[r * cols + c] /= norm } }
        }
    }
}

/// Analyses draw from LoupeTensor's SplitMix64, so they are reproducible from a seed.
public typealias SplitMix = SplitMix64

extension SplitMix64 {
    /// Uniform in [0, 1).
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    /// Standard normal (Box–Muller).
    public mutating func nextGaussian() -> Double {
        let u1 = max(nextDouble(), 1e-300), u2 = nextDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
