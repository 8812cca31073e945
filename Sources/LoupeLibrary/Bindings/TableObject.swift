import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeReport
import LoupeTensor

/// A `LoupeAnalysis.Table` in Loupe code (pandas-like). Methods are registered in TableBindings; this
/// object provides what the protocol needs: `t["col"]`, `t["col"] = …`, `len(t)`, iteration over rows
/// (as dicts, so `save("x.csv", t)` and `for row in t` work), the printed text and the report table.
final class TableObject: HostObject {
    let typeName = "Table"
    var table: Table

    init(_ table: Table) { self.table = table }

    var length: Int? { table.rowCount }

    func repr() -> String { TableFormat.text(table) }

    /// Report form: an index column, the first and last rows of long tables, and the total.
    func display() -> CellOutput? {
        let edge = 10
        let shown = TableFormat.previewRows(table, limit: 60, edge: edge)
        var rows: [[String]] = []
        for (n, r) in shown.enumerated() {
            if n == edge && shown.count < table.rowCount {
                rows.append(["…"] + table.columnNames.map { _ in "…" })
            }
            rows.append([String(r)] + table.columns.map { TableFormat.display($0[r]) })
        }
        return .table(columns: [""] + table.columnNames, rows: rows, totalRows: table.rowCount)
    }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "columns": return .list(table.columnNames.map { .string($0) })
        case "shape": return .tuple([.int(table.rowCount), .int(table.columnCount)])
        case "dtypes":
            let d = DictBox()
            for (n, c) in zip(table.columnNames, table.columns) { try d.set(.string(n), .string(c.typeName)) }
            return .dict(d)
        default: return nil
        }
    }

    var memberNames: [String] { ["columns", "shape", "dtypes"] }

    /// `t["col"]` a column; `t[["a", "b"]]` a table of those columns; `t[2:5]` rows; `t[i]` row i as a dict;
    /// `t[mask]` the rows where a boolean tensor/list is true.
    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        switch key {
        case .string(let name): return .host(ColumnObject(name: name, data: try TableBindings.checked { try table.column(name) }))
        case .list(let l) where l.items.first.map({ if case .bool = $0 { return true }; return false }) ?? false:
            return .host(TableObject(try mask(l.items)))
        case .tensor(let t):
            return .host(TableObject(try mask(try Ops.iterate(.tensor(t)))))
        case .list(let l):
            let names = try l.items.map { try $0.asString("column name") }
            return .host(TableObject(try TableBindings.checked { try table.select(names) }))
        case .slice(let s):
            let idx = TableBindings.sliceIndices(s, count: table.rowCount)
            return .host(TableObject(table.rows(idx)))
        case .int, .bool:
            var i = try key.asInt("row index")
            if i < 0 { i += table.rowCount }
            guard i >= 0 && i < table.rowCount else {
                throw LoupeError("row \(try key.asInt("row")) out of range for a table of \(table.rowCount) rows")
            }
            return .dict(try rowDict(i))
        default:
            throw LoupeError("a Table is indexed by a column name, a list of names, a row number or a slice, not \(key.typeName)")
        }
    }

    /// `t["new"] = [...]` (or a tensor, a Column, or one value for every row).
    func setItem(_ key: Value, _ value: Value, interpreter: Interpreter) throws -> Bool {
        let name = try key.asString("column name")
        var data = try TableValues.column(value, name: name)
        if data.count == 1 && table.rowCount != 1 && table.columnCount > 0 {
            data = data.gather([Int](repeating: 0, count: table.rowCount))
        }
        table = try TableBindings.checked { try table.with(column: name, data) }
        return true
    }

    /// Rows where a boolean mask (one value per row) is true: `t[t["attn"].tensor() > 0.5]`.
    func mask(_ items: [Value]) throws -> Table {
        guard items.count == table.rowCount else {
            throw LoupeError("the mask has \(items.count) values for \(table.rowCount) rows")
        }
        return table.filter { items[$0].isTruthy }
    }

    func iterate() throws -> [Value]? { try (0..<table.rowCount).map { .dict(try rowDict($0)) } }

    func rowDict(_ i: Int) throws -> DictBox {
        let d = DictBox()
        for (n, c) in zip(table.columnNames, table.columns) { try d.set(.string(n), TableValues.value(c[i])) }
        return d
    }

    var help: String {
        TableBindings.typeHelp("Table", "A table of named, typed columns (pandas-like). Make one with table({...}), read_csv(path) or read_sqlite(path, query).")
    }
}

/// One column of a table (pandas' Series, simplified): indexable, iterable, with `.tensor()` and
/// summary methods registered in TableBindings.
final class ColumnObject: HostObject {
    let typeName = "Column"
    let name: String
    let data: ColumnData

    init(name: String, data: ColumnData) { self.name = name; self.data = data }

    var length: Int? { data.count }

    func iterate() throws -> [Value]? { (0..<data.count).map { TableValues.value(data[$0]) } }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        if case .slice(let s) = key {
            return .host(ColumnObject(name: name, data: data.gather(TableBindings.sliceIndices(s, count: data.count))))
        }
        var i = try key.asInt("index")
        if i < 0 { i += data.count }
        guard i >= 0 && i < data.count else { throw LoupeError("index \(i) out of range for a column of \(data.count) values") }
        return TableValues.value(data[i])
    }

    func repr() -> String {
        let n = data.count
        let shown = n <= 20 ? Array(0..<n) : Array(0..<5) + Array((n - 5)..<n)
        var parts = shown.map { TableFormat.display(data[$0]) }
        if n > 20 { parts.insert("…", at: 5) }
        return "Column '\(name)' (\(n) \(data.typeName)): [" + parts.joined(separator: ", ") + "]"
    }

    var help: String { TableBindings.typeHelp("Column", "One column of a Table: t[\"name\"]. Iterate it, index it, or turn it into a tensor with .tensor().") }
}
