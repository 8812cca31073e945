import COpenBLAS
import Foundation

/// t-SNE (van der Maaten & Hinton 2008) with the optimisation schedule scikit-learn uses: perplexity
/// calibration by binary search, early exaggeration 12 for 250 iterations, momentum 0.5 then 0.8,
/// per-parameter gains, learning rate "auto" = max(n / 12 / 4, 50), PCA initialisation scaled to std 1e-4.
/// Exact gradients for n ≤ `exactLimit`; Barnes–Hut (θ) on a sparse nearest-neighbour P above it.
public struct TSNE: Sendable {
    public var perplexity: Double = 30
    public var iterations: Int = 1000
    public var earlyExaggeration: Double = 12
    public var theta: Double = 0.5
    public var seed: UInt64 = 0
    public var exactLimit: Int = 1500

    public init(perplexity: Double = 30, iterations: Int = 1000, seed: UInt64 = 0) {
        self.perplexity = perplexity
        self.iterations = iterations
        self.seed = seed
    }

    /// Embeds `points` ([n, d] row-major) into 2-D; returns [n, 2].
    public func embed(_ points: [Float], n: Int, d: Int) -> [Float] {
        if n <= 1 { return [Float](repeating: 0, count: n * 2) }
        let perp = min(perplexity, Double(n - 1) / 3)
        let sqd = Self.squaredDistances(points, n: n, d: d)
        let exact = n <= exactLimit
        let neighbours = exact ? n - 1 : min(n - 1, Int(3 * perp + 1))
        let p = Self.jointProbabilities(sqd, n: n, perplexity: perp, neighbours: neighbours)
        var y = initialLayout(points, n: n, d: d)
        optimize(&y, p: p, n: n, exact: exact)
        return y.map { Float($0) }
    }

    // MARK: affinities

    /// Pairwise squared Euclidean distances [n, n] via the Gram matrix.
    static func squaredDistances(_ x: [Float], n: Int, d: Int) -> [Float] {
        var g = [Float](repeating: 0, count: n * n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(d),
                    1, x, Int32(d), x, Int32(d), 0, &g, Int32(n))
        var out = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where i != j { out[i * n + j] = max(0, g[i * n + i] + g[j * n + j] - 2 * g[i * n + j]) }
        }
        return out
    }

    /// Sparse symmetric P as (row, col, value) lists summing to 1, each row's conditional distribution
    /// calibrated to the perplexity over its `neighbours` nearest points.
    static func jointProbabilities(_ sqd: [Float], n: Int, perplexity: Double, neighbours k: Int) -> SparseP {
        let target = log(perplexity)
        var cond = [[(Int, Double)]](repeating: [], count: n)
        for i in 0..<n {
            var cand = (0..<n).filter { $0 != i }.map { ($0, Double(sqd[i * n + $0])) }
            if k < n - 1 {
                cand.sort { $0.1 < $1.1 }
                cand = Array(cand.prefix(k))
            }
            var beta = 1.0, lo = -Double.infinity, hi = Double.infinity
            var probs = [Double](repeating: 0, count: cand.count)
            for _ in 0..<100 {
                var sum = 0.0
                for (m, c) in cand.enumerated() { probs[m] = exp(-c.1 * beta); sum += probs[m] }
                if sum == 0 { sum = 1e-12 }
                var entropy = 0.0
                for m in probs.indices {
                    probs[m] /= sum
                    if probs[m] > 1e-12 { entropy -= probs[m] * log(probs[m]) }
                }
                let diff = entropy - target
                if abs(diff) < 1e-5 { break }
                if diff > 0 { lo = beta; beta = hi.isInfinite ? beta * 2 : (beta + hi) / 2 }
                else { hi = beta; beta = lo.isInfinite ? beta / 2 : (beta + lo) / 2 }
            }
            cond[i] = zip(cand, probs).map { ($0.0, $1) }
        }
        // Symmetrise: p_ij = (p_j|i + p_i|j) / 2n
        var sym: [[Int: Double]] = Array(repeating: [:], count: n)
        for i in 0..<n {
            for (j, v) in cond[i] {
                sym[i][j, default: 0] += v
                sym[j][i, default: 0] += v
            }
        }
        var total = 0.0
        for row in sym { for v in row.values { total += v } }
        var out = SparseP(n: n)
        for i in 0..<n {
            for (j, v) in sym[i].sorted(by: { $0.key < $1.key }) {
                out.cols.append(j)
                out.values.append(max(v / total, 1e-12))
            }
            out.rowStart.append(out.cols.count)
        }
        return out
    }

    struct SparseP {
        var n: Int
        var rowStart: [Int] = [0]
        var cols: [Int] = []
        var values: [Double] = []
        init(n: Int) { self.n = n }
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

    func optimize(_ y: inout [Double], p: SparseP, n: Int, exact: Bool) {
        let rate = max(Double(n) / earlyExaggeration / 4, 50)
        var update = [Double](repeating: 0, count: n * 2)
        var gains = [Double](repeating: 1, count: n * 2)
        var grad = [Double](repeating: 0, count: n * 2)
        let exaggerated = min(250, iterations)
        for it in 0..<iterations {
            let exag = it < exaggerated ? earlyExaggeration : 1
            let momentum = it < exaggerated ? 0.5 : 0.8
            if exact { exactGradient(y, p: p, n: n, exaggeration: exag, into: &grad) }
            else { barnesHutGradient(y, p: p, n: n, exaggeration: exag, into: &grad) }
            for m in 0..<(n * 2) {
                let sameSign = (update[m] * grad[m]) < 0
                gains[m] = max(sameSign ? gains[m] + 0.2 : gains[m] * 0.8, 0.01)
                update[m] = momentum * update[m] - rate * gains[m] * grad[m]
                y[m] += update[m]
            }
        }
    }

    func exactGradient(_ y: [Double], p: SparseP, n: Int, exaggeration: Double, into grad: inout [Double]) {
        var num = [Double](repeating: 0, count: n * n)
        var z = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let dx = y[i * 2] - y[j * 2], dy = y[i * 2 + 1] - y[j * 2 + 1]
                let q = 1 / (1 + dx * dx + dy * dy)
                num[i * n + j] = q; num[j * n + i] = q
                z += 2 * q
            }
        }
        var pd = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for e in p.rowStart[i]..<p.rowStart[i + 1] { pd[i * n + p.cols[e]] = p.values[e] * exaggeration } }
        for i in 0..<n {
            var gx = 0.0, gy = 0.0
            for j in 0..<n where j != i {
                let q = num[i * n + j]
                let mult = (pd[i * n + j] - q / z) * q
                gx += mult * (y[i * 2] - y[j * 2])
                gy += mult * (y[i * 2 + 1] - y[j * 2 + 1])
            }
            grad[i * 2] = 4 * gx
            grad[i * 2 + 1] = 4 * gy
        }
    }

    func barnesHutGradient(_ y: [Double], p: SparseP, n: Int, exaggeration: Double, into grad: inout [Double]) {
        let tree = QuadTree(points: y, n: n)
        var repX = [Double](repeating: 0, count: n), repY = [Double](repeating: 0, count: n)
        var z = 0.0
        for i in 0..<n {
            let (fx, fy, zi) = tree.repulsion(x: y[i * 2], y: y[i * 2 + 1], theta: theta)
            repX[i] = fx; repY[i] = fy; z += zi
        }
        for i in 0..<n {
            var ax = 0.0, ay = 0.0
            for e in p.rowStart[i]..<p.rowStart[i + 1] {
                let j = p.cols[e]
                let dx = y[i * 2] - y[j * 2], dy = y[i * 2 + 1] - y[j * 2 + 1]
                let q = 1 / (1 + dx * dx + dy * dy)
                ax += p.values[e] * exaggeration * q * dx
                ay += p.values[e] * exaggeration * q * dy
            }
            grad[i * 2] = 4 * (ax - repX[i] / z)
            grad[i * 2 + 1] = 4 * (ay - repY[i] / z)
        }
    }
}

