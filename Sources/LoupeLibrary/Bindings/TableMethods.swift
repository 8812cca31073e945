import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeScript
import LoupeTensor

/// Table methods as pandas users type them: head/tail, filter/where, sort_values, select, join,
/// count_by/value_counts, rename/drop, to_csv/to_sqlite.
enum TableMethods {
    static func receiver(_ v: Value) throws -> TableObject { try hostReceiver(v, "a Table") }

    static func wrap(_ t: Table) -> Value { .host(TableObject(t)) }

    static func method(_ header: String, _ doc: String, _ example: String,
                       _ body: @escaping (Interpreter, TableObject, BoundArguments) throws -> Value) {
        Builtins.registerMethod(type: "Table", header, doc: doc, example: example) { rt, recv, args in
            try TableBindings.checked { try body(rt, try receiver(recv), args) }
        }
    }

    static func install() {
        method("t.head(n=5)", "The first n rows.", "df.head(10)") { _, t, args in
            wrap(t.table.head(try args.int("n")))
        }
        method("t.tail(n=5)", "The last n rows.", "df.tail(3)") { _, t, args in
            wrap(t.table.tail(try args.int("n")))
        }
        method("t.filter(predicate)",
               "Rows for which predicate(row) is true; row is a dict of the row's values. A list/tensor/Column of booleans (one per row) also works. For big tables where(column, op, value) is much faster.",
               "strong = df.filter(lambda row: row[\"attn\"] > 0.5 and row[\"layer\"] < 6)") { rt, t, args in
            let p = args.value("predicate")
            switch p {
            case .function, .builtin, .method:
                return wrap(try t.table.filter { i in try rt.call(p, Arguments([.dict(try t.rowDict(i))])).isTruthy })
            default:
                let mask = try Ops.iterate(p)
                guard mask.count == t.table.rowCount else {
                    throw LoupeError("filter: the mask has \(mask.count) values for \(t.table.rowCount) rows")
                }
                return wrap(t.table.filter { mask[$0].isTruthy })
            }
        }
        method("t.where(column, op, value)",
               "Rows whose column compares true with value; op is one of == != < <= > >= in \"not in\" contains (substring).",
               "df.where(\"attn\", \">\", 0.5).where(\"layer\", \"in\", [0, 1])") { _, t, args in
            let col = try t.table.column(try args.string("column"))
            let test = try predicate(try args.string("op"), args.value("value"))
            return wrap(t.table.filter { test(col[$0]) })
        }
        method("t.sort_values(by, ascending=True)",
               "Rows sorted (stably) by one column or a list of columns; ascending may be a list, one per column.",
               "df.sort_values(\"Shared Tokens\", ascending=False)") { _, t, args in
            let by = try TableBindings.names(args.value("by"), "by")
            let ascending = args.value("ascending")
            var asc = [Bool](repeating: ascending.isTruthy, count: by.count)
            switch ascending {
            case .list, .tuple:
                asc = try Ops.iterate(ascending).map { try $0.asBool("ascending") }
                guard asc.count == by.count else { throw LoupeError("sort_values: \(asc.count) ascending flags for \(by.count) columns") }
            default: break
            }
            return wrap(try t.table.sorted(by: Array(zip(by, asc)).map { ($0.0, $0.1) }))
        }
        method("t.select(columns)", "Only the named columns, in that order (also t[[\"a\", \"b\"]]).",
               "df.select([\"layer\", \"head\", \"hp\"])") { _, t, args in
            wrap(try t.table.select(try TableBindings.names(args.value("columns"), "columns")))
        }
        method("t.drop(columns)", "The table without the named columns.", "df.drop(\"prompt\")") { _, t, args in
            let gone = try TableBindings.names(args.value("columns"), "columns")
            for g in gone { _ = try t.table.columnIndex(g) }
            return wrap(try t.table.select(t.table.columnNames.filter { !gone.contains($0) }))
        }
        method("t.rename(columns)", "Columns renamed by a dict {old: new}.",
               "df.rename({\"hp\": \"qk\"})") { _, t, args in
            guard case .dict(let d) = args.value("columns") else { throw LoupeError("rename: columns must be a dict {old: new}") }
            var names = t.table.columnNames
            for (k, v) in zip(d.keys, d.values) {
                let i = try t.table.columnIndex(try k.asString("old name"))
                names[i] = try v.asString("new name")
            }
            return wrap(try Table(columns: Array(zip(names, t.table.columns))))
        }
        method("t.join(other, on, how=\"inner\")",
               "Rows of t matched with rows of other having equal values in the `on` columns (how: inner or left; unmatched left rows get NaN). Clashing column names from other get the suffix _right.",
               "freq.join(unique, on=\"Head\")") { _, t, args in
            let other = try TableBindings.table(args.value("other"), "other")
            let on = try TableBindings.names(args.value("on"), "on")
            let howText = try args.string("how")
            guard let how = Table.JoinKind(rawValue: howText) else { throw LoupeError("join: how must be \"inner\" or \"left\", not \"\(howText)\"") }
            return wrap(try t.table.join(other, on: on, kind: how))
        }
        method("t.merge(other, on, how=\"inner\")", "Same as join (pandas' name).", "freq.merge(unique, on=\"Head\")") { rt, t, args in
            try rt.call(.method(BoundMethod(receiver: .host(t), name: "join")),
                        Arguments([args.value("other"), args.value("on"), args.value("how")]))
        }
        method("t.count_by(columns)", "One row per distinct value of the columns with a `count` column (sorted by the columns).",
               "df.count_by([\"layer\", \"head\"])") { _, t, args in
            wrap(try t.table.countBy(try TableBindings.names(args.value("columns"), "columns")))
        }
        method("t.value_counts(columns)", "Like count_by, most frequent first.",
               "df.value_counts(\"hp\").head()") { _, t, args in
            let keys = try TableBindings.names(args.value("columns"), "columns")
            return wrap(try t.table.countBy(keys).sorted(by: [("count", false)]))
        }
        method("t.groupby(by)", "Groups rows by one column or several; follow with .size(), .count(), .agg({...}), .mean(), .sum(), .min(), .max(), .nunique().",
               "df.groupby([\"layer\", \"head\"]).agg({\"attn\": \"mean\", \"hp\": \"nunique\"})") { _, t, args in
            let keys = try TableBindings.names(args.value("by"), "by")
            for k in keys { _ = try t.table.columnIndex(k) }
            return .host(GroupByObject(table: t.table, keys: keys))
        }
        method("t.pivot(index, columns, values)",
               "A 2-D tensor [distinct index values, distinct columns values] (both sorted) holding `values`; NaN where a pair is missing, the last row winning on duplicates. For heatmaps: imshow(t.pivot(\"layer\", \"head\", \"logprob\")).",
               "imshow(sweep.pivot(\"layer\", \"position\", \"recovered\"))") { _, t, args in
            let rows = try t.table.column(try args.string("index")), cols = try t.table.column(try args.string("columns"))
            let vals = try t.table.column(try args.string("values"))
            let rk = Array(Set((0..<rows.count).map { rows[$0] })).sorted(by: TableValue.less)
            let ck = Array(Set((0..<cols.count).map { cols[$0] })).sorted(by: TableValue.less)
            let ri = Dictionary(uniqueKeysWithValues: rk.enumerated().map { ($1, $0) })
            let ci = Dictionary(uniqueKeysWithValues: ck.enumerated().map { ($1, $0) })
            var out = [Float](repeating: .nan, count: rk.count * ck.count)
            for r in 0..<vals.count {
                guard let v = vals[r].number, let i = ri[rows[r]], let j = ci[cols[r]] else { continue }
                out[i * ck.count + j] = Float(v)
            }
            return .tensor(Tensor(shape: [rk.count, ck.count], data: out))
        }
        method("t.copy()", "A copy (tables are values; this is for pandas habits).", "u = df.copy()") { _, t, _ in wrap(t.table) }
        method("t.to_csv(path, index=False)", "Writes CSV that pandas reads back (header row, no index; index is accepted for pandas' to_csv(index=False) and ignored). Returns the path.",
               "df.to_csv(\"imdb_example.csv\")") { rt, t, args in
            let u = try FileBuiltins.writeURL(try args.string("path"), rt)
            try? FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try t.table.writeCSV(to: u)
            return .string(u.path)
        }
        method("t.to_sqlite(path, table=\"data\")",
               "Writes the table into a SQLite file (the named table replaced); read parts back with read_sqlite(path, query). Returns the path.",
               "df.to_sqlite(\"attn.sqlite\", table=\"attn\")") { rt, t, args in
            let u = try FileBuiltins.writeURL(try args.string("path"), rt)
            try? FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try t.table.writeSQLite(to: u, table: try args.string("table"))
            return .string(u.path)
        }
        method("t.to_dict()", "The columns as a dict of lists.", "cols = df.to_dict()") { _, t, _ in
            let d = DictBox()
            for (n, c) in zip(t.table.columnNames, t.table.columns) {
                try d.set(.string(n), .list((0..<c.count).map { TableValues.value(c[$0]) }))
            }
            return .dict(d)
        }
        method("t.rows()", "The rows as a list of dicts.", "for row in df.head().rows(): print(row[\"hp\"])") { _, t, _ in
            .list(try t.iterate() ?? [])
        }
    }

