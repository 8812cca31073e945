import COpenBLAS
import Foundation
import LoupeTensor

/// Each point's candidate neighbours for P: `k` per row, their indices and squared distances ([n, k] each).
struct TSNECandidates {
    let n: Int, k: Int
    var index: [Int32]
    var distance: [Double]
}

/// P as a symmetric sparse matrix in compressed rows, entries summing to 1.
struct SparseP {
    var n: Int
    var rowStart: [Int] = [0]
    var cols: [Int32] = []
    var values: [Double] = []
    init(n: Int) { self.n = n }
}

extension TSNE {
    /// The number of parts the parallel loops split `n` items into: one per core once the work pays for it.
    static func parts(_ n: Int, from threshold: Int) -> Int {
        n >= threshold ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
    }

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

    /// Every other point as a candidate (the exact method's P).
    static func allPairs(_ x: [Float], n: Int, d: Int) -> TSNECandidates {
        let sqd = squaredDistances(x, n: n, d: d)
        var c = TSNECandidates(n: n, k: n - 1, index: [], distance: [])
        c.index.reserveCapacity(n * (n - 1)); c.distance.reserveCapacity(n * (n - 1))
        for i in 0..<n {
            for j in 0..<n where j != i { c.index.append(Int32(j)); c.distance.append(Double(sqd[i * n + j])) }
        }
        return c
    }

    /// The k nearest neighbours (squared Euclidean distance) of every point, exactly: blocks of 256 rows
    /// against all points through sgemm (memory O(256·n) per core), the blocks shared between the cores.
    static func nearestNeighbours(_ x: [Float], n: Int, d: Int, k: Int) -> TSNECandidates {
        var norms = [Float](repeating: 0, count: n)
        for i in 0..<n { var s: Float = 0; for c in 0..<d { s += x[i * d + c] * x[i * d + c] }; norms[i] = s }
        let block = 256, blocks = (n + block - 1) / block
        let parts = min(blocks, Self.parts(n, from: 1024))
        var index = [Int32](repeating: 0, count: n * k)
        var distance = [Double](repeating: 0, count: n * k)
        let savedThreads = Blas.threads
        if parts > 1 { Blas.setThreads(1) }
        defer { Blas.setThreads(savedThreads) }
        x.withUnsafeBufferPointer { xb in norms.withUnsafeBufferPointer { nb in
            index.withUnsafeMutableBufferPointer { ib in distance.withUnsafeMutableBufferPointer { db in
                let xp = xb.baseAddress!, np = nb.baseAddress!, ip = ib.baseAddress!, dp = db.baseAddress!
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    var gram = [Float](repeating: 0, count: block * n) // [rows, n]
                    var heap = BoundedMaxHeap(capacity: k)
                    for b in stride(from: part, to: blocks, by: parts) {
                        let start = b * block, rows = min(block, n - start)
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(d),
                                    1, xp + start * d, Int32(d), xp, Int32(d), 0, &gram, Int32(n))
                        for r in 0..<rows {
                            let i = start + r
                            heap.removeAll()
                            gram.withUnsafeBufferPointer { g in
                                let row = g.baseAddress! + r * n
                                for j in 0..<n where j != i { heap.offer(max(0, np[i] + np[j] - 2 * row[j]), j) }
                            }
                            for (m, item) in heap.items.enumerated() {
                                ip[i * k + m] = Int32(item.index); dp[i * k + m] = Double(item.key)
                            }
                        }
                    }
                }
            } }
        } }
        return TSNECandidates(n: n, k: k, index: index, distance: distance)
    }

    /// Sparse symmetric P, each row's conditional distribution calibrated to the perplexity over its
    /// candidates by binary search on the precision (rows shared between the cores), then
    /// p_ij = (p_j|i + p_i|j) / 2n.
    static func jointProbabilities(_ c: TSNECandidates, perplexity: Double) -> SparseP {
        let n = c.n, k = c.k, target = log(perplexity)
        var cond = [Double](repeating: 0, count: n * k) // [n, k] p_j|i
        let parts = Self.parts(n, from: 512)
        c.distance.withUnsafeBufferPointer { db in cond.withUnsafeMutableBufferPointer { cb in
            let dist = db.baseAddress!, probs = cb.baseAddress!
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for i in (n * part / parts)..<(n * (part + 1) / parts) {
                    calibrate(dist + i * k, k: k, target: target, into: probs + i * k)
                }
            }
        } }
        // Transpose by counting: row i receives its own k entries and those naming it.
        var count = [Int](repeating: k, count: n)
        for e in 0..<(n * k) { count[Int(c.index[e])] += 1 }
        var start = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { start[i + 1] = start[i] + count[i] }
        var fill = Array(start.dropLast())
        var cols = [Int32](repeating: 0, count: start[n]), vals = [Double](repeating: 0, count: start[n])
        for i in 0..<n {
            for m in 0..<k {
                let j = Int(c.index[i * k + m]), v = cond[i * k + m]
                cols[fill[i]] = Int32(j); vals[fill[i]] = v; fill[i] += 1
                cols[fill[j]] = Int32(i); vals[fill[j]] = v; fill[j] += 1
            }
        }
        // Per row: sort by column and merge the pairs found from both sides.
        var out = SparseP(n: n)
        out.cols.reserveCapacity(start[n]); out.values.reserveCapacity(start[n])
        var total = 0.0
        var row: [(Int32, Double)] = []
        for i in 0..<n {
            row.removeAll(keepingCapacity: true)
            for e in start[i]..<start[i + 1] { row.append((cols[e], vals[e])) }
            row.sort { $0.0 < $1.0 }
            for (j, v) in row {
                if out.cols.count > out.rowStart[i], out.cols[out.cols.count - 1] == j { out.values[out.values.count - 1] += v }
                else { out.cols.append(j); out.values.append(v) }
                total += v
            }
            out.rowStart.append(out.cols.count)
        }
        for e in out.values.indices { out.values[e] = max(out.values[e] / total, 1e-12) }
        return out
    }

    /// One row's p_j|i = exp(−β d_j) / Σ, β found by bisection so the entropy is log(perplexity).
    private static func calibrate(_ dist: UnsafePointer<Double>, k: Int, target: Double, into probs: UnsafeMutablePointer<Double>) {
        var beta = 1.0, lo = -Double.infinity, hi = Double.infinity
        for _ in 0..<100 {
            var sum = 0.0
            for m in 0..<k { probs[m] = exp(-dist[m] * beta); sum += probs[m] }
            if sum == 0 { sum = 1e-12 }
            var entropy = 0.0
            for m in 0..<k {
                probs[m] /= sum
                if probs[m] > 1e-12 { entropy -= probs[m] * log(probs[m]) }
            }
            let diff = entropy - target
            if abs(diff) < 1e-5 { break }
            if diff > 0 { lo = beta; beta = hi.isInfinite ? beta * 2 : (beta + hi) / 2 }
            else { hi = beta; beta = lo.isInfinite ? beta / 2 : (beta + lo) / 2 }
        }
    }
}
