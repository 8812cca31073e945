import Foundation

/// The static pictures views fall back to (in the .ipynb, and when JavaScript is off): small,
/// deterministic SVG of their own. Every string is escaped; big matrices become one pooled raster.
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

    /// A palette PNG of the matrix through the Blues ramp, as a data URL; `sqrt` lifts small values
    /// as the interactive views' "sqrt" scale does (their default past 100 tokens).
    static func rasterURL(_ m: [Float], rows: Int, cols: Int, lo: Float, hi: Float, sqrt useSqrt: Bool = false) -> String {
        let palette = (0..<256).map { ColorScale.rgb(ColorScale.blues, useSqrt ? (Double($0) / 255).squareRoot() : Double($0) / 255) }
        let span = hi > lo ? hi - lo : 1
        let indices = m.map { v -> UInt8 in
            guard v.isFinite else { return 0 }
            return UInt8(max(0, min(255, ((v - lo) / span * 255).rounded())))
        }
        let png = PNGEncoder.encode(width: cols, height: rows, indices: indices, palette: palette)
        return "data:image/png;base64," + png.base64EncodedString()
    }

    /// A heatmap: labelled cells when small, one pooled raster when big.
    static func heatmap(_ m: [Float], rows: Int, cols: Int, lo: Float, hi: Float,
                        xLabels: [String], yLabels: [String], title: String) -> String {
        let small = rows <= 48 && cols <= 48
        let cell: Double = small ? (rows <= 24 && cols <= 24 ? 18 : 10) : 0
        let plot: Double = small ? 0 : 360
        let labelWidth: Double = small && !yLabels.isEmpty ? 96 : 16
        let labelHeight: Double = small && !xLabels.isEmpty ? 84 : 16
        let top: Double = 28
        let gridW = small ? cell * Double(cols) : plot
        let gridH = small ? cell * Double(rows) : plot * Double(rows) / Double(max(cols, 1))
        var body = "<text x=\"\(fmt(labelWidth))\" y=\"18\" \(font) font-size=\"13\" font-weight=\"600\" fill=\"#222\">\(Escape.html(title))</text>"
        if small {
            let span = hi > lo ? hi - lo : 1
            for r in 0..<rows {
                for c in 0..<cols {
                    let v = m[r * cols + c]
                    let t = Double((v - lo) / span)
                    body += "<rect x=\"\(fmt(labelWidth + Double(c) * cell))\" y=\"\(fmt(top + Double(r) * cell))\" "
                        + "width=\"\(fmt(cell))\" height=\"\(fmt(cell))\" fill=\"\(ColorScale.hex(ColorScale.blues, t))\">"
                        + "<title>\(Escape.html(String(format: "%.4g", Double(v))))</title></rect>"
                }
            }
            let fontSize = cell >= 18 ? 11.0 : 8.0
            for (r, name) in yLabels.prefix(rows).enumerated() {
                body += "<text x=\"\(fmt(labelWidth - 4))\" y=\"\(fmt(top + (Double(r) + 0.5) * cell))\" text-anchor=\"end\" "
                    + "dominant-baseline=\"middle\" \(monoFont) font-size=\"\(fmt(fontSize))\" fill=\"#333\" xml:space=\"preserve\">\(Escape.html(label(name)))</text>"
            }
            for (c, name) in xLabels.prefix(cols).enumerated() {
                let x = labelWidth + (Double(c) + 0.5) * cell
                let y = top + gridH + 4
                body += "<text transform=\"translate(\(fmt(x)),\(fmt(y))) rotate(-60)\" text-anchor=\"end\" dominant-baseline=\"middle\" "
                    + "\(monoFont) font-size=\"\(fmt(fontSize))\" fill=\"#333\" xml:space=\"preserve\">\(Escape.html(label(name)))</text>"
            }
        } else {
            let pooled = pool(m, rows: rows, cols: cols, limit: 96)
            body += "<image x=\"\(fmt(labelWidth))\" y=\"\(fmt(top))\" width=\"\(fmt(gridW))\" height=\"\(fmt(gridH))\" "
                + "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" "
                + "href=\"\(rasterURL(pooled.values, rows: pooled.rows, cols: pooled.cols, lo: lo, hi: hi, sqrt: rows > 100))\"/>"
            body += "<text x=\"\(fmt(labelWidth))\" y=\"\(fmt(top + gridH + 14))\" \(font) font-size=\"11\" fill=\"#555\">"
                + "\(rows) × \(cols), max-pooled\(rows > 100 ? ", sqrt colour scale" : ""); the HTML report has the interactive view</text>"
        }
        body += colorbar(x: labelWidth + gridW + 14, y: top, height: min(160, max(60, gridH)), lo: lo, hi: hi)
        let width = labelWidth + gridW + 80
        let height = top + gridH + (small ? labelHeight : 24) + 4
        return document(width: width, height: max(height, top + 170), title: title, body: body)
    }

    static func colorbar(x: Double, y: Double, height: Double, lo: Float, hi: Float,
                         ramp: [(Double, Double, Double)] = ColorScale.blues) -> String {
        let steps = 24
        var s = ""
        for i in 0..<steps {
            let t = 1 - Double(i) / Double(steps - 1)
            s += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y + Double(i) * height / Double(steps)))\" width=\"10\" "
                + "height=\"\(fmt(height / Double(steps) + 0.5))\" fill=\"\(ColorScale.hex(ramp, t))\"/>"
        }
        s += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"10\" height=\"\(fmt(height))\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.5\"/>"
        s += "<text x=\"\(fmt(x + 14))\" y=\"\(fmt(y + 8))\" \(font) font-size=\"10\" fill=\"#444\">\(Escape.html(String(format: "%.3g", Double(hi))))</text>"
        s += "<text x=\"\(fmt(x + 14))\" y=\"\(fmt(y + height))\" \(font) font-size=\"10\" fill=\"#444\">\(Escape.html(String(format: "%.3g", Double(lo))))</text>"
        return s
    }

    /// A grid of small per-head heatmaps, each a pooled raster with its name.
    static func headsGrid(_ pattern: [Float], heads: Int, n: Int, names: [String], lo: Float, hi: Float, title: String) -> String {
        let tile: Double = 96, gap: Double = 12, perRow = min(heads, 6)
        let rowsOfTiles = (heads + perRow - 1) / max(perRow, 1)
        var body = "<text x=\"12\" y=\"18\" \(font) font-size=\"13\" font-weight=\"600\" fill=\"#222\">\(Escape.html(title))</text>"
        for h in 0..<heads {
            let x = 12 + Double(h % perRow) * (tile + gap)
            let y = 30 + Double(h / perRow) * (tile + gap + 16)
            let slice = Array(pattern[(h * n * n)..<((h + 1) * n * n)])
            let pooled = pool(slice, rows: n, cols: n, limit: 48)
            body += "<text x=\"\(fmt(x))\" y=\"\(fmt(y + 10))\" \(font) font-size=\"11\" fill=\"#333\">\(Escape.html(label(names[h], max: 18)))</text>"
            body += "<image x=\"\(fmt(x))\" y=\"\(fmt(y + 14))\" width=\"\(fmt(tile))\" height=\"\(fmt(tile))\" preserveAspectRatio=\"none\" "
                + "style=\"image-rendering:pixelated\" href=\"\(rasterURL(pooled.values, rows: pooled.rows, cols: pooled.cols, lo: lo, hi: hi, sqrt: n > 100))\"/>"
            body += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y + 14))\" width=\"\(fmt(tile))\" height=\"\(fmt(tile))\" fill=\"none\" stroke=\"#bbb\" stroke-width=\"0.5\"/>"
        }
        let width = 24 + Double(perRow) * (tile + gap)
        let height = 40 + Double(rowsOfTiles) * (tile + gap + 16)
        return document(width: width, height: height, title: title, body: body)
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
