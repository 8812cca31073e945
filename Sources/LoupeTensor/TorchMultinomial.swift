import Foundation

/// `torch.multinomial` as torch's CPU kernels draw it. One sample, or samples without replacement: the
/// exponential race (an Exp(1) draw per element, row-major over the whole tensor, then the largest p / q
/// win). Several samples with replacement: per row a float cumulative sum normalised by its total, the
/// last bucket forced to 1, and one double uniform per sample placed by binary search.
extension TorchGenerator {
    /// `exponential_distribution<double>(lambda)`: −log(1 − u) / λ.
    public func exponentialDouble(lambda: Double) -> Double {
        let u = uniformDouble(0, 1)
        return -1.0 / lambda * Foundation.log1p(-u)
    }
}

extension Tensor {
    /// Indices drawn from the rows of `probs` ([categories] or [rows, categories], non-negative weights that
    /// need not sum to 1): [n] or [rows, n], as float-stored integers.
    public static func torchMultinomial(_ probs: Tensor, _ n: Int, replacement: Bool, using g: TorchGenerator) throws -> Tensor {
        guard probs.rank == 1 || probs.rank == 2 else {
            throw TensorError("multinomial: prob_dist must be 1 or 2 dim, not shape \(probs.shape)")
        }
        let categories = probs.shape[probs.rank - 1], rows = probs.rank == 2 ? probs.shape[0] : 1
        guard categories > 0 else { throw TensorError("multinomial: the probability rows are empty") }
        guard n > 0 else { throw TensorError("multinomial: cannot sample n_sample <= 0 samples (\(n))") }
        guard replacement || n <= categories else {
            throw TensorError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement (\(n) > \(categories))")
        }
        let p = probs.toArray()   // [rows · categories]
        guard p.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw TensorError("multinomial: probability tensor contains either inf, nan or element < 0")
        }
        for r in 0..<rows where !p[(r * categories)..<((r + 1) * categories)].contains(where: { $0 > 0 }) {
            throw TensorError("multinomial: invalid multinomial distribution (sum of probabilities <= 0) in row \(r)")
        }
        var out = [Float](repeating: 0, count: rows * n)
        if !replacement || n == 1 {
            var q = [Float](repeating: 0, count: p.count)
            for i in 0..<q.count { q[i] = Float(g.exponentialDouble(lambda: 1)) }
            for r in 0..<rows {
                let base = r * categories
                let ratio = (0..<categories).map { p[base + $0] / q[base + $0] }
                if n == 1 {
                    var best = 0
                    for j in 1..<categories where ratio[j] > ratio[best] { best = j }
                    out[r] = Float(best)
                } else {
                    let order = (0..<categories).sorted { ratio[$0] > ratio[$1] || (ratio[$0] == ratio[$1] && $0 < $1) }
                    for k in 0..<n { out[r * n + k] = Float(order[k]) }
                }
            }
        } else {
            for r in 0..<rows {
                let base = r * categories
                var cumulative = [Float](repeating: 0, count: categories)
                var sum: Float = 0
                for j in 0..<categories { sum += p[base + j]; cumulative[j] = sum }
                for j in 0..<categories { cumulative[j] /= sum }
                cumulative[categories - 1] = 1
                for k in 0..<n {
                    let u = g.uniformDouble(0, 1)
                    var left = 0, right = categories
                    while right > left {
                        let mid = left + (right - left) / 2
                        if Double(cumulative[mid]) < u { left = mid + 1 } else { right = mid }
                    }
                    out[r * n + k] = Float(left)
                }
            }
        }
        return Tensor(shape: probs.rank == 2 ? [rows, n] : [n], data: out)
    }
}
