import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis

/// `table(...)`, `read_csv`, `read_sqlite` and the shared helpers of the Table bindings.
enum TableBindings {
    static func install() {
        Builtins.register(
            "table(columns)",
            doc: """
            A Table (pandas-like data frame) from a dict of equally long columns (lists, 1-d tensors, \
            Columns) or from a list of row dicts. Columns are int, float or str. Show it as a cell's value \
            for a report table; print it for aligned text.
            """,
            example: "t = table({\"layer\": [0, 0, 1], \"head\": [0, 1, 0], \"attn\": [0.9, 0.1, 0.5]})\nt.where(\"attn\", \">\", 0.4)"
        ) { _, args in
            .host(TableObject(try TableValues.table(args.value("columns"))))
        }

        Builtins.register(
            "read_csv(path)",
            doc: """
            Reads a CSV file with a header row (as pandas writes it: to_csv(index=False), or with an unnamed \
            index column, which becomes `index`) into a Table; each column is int, float or str by its cells.
            """,
            example: "df = read_csv(\"32x32_attn.csv\")\ndf.head()"
        ) { rt, args in
            let u = FileBuiltins.url(try args.string("path"), rt)
            return .host(TableObject(try checked { try Table.readCSV(u) }))
        }

        Builtins.register(
            "read_sqlite(path, query)",
            doc: """
            Runs a SQL query on a SQLite file and returns its rows as a Table — for datasets written with \
            t.to_sqlite(path) that are too big to load whole.
            """,
            example: "heads = read_sqlite(\"attn.sqlite\", \"SELECT layer, head, hp FROM data WHERE layer = 3\")"
        ) { rt, args in
            let u = FileBuiltins.url(try args.string("path"), rt)
            let q = try args.string("query")
            return .host(TableObject(try checked { try Table.readSQLite(u, query: q) }))
        }

        TableMethods.install()
        TableGroupBy.install()
        ColumnMethods.install()
    }

    /// Runs table code, turning TableError into a Loupe error.
    static func checked<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TableError { throw LoupeError(e.message) }
    }

    static func table(_ v: Value, _ what: String) throws -> Table {
        if case .host(let t as TableObject) = v { return t.table }
        throw LoupeError("\(what) must be a Table, not \(v.typeName)", hint: "make one with table({...}) or read_csv(path)")
    }

    /// One name or a list of names.
    static func names(_ v: Value, _ what: String) throws -> [String] {
        switch v {
        case .string(let s): return [s]
        case .list, .tuple: return try Ops.iterate(v).map { try $0.asString(what) }
        default: throw LoupeError("\(what) must be a column name or a list of names, not \(v.typeName)")
        }
    }

    /// Row indices a Python slice selects.
    static func sliceIndices(_ s: SliceValue, count n: Int) -> [Int] {
        let step = s.step ?? 1
        guard step != 0 else { return [] }
        func clamp(_ v: Int?, _ dflt: Int, _ lo: Int, _ hi: Int) -> Int {
            guard var v else { return dflt }
            if v < 0 { v += n }
            return min(max(v, lo), hi)
        }
        if step > 0 {
            let a = clamp(s.start, 0, 0, n), b = clamp(s.stop, n, 0, n)
            return Array(stride(from: a, to: b, by: step))
        }
        let a = clamp(s.start, n - 1, -1, n - 1), b = clamp(s.stop, -1, -1, n - 1)
        return Array(stride(from: a, to: b, by: step))
    }

    /// help(Table): the type's summary and its registered members.
    static func typeHelp(_ type: String, _ summary: String) -> String {
        var s = "\(type): \(summary)\n"
        for (name, def) in (Builtins.members[type] ?? [:]).sorted(by: { $0.key < $1.key }) {
            s += "  \(def.signature)  \(def.doc.split(separator: "\n").first ?? "")\n"
            _ = name
        }
        return s
    }
}