    /// A cell test for `where`.
    static func predicate(_ op: String, _ value: Value) throws -> (TableValue) -> Bool {
        switch op {
        case "in", "not in":
            let set = Set(try Ops.iterate(value).map { try normal(TableValues.cell($0, "where value")) })
            return op == "in" ? { set.contains(normal($0)) } : { !set.contains(normal($0)) }
        case "contains":
            let sub = try value.asString("where value")
            return { if case .string(let s) = $0 { return s.contains(sub) }; return false }
        default:
            let v = normal(try TableValues.cell(value, "where value"))
            switch op {
            case "==": return { normal($0) == v }
            case "!=": return { normal($0) != v }
            case "<": return { order($0, v) == -1 }
            case "<=": return { let o = order($0, v); return o == -1 || o == 0 }
            case ">": return { order($0, v) == 1 }
            case ">=": return { let o = order($0, v); return o == 1 || o == 0 }
            default: throw LoupeError("where: unknown operator \"\(op)\"", hint: "use one of == != < <= > >= in \"not in\" contains")
            }
        }
    }

    /// Integral doubles compare equal to ints (1 == 1.0), as in Python.
    static func normal(_ v: TableValue) -> TableValue {
        if case .double(let d) = v, d == d.rounded(), abs(d) < 9e18 { return .int(Int(d)) }
        return v
    }

    /// -1, 0, 1; NaN and mismatched kinds compare as "not ordered" (never true for < or >).
    static func order(_ a: TableValue, _ b: TableValue) -> Int {
        if let x = a.number, let y = b.number {
            if x.isNaN || y.isNaN { return 2 }
            return x < y ? -1 : (x > y ? 1 : 0)
        }
        if case .string(let s) = a, case .string(let t) = b { return s < t ? -1 : (s > t ? 1 : 0) }
        return 2
    }
}
