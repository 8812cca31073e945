import Foundation
import LoupeModels

/// Text forms of tables: numbers the way pandas prints them, aligned previews, name suggestions.
public enum TableFormat {
    /// Shortest text that reads back as the same double ("0.1", "1e-07", "nan", "inf").
    public static func double(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(), abs(v) < 1e16 { return String(format: "%.1f", v) }
        return "\(v)"
    }

    /// The candidate closest to `name` by edit distance, when close enough to be a likely typo.
    public static func nearest(_ name: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        for c in candidates {
            let d = editDistance(Array(name.lowercased()), Array(c.lowercased()))
            if d <= max(2, name.count / 3), best.map({ d < $0.1 }) ?? true { best = (c, d) }
        }
        return best?.0
    }

    /// Cell text for display: doubles with 6 significant digits like pandas, strings made visible.
    public static func display(_ v: TableValue) -> String {
        switch v {
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "NaN" }
            return String(format: "%g", d).contains("e") ? String(format: "%g", d) : String(format: "%.6f", d)
        case .string(let s): return visible(s)
        }
    }

    /// Control characters shown as escapes so a cell stays on one line.
    public static func visible(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Display rows: all when short, otherwise the first and last `edge` rows (as pandas shows).
    public static func previewRows(_ t: Table, limit: Int = 60, edge: Int = 5) -> [Int] {
        if t.rowCount <= limit { return Array(0..<t.rowCount) }
        return Array(0..<edge) + Array((t.rowCount - edge)..<t.rowCount)
    }

    /// An aligned plain-text rendering with a row index, eliding the middle of long tables.
    public static func text(_ t: Table, limit: Int = 60, edge: Int = 5) -> String {
        let shown = previewRows(t, limit: limit, edge: edge)
        var grid: [[String]] = [[""] + t.columnNames]
        for (n, r) in shown.enumerated() {
            if n == edge && shown.count < t.rowCount {
                grid.append(["..."] + t.columnNames.map { _ in "..." })
            }
            grid.append([String(r)] + t.columns.map { display($0[r]) })
        }
        var widths = [Int](repeating: 0, count: t.columnCount + 1)
        for row in grid { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        var lines = grid.map { row in
            row.enumerated().map { i, c in String(repeating: " ", count: widths[i] - c.count) + c }
                .joined(separator: "  ")
        }
        lines.append("")
        lines.append("[\(t.rowCount) rows x \(t.columnCount) columns]")
        return lines.joined(separator: "\n")
    }
}
