import Foundation
import LoupeTensor

/// print, len, range, enumerate, zip, sorted, reversed, min, max, sum, abs, round, type, any, all,
/// map, filter, set, isinstance, callable, repr, hasattr, getattr.
enum CoreBuiltins {
    static func install() {
        Builtins.register(name: "print", doc: "Prints the values separated by `sep` (default \" \") and followed by `end` (default \"\\n\").",
                          signature: "print(*values, sep=\" \", end=\"\\n\")", example: "print(\"loss\", 0.25, sep=\": \")  # loss: 0.25") { rt, args in
            var sep = " ", end = "\n"
            for (k, v) in args.keywords {
                switch k {
                case "sep": sep = Repr.str(v)
                case "end": end = Repr.str(v)
                case "flush", "file": break
                default: throw LoupeError("print() got an unexpected keyword argument `\(k)`", hint: "it takes sep= and end=")
                }
            }
            rt.emit(.stream(args.positional.map(Repr.str).joined(separator: sep) + end))
            return .none
        }
        Builtins.register(name: "len", doc: "The number of items in a list, tuple, dict, string, range, or the size of a tensor's first dimension.",
                          signature: "len(x)", example: "len([3, 1, 2])  # 3") { _, args in
            let a = try args.bind("len", ["x"], required: 1)
            return .int(try length(a[0] ?? .none))
        }
        Builtins.register(name: "range", doc: "The integers from start (default 0) up to but not including stop, by step.",
                          signature: "range(stop) / range(start, stop, step=1)", example: "list(range(2, 10, 3))  # [2, 5, 8]") { _, args in
            let p = try args.positional.map { try $0.asInt("range() argument") }
            guard args.keywords.isEmpty else { throw LoupeError("range() takes no keyword arguments") }
            switch p.count {
            case 1: return .range(RangeValue(start: 0, stop: p[0], step: 1))
            case 2: return .range(RangeValue(start: p[0], stop: p[1], step: 1))
            case 3:
                if p[2] == 0 { throw LoupeError("range() step must not be zero") }
                return .range(RangeValue(start: p[0], stop: p[1], step: p[2]))
            default: throw LoupeError("range() takes 1 to 3 arguments (\(p.count) given)")
            }
        }
        Builtins.register(name: "enumerate", doc: "Pairs (index, item) for each item, counting from `start`.",
                          signature: "enumerate(xs, start=0)", example: "for i, w in enumerate([\"a\", \"b\"]): print(i, w)") { _, args in
            let a = try args.bind("enumerate", ["xs", "start"], required: 1)
            let start = try a[1]?.asInt("start") ?? 0
            return .list(try Ops.iterate(a[0] ?? .none).enumerated().map { .tuple([.int($0.offset + start), $0.element]) })
        }
        Builtins.register(name: "zip", doc: "Tuples of corresponding items, stopping at the shortest input.",
                          signature: "zip(*iterables)", example: "list(zip([1, 2], [\"a\", \"b\"]))  # [(1, 'a'), (2, 'b')]") { _, args in
            let lists = try args.positional.map { try Ops.iterate($0) }
            let n = lists.map(\.count).min() ?? 0
            return .list((0..<n).map { i in .tuple(lists.map { $0[i] }) })
        }
        Builtins.register(name: "sorted", doc: "A new sorted list. `key` is a function giving each item's sort key; `reverse=True` sorts descending.",
                          signature: "sorted(xs, key=None, reverse=False)", example: "sorted([\"bb\", \"a\"], key=len)  # ['a', 'bb']") { rt, args in
            let a = try args.bind("sorted", ["xs", "key", "reverse"], required: 1)
            return .list(try sortValues(try Ops.iterate(a[0] ?? .none), key: a[1]?.orNil, reverse: a[2]?.isTruthy ?? false, rt))
        }
        Builtins.register(name: "reversed", doc: "The items in reverse order (as a list).",
                          signature: "reversed(xs)", example: "list(reversed([1, 2, 3]))  # [3, 2, 1]") { _, args in
            let a = try args.bind("reversed", ["xs"], required: 1)
            return .list(try Ops.iterate(a[0] ?? .none).reversed())
        }
        for (name, sign) in [("min", -1), ("max", 1)] {
            Builtins.register(name: name, doc: "The \(name == "min" ? "smallest" : "largest") item of one iterable or of several arguments; `key` picks what to compare. For a tensor, its \(name == "min" ? "minimum" : "maximum") element.",
                              signature: "\(name)(xs, key=None) / \(name)(a, b, …)", example: "\(name)([3, 1, 2])  # \(name == "min" ? 1 : 3)") { rt, args in
                var items = args.positional
                if case .tensor? = items.first, items.count == 2 || args.keyword("dim") != nil || args.keyword("keepdim") != nil {
                    // torch.max(x, dim) / max(x, dim=1, keepdim=True)
                    return try rt.callMethod(items[0], name, Arguments(Array(items.dropFirst()), keywords: args.keywords))
                }
                if items.count == 1 {
                    if case .tensor(let t) = items[0] {
                        let r = try TensorMath.reduce(t.tensor, dim: nil, keepdim: false) { b in sign > 0 ? (b.max() ?? 0) : (b.min() ?? 0) }
                        return .tensor(TensorValue(r, kind: t.kind))
                    }
                    items = try Ops.iterate(items[0])
                }
                let key = args.keyword("key")?.orNil
                if items.isEmpty {
                    if let d = args.keyword("default") { return d }
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
        Builtins.register(name: "sum", doc: "The sum of the items plus `start` (default 0). For a tensor, the sum of all its elements, or along `dim=` like torch.sum.",
                          signature: "sum(xs, start=0)", example: "sum([1, 2, 3])  # 6") { rt, args in
            if case .tensor? = args.positional.first, args.keyword("dim") != nil || args.keyword("keepdim") != nil {
                return try rt.callMethod(args.positional[0], "sum", Arguments(Array(args.positional.dropFirst()), keywords: args.keywords))
            }
            let a = try args.bind("sum", ["xs", "start"], required: 1)
            if case .tensor(let t)? = a[0] {
                return .tensor(TensorValue(try TensorMath.reduce(t.tensor, dim: nil, keepdim: false) { $0.reduce(0, +) }, kind: t.kind == .float ? .float : .int))
            }
            var total = a[1] ?? .int(0)
            for v in try Ops.iterate(a[0] ?? .none) { total = try Ops.binary(.add, total, v) }
            return total
        }
        Builtins.register(name: "abs", doc: "The absolute value of a number or, elementwise, of a tensor.",
                          signature: "abs(x)", example: "abs(-2.5)  # 2.5") { _, args in
            let a = try args.bind("abs", ["x"], required: 1)
            switch a[0] ?? .none {
            case .int(let i): return .int(abs(i))
            case .float(let d): return .float(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            case .tensor(let t): return .tensor(TensorValue(TensorMath.map(t.tensor) { abs($0) }, kind: t.kind))
            case let v: throw LoupeError("abs() needs a number or tensor, not \(v.typeName)")
            }
        }
        Builtins.register(name: "round", doc: "Rounds to `ndigits` decimals (half to even, like Python); with no ndigits returns an int.",
                          signature: "round(x, ndigits=None)", example: "round(3.14159, 2)  # 3.14") { _, args in
            let a = try args.bind("round", ["x", "ndigits"], required: 1)
            if case .tensor(let t)? = a[0] {
                let nd = try a[1]?.orNil?.asInt("ndigits") ?? 0
                let scale = Float(pow(10.0, Double(nd)))
                return .tensor(TensorValue(TensorMath.map(t.tensor) { ($0 * scale).rounded(.toNearestOrEven) / scale }, kind: t.kind))
            }
            let x = try (a[0] ?? .none).asDouble("round() argument")
            guard let nd = try a[1]?.orNil?.asInt("ndigits") else {
                guard x.isFinite else { throw LoupeError("cannot round \(x) to an int") }
                return .int(Int(x.rounded(.toNearestOrEven)))
            }
            if case .int(let i)? = a[0], nd >= 0 { return .int(i) }
            let scale = pow(10.0, Double(nd))
            let r = (x * scale).rounded(.toNearestOrEven) / scale
            // prefer the decimal string's value (Python rounds the exact binary value; close enough here)
            return .float(Double(String(format: "%.\(max(nd, 0))f", r)) ?? r)
        }
        Builtins.register(name: "type", doc: "The name of a value's type as a string: int, float, str, list, tensor, …",
                          signature: "type(x)", example: "type(1.5)  # 'float'") { _, args in
            let a = try args.bind("type", ["x"], required: 1)
            return .string((a[0] ?? .none).typeName)
        }
        Builtins.register(name: "isinstance", doc: "True if `x`'s type name is `type_name` (or one of a tuple of names). Accepts the conversion builtins too: isinstance(x, int).",
                          signature: "isinstance(x, type_name)", example: "isinstance(3, \"int\")  # True") { _, args in
            let a = try args.bind("isinstance", ["x", "type_name"], required: 2)
            let x = a[0] ?? .none
            func names(_ v: Value) -> [String] {
                switch v {
                case .string(let s): return [s]
                case .builtin(let b): return [b.name]
                case .tuple(let t): return t.flatMap(names)
                default: return []
                }
            }
            let want = names(a[1] ?? .none)
            let tn = x.typeName
            return .bool(want.contains(tn) || (tn == "bool" && want.contains("int")))
        }
        Builtins.register(name: "any", doc: "True if any item is truthy.", signature: "any(xs)", example: "any([0, 2])  # True") { _, args in
            let a = try args.bind("any", ["xs"], required: 1)
            return .bool(try Ops.iterate(a[0] ?? .none).contains { $0.isTruthy })
        }
        Builtins.register(name: "all", doc: "True if every item is truthy.", signature: "all(xs)", example: "all([1, 2])  # True") { _, args in
            let a = try args.bind("all", ["xs"], required: 1)
            return .bool(try Ops.iterate(a[0] ?? .none).allSatisfy { $0.isTruthy })
        }
        Builtins.register(name: "map", doc: "A list of f(item) for each item (or f(a, b) over several lists).",
                          signature: "map(f, xs, …)", example: "map(str, [1, 2])  # ['1', '2']") { rt, args in
            guard args.positional.count >= 2 else { throw LoupeError("map() needs a function and at least one iterable") }
            let lists = try args.positional.dropFirst().map { try Ops.iterate($0) }
            let n = lists.map(\.count).min() ?? 0
            return .list(try (0..<n).map { i in try rt.call(args.positional[0], Arguments(lists.map { $0[i] })) })
        }
        Builtins.register(name: "filter", doc: "The items for which f(item) is truthy (f=None keeps truthy items).",
                          signature: "filter(f, xs)", example: "filter(lambda x: x > 1, [1, 2, 3])  # [2, 3]") { rt, args in
            let a = try args.bind("filter", ["f", "xs"], required: 2)
            let f = a[0]?.orNil
            return .list(try Ops.iterate(a[1] ?? .none).filter { item in try f.map { fn in try rt.call(fn, Arguments([item])).isTruthy } ?? item.isTruthy })
        }
        Builtins.register(name: "set", doc: "The distinct items, in first-seen order (Loupe's sets are lists without duplicates).",
                          signature: "set(xs=[])", example: "set([1, 2, 1])  # [1, 2]") { _, args in
            let a = try args.bind("set", ["xs"])
            var seen = Set<HashKey>()
            var out: [Value] = []
            for v in try Ops.iterate(a[0] ?? .list([])) where seen.insert(try HashKey(v)).inserted { out.append(v) }
            return .list(out)
        }
        Builtins.register(name: "no_grad", doc: "Returns None. Loupe has no autograd, so there is nothing to turn off; kept so `with no_grad():` from PyTorch code runs unchanged.",
                          signature: "no_grad()", example: "with no_grad():\n    logits = model(tokens)") { _, _ in .none }
        Builtins.register(name: "repr", doc: "The text the REPL shows for a value (strings quoted).",
                          signature: "repr(x)", example: "repr(\"hi\")  # \"'hi'\"") { _, args in
            let a = try args.bind("repr", ["x"], required: 1)
            return .string(Repr.repr(a[0] ?? .none))
        }
        Builtins.register(name: "callable", doc: "True if the value can be called.", signature: "callable(x)", example: "callable(len)  # True") { _, args in
            let a = try args.bind("callable", ["x"], required: 1)
            switch a[0] ?? .none {
            case .function, .builtin, .method: return .bool(true)
            default: return .bool(false)
            }
        }
        Builtins.register(name: "hasattr", doc: "True if `x.name` exists.", signature: "hasattr(x, name)", example: "hasattr(zeros(2), \"shape\")  # True") { rt, args in
            let a = try args.bind("hasattr", ["x", "name"], required: 2)
            return .bool((try? rt.getAttribute(a[0] ?? .none, try (a[1] ?? .none).asString("name"))) != nil)
        }
        Builtins.register(name: "getattr", doc: "`x.name`, or `default` when it doesn't exist.", signature: "getattr(x, name, default)",
                          example: "getattr(zeros(2, 3), \"shape\")  # (2, 3)") { rt, args in
            let a = try args.bind("getattr", ["x", "name", "default"], required: 2)
            do { return try rt.getAttribute(a[0] ?? .none, try (a[1] ?? .none).asString("name")) }
            catch { if let d = a[2] { return d }; throw error }
        }
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
