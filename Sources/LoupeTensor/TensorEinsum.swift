/// Einstein summation: `"bhqd,bhkd->bhqk"` (torch/numpy: one letter per axis) or
/// `"b h q d, b h k d -> b h q k"` (einops: axis names separated by spaces), with `...` for the
/// leading axes an operand does not name. Without `->` the output is every axis that appears once,
/// in alphabetical order (torch's implicit form). Operands are folded left to right; each pairwise
/// contraction is permuted into [batch, m, k] x [batch, k, n] and done by `matmul` (sgemm).
public struct EinsumEquation: Sendable {
    public let text: String
    /// Axis names of each operand, with `...` still in place (nil entry).
    let inputs: [[String?]]
    /// Axis names of the output, or nil for the implicit form.
    let output: [String?]?

    /// `spacedNames`: true reads names separated by spaces (einops), false one letter per axis,
    /// nil decides by whether any operand contains a space.
    public init(_ text: String, spacedNames: Bool? = nil) throws {
        self.text = text
        let sides = text.components(separatedBy: "->")
        guard sides.count <= 2 else { throw TensorError("einsum \"\(text)\": more than one `->`") }
        let operandTexts = sides[0].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let spaced = spacedNames ?? operandTexts.contains { $0.contains(" ") }
        func names(_ s: String) throws -> [String?] {
            var out: [String?] = []
            if spaced {
                for token in s.split(separator: " ") {
                    if token == "..." { out.append(nil); continue }
                    guard token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !token.first!.isNumber else {
                        throw TensorError("einsum \"\(text)\": `\(token)` is not an axis name")
                    }
                    out.append(String(token))
                }
            } else {
                var rest = Substring(s.filter { $0 != " " })
                while let c = rest.first {
                    if rest.hasPrefix("...") { out.append(nil); rest = rest.dropFirst(3); continue }
                    guard c.isLetter else { throw TensorError("einsum \"\(text)\": `\(c)` is not an axis letter") }
                    out.append(String(c))
                    rest = rest.dropFirst()
                }
            }
            if out.filter({ $0 == nil }).count > 1 { throw TensorError("einsum \"\(text)\": `...` appears twice in `\(s)`") }
            return out
        }
        inputs = try operandTexts.map(names)
        output = sides.count == 2 ? try names(sides[1].trimmingCharacters(in: .whitespaces)) : nil
        if let output {
            for case let name? in output where !inputs.contains(where: { $0.contains(name) }) {
                throw TensorError("einsum \"\(text)\": output axis `\(name)` appears in no input")
            }
            let named = output.compactMap { $0 }
            if Set(named).count != named.count { throw TensorError("einsum \"\(text)\": an output axis is repeated") }
        }
    }

    /// Evaluates the equation on `operands` (as many as the equation has inputs).
    public func evaluate(_ operands: [Tensor]) throws -> Tensor {
        guard operands.count == inputs.count else {
            throw TensorError("einsum \"\(text)\": the equation has \(inputs.count) operand\(inputs.count == 1 ? "" : "s") but \(operands.count) tensor\(operands.count == 1 ? " was" : "s were") given")
        }
        // Ellipsis axes are named "…k", k counted from the ellipsis's last axis, so they align from the right.
        var ellipsisRank = 0
        var labelled: [[String]] = []
        for (i, (names, t)) in zip(inputs, operands).enumerated() {
            let explicit = names.filter { $0 != nil }.count
            let hasEllipsis = names.contains { $0 == nil }
            guard hasEllipsis ? t.rank >= explicit : t.rank == explicit else {
                throw TensorError("einsum \"\(text)\": operand \(i) has shape \(t.shape) (\(t.rank) dimensions) but its part `\(describe(names))` names \(explicit)")
            }
            let e = t.rank - explicit
            ellipsisRank = Swift.max(ellipsisRank, e)
            labelled.append(names.flatMap { name in name.map { [$0] } ?? (0..<e).map { "…\(e - 1 - $0)" } })
        }
        // Sizes, with size-1 axes broadcast.
        var sizes: [String: Int] = [:]
        for (i, (labels, t)) in zip(labelled, operands).enumerated() {
            for (label, n) in zip(labels, t.shape) {
                guard let known = sizes[label], known != 1 else { sizes[label] = n; continue }
                if n != known && n != 1 {
                    throw TensorError("einsum \"\(text)\": axis `\(label)` has size \(known) in an earlier operand but \(n) in operand \(i) (shape \(t.shape))")
                }
            }
        }
        let ellipsisLabels = (0..<ellipsisRank).map { "…\(ellipsisRank - 1 - $0)" }
        let outLabels: [String]
        if let output {
            outLabels = output.flatMap { $0.map { [$0] } ?? ellipsisLabels }
        } else {
            let all = labelled.flatMap { $0 }
            outLabels = ellipsisLabels + Set(all).filter { l in !l.hasPrefix("…") && all.filter { $0 == l }.count == 1 }.sorted()
        }
        // Fold left to right; an axis stays while the output or a later operand needs it.
        var acc = try prepare(operands[0], labelled[0], sizes: sizes, keep: needed(after: 0, labelled, outLabels))
        for i in 1..<Swift.max(operands.count, 1) {
            let keep = needed(after: i, labelled, outLabels)
            let next = try prepare(operands[i], labelled[i], sizes: sizes, keep: keep.union(acc.labels))
            acc = try contract(acc, next, keep: keep)
        }
        let order = try outLabels.map { label -> Int in
            guard let d = acc.labels.firstIndex(of: label) else {
                throw TensorError("einsum \"\(text)\": output axis `\(label)` appears in no input")
            }
            return d
        }
        return try acc.tensor.permuted(order).contiguous()
    }

