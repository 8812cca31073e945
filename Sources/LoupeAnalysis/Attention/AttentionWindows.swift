/// Windows over key positions: `size` positions moving by `stride`, the last window ending at
/// the sequence end (so every position is shown). Window j covers start_j ..< start_j + size.
public enum AttentionWindows {
    public static func starts(length: Int, size: Int = 32, stride: Int = 5) -> [Int] {
        guard length > size else { return [0] }
        var out = Array(Swift.stride(from: 0, through: length - size, by: max(1, stride)))
        if let last = out.last, last + size < length { out.append(length - size) }
        return out
    }
}

/// Summary of greedy generation: which token each layer's logit lens puts first at the
/// last position of every step, and whether it equals the token the model finally generated.
public enum GenerationGrid {
    /// lensTop1: [step][layer] top-1 token text at the step's last position; generated: [step] text.
    /// Returns grids [layer][step] for the chosen layers (every `every`-th by default).
    public static func grid(lensTop1: [[String]], generated: [String], layers: [Int]? = nil, every: Int = 2)
        -> (tokens: [[String]], matches: [[Bool]], layers: [Int]) {
        let nLayers = lensTop1.first?.count ?? 0
        let chosen = layers ?? Array(Swift.stride(from: 0, to: nLayers, by: max(1, every)))
        var tokens: [[String]] = [], matches: [[Bool]] = []
        for l in chosen where l < nLayers {
            var row: [String] = [], hit: [Bool] = []
            for (s, step) in lensTop1.enumerated() {
                let t = step[l].trimmingCharacters(in: .whitespaces)
                row.append(t)
                hit.append(t == generated[s].trimmingCharacters(in: .whitespaces))
            }
            tokens.append(row); matches.append(hit)
        }
        return (tokens, matches, chosen.filter { $0 < nLayers })
    }
}

import Foundation

/// numpy.histogram with explicit edges: bins are [e_i, e_i+1), the last one closed; values outside are
/// dropped; `density` divides by (total in range · bin width) as numpy does.
public enum Histogram {
    public static func counts(_ values: [Float], edges: [Double], density: Bool = false) -> [Double] {
        let nb = edges.count - 1
        guard nb >= 1 else { return [] }
        var out = [Double](repeating: 0, count: nb)
        let lo = edges[0], hi = edges[nb]
        let uniform = (0..<nb).allSatisfy { abs((edges[$0 + 1] - edges[$0]) - (hi - lo) / Double(nb)) < 1e-9 * max(1, abs(hi - lo)) }
        for v in values {
            let x = Double(v)
            guard x >= lo && x <= hi else { continue }
            var b: Int
            if uniform {
                b = Int((x - lo) / (hi - lo) * Double(nb))
                if b >= nb { b = nb - 1 }
                // correct float round-off at bin edges, as numpy does
                if b > 0 && x < edges[b] { b -= 1 } else if b < nb - 1 && x >= edges[b + 1] { b += 1 }
            } else {
                var l = 0, h = nb
                while h - l > 1 { let m = (l + h) / 2; if edges[m] <= x { l = m } else { h = m } }
                b = l
            }
            out[b] += 1
        }
        if density {
            let total = out.reduce(0, +)
            if total > 0 { for b in 0..<nb { out[b] /= total * (edges[b + 1] - edges[b]) } }
        }
        return out
    }

    /// `bins` equal-width edges over [min, max] of the values (numpy's default range).
    public static func edges(_ values: [Float], bins: Int) -> [Double] {
        var lo = Double(values.min() ?? 0), hi = Double(values.max() ?? 1)
        if lo == hi { lo -= 0.5; hi += 0.5 }
        return (0...bins).map { lo + (hi - lo) * Double($0) / Double(bins) }
    }
}
