import Foundation

/// Declares one method of `type`: its header (without the `type.` prefix), doc, example and body.
typealias MethodDeclaration<Receiver> = (_ header: String, _ doc: String, _ example: String,
                                         _ body: @escaping (Interpreter, Receiver, BoundArguments) throws -> Value) -> Void

extension Builtins {
    /// Declares methods of `type`, whose bodies get the payload `receiver` takes from the value the method
    /// is called on (a list's `ListBox` …); any other value is an error naming the type.
    static func methods<Receiver>(of type: String, receiver: @escaping (Value) -> Receiver?) -> MethodDeclaration<Receiver> {
        { header, doc, example, body in
            registerMethod(type: type, "\(type).\(header)", doc: doc, example: example) { rt, recv, args in
                guard let payload = receiver(recv) else { throw LoupeError("\(type) method on \(recv.typeName)") }
                return try body(rt, payload, args)
            }
        }
    }
}

/// list methods: append, extend, insert, pop, remove, index, count, sort, reverse, copy, clear.
enum ListMethods {
    static func install() {
        let m = Builtins.methods(of: "list") { if case .list(let l) = $0 { l } else { nil } }
        m("append(x)", "Adds `x` at the end.", "xs = [1]\nxs.append(2)  # xs is [1, 2]") { _, l, args in
            l.items.append(args.value("x"))
            return .none
        }
        m("extend(items)", "Adds every item of `items` at the end.", "xs = [1]\nxs.extend([2, 3])") { _, l, args in
            l.items.append(contentsOf: try Ops.iterate(args.value("items")))
            return .none
        }
        m("insert(i, x)", "Inserts `x` before position `i`.", "xs = [1, 3]\nxs.insert(1, 2)") { _, l, args in
            var i = try args.int("i")
            if i < 0 { i += l.items.count }
            l.items.insert(args.value("x"), at: min(max(i, 0), l.items.count))
            return .none
        }
        m("pop(i=-1)", "Removes and returns the item at `i` (the last by default).", "[1, 2, 3].pop()  # 3") { _, l, args in
            if l.items.isEmpty { throw LoupeError("pop from an empty list") }
            let i = try Indexing.normIndex(try args.int("i"), l.items.count, "pop")
            return l.items.remove(at: i)
        }
        m("remove(x)", "Removes the first item equal to `x`.", "xs = [1, 2]\nxs.remove(1)") { _, l, args in
            guard let i = l.items.firstIndex(where: { Ops.equal($0, args.value("x")) }) else {
                throw LoupeError("list.remove(x): \(Repr.repr(args.value("x"))) is not in the list")
            }
            l.items.remove(at: i)
            return .none
        }
        m("index(x)", "Position of the first item equal to `x`; an error if absent.", "[\"a\", \"b\"].index(\"b\")  # 1") { _, l, args in
            guard let i = l.items.firstIndex(where: { Ops.equal($0, args.value("x")) }) else {
                throw LoupeError("\(Repr.repr(args.value("x"))) is not in the list")
            }
            return .int(i)
        }
        m("count(x)", "How many items equal `x`.", "[1, 2, 1].count(1)  # 2") { _, l, args in
            let x = args.value("x")
            return .int(l.items.filter { Ops.equal($0, x) }.count)
        }
        m("sort(key=None, reverse=False)", "Sorts in place (stable); `key` gives each item's sort key.", "xs = [3, 1, 2]\nxs.sort(reverse=True)  # [3, 2, 1]") { rt, l, args in
            l.items = try CoreBuiltins.sortValues(l.items, key: args.optional("key"), reverse: try args.bool("reverse"), rt)
            return .none
        }
        m("reverse()", "Reverses in place.", "xs = [1, 2]\nxs.reverse()") { _, l, _ in l.items.reverse(); return .none }
        m("copy()", "A shallow copy.", "ys = xs.copy()") { _, l, _ in .list(l.items) }
        m("clear()", "Removes every item.", "xs.clear()") { _, l, _ in l.items.removeAll(); return .none }
        Builtins.registerMethod(type: "tuple", "tuple.index(x)", doc: "Position of the first item equal to `x`.",
                                example: "(1, 2).index(2)  # 1") { _, recv, args in
            guard case .tuple(let t) = recv else { throw LoupeError("tuple method on \(recv.typeName)") }
            let x = args.value("x")
            guard let i = t.firstIndex(where: { Ops.equal($0, x) }) else { throw LoupeError("\(Repr.repr(x)) is not in the tuple") }
            return .int(i)
        }
        Builtins.registerMethod(type: "tuple", "tuple.count(x)", doc: "How many items equal `x`.",
                                example: "(1, 1).count(1)  # 2") { _, recv, args in
            guard case .tuple(let t) = recv else { throw LoupeError("tuple method on \(recv.typeName)") }
            let x = args.value("x")
            return .int(t.filter { Ops.equal($0, x) }.count)
        }
    }
}

/// dict methods: items, keys, values, get, pop, update, setdefault, copy, clear.
enum DictMethods {
    static func install() {
        let m = Builtins.methods(of: "dict") { if case .dict(let d) = $0 { d } else { nil } }
        m("items()", "The (key, value) pairs in insertion order.", "for k, v in d.items(): print(k, v)") { _, d, _ in
            .list(zip(d.keys, d.values).map { .tuple([$0, $1]) })
        }
        m("keys()", "The keys in insertion order.", "list(d.keys())") { _, d, _ in .list(d.keys) }
        m("values()", "The values in insertion order.", "sum(d.values())") { _, d, _ in .list(d.values) }
        m("get(key, default=None)", "The value for `key`, or `default` when absent.", "{\"a\": 1}.get(\"b\", 0)  # 0") { _, d, args in
            try d.get(args.value("key")) ?? args.value("default")
        }
        m("pop(key, default=)", "Removes `key` and returns its value (or `default`; an error if absent without one).", "d.pop(\"a\")") { _, d, args in
            if let v = try d.remove(args.value("key")) { return v }
            if args.isGiven("default") { return args.value("default") }
            throw LoupeError("key \(Repr.repr(args.value("key"))) is not in the dict")
        }
        m("update(other=None, /, **kw)", "Sets every key of `other` (a dict or pairs) and the keyword arguments.", "d.update({\"b\": 2}, c=3)") { _, d, args in
            if args.isGiven("other") {
                let o = args.value("other")
                if case .dict(let other) = o { for (k, v) in zip(other.keys, other.values) { try d.set(k, v) } }
                else { for p in try Ops.iterate(o) { let kv = try Ops.iterate(p); if kv.count == 2 { try d.set(kv[0], kv[1]) } } }
            }
            for (k, v) in args.varKeywords { try d.set(.string(k), v) }
            return .none
        }
        m("setdefault(key, default=None)", "The value for `key`, first setting it to `default` if absent.", "counts.setdefault(w, 0)") { _, d, args in
            if let v = try d.get(args.value("key")) { return v }
            try d.set(args.value("key"), args.value("default"))
            return args.value("default")
        }
        m("copy()", "A shallow copy.", "e = d.copy()") { _, d, _ in .dict(d.copy()) }
        m("clear()", "Removes every key.", "d.clear()") { _, d, _ in d.removeAll(); return .none }
    }
}
