import Foundation

/// The static pictures views fall back to (in the .ipynb, and when JavaScript is off): small,
/// deterministic SVG of their own (attention heatmaps and the top-k grid use LoupePlot, see PlotFallback).
/// Every string is escaped.
enum StaticSVG {
    static let font = "font-family=\"ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\""
    static let monoFont = "font-family=\"ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace\""

    static func document(width: Double, height: Double, title: String, body: String) -> String {
        let w = fmt(width), h = fmt(height)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" "
            + "role=\"img\" aria-label=\"\(Escape.html(title))\">"
            + "<title>\(Escape.html(title))</title>"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>" + body + "</svg>"
    }

    static func fmt(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// Shortens labels for axes: control characters made visible, long ones cut with an ellipsis.
    static func label(_ token: String, max: Int = 14) -> String {
        var s = token.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
        if s.count > max { s = String(s.prefix(max - 1)) + "…" }
        return s
    }

    /// Max-pools a [rows, cols] matrix to at most `limit` cells a side: the maximum keeps a single
    /// sharp stripe (a previous-token head) visible where a mean would wash it out.
    static func pool(_ m: [Float], rows: Int, cols: Int, limit: Int) -> (values: [Float], rows: Int, cols: Int) {
        guard rows > limit || cols > limit else { return (m, rows, cols) }
        let outRows = min(rows, limit), outCols = min(cols, limit)
        var out = [Float](repeating: -.infinity, count: outRows * outCols)
        for r in 0..<rows {
            let orow = r * outRows / rows
            for c in 0..<cols {
                let idx = orow * outCols + c * outCols / cols
                let v = m[r * cols + c]
                if v.isFinite, v > out[idx] { out[idx] = v }
            }
        }
        return (out.map { $0.isFinite ? $0 : 0 }, outRows, outCols)
    }

    /// Tokens laid out as wrapped text, each on a coloured box.
    static func tokens(_ tokens: [String], colors: [String], textColors: [String], values: [String], title: String,
                       legend: String) -> String {
        let fontSize = 12.0, charWidth = 7.3, lineHeight = 22.0, maxWidth = 760.0, pad = 3.0
        var x = 12.0, y = 34.0
        var body = "<text x=\"12\" y=\"18\" \(font) font-size=\"13\" font-weight=\"600\" fill=\"#222\">\(Escape.html(title))</text>"
        for (i, token) in tokens.enumerated() {
            let shown = label(token, max: 40)
            let w = Double(max(shown.count, 1)) * charWidth + 2 * pad
            if x + w > maxWidth, x > 12 { x = 12; y += lineHeight }
            body += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y - 14))\" width=\"\(fmt(w))\" height=\"18\" rx=\"2\" fill=\"\(colors[i])\">"
                + "<title>\(Escape.html(token)): \(Escape.html(values[i]))</title></rect>"
            body += "<text x=\"\(fmt(x + pad))\" y=\"\(fmt(y))\" \(monoFont) font-size=\"\(fmt(fontSize))\" fill=\"\(textColors[i])\" "
                + "xml:space=\"preserve\">\(Escape.html(shown))</text>"
            x += w + 2
        }
        y += 26
        body += "<text x=\"12\" y=\"\(fmt(y))\" \(font) font-size=\"11\" fill=\"#555\">\(Escape.html(legend))</text>"
        return document(width: maxWidth + 24, height: y + 10, title: title, body: body)
    }
}
