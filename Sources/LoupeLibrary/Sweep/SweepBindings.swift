import Foundation
import LoupeAnalysis
import LoupeInterpreter

/// `sweep(name, items)`, `record(...)` and the Sweep's methods: the language side of sweeps that run
/// in shards (`loupe run --shard K/N`) and merge (`loupe merge`).
enum SweepBindings {
    static func install() {
        Builtins.register("sweep(name: str, items=None, ids=None)",
            doc: """
            A sweep over independent items: `for p in sweep("prompts", prompts):` runs the loop body once per item and \
            `record(...)` keeps what each item produced; code after the loop (the reduce) reads it with \
            s.table() / s.tensor(key). Item ids are `ids` if given (ints or strings, unique), a dict's keys, or the \
            items' indices; items run in id order. Under `loupe run --shard K/N` the loop runs only shard K's \
            contiguous range of ids and the run ends with the loop (the shard's records are written to \
            out/shards/K-of-N/); `loupe merge` then runs the reduce once over every shard's records. \
            sweep(name) with no items returns the sweep made earlier.
            """,
            example: "for p in sweep(\"prompts\", [\"a b\", \"c d\"]):\n    record(prompt=p, n=len(p))\nsweep(\"prompts\").table()"
        ) { interp, args in
            let session = SweepSession.of(interp)
            let name = try args.string("name")
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
                throw LoupeError("sweep(): \"\(name)\" cannot name a sweep (it names files)")
            }
            guard let given = args.optional("items") else {
                guard let s = session.sweep(named: name) else { throw LoupeError("no sweep named \"\(name)\" yet") }
                return .host(s)
            }
            let (ids, items) = try idsAndItems(given, ids: args.optional("ids"))
            let range: Range<Int>
            switch session.mode {
            case .single: range = 0..<ids.count
            case .shard(let spec): range = spec.range(total: ids.count)
            case .merge: range = 0..<0
            }
            let sweep = SweepObject(name: name, ids: ids, items: items, runRange: range, session: session)
            let models = ModelFingerprints.of(interp)
            if case .merge(let plan) = session.mode {
                do { try plan.load(into: sweep, models: models) } catch let e as SweepError { throw LoupeError(e.message) }
            }
            try session.add(sweep, models: models)
            return .host(sweep)
        }
        Builtins.register("record(**values)",
            doc: "Inside a `for x in sweep(...)` loop: records what this item produced. Numbers, bools and strings make one row of the sweep's table (same columns every row); tensors are kept per key and stacked on axis 0 (same shape every time). A shard writes them to files, so the reduce after the loop sees every shard's records.",
            example: "for p in sweep(\"prompts\", [\"a b\", \"c d\"]):\n    record(prompt=p, length=len(p))"
        ) { interp, args in
            guard let sweep = SweepSession.of(interp).active else {
                throw LoupeError("record() is for the body of a `for x in sweep(...)` loop, and no sweep has run yet")
            }
            try sweep.record(args.varKeywords)
            return .none
        }
        Builtins.registerMethod(type: "Sweep", "sweep.table()",
            doc: "The rows record() kept, in item order, as a Table.",
            example: "sweep(\"prompts\").table()") { _, recv, _ in
            .host(TableObject(try receiver(recv).table()))
        }
        Builtins.registerMethod(type: "Sweep", "sweep.tensor(key: str)",
            doc: "The tensors record() kept under key, stacked on axis 0 (one slice per record, in item order).",
            example: "sweep(\"prompts\").tensor(\"resid\")") { _, recv, args in
            .tensor(try receiver(recv).tensor(try args.string("key")))
        }
        Builtins.registerMethod(type: "Sweep", "sweep.tensors()",
            doc: "Every recorded tensor key and its stacked tensor, as a dict (save(\"x.safetensors\", s.tensors()) writes them).",
            example: "sweep(\"prompts\").tensors()") { _, recv, _ in
            let s = try receiver(recv)
            return .dict(DictBox(try s.tensorKeys().map { ($0, .tensor(try s.tensor($0))) }))
        }
    }

    static func receiver(_ v: Value) throws -> SweepObject {
        guard case .host(let h) = v, let s = h as? SweepObject else { throw LoupeError("expected a Sweep, not \(v.typeName)") }
        return s
    }

    /// The ids and items sorted by id.
    static func idsAndItems(_ given: Value, ids explicit: Value?) throws -> ([SweepID], [Value]) {
        var items: [Value]
        var ids: [SweepID]
        if case .dict(let d) = given, explicit == nil {
            items = d.values
            ids = try d.keys.map { try id($0) }
        } else {
            items = try Ops.iterate(given)
            if let explicit {
                ids = try Ops.iterate(explicit).map { try id($0) }
                guard ids.count == items.count else {
                    throw LoupeError("sweep(): \(ids.count) ids for \(items.count) items")
                }
            } else {
                ids = items.indices.map { .int($0) }
            }
        }
        var seen = Set<SweepID>()
        for i in ids where !seen.insert(i).inserted { throw LoupeError("sweep(): the id \(i) is given twice") }
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        return (order.map { ids[$0] }, order.map { items[$0] })
    }

    static func id(_ v: Value) throws -> SweepID {
        switch v {
        case .int(let i): return .int(i)
        case .string(let s): return .string(s)
        default: throw LoupeError("sweep(): an item id is an int or a string, not \(v.typeName)")
        }
    }
}
