/// Group-by, aggregation and joins over `Table`.
public enum Aggregation: String, Sendable, CaseIterable {
    case count, sum, mean, min, max, nunique, first
}

extension Table {
    /// Row indices of each distinct key, groups ordered by their first appearance.
    func groups(by keys: [String]) throws -> (keys: [[TableValue]], members: [[Int]]) {
        let cols = try keys.map { try columnIndex($0) }
        var slot: [[TableValue]: Int] = [:]
        var keyList: [[TableValue]] = []
        var members: [[Int]] = []
        for r in 0..<rowCount {
            let key = cols.map { columns[$0][r] }
            if let s = slot[key] {
                members[s].append(r)
            } else {
                slot[key] = keyList.count
                keyList.append(key)
                members.append([r])
            }
        }
        return (keyList, members)
    }

    /// One row per distinct combination of `keys` (sorted by the keys, as pandas' groupby does) with
    /// the named aggregates; output columns are named `column` (or `count` for a bare count).
    public func groupBy(_ keys: [String], aggregate: [(column: String, Aggregation)]) throws -> Table {
        let (keyList, members) = try groups(by: keys)
        var outCols: [(String, ColumnData)] = keys.indices.map { k in
            (keys[k], ColumnData.from(keyList.map { $0[k] }))
        }
        for (name, agg) in aggregate {
            let c = try columnIndex(name)
            let values: [TableValue] = members.map { rows in
                let vals = rows.map { columns[c][$0] }
                switch agg {
                case .count: return .int(vals.count)
                case .nunique: return .int(Set(vals).count)
                case .first: return vals[0]
                case .sum, .mean:
                    let total = vals.reduce(0.0) { $0 + ($1.number ?? .nan) }
                    if agg == .mean { return .double(total / Double(vals.count)) }
                    if vals.allSatisfy({ if case .int = $0 { return true } else { return false } }) {
                        return .int(vals.reduce(0) { acc, v in if case .int(let i) = v { return acc + i } else { return acc } })
                    }
                    return .double(total)
                case .min: return vals.min(by: TableValue.less) ?? vals[0]
                case .max: return vals.max(by: TableValue.less) ?? vals[0]
                }
            }
            let outName = agg == .count && aggregate.count == 1 ? "count" : (aggregate.filter { $0.column == name }.count > 1 ? "\(name)_\(agg.rawValue)" : name)
            outCols.append((outName, ColumnData.from(values)))
        }
        let grouped = try Table(columns: outCols)
        return try grouped.sorted(by: keys.map { ($0, true) })
    }

    /// `groupBy(keys)` with a row count per group, like pandas' `value_counts` / `groupby().size()`.
    public func countBy(_ keys: [String]) throws -> Table {
        let (keyList, members) = try groups(by: keys)
        var outCols: [(String, ColumnData)] = keys.indices.map { k in
            (keys[k], ColumnData.from(keyList.map { $0[k] }))
        }
        outCols.append(("count", .int(members.map { $0.count })))
        return try Table(columns: outCols).sorted(by: keys.map { ($0, true) })
    }

    public enum JoinKind: String, Sendable { case inner, left }

    /// Joins on equal values of `on`; columns of `other` that clash with ours get the suffix "_right".
    public func join(_ other: Table, on keys: [String], kind: JoinKind = .inner) throws -> Table {
        let (otherKeys, otherRows) = try other.groups(by: keys)
        var lookup: [[TableValue]: [Int]] = [:]
        for (k, rows) in zip(otherKeys, otherRows) { lookup[k] = rows }
        let myKeyCols = try keys.map { try columnIndex($0) }
        let otherExtra = other.columnNames.enumerated().filter { !keys.contains($0.element) }
        var left: [Int] = []
        var right: [Int?] = []
        for r in 0..<rowCount {
            let key = myKeyCols.map { columns[$0][r] }
            if let matches = lookup[key] {
                for m in matches { left.append(r); right.append(m) }
            } else if kind == .left {
                left.append(r); right.append(nil)
            }
        }
        var outCols: [(String, ColumnData)] = zip(columnNames, columns).map { ($0, $1.gather(left)) }
        for (c, name) in otherExtra {
            let values: [TableValue] = right.map { m in m.map { other.columns[c][$0] } ?? .double(.nan) }
            let outName = columnNames.contains(name) ? name + "_right" : name
            outCols.append((outName, ColumnData.from(values)))
        }
        return try Table(columns: outCols)
    }
}
