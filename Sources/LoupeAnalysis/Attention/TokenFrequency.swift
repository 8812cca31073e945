/// Summaries of an attention-token dataset: per-head token frequencies, unique tokens per
/// head and per layer, and tokens shared between pairs of heads.
public enum TokenFrequency {
    /// One row per (head, token) of `column` ("hp", "q", "k" or "v"): Head (layer·nHeads + head), Layer,
    /// Token, Frequency, Token str, Rank (1 = the head's most frequent; ties share the lower rank).
    public static func table(_ data: Table, column: String, nHeads: Int, tokenText: (Int) -> String) throws -> Table {
        let counts = try data.countBy(["layer", "head", column])
        let layers = try intColumn(counts, "layer"), heads = try intColumn(counts, "head")
        let tokens = try intColumn(counts, column), freq = try intColumn(counts, "count")
        var headIndex: [Int] = [], rank = [Int](repeating: 0, count: counts.rowCount)
        var byHead: [Int: [Int]] = [:]
        for r in 0..<counts.rowCount {
            let h = layers[r] * nHeads + heads[r]
            headIndex.append(h)
            byHead[h, default: []].append(r)
        }
        for rows in byHead.values {
            let sortedFreq = rows.map { freq[$0] }.sorted(by: >)
            for r in rows { rank[r] = (sortedFreq.firstIndex(of: freq[r]) ?? 0) + 1 }
        }
        let t = try Table(columns: [("Head", .int(headIndex)), ("Layer", .int(layers)), ("Token", .int(tokens)),
                                    ("Frequency", .int(freq)), ("Token str", .string(tokens.map(tokenText))),
                                    ("Rank", .int(rank))])
        return try t.sorted(by: [("Head", true), ("Token", true)])
    }

    /// Unique tokens per head: columns Head, Layer, Unique tokens.
    public static func uniquePerHead(_ freq: Table) throws -> Table {
        try freq.groupBy(["Head", "Layer"], aggregate: [("Token", .nunique)])
    }

    /// Shared tokens between every pair of heads (a < b) that share at least one: Head 1, Head 2,
    /// Shared Tokens, Tokens (comma-separated ids).
    public static func shared(_ freq: Table) throws -> Table {
        let heads = try intColumn(freq, "Head"), tokens = try intColumn(freq, "Token")
        var sets: [Int: Set<Int>] = [:]
        for (h, t) in zip(heads, tokens) { sets[h, default: []].insert(t) }
        let ids = sets.keys.sorted()
        var a: [Int] = [], b: [Int] = [], count: [Int] = [], list: [String] = []
        for (i, x) in ids.enumerated() {
            for y in ids[(i + 1)...] {
                let common = sets[x]!.intersection(sets[y]!)
                if common.isEmpty { continue }
                a.append(x); b.append(y); count.append(common.count)
                list.append(common.sorted().map(String.init).joined(separator: ","))
            }
        }
        return try Table(columns: [("Head 1", .int(a)), ("Head 2", .int(b)), ("Shared Tokens", .int(count)),
                                   ("Tokens", .string(list))])
    }

    /// The shared-token counts as a symmetric [heads, heads] matrix (diagonal: the head's own count).
    public static func sharedMatrix(_ freq: Table, heads n: Int) throws -> [[Double]] {
        let heads = try intColumn(freq, "Head"), tokens = try intColumn(freq, "Token")
        var sets = [Set<Int>](repeating: [], count: n)
        for (h, t) in zip(heads, tokens) where h >= 0 && h < n { sets[h].insert(t) }
        var m = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in i..<n {
            let c = Double(sets[i].intersection(sets[j]).count)
            m[i][j] = c; m[j][i] = c
        } }
        return m
    }

    static func intColumn(_ t: Table, _ name: String) throws -> [Int] {
        switch try t.column(name) {
        case .int(let v): return v
        case .double(let v): return v.map { Int($0) }
        case .string: throw TableError("column '\(name)' holds text, expected token ids")
        }
    }
}
