import Foundation

/// list methods: append, extend, insert, pop, remove, index, count, sort, reverse, copy, clear.
enum ListMethods {
    static func install() {
        func m(_ name: String, _ sig: String, _ doc: String, _ ex: String, _ body: @escaping (Interpreter, ListBox, Arguments) throws -> Value) {
            Builtins.registerMethod(type: "list", name: name, doc: doc, signature: "list.\(sig)", example: ex) { rt, recv, args in
                guard case .list(let l) = recv else { throw LoupeError("list method on \(recv.typeName)") }
                return try body(rt, l, args)
            }
        }
        m("append", "append(x)", "Adds `x` at the end.", "xs = [1]\nxs.append(2)  # xs is [1, 2]") { _, l, args in
            let a = try args.bind("append", ["x"], required: 1)
            l.items.append(a[0] ?? .none)
            return .none
        }
        m("extend", "extend(items)", "Adds every item of `items` at the end.", "xs = [1]\nxs.extend([2, 3])") { _, l, args in
            let a = try args.bind("extend", ["items"], required: 1)
            l.items.append(contentsOf: try Ops.iterate(a[0] ?? .none))
            return .none
        }
        m("insert", "insert(i, x)", "Inserts `x` before position `i`.", "xs = [1, 3]\nxs.insert(1, 2)") { _, l, args in
            let a = try args.bind("insert", ["i", "x"], required: 2)
            var i = try (a[0] ?? .none).asInt("index")
            if i < 0 { i += l.items.count }
            l.items.insert(a[1] ?? .none, at: min(max(i, 0), l.items.count))
            return .none
        }
        m("pop", "pop(i=-1)", "Removes and returns the item at `i` (the last by default).", "[1, 2, 3].pop()  # 3") { _, l, args in
            let a = try args.bind("pop", ["i"])
            if l.items.isEmpty { throw LoupeError("pop from an empty list") }
            let i = try Indexing.normIndex(try a[0]?.asInt("index") ?? -1, l.items.count, "pop")
            return l.items.remove(at: i)
        }
        m("remove", "remove(x)", "Removes the first item equal to `x`.", "xs = [1, 2]\nxs.remove(1)") { _, l, args in
            let a = try args.bind("remove", ["x"], required: 1)
            guard let i = l.items.firstIndex(where: { Ops.equal($0, a[0] ?? .none) }) else {
                throw LoupeError("list.remove(x): \(Repr.repr(a[0] ?? .none)) is not in the list")
            }
            l.items.remove(at: i)
            return .none
        }
        m("index", "index(x)", "Position of the first item equal to `x`; an error if absent.", "[\"a\", \"b\"].index(\"b\")  # 1") { _, l, args in
            let a = try args.bind("index", ["x"], required: 1)
            guard let i = l.items.firstIndex(where: { Ops.equal($0, a[0] ?? .none) }) else {
                throw LoupeError("\(Repr.repr(a[0] ?? .none)) is not in the list")
            }
            return .int(i)
        }
        m("count", "count(x)", "How many items equal `x`.", "[1, 2, 1].count(1)  # 2") { _, l, args in
            let a = try args.bind("count", ["x"], required: 1)
            return .int(l.items.filter { Ops.equal($0, a[0] ?? .none) }.count)
        }
        m("sort", "sort(key=None, reverse=False)", "Sorts in place (stable); `key` gives each item's sort key.", "xs = [3, 1, 2]\nxs.sort(reverse=True)  # [3, 2, 1]") { rt, l, args in
            let a = try args.bind("sort", ["key", "reverse"])
            l.items = try CoreBuiltins.sortValues(l.items, key: a[0]?.orNil, reverse: a[1]?.isTruthy ?? false, rt)
            return .none
        }
        m("reverse", "reverse()", "Reverses in place.", "xs = [1, 2]\nxs.reverse()") { _, l, _ in l.items.reverse(); return .none }
        m("copy", "copy()", "A shallow copy.", "ys = xs.copy()") { _, l, _ in .list(l.items) }
        m("clear", "clear()", "Removes every item.", "xs.clear()") { _, l, _ in l.items.removeAll(); return .none }
        Builtins.registerMethod(type: "tuple", name: "index", doc: "Position of the first item equal to `x`.", signature: "tuple.index(x)",
                                example: "(1, 2).index(2)  # 1") { _, recv, args in
            guard case .tuple(let t) = recv, let x = args.positional.first else { throw LoupeError("tuple.index(x) needs one argument") }
            guard let i = t.firstIndex(where: { Ops.equal($0, x) }) else { throw LoupeError("\(Repr.repr(x)) is not in the tuple") }
            return .int(i)
        }
        Builtins.registerMethod(type: "tuple", name: "count", doc: "How many items equal `x`.", signature: "tuple.count(x)",
                                example: "(1, 1).count(1)  # 2") { _, recv, args in
            guard case .tuple(let t) = recv, let x = args.positional.first else { throw LoupeError("tuple.count(x) needs one argument") }
            return .int(t.filter { Ops.equal($0, x) }.count)
        }
    }
}