    private func describe(_ names: [String?]) -> String { names.map { $0 ?? "..." }.joined(separator: " ") }

    private func needed(after i: Int, _ labelled: [[String]], _ out: [String]) -> Set<String> {
        Set(out).union(labelled.dropFirst(i + 1).flatMap { $0 })
    }

    /// One operand with distinct labels: repeated labels become a diagonal, size-1 axes are broadcast
    /// to their full size, and axes no one else needs are summed out.
    private func prepare(_ t: Tensor, _ labels: [String], sizes: [String: Int], keep: Set<String>) throws
        -> (tensor: Tensor, labels: [String]) {
        var distinct: [String] = []
        var shape: [Int] = [], strides: [Int] = []
        for (d, label) in labels.enumerated() {
            if let j = distinct.firstIndex(of: label) {
                guard shape[j] == t.shape[d] else {
                    throw TensorError("einsum \"\(text)\": repeated axis `\(label)` has sizes \(shape[j]) and \(t.shape[d])")
                }
                strides[j] += t.strides[d]  // the diagonal
            } else {
                distinct.append(label)
                shape.append(t.shape[d])
                strides.append(t.strides[d])
            }
        }
        var view = Tensor(storage: t.storage, shape: shape, strides: strides, offset: t.offset)
        let full = distinct.map { sizes[$0] ?? 1 }
        if full != shape { view = try view.expanded(to: full) }
        let summed = distinct.indices.filter { !keep.contains(distinct[$0]) }
        if summed.isEmpty { return (view, distinct) }
        let kept = distinct.indices.filter { keep.contains(distinct[$0]) }
        if kept.isEmpty { return (try view.reduce(.sum, dim: nil), []) }
        return (try view.reduce(.sum, dims: summed), kept.map { distinct[$0] })
    }

    /// a: [batch, m, k] x b: [batch, k, n] -> [batch, m, n], labels in that order.
    private func contract(_ a: (tensor: Tensor, labels: [String]), _ b: (tensor: Tensor, labels: [String]),
                          keep: Set<String>) throws -> (tensor: Tensor, labels: [String]) {
        let shared = a.labels.filter { b.labels.contains($0) }
        let batch = shared.filter { keep.contains($0) }
        let summed = shared.filter { !keep.contains($0) }
        let onlyA = a.labels.filter { !b.labels.contains($0) }
        let onlyB = b.labels.filter { !a.labels.contains($0) }
        func size(_ t: Tensor, _ labels: [String], _ label: String) -> Int { t.shape[labels.firstIndex(of: label) ?? 0] }
        let batchSizes = batch.map { size(a.tensor, a.labels, $0) }
        let m = onlyA.map { size(a.tensor, a.labels, $0) }, n = onlyB.map { size(b.tensor, b.labels, $0) }
        let k = summed.map { size(a.tensor, a.labels, $0) }
        let pa = try a.tensor.permuted((batch + onlyA + summed).compactMap { a.labels.firstIndex(of: $0) })
            .reshaped([batchSizes.reduce(1, *), m.reduce(1, *), k.reduce(1, *)])   // [batch, m, k]
        let pb = try b.tensor.permuted((batch + summed + onlyB).compactMap { b.labels.firstIndex(of: $0) })
            .reshaped([batchSizes.reduce(1, *), k.reduce(1, *), n.reduce(1, *)])   // [batch, k, n]
        let product = try Tensor.matmul(pa, pb)                                      // [batch, m, n]
        return (try product.reshaped(batchSizes + m + n), batch + onlyA + onlyB)
    }
}

extension Tensor {
    /// `einsum("bhqd,bhkd->bhqk", q, k)`; see `EinsumEquation`.
    public static func einsum(_ equation: String, _ operands: [Tensor], spacedNames: Bool? = nil) throws -> Tensor {
        try EinsumEquation(equation, spacedNames: spacedNames).evaluate(operands)
    }
}
