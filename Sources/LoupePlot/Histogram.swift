// numpy.histogram: equal-width bins over a range (default the data's min...max) or explicit edges;
// every bin is half-open [a, b) except the last, which includes its right edge; density divides
// each count by (total count × bin width) so the bars integrate to 1.

/// numpy.histogram.
public enum Histogram {
    public static func compute(_ data: [Double], bins: Int = 10, edges: [Double]? = nil,
                               range: (Double, Double)? = nil, density: Bool = false) -> (counts: [Double], edges: [Double]) {
        var e: [Double]
        if let edges = edges, edges.count >= 2 { e = edges }
        else {
            var (lo, hi) = range ?? Axes.range(data)
            if lo == hi { lo -= 0.5; hi += 0.5 }
            let n = max(bins, 1)
            e = (0...n).map { lo + (hi - lo) * Double($0) / Double(n) }
        }
        let n = e.count - 1
        var counts = [Double](repeating: 0, count: n)
        let lo = e[0], hi = e[n]
        let uniform = edges == nil
        for v in data where v.isFinite && v >= lo && v <= hi {
            var i: Int
            if uniform {
                i = Int((v - lo) / (hi - lo) * Double(n)); if i >= n { i = n - 1 }
                // correct float rounding against the actual edges as numpy does
                if i > 0 && v < e[i] { i -= 1 } else if i < n - 1 && v >= e[i + 1] { i += 1 }
            } else {
                var a = 0, b = n
                while b - a > 1 { let m = (a + b) / 2; if v >= e[m] { a = m } else { b = m } }
                i = a
            }
            counts[i] += 1
        }
        if density {
            let total = counts.reduce(0, +)
            if total > 0 { for i in 0..<n { counts[i] /= total * (e[i + 1] - e[i]) } }
        }
        return (counts, e)
    }
}
