/// How an attention map turns one query's attention in every head into one row: the largest weight
/// any head gives each key (llama-attn-maps' `max(axis=0)` over heads), the mean over heads, or one head.
public enum HeadReduction: Equatable, Sendable {
    case max
    case mean
    case head(Int)

    /// pattern: [head, key] of one query (row-major, `heads` × `keys`) → [key].
    public func reduce(_ pattern: [Float], heads: Int, keys: Int) -> [Float] {
        precondition(pattern.count == heads * keys, "pattern has \(pattern.count) weights, not \(heads) × \(keys)")
        switch self {
        case .head(let h):
            return Array(pattern[(h * keys)..<((h + 1) * keys)])
        case .max:
            var out = Array(pattern[0..<keys])
            for h in 1..<Swift.max(heads, 1) { for k in 0..<keys { out[k] = Swift.max(out[k], pattern[h * keys + k]) } }
            return out
        case .mean:
            var sum = [Double](repeating: 0, count: keys)
            for h in 0..<heads { for k in 0..<keys { sum[k] += Double(pattern[h * keys + k]) } }
            return sum.map { Float($0 / Double(heads)) }
        }
    }
}

/// The files of one decoding step's attention maps, named as llama-attn-maps names them: when the
/// sequence is longer than a window, `attn_{step}_{j}` for window j (AttentionWindows' starts), else
/// one `attn_{step}` covering every position.
public enum AttentionMapFiles {
    public static func windows(step: Int, length: Int, size: Int, stride: Int) -> [(name: String, start: Int, end: Int)] {
        guard length > size else { return [(name: "attn_\(step)", start: 0, end: length)] }
        return AttentionWindows.starts(length: length, size: size, stride: stride).enumerated().map { j, start in
            (name: "attn_\(step)_\(j)", start: start, end: start + size)
        }
    }
}
