import LoupeTensor

/// "Attention tokens": the vocabulary token each component of one attention head points
/// at when mapped back into the residual stream and unembedded directly (no MLPs, no later layers).
///
/// The original helper code was not published, so the mapping is chosen here and stated exactly:
/// - q at a position: q · W_Qᵀ  ([d_head] → [d_model]), then · W_U, argmax.
/// - k at a position: k · W_Kᵀ, then · W_U, argmax.
/// - v at a position: v · W_O (what the head would write if it attended only there), then · W_U.
/// - q⊙k for a query–key pair: the element-wise product lives in the query's head space (its sum is the
///   attention score), so it is mapped like a query: (q_i ⊙ k_j) · W_Qᵀ · W_U, argmax.
/// Biases are left out: they are the same for every position and would only shift all rows alike.
/// W_Qᵀ·W_U, W_Kᵀ·W_U and W_O·W_U are formed once per head ([d_head, vocab], `HeadVocabProjection`), so
/// each row costs d_head·vocab.
public struct AttentionTokenData: Sendable {
    public var layer: Int
    public var head: Int
    /// [pos] token per component.
    public var q: [Int]
    public var k: [Int]
    public var v: [Int]
    /// [query][key] token of q⊙k for key ≤ query; -1 above the diagonal (masked).
    public var qk: [[Int]]
    /// [query][key] attention pattern.
    public var attn: [[Float]]
    /// [pos] the input token ids.
    public var input: [Int]

    public init(layer: Int, head: Int, q: [Int], k: [Int], v: [Int], qk: [[Int]], attn: [[Float]], input: [Int]) {
        self.layer = layer; self.head = head; self.q = q; self.k = k; self.v = v
        self.qk = qk; self.attn = attn; self.input = input
    }
}

/// One head's components mapped straight into vocabulary logits: each [d_head, vocab]. Forming them costs
/// 2·d_head·d_model·vocab flops apiece, so a dataset over many prompts builds them once per head (and the
/// key map once per key/value head under GQA) and reuses them for every prompt.
public struct HeadVocabProjection: Sendable {
    public let query: Tensor // [d_head, vocab]  W_Qᵀ · W_U
    public let key: Tensor   // [d_head, vocab]  W_Kᵀ · W_U
    public let value: Tensor // [d_head, vocab]  W_O · W_U

    /// W_Q, W_K: [d_model, d_head]; W_O: [d_head, d_model]; W_U: [d_model, vocab].
    public init(W_Q: Tensor, W_K: Tensor, W_O: Tensor, W_U: Tensor) throws {
        try self.init(W_Q: W_Q, W_O: W_O, W_U: W_U, key: Self.keyMap(W_K: W_K, W_U: W_U))
    }

    /// With a key map formed earlier (shared by the query heads of one key/value head).
    public init(W_Q: Tensor, W_O: Tensor, W_U: Tensor, key: Tensor) throws {
        query = try Tensor.matmul(W_Q.transposed(0, 1), W_U)
        value = try Tensor.matmul(W_O, W_U)
        self.key = key
    }

    /// W_K: [d_model, d_head]; W_U: [d_model, vocab] -> [d_head, vocab].
    public static func keyMap(W_K: Tensor, W_U: Tensor) throws -> Tensor {
        try Tensor.matmul(W_K.transposed(0, 1), W_U)
    }
}

public enum AttentionTokens {
    /// q, k, v: [pos, d_head] (for GQA pass the key/value head the query head reads);
    /// pattern: [pos, pos]; W_Q, W_K: [d_model, d_head]; W_O: [d_head, d_model]; W_U: [d_model, vocab].
    public static func compute(layer: Int, head: Int, input: [Int], q: Tensor, k: Tensor, v: Tensor, pattern: Tensor,
                               W_Q: Tensor, W_K: Tensor, W_O: Tensor, W_U: Tensor) throws -> AttentionTokenData {
        try compute(layer: layer, head: head, input: input, q: q, k: k, v: v, pattern: pattern,
                    projection: HeadVocabProjection(W_Q: W_Q, W_K: W_K, W_O: W_O, W_U: W_U))
    }

    /// The same with the head's vocabulary maps already formed.
    public static func compute(layer: Int, head: Int, input: [Int], q: Tensor, k: Tensor, v: Tensor, pattern: Tensor,
                               projection: HeadVocabProjection) throws -> AttentionTokenData {
        let n = input.count
        for (name, t) in [("q", q), ("k", k), ("v", v)] where t.rank != 2 || t.shape[0] != n {
            throw TensorError("attention tokens: \(name) must be [\(n), d_head], got \(t.shape)")
        }
        guard pattern.shape == [n, n] else {
            throw TensorError("attention tokens: pattern must be [\(n), \(n)], got \(pattern.shape)")
        }
        let qTok = try argmaxRows(Tensor.matmul(q, projection.query))
        let kTok = try argmaxRows(Tensor.matmul(k, projection.key))
        let vTok = try argmaxRows(Tensor.matmul(v, projection.value))
        // All causal pairs at once: q_i ⊙ k_j for key j ≤ query i, in (i, j) order
        let dHead = q.shape[1]
        let products = try (q.unsqueezed(1) * k.unsqueezed(0)).reshaped([n * n, dHead]) // [query·key, d_head]
        let causal = (0..<n).flatMap { i in (0...i).map { j in i * n + j } }
        let pairs = try products.take(causal, dim: 0)                                    // [pairs, d_head]
        let pairTok = try argmaxRows(Tensor.matmul(pairs, projection.query))
        var qk = [[Int]](repeating: [Int](repeating: -1, count: n), count: n)
        var e = 0
        for i in 0..<n { for j in 0...i { qk[i][j] = pairTok[e]; e += 1 } }
        let p = pattern.contiguous().toArray()
        let attn = (0..<n).map { i in Array(p[(i * n)..<(i * n + n)]) }
        return AttentionTokenData(layer: layer, head: head, q: qTok, k: kTok, v: vTok, qk: qk, attn: attn, input: input)
    }

    static func argmaxRows(_ t: Tensor) throws -> [Int] {
        try t.argmax(dim: -1).toArray().map { Int($0) }
    }
}

extension AttentionTokenData {
    /// Dataset rows for this head: one per causal (query, key) pair with columns
    /// layer, head, input token (at the query), attn, hp (q⊙k token), q (query's), k and v (key's).
    public func rows(prompt: Int) -> [[TableValue]] {
        var out: [[TableValue]] = []
        for i in 0..<input.count {
            for j in 0...i {
                out.append([.int(prompt), .int(layer), .int(head), .int(input[i]), .int(j),
                            .double(Double(attn[i][j])), .int(qk[i][j]), .int(q[i]), .int(k[j]), .int(v[j])])
            }
        }
        return out
    }

    public static let columns = ["prompt", "layer", "head", "input_token", "key_pos", "attn", "hp", "q", "k", "v"]
}
