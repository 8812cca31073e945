import COpenBLAS
import Foundation

/// t-SNE (van der Maaten & Hinton 2008) with the optimisation schedule scikit-learn uses: perplexity
/// calibration by binary search, early exaggeration 12 for 250 iterations, momentum 0.5 then 0.8,
/// per-parameter gains, learning rate "auto" = max(n / 12 / 4, 50), PCA initialisation scaled to std 1e-4.
/// Exact gradients for n ≤ `exactLimit`; above it a sparse nearest-neighbour P with the repulsion by
/// Barnes–Hut (θ) up to `fftFrom` points and by FFT-accelerated interpolation (`FFTRepulsion`) from there.
public struct TSNE: Sendable {
    /// How the gradient's repulsive part is computed.
    public enum Method: Sendable { case exact, barnesHut, fft }
    public var perplexity: Double = 30
    public var iterations: Int = 1000
    public var earlyExaggeration: Double = 12
    public var theta: Double = 0.5
    public var seed: UInt64 = 0
    /// Measured in bench/tsne on the attention-token notebook's point sets (CPU seconds, bench/RESULTS.md):
    /// the exact gradient loses to Barnes–Hut already at 487 points; Barnes–Hut beats the FFT interpolation
    /// at 1264 points (2.3 s against 5.2 s: the FFT grid has at least 150 nodes a side whatever n) and loses
    /// to it at 2500 (6.4 s against 4.0 s) and beyond.
    public var exactLimit: Int = 250
    public var fftFrom: Int = 2000
    /// Forces one method (nil: chosen by the number of points).
    public var method: Method?

    public init(perplexity: Double = 30, iterations: Int = 1000, seed: UInt64 = 0) {
        self.perplexity = perplexity
        self.iterations = iterations
        self.seed = seed
    }

    /// Embeds `points` ([n, d] row-major) into 2-D; returns [n, 2].
    public func embed(_ points: [Float], n: Int, d: Int) -> [Float] {
        if n <= 1 { return [Float](repeating: 0, count: n * 2) }
        let perp = min(perplexity, Double(n - 1) / 3)
        let method = self.method ?? (n <= exactLimit ? .exact : n < fftFrom ? .barnesHut : .fft)
        let exact = method == .exact
        // scikit-learn's choice for the sparse methods: the 3·perplexity + 1 nearest neighbours of each point.
        let candidates = exact ? Self.allPairs(points, n: n, d: d)
            : Self.nearestNeighbours(points, n: n, d: d, k: min(n - 1, Int(3 * perp + 1)))
        let p = Self.jointProbabilities(candidates, perplexity: perp)
        var y = initialLayout(points, n: n, d: d)
        optimize(&y, p: p, n: n, method: method)
        return y.map { Float($0) }
    }

    // MARK: optimisation

    func initialLayout(_ x: [Float], n: Int, d: Int) -> [Double] {
        let (coords, _) = PCA.project(x, n: n, d: d, components: min(2, d))
        var y = [Double](repeating: 0, count: n * 2)
        for i in 0..<n { for c in 0..<min(2, d) { y[i * 2 + c] = Double(coords[i * min(2, d) + c]) } }
        var mean = 0.0
        for i in 0..<n { mean += y[i * 2] }
        mean /= Double(n)
        var sd = 0.0
        for i in 0..<n { sd += (y[i * 2] - mean) * (y[i * 2] - mean) }
        sd = (sd / Double(n)).squareRoot()
        let scale = sd > 0 ? 1e-4 / sd : 1
        if sd == 0 {
            var rng = SplitMix(seed: seed)
            return (0..<(n * 2)).map { _ in rng.nextGaussian() * 1e-4 }
        }
        return y.map { $0 * scale }
    }

