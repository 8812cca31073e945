import Foundation

/// Tables as HTML (numeric columns right-aligned, long tables in pages of `pageSize` rows that the
/// report's script steps through; without JavaScript every page shows) and as aligned plain text.
public enum TableRenderer {
    public static let pageSize = 50

    /// `maxRows` caps the rows written (the .ipynb, where no script pages them); the count still says
    /// how many there are.
    public static func html(columns: [String], rows allRows: [[String]], totalRows: Int, maxRows: Int? = nil) -> String {
        let rows = maxRows.map { Array(allRows.prefix($0)) } ?? allRows
        let totalRows = max(totalRows, allRows.count)
        let width = max(columns.count, rows.map(\.count).max() ?? 0)
        let numeric = (0..<width).map { column in isNumericColumn(rows.map { column < $0.count ? $0[column] : "" }) }
        var s = "<div class=\"loupe-table-wrap\" data-rows=\"\(rows.count)\" data-total-rows=\"\(max(totalRows, rows.count))\">"
        s += "<div class=\"loupe-table-scroll\"><table class=\"loupe-table\">"
        if !columns.isEmpty {
            s += "<thead><tr>"
            for (i, name) in columns.enumerated() {
                s += numeric[i] ? "<th class=\"num\">" : "<th>"
                s += Escape.html(name) + "</th>"
            }
            s += "</tr></thead>"
        }
        let pages = stride(from: 0, to: max(rows.count, 1), by: pageSize)
        for (page, start) in pages.enumerated() {
            s += page == 0 ? "<tbody class=\"loupe-page\">" : "<tbody class=\"loupe-page\" data-page=\"\(page)\" hidden>"
            for row in rows[start..<min(rows.count, start + pageSize)] {
                s += "<tr>"
                for column in 0..<width {
                    let cell = column < row.count ? row[column] : ""
                    s += numeric[column] ? "<td class=\"num\">" : "<td>"
                    s += Escape.html(cell) + "</td>"
                }
                s += "</tr>"
            }
            s += "</tbody>"
        }
        s += "</table></div>"
        s += "<div class=\"loupe-table-info\">" + summary(columns: width, shown: rows.count, total: totalRows) + "</div>"
        s += "</div>"
        return s
    }

    static func summary(columns: Int, shown: Int, total: Int) -> String {
        let total = max(total, shown)
        var text = "\(grouped(total)) row\(total == 1 ? "" : "s") × \(columns) column\(columns == 1 ? "" : "s")"
        if total > shown { text += " · first \(grouped(shown)) shown" }
        return text
    }

    /// 2509053 -> "2,509,053".
    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A column is numeric when every non-empty cell reads as a number (incl. nan/inf, percentages).
    static func isNumericColumn(_ cells: [String]) -> Bool {
        var sawNumber = false
        for cell in cells {
            let t = cell.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard isNumber(t) else { return false }
            sawNumber = true
        }
        return sawNumber
    }

    static func isNumber(_ t: String) -> Bool {
        var t = Substring(t)
        if t.hasSuffix("%") { t = t.dropLast() }
        let lower = t.lowercased()
        if ["nan", "inf", "-inf", "+inf"].contains(lower) { return true }
        return Double(t.replacingOccurrences(of: "_", with: "")) != nil
    }

    /// Aligned text like pandas' repr, at most `maxRows` rows (head and tail), for text/plain.
    public static func text(columns: [String], rows: [[String]], totalRows: Int, maxRows: Int = 20) -> String {
        let width = max(columns.count, rows.map(\.count).max() ?? 0)
        var shown: [[String]?] = []
        if rows.count > maxRows {
            shown = rows.prefix(maxRows / 2).map { $0 } + [nil] + rows.suffix(maxRows / 2).map { $0 }
        } else {
            shown = rows.map { $0 }
        }
        let numeric = (0..<width).map { column in isNumericColumn(rows.map { column < $0.count ? $0[column] : "" }) }
        var widths = (0..<width).map { $0 < columns.count ? columns[$0].count : 0 }
        for row in shown.compactMap({ $0 }) {
            for (i, cell) in row.enumerated() where i < width { widths[i] = max(widths[i], cell.count) }
        }
        func pad(_ s: String, _ i: Int) -> String {
            let fill = String(repeating: " ", count: max(0, widths[i] - s.count))
            return numeric[i] ? fill + s : s + fill
        }
        var lines: [String] = []
        if !columns.isEmpty {
            lines.append((0..<width).map { pad($0 < columns.count ? columns[$0] : "", $0) }.joined(separator: "  "))
        }
        for row in shown {
            if let row {
                lines.append((0..<width).map { pad($0 < row.count ? row[$0] : "", $0) }.joined(separator: "  "))
            } else {
                lines.append((0..<width).map { pad("...", $0) }.joined(separator: "  "))
            }
        }
        lines.append("")
        lines.append("[" + summary(columns: width, shown: rows.count, total: totalRows) + "]")
        return lines.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\n")
    }
}
