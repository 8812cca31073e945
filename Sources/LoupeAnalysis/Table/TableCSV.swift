import Foundation

/// CSV as pandas writes and reads it (RFC 4180 quoting, header row, no index column).
extension Table {
    public func csv() -> String {
        var out = columnNames.map(Table.csvField).joined(separator: ",") + "\n"
        out.reserveCapacity(rowCount * columnCount * 8)
        for r in 0..<rowCount {
            var first = true
            for c in columns {
                if !first { out += "," }
                first = false
                switch c {
                case .int(let v): out += String(v[r])
                case .double(let v): out += v[r].isNaN ? "" : TableFormat.double(v[r])
                case .string(let v): out += Table.csvField(v[r])
                }
            }
            out += "\n"
        }
        return out
    }

    public func writeCSV(to url: URL) throws {
        do { try csv().write(to: url, atomically: true, encoding: .utf8) } catch {
            throw TableError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    static func csvField(_ s: String) -> String {
        if s.isEmpty { return "\"\"" }
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.first == " " || s.last == " " {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// Parses CSV text with a header row; each column becomes int, float or str by what all its cells hold
    /// (empty numeric cells read as NaN, as pandas does).
    public static func parseCSV(_ text: String, source: String = "<csv>") throws -> Table {
        let records = try splitCSV(text, source: source)
        guard let header = records.first else { throw TableError("\(source): empty CSV (no header row)") }
        var cols = [[String]](repeating: [], count: header.count)
        for (n, rec) in records.dropFirst().enumerated() {
            if rec.count == 1 && rec[0].isEmpty { continue }
            guard rec.count == header.count else {
                throw TableError("\(source):\(n + 2): \(rec.count) fields, header has \(header.count)")
            }
            for (i, f) in rec.enumerated() { cols[i].append(f) }
        }
        var names = header
        if names.first == "" { names[0] = "index" }
        return try Table(columns: zip(names, cols).map { ($0, inferColumn($1)) })
    }

    public static func readCSV(_ url: URL) throws -> Table {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TableError("cannot read \(url.path): no such file")
        }
        return try parseCSV(String(decoding: data, as: UTF8.self), source: url.path)
    }

    static func inferColumn(_ cells: [String]) -> ColumnData {
        let ints = cells.map { Int($0) }
        if !cells.isEmpty, ints.allSatisfy({ $0 != nil }) { return .int(ints.map { $0 ?? 0 }) }
        let doubles = cells.map { $0.isEmpty ? Double.nan : Double($0) }
        if !cells.isEmpty, doubles.allSatisfy({ $0 != nil }) { return .double(doubles.map { $0 ?? .nan }) }
        return .string(cells)
    }

    static func splitCSV(_ text: String, source: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var it = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return it.next()
        }
        while let ch = next() {
            if inQuotes {
                if ch == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    if ch == "\n" { line += 1 }
                    field.unicodeScalars.append(ch)
                }
                continue
            }
            switch ch {
            case "\"" where field.isEmpty: inQuotes = true
            case ",": record.append(field); field = ""
            case "\r": continue
            case "\n":
                record.append(field); field = ""
                records.append(record); record = []
                line += 1
            default: field.unicodeScalars.append(ch)
            }
        }
        if inQuotes { throw TableError("\(source):\(line): unterminated quoted field") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}