    func optimize(_ y: inout [Double], p: SparseP, n: Int, method: Method) {
        let exact = method == .exact
        let fft = method == .fft ? FFTRepulsion() : nil
        let rate = max(Double(n) / earlyExaggeration / 4, 50)
        var update = [Double](repeating: 0, count: n * 2)
        var gains = [Double](repeating: 1, count: n * 2)
        var grad = [Double](repeating: 0, count: n * 2)
        let exaggerated = min(250, iterations)
        var dense = [Double]()
        var num = [Double]()
        if exact {
            dense = [Double](repeating: 0, count: n * n)
            num = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for e in p.rowStart[i]..<p.rowStart[i + 1] { dense[i * n + Int(p.cols[e])] = p.values[e] } }
        }
        for it in 0..<iterations {
            let exag = it < exaggerated ? earlyExaggeration : 1
            let momentum = it < exaggerated ? 0.5 : 0.8
            if exact { exactGradient(y, p: dense, n: n, exaggeration: exag, num: &num, into: &grad) }
            else { sparseGradient(y, p: p, n: n, exaggeration: exag, fft: fft, into: &grad) }
            for m in 0..<(n * 2) {
                let sameSign = (update[m] * grad[m]) < 0
                gains[m] = max(sameSign ? gains[m] + 0.2 : gains[m] * 0.8, 0.01)
                update[m] = momentum * update[m] - rate * gains[m] * grad[m]
                y[m] += update[m]
            }
        }
    }

    /// p: the dense joint probabilities [n, n]; num: scratch [n, n] for the Student-t kernel.
    func exactGradient(_ y: [Double], p: [Double], n: Int, exaggeration: Double, num: inout [Double], into grad: inout [Double]) {
        var z = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let dx = y[i * 2] - y[j * 2], dy = y[i * 2 + 1] - y[j * 2 + 1]
                let q = 1 / (1 + dx * dx + dy * dy)
                num[i * n + j] = q; num[j * n + i] = q
                z += 2 * q
            }
        }
        for i in 0..<n {
            var gx = 0.0, gy = 0.0
            for j in 0..<n where j != i {
                let q = num[i * n + j]
                let mult = (p[i * n + j] * exaggeration - q / z) * q
                gx += mult * (y[i * 2] - y[j * 2])
                gy += mult * (y[i * 2 + 1] - y[j * 2 + 1])
            }
            grad[i * 2] = 4 * gx
            grad[i * 2 + 1] = 4 * gy
        }
    }

    /// The gradient with P sparse: attraction over P's entries, repulsion by FFT interpolation (`fft`) or
    /// Barnes–Hut.
    func sparseGradient(_ y: [Double], p: SparseP, n: Int, exaggeration: Double, fft: FFTRepulsion?, into grad: inout [Double]) {
        var rep = [Double](repeating: 0, count: n * 2) // [n, 2]
        let z = fft.map { f in y.withUnsafeBufferPointer { yp in rep.withUnsafeMutableBufferPointer { f.repulsion(yp.baseAddress!, n: n, into: $0.baseAddress!) } } }
            ?? barnesHutRepulsion(y, n: n, into: &rep)
        let parts = n >= 1024 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        y.withUnsafeBufferPointer { yb in rep.withUnsafeBufferPointer { rb in grad.withUnsafeMutableBufferPointer { gb in
            let yp = yb.baseAddress!, rp = rb.baseAddress!, gp = gb.baseAddress!
            p.cols.withUnsafeBufferPointer { cb in p.values.withUnsafeBufferPointer { vb in p.rowStart.withUnsafeBufferPointer { sb in
                let cols = cb.baseAddress!, values = vb.baseAddress!, starts = sb.baseAddress!
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    for i in (n * part / parts)..<(n * (part + 1) / parts) {
                        var ax = 0.0, ay = 0.0
                        for e in starts[i]..<starts[i + 1] {
                            let j = Int(cols[e])
                            let dx = yp[i * 2] - yp[j * 2], dy = yp[i * 2 + 1] - yp[j * 2 + 1]
                            let q = values[e] * exaggeration / (1 + dx * dx + dy * dy)
                            ax += q * dx
                            ay += q * dy
                        }
                        gp[i * 2] = 4 * (ax - rp[i * 2] / z)
                        gp[i * 2 + 1] = 4 * (ay - rp[i * 2 + 1] / z)
                    }
                }
            } } }
        } } }
    }

    /// Barnes–Hut's Σ_j q_ij² Z² (y_i − y_j) into `rep` ([n, 2]); returns Z.
    func barnesHutRepulsion(_ y: [Double], n: Int, into rep: inout [Double]) -> Double {
        let tree = QuadTree(points: y, n: n)
        let parts = n >= 256 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        var zs = [Double](repeating: 0, count: parts)
        rep.withUnsafeMutableBufferPointer { rb in
            zs.withUnsafeMutableBufferPointer { zp in
                let rp = rb.baseAddress!, zpp = zp.baseAddress!
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    var stack = [Int32]()
                    stack.reserveCapacity(256)
                    var z = 0.0
                    for i in stride(from: part, to: n, by: parts) {
                        let (fx, fy, zi) = tree.repulsion(x: y[i * 2], y: y[i * 2 + 1], theta: theta, stack: &stack)
                        rp[i * 2] = fx; rp[i * 2 + 1] = fy; z += zi
                    }
                    zpp[part] = z
                }
            }
        }
        return zs.reduce(0, +)
    }
}

/// How well an embedding keeps each point's nearest neighbours (scikit-learn's `trustworthiness`).
public func trustworthiness(high: [Float], d: Int, low: [Float], lowD: Int, n: Int, neighbours k: Int = 5) -> Double {
    let dh = TSNE.squaredDistances(high, n: n, d: d)
    let dl = TSNE.squaredDistances(low, n: n, d: lowD)
    var penalty = 0.0
    for i in 0..<n {
        let orderHigh = (0..<n).filter { $0 != i }.sorted { (dh[i * n + $0], $0) < (dh[i * n + $1], $1) }
        var rank = [Int](repeating: 0, count: n)
        for (r, j) in orderHigh.enumerated() { rank[j] = r + 1 }
        let nearLow = (0..<n).filter { $0 != i }.sorted { (dl[i * n + $0], $0) < (dl[i * n + $1], $1) }.prefix(k)
        for j in nearLow where rank[j] > k { penalty += Double(rank[j] - k) }
    }
    return 1 - penalty * 2 / (Double(n * k) * (2 * Double(n) - 3 * Double(k) - 1))
}

extension TSNE {
    /// KL(P‖Q) of an embedding with P calibrated over all pairs (the exact method's) and Q exact: O(n²), for
    /// comparing methods on small sets.
    public static func klDivergence(points: [Float], n: Int, d: Int, embedding y: [Float], perplexity: Double) -> Double {
        let p = jointProbabilities(allPairs(points, n: n, d: d), perplexity: min(perplexity, Double(n - 1) / 3))
        func k(_ i: Int, _ j: Int) -> Double {
            let dx = Double(y[2 * i] - y[2 * j]), dy = Double(y[2 * i + 1] - y[2 * j + 1])
            return 1 / (1 + dx * dx + dy * dy)
        }
        var z = 0.0
        for i in 0..<n { for j in 0..<n where j != i { z += k(i, j) } }
        var kl = 0.0
        for i in 0..<n {
            for e in p.rowStart[i]..<p.rowStart[i + 1] {
                let pij = p.values[e]
                kl += pij * log(pij / max(k(i, Int(p.cols[e])) / z, 1e-12))
            }
        }
        return kl
    }
}
