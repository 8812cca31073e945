import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeTensor

/// Conversions between Loupe values and table cells/columns.
enum TableValues {
    static func value(_ v: TableValue) -> Value {
        switch v {
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .string(s)
        }
    }

    static func cell(_ v: Value, _ what: String) throws -> TableValue {
        switch v {
        case .int(let i): return .int(i)
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .none: return .double(.nan)
        case .tensor(let t) where t.tensor.count == 1:
            return t.kind == .float ? .double(Double(t.tensor.item)) : .int(Int(t.tensor.item))
        default: throw LoupeError("\(what): a table cell must be a number or a string, not \(v.typeName)")
        }
    }

    /// A column from a list/tuple, a 1-d tensor, a Column, a range, or a single value.
    static func column(_ v: Value, name: String) throws -> ColumnData {
        switch v {
        case .tensor(let t):
            let x = t.tensor
            guard x.rank <= 1 else {
                throw LoupeError("column '\(name)': a tensor column must be 1-d, got shape \(TensorMath.shapeText(x.shape))",
                                 hint: "flatten it first: x.flatten()")
            }
            let a = x.contiguous().toArray()
            return t.kind == .float ? .double(a.map(Double.init)) : .int(a.map { Int($0) })
        case .host(let h as ColumnObject): return h.data
        case .list, .tuple, .range:
            let items = try Ops.iterate(v)
            return ColumnData.from(try items.enumerated().map { try cell($0.element, "column '\(name)'[\($0.offset)]") })
        default: return ColumnData.from([try cell(v, "column '\(name)'")])
        }
    }

    /// `table({"a": [...], "b": [...]})`, `table([{"a": 1, "b": 2}, ...])`, or a copy of a Table.
    static func table(_ v: Value) throws -> Table {
        switch v {
        case .dict(let d):
            var cols: [(String, ColumnData)] = []
            for (k, val) in zip(d.keys, d.values) {
                let name = try k.asString("column name")
                cols.append((name, try column(val, name: name)))
            }
            return try TableBindings.checked { try Table(columns: cols) }
        case .host(let t as TableObject): return t.table
        case .list, .tuple:
            let items = try Ops.iterate(v)
            var names: [String] = []
            var rows: [[TableValue]] = []
            for (i, item) in items.enumerated() {
                guard case .dict(let d) = item else {
                    throw LoupeError("table(rows): row \(i) is a \(item.typeName), expected a dict", hint: "or pass a dict of columns")
                }
                if i == 0 { names = try d.keys.map { try $0.asString("column name") } }
                rows.append(try names.map { n in
                    guard let x = try d.get(.string(n)) else { throw LoupeError("table(rows): row \(i) has no key '\(n)'") }
                    return try cell(x, "row \(i)['\(n)']")
                })
            }
            return try TableBindings.checked { try Table(columnNames: names, rows: rows) }
        default:
            throw LoupeError("table() takes a dict of columns or a list of row dicts, not \(v.typeName)")
        }
    }

    /// Column values as a float32 tensor (int64-kind for int columns).
    static func tensor(_ c: ColumnData, name: String) throws -> Value {
        switch c {
        case .int(let v): return .tensor(Tensor(shape: [v.count], data: v.map(Float.init)), kind: .int)
        case .double(let v): return .tensor(Tensor(shape: [v.count], data: v.map(Float.init)))
        case .string: throw LoupeError("column '\(name)' holds text; only numeric columns become tensors")
        }
    }
}
