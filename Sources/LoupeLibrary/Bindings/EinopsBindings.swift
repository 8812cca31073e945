import LoupeInterpreter
import LoupeTensor

/// `einsum` (torch's, numpy's, einops's and fancy_einsum's spellings) and einops's `rearrange`, `reduce`
/// and `repeat` with their string patterns. The tensor work is LoupeTensor's `EinsumEquation` and
/// `EinopsPattern`.
enum EinopsBindings {
    static func install() {
        Builtins.register("einsum(*operands)",
            doc: """
            Einstein summation. The equation may come first (torch: einsum("bhqd,bhkd->bhqk", q, k)) or last
            (einops: einsum(q, k, "b h q d, b h k d -> b h q k")); axis names are single letters, or words
            separated by spaces; `...` stands for unnamed leading axes. Contractions run as matrix products.
            """,
            example: "einsum(\"i j, j k -> i k\", ones(2, 3), ones(3, 4)).shape  # (2, 4)") { _, args in
            try einsum(args.varArgs, spacedNames: nil)
        }
        guard let einsumBuiltin = Builtins.functions["einsum"] else { return }
        let spacedEinsum = Builtins.function("einops.einsum(*operands)",
            doc: "einsum with einops's spaced axis names: einsum(q, k, \"b h q d, b h k d -> b h q k\") (the equation may also come first).",
            example: "einops.einsum(ones(2, 3), ones(3, 4), \"a b, b c -> a c\")") { _, args in
            try einsum(args.varArgs, spacedNames: true)
        }
        let rearrange = Builtins.function("einops.rearrange(tensor, pattern: str, **axes_lengths)",
            doc: "Reorders, splits and merges axes by pattern: rearrange(x, \"b p (h d) -> b h p d\", h=12).",
            example: "einops.rearrange(zeros(2, 3, 12), \"b p (h d) -> b h p d\", h=4).shape  # (2, 4, 3, 3)") { _, args in
            let (x, kind) = try input(args.value("tensor"))
            let t = try engine { try x.rearranged(try args.string("pattern"), axes: try axes(args)) }
            return .tensor(t, kind: kind)
        }
        let reduce = Builtins.function("einops.reduce(tensor, pattern: str, reduction: str, **axes_lengths)",
            doc: "Reduces the axes the right side leaves out: reduce(x, \"b p d -> b d\", \"mean\") (sum, mean, max, min, prod).",
            example: "einops.reduce(ones(2, 3, 4), \"b p d -> b d\", \"sum\")") { _, args in
            let (x, kind) = try input(args.value("tensor"))
            let name = try args.string("reduction")
            guard let op = ReduceOp(rawValue: name), ![.argmax, .argmin].contains(op) else {
                throw LoupeError("einops.reduce: unknown reduction \"\(name)\"", hint: "use \"sum\", \"mean\", \"max\", \"min\" or \"prod\"")
            }
            let t = try engine { try x.reduced(try args.string("pattern"), op, axes: try axes(args)) }
            return .tensor(t, kind: op == .mean ? .float : kind)
        }
        let repeatBuiltin = Builtins.function("einops.repeat(tensor, pattern: str, **axes_lengths)",
            doc: "Adds or tiles axes by pattern: repeat(x, \"d -> b d\", b=4).",
            example: "einops.repeat(arange(3), \"d -> b d\", b=2)") { _, args in
            let (x, kind) = try input(args.value("tensor"))
            let t = try engine { try x.repeated(try args.string("pattern"), axes: try axes(args)) }
            return .tensor(t, kind: kind)
        }
        let einops = Namespace(name: "einops", doc: "einops's rearrange, reduce, repeat and einsum with string patterns.")
        einops.set("rearrange", .builtin(rearrange))
        einops.set("reduce", .builtin(reduce))
        einops.set("repeat", .builtin(repeatBuiltin))
        einops.set("einsum", .builtin(spacedEinsum))
        einops.lack("pack", "use stack(...)/cat(...) and reshape")
        einops.lack("unpack", "use split(...) or slicing")
        Builtins.registerModule("einops", .host(einops))
        Builtins.registerValue(name: "einops", doc: "einops: rearrange, reduce, repeat, einsum with string patterns.", .host(einops))
        let fancy = Namespace(name: "fancy_einsum", doc: "fancy_einsum's einsum (spaced axis names, equation first).")
        fancy.set("einsum", .builtin(spacedEinsum))
        Builtins.registerModule("fancy_einsum", .host(fancy))
        for module in ["torch", "numpy"] {
            if case .host(let h)? = Builtins.modules[module], let ns = h as? Namespace { ns.set("einsum", .builtin(einsumBuiltin)) }
        }
    }

    static func engine<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TensorError { throw LoupeError(e.message) }
    }

    /// The tensor and its kind; a list of tensors is stacked first, as einops does.
    static func input(_ v: Value) throws -> (Tensor, TensorValue.Kind) {
        if case .tensor(let t) = v { return (t.tensor, t.kind) }
        if case .list(let l) = v, l.items.allSatisfy({ if case .tensor = $0 { return true }; return false }) {
            let ts = l.items.compactMap { if case .tensor(let t) = $0 { return t }; return nil }
            guard let first = ts.first else { throw LoupeError("einops: the list of tensors is empty") }
            return (try engine { try Tensor.stack(ts.map(\.tensor), dim: 0) }, first.kind)
        }
        let t = try TensorBuiltins.tensorArg(v, "tensor")
        return (t.tensor, t.kind)
    }

    static func axes(_ args: BoundArguments) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for (name, v) in args.varKeywords { out[name] = try v.asInt("axis size \(name)=") }
        return out
    }

    /// The equation is the first or last positional argument; the rest are tensors (or one list of them).
    static func einsum(_ values: [Value], spacedNames: Bool?) throws -> Value {
        var operands = values
        let equation: String
        if case .string(let s)? = operands.first { equation = s; operands.removeFirst() }
        else if case .string(let s)? = operands.last { equation = s; operands.removeLast() }
        else {
            throw LoupeError("einsum needs an equation string, first (torch) or last (einops)",
                             hint: "einsum(\"b h q d, b h k d -> b h q k\", q, k)")
        }
        if operands.count == 1, case .list(let l) = operands[0] { operands = l.items }
        let tensors = try operands.enumerated().map { try TensorBuiltins.tensorArg($0.1, "einsum operand \($0.0)") }
        let t = try engine { try Tensor.einsum(equation, tensors.map(\.tensor), spacedNames: spacedNames) }
        return .tensor(t, kind: tensors.allSatisfy { $0.kind == .int } ? .int : .float)
    }
}