/// dict methods: items, keys, values, get, pop, update, setdefault, copy, clear.
enum DictMethods {
    static func install() {
        func m(_ name: String, _ sig: String, _ doc: String, _ ex: String, _ body: @escaping (Interpreter, DictBox, Arguments) throws -> Value) {
            Builtins.registerMethod(type: "dict", name: name, doc: doc, signature: "dict.\(sig)", example: ex) { rt, recv, args in
                guard case .dict(let d) = recv else { throw LoupeError("dict method on \(recv.typeName)") }
                return try body(rt, d, args)
            }
        }
        m("items", "items()", "The (key, value) pairs in insertion order.", "for k, v in d.items(): print(k, v)") { _, d, _ in
            .list(zip(d.keys, d.values).map { .tuple([$0, $1]) })
        }
        m("keys", "keys()", "The keys in insertion order.", "list(d.keys())") { _, d, _ in .list(d.keys) }
        m("values", "values()", "The values in insertion order.", "sum(d.values())") { _, d, _ in .list(d.values) }
        m("get", "get(key, default=None)", "The value for `key`, or `default` when absent.", "{\"a\": 1}.get(\"b\", 0)  # 0") { _, d, args in
            let a = try args.bind("get", ["key", "default"], required: 1)
            return try d.get(a[0] ?? .none) ?? (a[1] ?? .none)
        }
        m("pop", "pop(key, default)", "Removes `key` and returns its value (or `default`; an error if absent without one).", "d.pop(\"a\")") { _, d, args in
            let a = try args.bind("pop", ["key", "default"], required: 1)
            if let v = try d.remove(a[0] ?? .none) { return v }
            if let dflt = a[1] { return dflt }
            throw LoupeError("key \(Repr.repr(a[0] ?? .none)) is not in the dict")
        }
        m("update", "update(other=None, **kw)", "Sets every key of `other` (a dict or pairs) and the keyword arguments.", "d.update({\"b\": 2}, c=3)") { _, d, args in
            if let o = args.positional.first {
                if case .dict(let other) = o { for (k, v) in zip(other.keys, other.values) { try d.set(k, v) } }
                else { for p in try Ops.iterate(o) { let kv = try Ops.iterate(p); if kv.count == 2 { try d.set(kv[0], kv[1]) } } }
            }
            for (k, v) in args.keywords { try d.set(.string(k), v) }
            return .none
        }
        m("setdefault", "setdefault(key, default=None)", "The value for `key`, first setting it to `default` if absent.", "counts.setdefault(w, 0)") { _, d, args in
            let a = try args.bind("setdefault", ["key", "default"], required: 1)
            if let v = try d.get(a[0] ?? .none) { return v }
            try d.set(a[0] ?? .none, a[1] ?? .none)
            return a[1] ?? .none
        }
        m("copy", "copy()", "A shallow copy.", "e = d.copy()") { _, d, _ in .dict(d.copy()) }
        m("clear", "clear()", "Removes every key.", "d.clear()") { _, d, _ in d.removeAll(); return .none }
    }
}
