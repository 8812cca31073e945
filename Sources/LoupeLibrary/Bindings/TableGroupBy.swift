import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis

/// `t.groupby(keys)`: a pending grouping; its methods return Tables with one row per group.
final class GroupByObject: HostObject {
    let typeName = "GroupBy"
    let table: Table
    let keys: [String]

    init(table: Table, keys: [String]) { self.table = table; self.keys = keys }

    func repr() -> String { "<GroupBy \(keys.joined(separator: ", ")) over \(table.rowCount) rows>" }
    var help: String { TableBindings.typeHelp("GroupBy", "Rows of a Table grouped by key columns; aggregate with size/count/agg/mean/sum/min/max/nunique.") }

    /// The non-key columns (what mean()/sum()/… aggregate).
    var valueColumns: [String] { table.columnNames.filter { !keys.contains($0) } }
}

enum TableGroupBy {
    static func receiver(_ v: Value) throws -> GroupByObject { try hostReceiver(v, "a GroupBy") }

    static func install() {
        Builtins.registerMethod(type: "GroupBy", "g.size()", doc: "Rows per group, in a column `size`.",
                                example: "df.groupby([\"layer\", \"head\"]).size()") { _, recv, _ in
            let g = try receiver(recv)
            let t = try TableBindings.checked { try g.table.countBy(g.keys) }
            return .host(TableObject(try TableBindings.checked {
                try Table(columns: zip(t.columnNames, t.columns).map { ($0 == "count" ? "size" : $0, $1) })
            }))
        }
        Builtins.registerMethod(type: "GroupBy", "g.count()", doc: "Rows per group, in a column `count`.",
                                example: "df.groupby(\"layer\").count()") { _, recv, _ in
            let g = try receiver(recv)
            return .host(TableObject(try TableBindings.checked { try g.table.countBy(g.keys) }))
        }
        Builtins.registerMethod(
            type: "GroupBy", "g.agg(spec=None, **columns)",
            doc: "Aggregates per group: a dict {column: how} or {column: [how, ...]} where how is count, sum, mean, min, max, nunique or first; or keywords column=how. Several aggregations of one column are named column_how.",
            example: "df.groupby(\"head\").agg({\"attn\": [\"mean\", \"max\"], \"hp\": \"nunique\"})"
        ) { _, recv, args in
            let g = try receiver(recv)
            var spec: [(String, Value)] = args.varKeywords
            if args.isGiven("spec") {
                let first = args.value("spec")
                guard case .dict(let d) = first else { throw LoupeError("agg: pass a dict {column: how}, not \(first.typeName)") }
                spec += try zip(d.keys, d.values).map { (try $0.asString("column"), $1) }
            }
            var aggs: [(column: String, Aggregation)] = []
            for (col, how) in spec {
                let list: [Value]
                switch how { case .list, .tuple: list = try Ops.iterate(how); default: list = [how] }
                for h in list { aggs.append((col, try aggregation(try h.asString("aggregation")))) }
            }
            guard !aggs.isEmpty else { throw LoupeError("agg: nothing to aggregate", hint: "e.g. g.agg({\"attn\": \"mean\"})") }
            return .host(TableObject(try TableBindings.checked { try g.table.groupBy(g.keys, aggregate: aggs) }))
        }
        for how in [Aggregation.sum, .mean, .min, .max, .nunique, .first] {
            Builtins.registerMethod(type: "GroupBy", "g.\(how.rawValue)()", doc: "The \(how.rawValue) of every non-key column per group.",
                                example: "df.groupby(\"layer\").\(how.rawValue)()") { _, recv, _ in
                let g = try receiver(recv)
                var cols = g.valueColumns
                if how == .sum || how == .mean {
                    cols = cols.filter { c in (try? g.table.column(c)).map { if case .string = $0 { return false }; return true } ?? false }
                }
                return .host(TableObject(try TableBindings.checked { try g.table.groupBy(g.keys, aggregate: cols.map { ($0, how) }) }))
            }
        }
    }

    static func aggregation(_ name: String) throws -> Aggregation {
        if let a = Aggregation(rawValue: name) { return a }
        if name == "size" { return .count }
        throw LoupeError("unknown aggregation \"\(name)\"", hint: "use one of \(Aggregation.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}

/// Methods of a Column (t["name"]).
enum ColumnMethods {
    static func receiver(_ v: Value) throws -> ColumnObject { try hostReceiver(v, "a Column") }

    static func numbers(_ c: ColumnObject) throws -> [Double] {
        switch c.data {
        case .int(let v): return v.map(Double.init)
        case .double(let v): return v
        case .string: throw LoupeError("column '\(c.name)' holds text, not numbers")
        }
    }

    static func install() {
        Builtins.registerMethod(type: "Column", "c.tensor()", doc: "The column as a 1-d tensor (int64 for int columns, float32 otherwise).",
                                example: "attn = df[\"attn\"].tensor()") { _, recv, _ in
            let c = try receiver(recv)
            return try TableValues.tensor(c.data, name: c.name)
        }
        Builtins.registerMethod(type: "Column", "c.tolist()", doc: "The column as a list.",
                                example: "layers = df[\"layer\"].tolist()") { _, recv, _ in
            .list(try receiver(recv).iterate() ?? [])
        }
        Builtins.registerMethod(type: "Column", "c.unique()", doc: "The distinct values in order of first appearance.",
                                example: "df[\"head\"].unique()") { _, recv, _ in
            let c = try receiver(recv)
            var seen = Set<TableValue>()
            var out: [Value] = []
            for i in 0..<c.data.count where seen.insert(c.data[i]).inserted { out.append(TableValues.value(c.data[i])) }
            return .list(out)
        }
        Builtins.registerMethod(type: "Column", "c.nunique()", doc: "How many distinct values.",
                                example: "df[\"hp\"].nunique()") { _, recv, _ in
            let c = try receiver(recv)
            return .int(Set((0..<c.data.count).map { c.data[$0] }).count)
        }
        let stats: [(String, String, ([Double]) -> Double)] = [
            ("sum", "The sum (NaN propagates).", { $0.reduce(0, +) }),
            ("mean", "The mean.", { $0.isEmpty ? .nan : $0.reduce(0, +) / Double($0.count) }),
            ("min", "The smallest value.", { $0.min() ?? .nan }),
            ("max", "The largest value.", { $0.max() ?? .nan }),
            ("std", "The sample standard deviation (ddof=1, as pandas).", { v in
                guard v.count > 1 else { return .nan }
                let m = v.reduce(0, +) / Double(v.count)
                return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
            }),
        ]
        for (name, doc, f) in stats {
            Builtins.registerMethod(type: "Column", "c.\(name)()", doc: doc,
                                    example: "df[\"attn\"].\(name)()") { _, recv, _ in
                let c = try receiver(recv)
                let r = f(try numbers(c))
                if case .int = c.data, name != "mean", name != "std", r == r.rounded(), abs(r) < 9e18 { return .int(Int(r)) }
                return .float(r)
            }
        }
    }
}
