import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeFormats

/// JSON and CSV to and from Loupe values.
enum TextFormats {
    // MARK: JSON

    static func toJSON(_ v: Value) throws -> JSONValue {
        switch v {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d):
            guard d.isFinite else { throw LoupeError("JSON cannot hold \(Repr.float(d))") }
            return .double(d)
        case .string(let s): return .string(s)
        case .list(let l): return .array(try l.items.map(toJSON))
        case .tuple(let t): return .array(try t.map(toJSON))
        case .dict(let d):
            return .object(JSONObject(uniquing: try zip(d.keys, d.values).map { (Repr.str($0), try toJSON($1)) }))
        case .tensor(let t): return try toJSON(TensorMethods.toList(t))
        default: throw LoupeError("cannot write a \(v.typeName) as JSON")
        }
    }

    /// A dict's keys come out sorted; a repeated key keeps its last value.
    static func fromJSON(_ j: JSONValue) -> Value {
        switch j {
        case .null: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .string(s)
        case .array(let a): return .list(a.map(fromJSON))
        case .object(let o):
            let box = DictBox()
            for k in Set(o.keys).sorted() { try? box.set(.string(k), fromJSON(o[k] ?? .null)) }
            return .dict(box)
        }
    }

    /// Keys sorted; pretty output indents two spaces per level.
    static func jsonText(_ v: Value, pretty: Bool) throws -> String {
        try toJSON(v).serialized(pretty ? .sortedPretty : .sortedCompact)
    }

    static func parseJSON(_ text: String, name: String, line: Int? = nil) throws -> Value {
        do {
            return fromJSON(try JSONValue.parse(text, file: name, options: .ordered))
        } catch let error as FormatError {
            throw LoupeError("\(name)\(line.map { ":\($0)" } ?? ""): invalid JSON (\(error.message) at byte \(error.offset ?? 0))")
        }
    }

    // MARK: CSV (RFC 4180 quoting)

    static func csvField(_ v: Value) -> String {
        let s: String
        if case .float(let d) = v { s = Repr.float(d) } else if case .none = v { s = "" } else { s = Repr.str(v) }
        if s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// Rows as lists (first row may be a header), a list of dicts (keys become the header), or a dict of
    /// columns.
    static func csvText(_ v: Value) throws -> String {
        var rows: [[Value]] = []
        switch v {
        case .dict(let d):
            let cols = try d.values.map { try Ops.iterate($0) }
            let n = cols.map(\.count).max() ?? 0
            rows.append(d.keys)
            for i in 0..<n { rows.append(cols.map { i < $0.count ? $0[i] : .none }) }
        case .tensor(let t):
            guard t.tensor.rank <= 2 else { throw LoupeError("save .csv: a tensor must be 1-d or 2-d (got shape \(TensorMath.shapeText(t.tensor.shape)))") }
            let l = TensorMethods.toList(t)
            rows = try Ops.iterate(l).map { row in (try? Ops.iterate(row)) ?? [row] }
        default:
            let items = try Ops.iterate(v)
            if case .dict(let first)? = items.first {
                rows.append(first.keys)
                for it in items {
                    guard case .dict(let d) = it else { throw LoupeError("save .csv: mixed rows (dicts and \(it.typeName))") }
                    rows.append(try first.keys.map { try d.get($0) ?? .none })
                }
            } else {
                rows = try items.map { try Ops.iterate($0) }
            }
        }
        return rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func parseCSVRows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var chars = Array(text)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { inQuotes = false }
                } else { field.append(c) }
            } else if c == "\"" { inQuotes = true }
            else if c == "," { row.append(field); field = "" }
            else if c == "\n" || c == "\r\n" || c == "\r" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else { field.append(c) }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    static func csvValue(_ s: String) -> Value {
        if let i = Int(s) { return .int(i) }
        if let d = Double(s), !s.isEmpty { return .float(d) }
        if s == "True" || s == "true" { return .bool(true) }
        if s == "False" || s == "false" { return .bool(false) }
        return .string(s)
    }

    /// A list of dicts keyed by the header row, numbers parsed.
    static func parseCSV(_ text: String) -> Value {
        let rows = parseCSVRows(text)
        guard let header = rows.first else { return .list([]) }
        return .list(rows.dropFirst().filter { !($0.count == 1 && $0[0].isEmpty) }.map { r in
            let d = DictBox()
            for (i, h) in header.enumerated() { try? d.set(.string(h), i < r.count ? csvValue(r[i]) : .none) }
            return .dict(d)
        })
    }
}
