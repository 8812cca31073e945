import LoupeModels
import LoupeTensor

/// The top-k tokens a stack of residual-stream states would predict if unembedded directly
/// (the logit lens). Rows are processed one component at a time so memory stays at [pos, vocab].
public struct LensResult: Sendable {
    /// [component][position][k] token ids, most likely first.
    public var ids: [[[Int]]]
    /// [component][position][k] softmax probabilities over the whole vocabulary.
    public var probs: [[[Float]]]
    /// One label per component ("0_pre", "3_mid", "final_post", …).
    public var labels: [String]
    /// The positions (in the prompt) the rows refer to.
    public var positions: [Int]

    /// Top-1 token id per [component][position].
    public var top1: [[Int]] { ids.map { $0.map { $0.first ?? -1 } } }
}

public enum LogitLens {
    /// stack: [component, pos, d_model], already normalised (apply_ln_to_stack); W_U: [d_model, vocab];
    /// b_U: [vocab] or nil. `positions` picks rows of `pos` (all when nil; negative counts from the end).
    public static func topK(stack: Tensor, W_U: Tensor, b_U: Tensor? = nil, k: Int,
                            labels: [String]? = nil, positions: [Int]? = nil) throws -> LensResult {
        guard stack.rank == 3 else {
            throw TensorError("logit lens: the residual stack must be [component, pos, d_model], got \(stack.shape)")
        }
        guard W_U.rank == 2, W_U.shape[0] == stack.shape[2] else {
            throw TensorError("logit lens: W_U \(W_U.shape) does not match d_model \(stack.shape[2])")
        }
        let vocab = W_U.shape[1]
        if let b = b_U, b.count != vocab { throw TensorError("logit lens: b_U has \(b.count) values, vocab is \(vocab)") }
        let w = W_U.contiguous()                      // [d_model, vocab]
        let bias = try b_U.map { try $0.reshaped([vocab]) } // [vocab]
        let d = stack.shape[2]
        return try topK(stack: stack, vocab: vocab, k: k, labels: labels, positions: positions) { rows, p, out in
            Kernels.sgemm(m: p, n: vocab, k: d, a: rows, lda: d, b: w.basePointer, ldb: vocab, c: out, ldc: vocab)
            if let bias { for r in 0..<p { Kernels.add(out + r * vocab, bias.basePointer, out + r * vocab, count: vocab) } }
        }
    }

    /// The lens given the product: `logits(rows [p, d_model], p, out [p, vocab])`.
    /// `batchRows` > 0 runs components together, up to that many rows a product (1 component otherwise).
    static func topK(stack: Tensor, vocab: Int, k: Int, labels: [String]?, positions: [Int]?, batchRows: Int = 0,
                     logits product: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) throws -> Void) throws -> LensResult {
        guard k >= 1, k <= vocab else { throw TensorError("logit lens: k=\(k) must be in 1...\(vocab)") }
        let nPos = stack.shape[1]
        let pos = try (positions ?? Array(0..<nPos)).map { p -> Int in
            let q = p < 0 ? p + nPos : p
            guard q >= 0 && q < nPos else { throw TensorError("logit lens: position \(p) out of range for \(nPos) positions") }
            return q
        }
        var ids: [[[Int]]] = []
        var probs: [[[Float]]] = []
        // Components may go through the product a few at a time (one large product instead of many small
        // ones); memory stays at [batchRows, vocab].
        let nComp = stack.shape[0], d = stack.shape[2]
        let perProduct = max(1, batchRows / max(pos.count, 1))
        let logits = Tensor(zeros: [min(perProduct, nComp) * pos.count, vocab])  // [g·p, vocab]
        var c0 = 0
        while c0 < nComp {
            let g = min(perProduct, nComp - c0)
            let rows = Tensor(zeros: [g * pos.count, d])                           // [g·p, d_model]
            for j in 0..<g {
                let part = try stack.index([.at(c0 + j)]).take(pos, dim: 0).contiguous() // [p, d_model]
                rows.storage.pointer.advanced(by: j * pos.count * d).update(from: part.basePointer, count: pos.count * d)
            }
            try product(rows.basePointer, g * pos.count, logits.basePointer)
            for j in 0..<g {
                var cIds: [[Int]] = []
                var cProbs: [[Float]] = []
                for r in 0..<pos.count {
                    let row = logits.basePointer + (j * pos.count + r) * vocab
                    let (top, p) = topOfRow(UnsafeBufferPointer(start: row, count: vocab), k: k)
                    cIds.append(top)
                    cProbs.append(p)
                }
                ids.append(cIds)
                probs.append(cProbs)
            }
            c0 += g
        }
        let names = labels ?? (0..<stack.shape[0]).map(String.init)
        return LensResult(ids: ids, probs: probs, labels: names, positions: pos)
    }

    /// The lens through a model's own unembedding: its stored matrix with bf16 products when
    /// `unembedsInPlace` (no f32 copy of W_U), else `W_U` as above. stack: [component, pos, d_model], normalised.
    public static func topK(stack: Tensor, model: HookedTransformer, k: Int, labels: [String]? = nil,
                            positions: [Int]? = nil) throws -> LensResult {
        guard model.unembedsInPlace else {
            return try topK(stack: stack, W_U: try model.W_U, k: k, labels: labels, positions: positions)
        }
        let d = model.dModel
        guard stack.rank == 3, stack.shape[2] == d else {
            throw TensorError("logit lens: the residual stack must be [component, pos, \(d)], got \(stack.shape)")
        }
        return try topK(stack: stack, vocab: model.dVocab, k: k, labels: labels, positions: positions,
                        batchRows: 256) { rows, p, out in
            model.lensLogits(rows, count: p, into: out)
        }
    }

    /// Top-k of one row of logits ([vocab]) and their softmax probabilities; ties keep the lower id.
    static func topOfRow(_ logits: UnsafeBufferPointer<Float>, k: Int) -> ([Int], [Float]) {
        var best: [(Float, Int)] = []
        var maxLogit = -Float.infinity
        for (v, x) in logits.enumerated() {
            if x > maxLogit { maxLogit = x }
            if best.count < k || x > best[best.count - 1].0 {
                var i = best.count
                if best.count == k { best.removeLast(); i = k - 1 }
                while i > 0 && best[i - 1].0 < x { i -= 1 }
                best.insert((x, v), at: i)
            }
        }
        var sum: Double = 0
        for x in logits { sum += Double(expf(x - maxLogit)) }
        return (best.map { $0.1 }, best.map { Float(Double(expf($0.0 - maxLogit)) / sum) })
    }
}

import Foundation

extension LensResult {
    /// One row per (component, position, rank): layer label, position, rank, token id, token text, prob.
    public func table(tokenText: (Int) -> String) throws -> Table {
        var layer: [String] = [], position: [Int] = [], rank: [Int] = [], token: [Int] = []
        var text: [String] = [], prob: [Double] = []
        for (c, label) in labels.enumerated() {
            for (pi, p) in positions.enumerated() {
                for (r, id) in ids[c][pi].enumerated() {
                    layer.append(label); position.append(p); rank.append(r + 1); token.append(id)
                    text.append(tokenText(id)); prob.append(Double(probs[c][pi][r]))
                }
            }
        }
        return try Table(columns: [("layer", .string(layer)), ("position", .int(position)), ("rank", .int(rank)),
                                   ("token", .int(token)), ("token_str", .string(text)), ("prob", .double(prob))])
    }
}