/// Barnes–Hut quadtree over 2-D points: each node keeps its centre of mass and point count.
struct QuadTree {
    struct Node {
        var cx: Double, cy: Double, half: Double
        var massX = 0.0, massY = 0.0, count = 0
        var children = [Int](repeating: -1, count: 4)
        var point = -1
    }
    var nodes: [Node] = []
    let pts: [Double]

    init(points: [Double], n: Int) {
        pts = points
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for i in 0..<n {
            minX = min(minX, points[i * 2]); maxX = max(maxX, points[i * 2])
            minY = min(minY, points[i * 2 + 1]); maxY = max(maxY, points[i * 2 + 1])
        }
        let half = max(maxX - minX, maxY - minY) / 2 + 1e-5
        nodes.append(Node(cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, half: half))
        for i in 0..<n { insert(i, node: 0, depth: 0) }
    }

    mutating func insert(_ i: Int, node: Int, depth: Int) {
        let x = pts[i * 2], y = pts[i * 2 + 1]
        let c = nodes[node].count
        nodes[node].massX = (nodes[node].massX * Double(c) + x) / Double(c + 1)
        nodes[node].massY = (nodes[node].massY * Double(c) + y) / Double(c + 1)
        nodes[node].count = c + 1
        if c == 0 { nodes[node].point = i; return }
        if depth > 50 { return } // coincident points: keep them lumped in this leaf
        if nodes[node].point >= 0 {
            let old = nodes[node].point
            nodes[node].point = -1
            insertChild(old, node: node, depth: depth)
        }
        insertChild(i, node: node, depth: depth)
    }

    mutating func insertChild(_ i: Int, node: Int, depth: Int) {
        let x = pts[i * 2], y = pts[i * 2 + 1]
        let q = (x >= nodes[node].cx ? 1 : 0) + (y >= nodes[node].cy ? 2 : 0)
        if nodes[node].children[q] < 0 {
            let h = nodes[node].half / 2
            let cx = nodes[node].cx + (q & 1 == 1 ? h : -h)
            let cy = nodes[node].cy + (q & 2 == 2 ? h : -h)
            nodes.append(Node(cx: cx, cy: cy, half: h))
            nodes[node].children[q] = nodes.count - 1
        }
        insert(i, node: nodes[node].children[q], depth: depth + 1)
    }

    /// Σ_j q_ij² Z² (y_i − y_j) approximated, and Σ_j q_ij Z (the normaliser's share of point i).
    func repulsion(x: Double, y: Double, theta: Double) -> (Double, Double, Double) {
        var fx = 0.0, fy = 0.0, z = 0.0
        var stack = [0]
        while let k = stack.popLast() {
            let nd = nodes[k]
            if nd.count == 0 { continue }
            let dx = x - nd.massX, dy = y - nd.massY
            let d2 = dx * dx + dy * dy
            let isLeaf = nd.children.allSatisfy { $0 < 0 }
            if isLeaf || (2 * nd.half) / max(d2.squareRoot(), 1e-12) < theta {
                if isLeaf && d2 < 1e-18 && nd.count == 1 { continue } // the point itself
                let q = 1 / (1 + d2)
                let m = Double(nd.count) - (isLeaf && d2 < 1e-18 ? 1 : 0)
                z += m * q
                fx += m * q * q * dx
                fy += m * q * q * dy
            } else {
                for c in nd.children where c >= 0 { stack.append(c) }
            }
        }
        return (fx, fy, z)
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
