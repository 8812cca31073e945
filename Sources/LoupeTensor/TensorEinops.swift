/// einops's `rearrange`, `reduce` and `repeat`: a pattern `"b p (h d) -> b h p d"` names each axis of the
/// input and of the output; parentheses group axes that share one dimension, `...` stands for the
/// axes not named, `1` or `()` is a dimension of size 1, and a number on the right of `repeat` is a
/// new axis of that size. Sizes the input cannot tell (`h` in `(h d)`) come from `axes`.
public struct EinopsPattern: Sendable {
    public enum Operation: String, Sendable { case rearrange, reduce, `repeat` }

    /// One dimension of a side: the elementary axes multiplied into it (empty for `1`/`()`).
    enum Item: Equatable { case group([String]), ellipsis }

    public let text: String
    let operation: Operation
    let left: [Item]
    let right: [Item]

    public init(_ text: String, operation: Operation) throws {
        self.text = text
        self.operation = operation
        let sides = text.components(separatedBy: "->")
        guard sides.count == 2 else { throw TensorError("\(operation.rawValue) \"\(text)\": the pattern needs one `->`") }
        left = try EinopsPattern.parse(sides[0], text, operation, isRight: false)
        right = try EinopsPattern.parse(sides[1], text, operation, isRight: true)
        let l = EinopsPattern.names(left), r = EinopsPattern.names(right)
        for (side, names) in [("left", l), ("right", r)] {
            if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
                throw TensorError("\(operation.rawValue) \"\(text)\": axis `\(dup)` appears twice on the \(side)")
            }
        }
        if left.contains(.ellipsis) != right.contains(.ellipsis) {
            throw TensorError("\(operation.rawValue) \"\(text)\": `...` must be on both sides or neither")
        }
        let onlyLeft = l.filter { !r.contains($0) }, onlyRight = r.filter { !l.contains($0) && Int($0) == nil }
        switch operation {
        case .rearrange:
            if let a = onlyLeft.first ?? onlyRight.first {
                throw TensorError("rearrange \"\(text)\": axis `\(a)` is on one side only (use reduce to remove an axis, repeat to add one)")
            }
        case .reduce:
            if let a = onlyRight.first { throw TensorError("reduce \"\(text)\": axis `\(a)` is on the right only") }
        case .repeat:
            if let a = onlyLeft.first { throw TensorError("repeat \"\(text)\": axis `\(a)` is on the left only (use reduce to remove it)") }
        }
    }

    static func names(_ items: [Item]) -> [String] {
        items.flatMap { item -> [String] in if case .group(let g) = item { return g } else { return [] } }
    }

    static func parse(_ side: String, _ text: String, _ operation: Operation, isRight: Bool) throws -> [Item] {
        var tokens: [String] = []
        var word = ""
        for c in side {
            if c == "(" || c == ")" || c == " " {
                if !word.isEmpty { tokens.append(word); word = "" }
                if c != " " { tokens.append(String(c)) }
            } else { word.append(c) }
        }
        if !word.isEmpty { tokens.append(word) }
        var items: [Item] = []
        var group: [String]? = nil
        func check(_ name: String) throws -> String {
            if let n = Int(name) {
                if n == 1 { return name }
                guard isRight, operation == .repeat, n > 0 else {
                    throw TensorError("\(operation.rawValue) \"\(text)\": the number \(name) can only stand for a new axis on the right of repeat")
                }
                return name
            }
            guard name.first.map({ $0.isLetter || $0 == "_" }) == true,
                  name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw TensorError("\(operation.rawValue) \"\(text)\": `\(name)` is not an axis name")
            }
            return name
        }
        for token in tokens {
            switch token {
            case "(":
                if group != nil { throw TensorError("\(operation.rawValue) \"\(text)\": nested parentheses") }
                group = []
            case ")":
                guard let g = group else { throw TensorError("\(operation.rawValue) \"\(text)\": `)` without `(`") }
                items.append(.group(g))
                group = nil
            case "...", "…":
                if group != nil { throw TensorError("\(operation.rawValue) \"\(text)\": `...` inside parentheses is not supported") }
                if items.contains(.ellipsis) { throw TensorError("\(operation.rawValue) \"\(text)\": `...` appears twice on one side") }
                items.append(.ellipsis)
            default:
                let name = try check(token)
                let axes = name == "1" ? [] : [name]
                if group != nil { group?.append(contentsOf: axes) } else { items.append(.group(axes)) }
            }
        }
        if group != nil { throw TensorError("\(operation.rawValue) \"\(text)\": `(` is not closed") }
        return items
    }

    /// Applies the pattern. `reduction` (sum, mean, max, min, prod) is used by `reduce` only.
    public func apply(_ x: Tensor, axes given: [String: Int] = [:], reduction: ReduceOp = .sum) throws -> Tensor {
        let op = operation.rawValue
        let named = left.filter { $0 != .ellipsis }.count
        let hasEllipsis = left.contains(.ellipsis)
        guard hasEllipsis ? x.rank >= named : x.rank == named else {
            throw TensorError("\(op) \"\(text)\": the input has shape \(x.shape) (\(x.rank) dimensions) but the left side names \(named)")
        }
        let ellipsisAxes = (0..<(x.rank - named)).map { "…\($0)" }
        func expand(_ items: [Item]) -> [[String]] {
            items.flatMap { item -> [[String]] in
                if case .group(let g) = item { return [g] }
                return ellipsisAxes.map { [$0] }
            }
        }
        let leftGroups = expand(left), rightGroups = expand(right)
        for name in given.keys where !(EinopsPattern.names(left) + EinopsPattern.names(right)).contains(name) {
            throw TensorError("\(op) \"\(text)\": axis `\(name)=` is not in the pattern")
        }
        // Sizes of the input's axes: each dimension is the product of its group; one unknown per group.
        var sizes = given
        for (d, group) in leftGroups.enumerated() {
            let n = x.shape[d]
            let unknown = group.filter { sizes[$0] == nil }
            let known = group.compactMap { sizes[$0] }.reduce(1, *)
            if group.isEmpty, n != 1 {
                throw TensorError("\(op) \"\(text)\": dimension \(d) has size \(n), not 1 (input shape \(x.shape))")
            }
            if unknown.count > 1 {
                throw TensorError("\(op) \"\(text)\": cannot split dimension \(d) (size \(n)) into (\(group.joined(separator: " "))) without the sizes of \(unknown.dropLast().map { "`\($0)`" }.joined(separator: ", ")) (pass them as keywords, e.g. \(unknown[0])=…)")
            }
            if let u = unknown.first {
                guard known > 0, n % known == 0 else {
                    throw TensorError("\(op) \"\(text)\": dimension \(d) has size \(n), which is not divisible by \(known) for axis `\(u)`")
                }
                sizes[u] = n / known
            } else if !group.isEmpty, known != n {
                let which = group.count == 1 ? "axis `\(group[0])` is" : "(\(group.joined(separator: " "))) is"
                throw TensorError("\(op) \"\(text)\": dimension \(d) of the input has size \(n) but \(which) given as \(known)")
            }
        }
        let inputAxes = leftGroups.flatMap { $0 }
        var t = try x.reshaped(inputAxes.map { sizes[$0] ?? 1 })  // one dimension per elementary axis
        let outputAxes = rightGroups.flatMap { $0 }
        // reduce: fold away the axes the right does not name.
        var current = inputAxes
        let reduced = inputAxes.indices.filter { !outputAxes.contains(inputAxes[$0]) }
        if !reduced.isEmpty {
            t = try reduced.count == inputAxes.count ? t.reduce(reduction, dim: nil) : t.reduce(reduction, dims: reduced)
            current = inputAxes.filter { outputAxes.contains($0) }
        }
        // Order the remaining axes as the right side lists them.
        let kept = outputAxes.filter { current.contains($0) }
        t = try t.permuted(kept.compactMap { current.firstIndex(of: $0) })
        // repeat: new axes as broadcast views of size 1 stretched to their size.
        if kept.count != outputAxes.count {
            var newShape: [Int] = [], full: [Int] = []
            for axis in outputAxes {
                if let d = kept.firstIndex(of: axis) { newShape.append(t.shape[d]); full.append(t.shape[d]); continue }
                guard let n = Int(axis) ?? given[axis] else {
                    throw TensorError("repeat \"\(text)\": the size of new axis `\(axis)` is not given (pass it as a keyword, e.g. \(axis)=4)")
                }
                newShape.append(1)
                full.append(n)
            }
            t = try t.reshaped(newShape).expanded(to: full)
        }
        return try t.reshaped(rightGroups.map { group in group.map { sizes[$0] ?? Int($0) ?? 1 }.reduce(1, *) }).contiguous()
    }
}

extension Tensor {
    /// `rearrange(x, "b p (h d) -> b h p d", h=12)`.
    public func rearranged(_ pattern: String, axes: [String: Int] = [:]) throws -> Tensor {
        try EinopsPattern(pattern, operation: .rearrange).apply(self, axes: axes)
    }

    /// `reduce(x, "b p d -> b d", "mean")`.
    public func reduced(_ pattern: String, _ reduction: ReduceOp, axes: [String: Int] = [:]) throws -> Tensor {
        guard reduction != .argmax, reduction != .argmin else {
            throw TensorError("reduce \"\(pattern)\": the reduction must be sum, mean, max, min or prod")
        }
        return try EinopsPattern(pattern, operation: .reduce).apply(self, axes: axes, reduction: reduction)
    }

    /// `repeat(x, "d -> b d", b=4)`.
    public func repeated(_ pattern: String, axes: [String: Int] = [:]) throws -> Tensor {
        try EinopsPattern(pattern, operation: .repeat).apply(self, axes: axes)
    }
}
