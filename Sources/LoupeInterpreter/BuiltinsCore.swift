import Foundation
import LoupeTensor

/// print, len, range, enumerate, zip, sorted, reversed, min, max, sum, abs, round, type, any, all,
/// map, filter, set, isinstance, callable, repr, hasattr, getattr.
enum CoreBuiltins {
    static func install() {
        Builtins.register("print(*values, sep=\" \", end=\"\\n\", file=None, flush=False)",
                          doc: "Prints the values separated by `sep` (default \" \") and followed by `end` (default \"\\n\").",
                          example: "print(\"loss\", 0.25, sep=\": \")  # loss: 0.25") { rt, args in
            let sep = Repr.str(args.value("sep")), end = Repr.str(args.value("end"))
            rt.emit(.stream(args.varArgs.map(Repr.str).joined(separator: sep) + end))
            return .none
        }
        Builtins.register("len(x)", doc: "The number of items in a list, tuple, dict, string, range, or the size of a tensor's first dimension.",
                          example: "len([3, 1, 2])  # 3") { _, args in
            .int(try length(args.value("x")))
        }
        Builtins.register("range(*bounds: int)",
                          doc: "range(stop) or range(start, stop, step=1): the integers from start (default 0) up to but not including stop, by step.",
                          example: "list(range(2, 10, 3))  # [2, 5, 8]") { _, args in
            let p = try args.varArgs.map { try $0.asInt("range() argument") }
            switch p.count {
            case 1: return .range(RangeValue(start: 0, stop: p[0], step: 1))
            case 2: return .range(RangeValue(start: p[0], stop: p[1], step: 1))
            case 3:
                if p[2] == 0 { throw LoupeError("range() step must not be zero") }
                return .range(RangeValue(start: p[0], stop: p[1], step: p[2]))
            default: throw LoupeError("range() takes 1 to 3 arguments (\(p.count) given)")
            }
        }
        Builtins.register("enumerate(xs, start=0)", doc: "Pairs (index, item) for each item, counting from `start`.",
                          example: "for i, w in enumerate([\"a\", \"b\"]): print(i, w)") { _, args in
            let start = try args.int("start")
            return .list(try Ops.iterate(args.value("xs")).enumerated().map { .tuple([.int($0.offset + start), $0.element]) })
        }
        Builtins.register("zip(*iterables)", doc: "Tuples of corresponding items, stopping at the shortest input.",
                          example: "list(zip([1, 2], [\"a\", \"b\"]))  # [(1, 'a'), (2, 'b')]") { _, args in
            let lists = try args.varArgs.map { try Ops.iterate($0) }
            let n = lists.map(\.count).min() ?? 0
            return .list((0..<n).map { i in .tuple(lists.map { $0[i] }) })
        }
        Builtins.register("sorted(xs, key=None, reverse=False)",
                          doc: "A new sorted list. `key` is a function giving each item's sort key; `reverse=True` sorts descending.",
                          example: "sorted([\"bb\", \"a\"], key=len)  # ['a', 'bb']") { rt, args in
            .list(try sortValues(try Ops.iterate(args.value("xs")), key: args.optional("key"), reverse: try args.bool("reverse"), rt))
        }
        Builtins.register("reversed(xs)", doc: "The items in reverse order (as a list).",
                          example: "list(reversed([1, 2, 3]))  # [3, 2, 1]") { _, args in
            .list(try Ops.iterate(args.value("xs")).reversed())
        }
        for (name, sign) in [("min", -1), ("max", 1)] {
            Builtins.register("\(name)(*xs, key=None, default=, dim=None, keepdim=False)",
                              doc: "The \(name == "min" ? "smallest" : "largest") item of one iterable or of several arguments; `key` picks what to compare. For a tensor, its \(name == "min" ? "minimum" : "maximum") element.",
                              example: "\(name)([3, 1, 2])  # \(name == "min" ? 1 : 3)") { rt, args in
                var items = args.varArgs
                if case .tensor? = items.first, items.count == 2 || args.isGiven("dim") || args.isGiven("keepdim") {
                    // torch.max(x, dim) / max(x, dim=1, keepdim=True)
                    return try rt.callMethod(items[0], name, Arguments(Array(items.dropFirst()), keywords: givenKeywords(args)))
                }
                if items.count == 1 {
                    if case .tensor(let t) = items[0] {
                        let r = try TensorMath.reduce(t.tensor, dim: nil, keepdim: false) { b in sign > 0 ? (b.max() ?? 0) : (b.min() ?? 0) }
                        return .tensor(TensorValue(r, kind: t.kind))
                    }
                    items = try Ops.iterate(items[0])
                }
                let key = args.optional("key")
                if items.isEmpty {
                    if args.isGiven("default") { return args.value("default") }
                    throw LoupeError("\(name)() of an empty sequence")
                }
                var best = items[0]
                var bestKey = try key.map { try rt.call($0, Arguments([best])) } ?? best
                for it in items.dropFirst() {
                    let k = try key.map { try rt.call($0, Arguments([it])) } ?? it
                    if try Ops.order(k, bestKey) * sign > 0 { best = it; bestKey = k }
                }
                return best
            }
        }
        Builtins.register("sum(xs, start=0, *, dim=None, keepdim=False)",
                          doc: "The sum of the items plus `start` (default 0). For a tensor, the sum of all its elements, or along `dim=` like torch.sum.",
                          example: "sum([1, 2, 3])  # 6") { rt, args in
            let xs = args.value("xs")
            if args.isGiven("dim") || args.isGiven("keepdim") {
                guard case .tensor = xs else { throw LoupeError("sum(): `dim` and `keepdim` apply to a tensor, not \(xs.typeName)") }
                return try rt.callMethod(xs, "sum", Arguments(args.isGiven("start") ? [args.value("start")] : [],
                                                              keywords: givenKeywords(args, ["dim", "keepdim"])))
            }
            if case .tensor(let t) = xs {
                return .tensor(TensorValue(try TensorMath.reduce(t.tensor, dim: nil, keepdim: false) { $0.reduce(0, +) }, kind: t.kind == .float ? .float : .int))
            }
            var total = args.value("start")
            for v in try Ops.iterate(xs) { total = try Ops.binary(.add, total, v) }
            return total
        }
        Builtins.register("abs(x)", doc: "The absolute value of a number or, elementwise, of a tensor.", example: "abs(-2.5)  # 2.5") { _, args in
            switch args.value("x") {
            case .int(let i): return .int(abs(i))
            case .float(let d): return .float(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            case .tensor(let t): return .tensor(TensorValue(TensorMath.map(t.tensor) { abs($0) }, kind: t.kind))
            case let v: throw LoupeError("abs() needs a number or tensor, not \(v.typeName)")
            }
        }
        Builtins.register("round(x, ndigits=None, *, decimals=None)",
                          doc: "Rounds to `ndigits` decimals (half to even, like Python); with no ndigits returns an int. A tensor is rounded elementwise as torch.round(x, decimals=) / np.round do.",
                          example: "round(3.14159, 2)  # 3.14") { _, args in
            let value = args.value("x")
            if case .tensor(let t) = value {
                let nd = try args.optionalInt("decimals") ?? args.optionalInt("ndigits") ?? 0
                return .tensor(TensorValue(t.tensor.rounded(decimals: nd), kind: t.kind))
            }
            if args.isGiven("decimals") { throw LoupeError("round(x, decimals=) is torch's spelling for tensors; for a number write round(x, ndigits)") }
            let x = try value.asDouble("round() argument")
            guard let nd = try args.optionalInt("ndigits") else {
                guard x.isFinite else { throw LoupeError("cannot round \(x) to an int") }
                return .int(Int(x.rounded(.toNearestOrEven)))
            }
            if case .int(let i) = value, nd >= 0 { return .int(i) }
            let scale = pow(10.0, Double(nd))
            let r = (x * scale).rounded(.toNearestOrEven) / scale
            // prefer the decimal string's value (Python rounds the exact binary value; close enough here)
            return .float(Double(String(format: "%.\(max(nd, 0))f", r)) ?? r)
        }
        Builtins.register("type(x)", doc: "The name of a value's type as a string: int, float, str, list, tensor, …",
                          example: "type(1.5)  # 'float'") { _, args in
            .string(args.value("x").typeName)
        }
        Builtins.register("isinstance(x, type_name)",
                          doc: "True if `x`'s type name is `type_name` (or one of a tuple of names). Accepts the conversion builtins too: isinstance(x, int).",
                          example: "isinstance(3, \"int\")  # True") { _, args in
            func names(_ v: Value) -> [String] {
                switch v {
                case .string(let s): return [s]
                case .builtin(let b): return [b.name]
                case .tuple(let t): return t.flatMap(names)
                default: return []
                }
            }
            let want = names(args.value("type_name"))
            let tn = args.value("x").typeName
            return .bool(want.contains(tn) || (tn == "bool" && want.contains("int")))
        }
        Builtins.register("any(xs)", doc: "True if any item is truthy.", example: "any([0, 2])  # True") { _, args in
            .bool(try Ops.iterate(args.value("xs")).contains { $0.isTruthy })
        }
        Builtins.register("all(xs)", doc: "True if every item is truthy.", example: "all([1, 2])  # True") { _, args in
            .bool(try Ops.iterate(args.value("xs")).allSatisfy { $0.isTruthy })
        }
        Builtins.register("map(f, *iterables)", doc: "A list of f(item) for each item (or f(a, b) over several lists).",
                          example: "map(str, [1, 2])  # ['1', '2']") { rt, args in
            guard !args.varArgs.isEmpty else { throw LoupeError("map() needs a function and at least one iterable") }
            let lists = try args.varArgs.map { try Ops.iterate($0) }
            let n = lists.map(\.count).min() ?? 0
            let f = args.value("f")
            return .list(try (0..<n).map { i in try rt.call(f, Arguments(lists.map { $0[i] })) })
        }
        Builtins.register("filter(f, xs)", doc: "The items for which f(item) is truthy (f=None keeps truthy items).",
                          example: "filter(lambda x: x > 1, [1, 2, 3])  # [2, 3]") { rt, args in
            let f = args.optional("f")
            return .list(try Ops.iterate(args.value("xs")).filter { item in try f.map { fn in try rt.call(fn, Arguments([item])).isTruthy } ?? item.isTruthy })
        }
        Builtins.register("set(xs=[])", doc: "The distinct items, in first-seen order (Loupe's sets are lists without duplicates).",
                          example: "set([1, 2, 1])  # [1, 2]") { _, args in
            var seen = Set<HashKey>()
            var out: [Value] = []
            for v in try Ops.iterate(args.value("xs")) where seen.insert(try HashKey(v)).inserted { out.append(v) }
            return .list(out)
        }
        Builtins.register("no_grad()", doc: "Returns None. Loupe has no autograd, so there is nothing to turn off; kept so `with no_grad():` from PyTorch code runs unchanged.",
                          example: "with no_grad():\n    logits = model(tokens)") { _, _ in .none }
        Builtins.register("repr(x)", doc: "The text the REPL shows for a value (strings quoted).", example: "repr(\"hi\")  # \"'hi'\"") { _, args in
            .string(Repr.repr(args.value("x")))
        }
        Builtins.register("callable(x)", doc: "True if the value can be called.", example: "callable(len)  # True") { _, args in
            switch args.value("x") {
            case .function, .builtin, .method: return .bool(true)
            default: return .bool(false)
            }
        }
        Builtins.register("hasattr(x, name)", doc: "True if `x.name` exists.", example: "hasattr(zeros(2), \"shape\")  # True") { rt, args in
            .bool((try? rt.getAttribute(args.value("x"), try args.string("name"))) != nil)
        }
        Builtins.register("getattr(x, name, default=)", doc: "`x.name`, or `default` when it doesn't exist.",
                          example: "getattr(zeros(2, 3), \"shape\")  # (2, 3)") { rt, args in
            do { return try rt.getAttribute(args.value("x"), try args.string("name")) }
            catch { if args.isGiven("default") { return args.value("default") }; throw error }
        }
    }

    /// The keyword arguments the caller gave among `names` (all declared keywords by default), in
    /// declaration order, for passing a call on to a method.
    static func givenKeywords(_ args: BoundArguments, _ names: [String]? = nil) -> [(String, Value)] {
        let declared = args.signature.parameters.filter { $0.kind == .positional || $0.kind == .keywordOnly }.map(\.name)
        return (names ?? declared).filter { args.isGiven($0) }.map { ($0, args.value($0)) }
    }

    static func length(_ v: Value) throws -> Int {
        switch v {
        case .list(let l): return l.items.count
        case .tuple(let t): return t.count
        case .dict(let d): return d.count
        case .string(let s): return s.count
        case .range(let r): return r.count
        case .tensor(let t):
            guard t.tensor.rank > 0 else { throw LoupeError("len() of a 0-d tensor") }
            return t.tensor.shape[0]
        case .host(let h):
            if let n = h.length { return n }
            throw LoupeError("\(h.typeName) has no len()")
        default: throw LoupeError("\(v.typeName) has no len()")
        }
    }

    /// Stable sort with an optional key function.
    static func sortValues(_ items: [Value], key: Value?, reverse: Bool, _ rt: Interpreter) throws -> [Value] {
        let keys = try items.map { v in try key.map { try rt.call($0, Arguments([v])) } ?? v }
        var idx = Array(items.indices)
        var failure: Error? = nil
        idx.sort { i, j in
            do {
                let c = try Ops.order(keys[i], keys[j])
                if c == 0 { return i < j }
                return reverse ? c > 0 : c < 0
            } catch { failure = error; return i < j }
        }
        if let f = failure { throw f }
        return idx.map { items[$0] }
    }
}
