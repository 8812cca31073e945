import Foundation
import GRDB

/// Tables in SQLite files (through GRDB), for datasets too big to keep in memory.
extension Table {
    /// Writes the table as `name` into the database at `url` (created if missing, the table replaced).
    public func writeSQLite(to url: URL, table name: String) throws {
        do {
            let db = try DatabaseQueue(path: url.path)
            try db.write { db in
                try db.execute(sql: "DROP TABLE IF EXISTS \(name.quotedDatabaseIdentifier)")
                let defs = zip(columnNames, columns).map { n, c -> String in
                    let type: String
                    switch c { case .int: type = "INTEGER"; case .double: type = "REAL"; case .string: type = "TEXT" }
                    return "\(n.quotedDatabaseIdentifier) \(type)"
                }
                try db.execute(sql: "CREATE TABLE \(name.quotedDatabaseIdentifier) (\(defs.joined(separator: ", ")))")
                let marks = Array(repeating: "?", count: columnCount).joined(separator: ", ")
                let stmt = try db.makeStatement(sql: "INSERT INTO \(name.quotedDatabaseIdentifier) VALUES (\(marks))")
                for r in 0..<rowCount {
                    let args: [DatabaseValueConvertible?] = columns.map { c in
                        switch c {
                        case .int(let v): return v[r]
                        case .double(let v): return v[r].isNaN ? nil : v[r]
                        case .string(let v): return v[r]
                        }
                    }
                    try stmt.execute(arguments: StatementArguments(args))
                }
            }
        } catch let e as TableError {
            throw e
        } catch {
            throw TableError("SQLite \(url.path): \(error)")
        }
    }

    /// Runs a query (e.g. "SELECT * FROM attn WHERE layer = 3") and returns its rows as a table.
    public static func readSQLite(_ url: URL, query: String) throws -> Table {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TableError("cannot read \(url.path): no such file")
        }
        do {
            let db = try DatabaseQueue(path: url.path)
            return try db.read { db in
                let cursor = try Row.fetchCursor(db, sql: query)
                var names: [String] = []
                var values: [[TableValue]] = []
                while let row = try cursor.next() {
                    if names.isEmpty { names = Array(row.columnNames); values = names.map { _ in [] } }
                    for (i, dbv) in row.databaseValues.enumerated() {
                        switch dbv.storage {
                        case .int64(let v): values[i].append(.int(Int(v)))
                        case .double(let v): values[i].append(.double(v))
                        case .string(let s): values[i].append(.string(s))
                        case .null: values[i].append(.double(.nan))
                        case .blob(let d): values[i].append(.string("<\(d.count) bytes>"))
                        }
                    }
                }
                return try Table(columns: zip(names, values).map { ($0, ColumnData.from($1)) })
            }
        } catch let e as TableError {
            throw e
        } catch {
            throw TableError("SQLite \(url.path): \(error)")
        }
    }
}
