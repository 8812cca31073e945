import Foundation

/// One cell of a table as seen from outside (reads, predicates, display).
public enum TableValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return TableFormat.double(v)
        case .string(let s): return s
        }
    }

    /// Numeric view (strings are nil).
    public var number: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        case .string: return nil
        }
    }

    /// Orders numbers before strings, numbers by value, strings lexicographically.
    public static func less(_ a: TableValue, _ b: TableValue) -> Bool {
        switch (a.number, b.number) {
        case let (x?, y?): return x < y || (x.isNaN == false && y.isNaN)
        case (_?, nil): return true
        case (nil, _?): return false
        default:
            if case .string(let s) = a, case .string(let t) = b { return s < t }
            return false
        }
    }
}

/// Typed storage of one column; a table is a list of equally long columns (columnar, so a
/// multi-million-row activation dataset costs 8 bytes a numeric cell).
public enum ColumnData: Equatable, Sendable {
    case int([Int])
    case double([Double])
    case string([String])

    public var count: Int {
        switch self {
        case .int(let v): return v.count
        case .double(let v): return v.count
        case .string(let v): return v.count
        }
    }

    public subscript(row: Int) -> TableValue {
        switch self {
        case .int(let v): return .int(v[row])
        case .double(let v): return .double(v[row])
        case .string(let v): return .string(v[row])
        }
    }

    public var typeName: String {
        switch self {
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        }
    }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int]) -> ColumnData {
        switch self {
        case .int(let v): return .int(indices.map { v[$0] })
        case .double(let v): return .double(indices.map { v[$0] })
        case .string(let v): return .string(indices.map { v[$0] })
        }
    }

    /// A column holding `values`, typed by the narrowest type that holds all of them.
    public static func from(_ values: [TableValue]) -> ColumnData {
        var allInt = true, allNumber = true
        for v in values {
            switch v {
            case .int: break
            case .double: allInt = false
            case .string: allInt = false; allNumber = false
            }
        }
        if allInt { return .int(values.map { if case .int(let i) = $0 { return i } else { return 0 } }) }
        if allNumber { return .double(values.map { $0.number ?? .nan }) }
        return .string(values.map { $0.description })
    }
}

public struct TableError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A small data frame: named, typed, equally long columns. Value semantics; every operation returns a
/// new table. Column order is kept as given.
public struct Table: Equatable, Sendable {
    public private(set) var columnNames: [String]
    public private(set) var columns: [ColumnData]

    public init(columns: [(String, ColumnData)]) throws {
        let names = columns.map { $0.0 }
        if Set(names).count != names.count {
            let dup = names.first { n in names.filter { $0 == n }.count > 1 } ?? ""
            throw TableError("duplicate column name '\(dup)'")
        }
        if let first = columns.first {
            for (name, data) in columns where data.count != first.1.count {
                throw TableError("column '\(name)' has \(data.count) rows but '\(first.0)' has \(first.1.count)")
            }
        }
        self.columnNames = names
        self.columns = columns.map { $0.1 }
    }

    /// A table from rows of values (each row as long as `columnNames`).
    public init(columnNames: [String], rows: [[TableValue]]) throws {
        for (i, row) in rows.enumerated() where row.count != columnNames.count {
            throw TableError("row \(i) has \(row.count) values for \(columnNames.count) columns")
        }
        let cols = columnNames.indices.map { c in ColumnData.from(rows.map { $0[c] }) }
        try self.init(columns: Array(zip(columnNames, cols)))
    }

    public var rowCount: Int { columns.first?.count ?? 0 }
    public var columnCount: Int { columns.count }

    public func columnIndex(_ name: String) throws -> Int {
        if let i = columnNames.firstIndex(of: name) { return i }
        let hint = TableFormat.nearest(name, in: columnNames).map { " (did you mean '\($0)'?)" } ?? ""
        throw TableError("no column '\(name)'\(hint); columns are \(columnNames.joined(separator: ", "))")
    }

    public func column(_ name: String) throws -> ColumnData { columns[try columnIndex(name)] }

    public func value(row: Int, column: Int) -> TableValue { columns[column][row] }

    public func row(_ i: Int) -> [TableValue] { columns.map { $0[i] } }

    /// Rows at the given positions, in that order.
    public func rows(_ indices: [Int]) -> Table {
        var t = self
        t.columns = columns.map { $0.gather(indices) }
        return t
    }

    public func head(_ n: Int = 5) -> Table { rows(Array(0..<max(0, min(n, rowCount)))) }

    public func tail(_ n: Int = 5) -> Table { rows(Array(max(0, rowCount - max(0, n))..<rowCount)) }

    /// Keeps only the named columns, in the given order.
    public func select(_ names: [String]) throws -> Table {
        try Table(columns: names.map { ($0, try column($0)) })
    }

    /// Adds or replaces a column.
    public func with(column name: String, _ data: ColumnData) throws -> Table {
        if columns.isEmpty == false && data.count != rowCount {
            throw TableError("new column '\(name)' has \(data.count) rows, the table has \(rowCount)")
        }
        var pairs = Array(zip(columnNames, columns))
        if let i = columnNames.firstIndex(of: name) { pairs[i].1 = data } else { pairs.append((name, data)) }
        return try Table(columns: pairs)
    }

    /// Rows for which `keep` is true; `keep` gets the row index and a value reader.
    public func filter(_ keep: (Int) throws -> Bool) rethrows -> Table {
        var picked: [Int] = []
        for i in 0..<rowCount where try keep(i) { picked.append(i) }
        return rows(picked)
    }

    /// Stable sort by several columns.
    public func sorted(by keys: [(column: String, ascending: Bool)]) throws -> Table {
        let idx = try keys.map { (try columnIndex($0.column), $0.ascending) }
        let order = (0..<rowCount).sorted { a, b in
            for (c, asc) in idx {
                let x = columns[c][a], y = columns[c][b]
                if x == y { continue }
                return asc ? TableValue.less(x, y) : TableValue.less(y, x)
            }
            return a < b
        }
        return rows(order)
    }
}
