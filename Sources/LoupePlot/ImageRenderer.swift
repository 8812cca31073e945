// Images and token grids. An image of at most `maxVectorCells` cells is drawn as one rectangle
// per cell; a larger one becomes a single indexed-colour PNG inside an <image> element, scaled up
// by whole pixels so it stays sharp (interpolation "none"). A photograph arrives as its own PNG and is
// drawn smoothly over the extent.

import Foundation

extension FigureRenderer {
    static let maxVectorCells = 4096

    func renderImage(_ m: ImageMark, _ x: AxisView, _ y: AxisView) {
        guard m.rows > 0, m.cols > 0, m.values.count >= m.rows * m.cols || (m.cellColors?.count ?? 0) >= m.rows * m.cols else { return }
        let (l, r, bot, top) = m.extent
        // y value of the edge before row `i` (row 0 at the top for origin upper, at the bottom for lower)
        func rowEdge(_ i: Int) -> Double {
            m.origin == .upper ? top + (bot - top) * Double(i) / Double(m.rows) : bot + (top - bot) * Double(i) / Double(m.rows)
        }
        func colEdge(_ j: Int) -> Double { l + (r - l) * Double(j) / Double(m.cols) }
        func color(_ k: Int) -> Color {
            if let cc = m.cellColors { return cc[k] }
            return m.cmap.color(m.values[k], vmin: m.vmin, vmax: m.vmax)
        }
        let opacity = m.alpha < 1 ? " opacity=\"\(fmt(m.alpha, 3))\"" : ""
        if let png = m.png {
            // the PNG's first row belongs at row 0's edge; an axis running the other way flips it
            let xa = px(x.map(l)), xb = px(x.map(r))
            let yFirst = px(y.map(m.origin == .upper ? top : bot)), yLast = px(y.map(m.origin == .upper ? bot : top))
            let w = abs(xb - xa), h = abs(yLast - yFirst), x0 = min(xa, xb), y0 = min(yFirst, yLast)
            var image = "<image x=\"\(fmt(x0))\" y=\"\(fmt(y0))\" width=\"\(fmt(w))\" height=\"\(fmt(h))\" "
                + "preserveAspectRatio=\"none\"\(opacity) xlink:href=\"data:image/png;base64,\(Data(png).base64EncodedString())\"/>"
            if xa > xb || yFirst > yLast {
                let cx = x0 + w / 2, cy = y0 + h / 2
                image = "<g transform=\"translate(\(fmt(cx)),\(fmt(cy))) scale(\(xa > xb ? -1 : 1),\(yFirst > yLast ? -1 : 1)) "
                    + "translate(\(fmt(-cx)),\(fmt(-cy)))\">" + image + "</g>"
            }
            b.line(image)
            return
        }
        if m.rows * m.cols <= FigureRenderer.maxVectorCells {
            var out = "<g shape-rendering=\"crispEdges\"\(opacity)>\n"
            for i in 0..<m.rows {
                // cell edges snapped to whole pixels so neighbours share an edge exactly (no seams)
                let ya = px(y.map(rowEdge(i))).rounded(), yb = px(y.map(rowEdge(i + 1))).rounded()
                for j in 0..<m.cols {
                    let k = i * m.cols + j
                    if m.cellColors == nil && m.values[k].isNaN { continue }
                    let xa = px(x.map(colEdge(j))).rounded(), xb = px(x.map(colEdge(j + 1))).rounded()
                    let c = color(k)
                    if c.a == 0 { continue }
                    out += Draw.rect(Rect(x: min(xa, xb), y: min(ya, yb), w: abs(xb - xa), h: abs(yb - ya)), fill: c) + "\n"
                }
            }
            b.out += out + "</g>\n"
            return
        }
        let x0 = px(x.map(l)), x1 = px(x.map(r))
        let yFirst = px(y.map(rowEdge(0))), yLast = px(y.map(rowEdge(m.rows)))
        let flipRows = yFirst > yLast, flipCols = x0 > x1
        let wPx = abs(x1 - x0), hPx = abs(yLast - yFirst)
        // scale up by whole pixels until the raster is at least as large as it is drawn (at most 2048 px)
        let sx = max(1, min(Int(ceil(wPx / Double(m.cols))), max(1, 2048 / m.cols)))
        let sy = max(1, min(Int(ceil(hPx / Double(m.rows))), max(1, 2048 / m.rows)))
        let png: [UInt8]
        if m.cellColors == nil {
            var indices = [UInt8](repeating: 0, count: m.rows * m.cols)
            var hasNaN = false
            for i in 0..<m.rows {
                let si = flipRows ? m.rows - 1 - i : i
                for j in 0..<m.cols {
                    let sj = flipCols ? m.cols - 1 - j : j
                    let v = m.values[si * m.cols + sj]
                    if let idx = m.cmap.index(normalized: Colormap.normalize(v, vmin: m.vmin, vmax: m.vmax)) {
                        indices[i * m.cols + j] = UInt8(min(idx, 254))
                    } else { indices[i * m.cols + j] = 255; hasNaN = true }
                }
            }
            var palette = m.cmap.colors.prefix(255).map { $0.rgb8 }
            // a 256-entry map keeps its last colour by folding entry 254 and 255 together only when
            // NaN needs the slot; otherwise entry 255 is the real last colour
            if !hasNaN && m.cmap.colors.count == 256 {
                palette.append(m.cmap.colors[255].rgb8)
                for i in 0..<m.rows {
                    let si = flipRows ? m.rows - 1 - i : i
                    for j in 0..<m.cols {
                        let sj = flipCols ? m.cols - 1 - j : j
                        if let idx = m.cmap.index(normalized: Colormap.normalize(m.values[si * m.cols + sj], vmin: m.vmin, vmax: m.vmax)), idx == 255 {
                            indices[i * m.cols + j] = 255
                        }
                    }
                }
            } else {
                while palette.count < 255 { palette.append((0, 0, 0)) }
                palette.append((0, 0, 0))
            }
            png = PNGEncoder.indexed(width: m.cols, height: m.rows, indices: indices, palette: palette,
                                     transparentIndex: hasNaN ? 255 : nil, scaleX: sx, scaleY: sy)
        } else {
            var rgba = [UInt8](repeating: 0, count: m.rows * m.cols * 4)
            for i in 0..<m.rows {
                let si = flipRows ? m.rows - 1 - i : i
                for j in 0..<m.cols {
                    let sj = flipCols ? m.cols - 1 - j : j
                    let c = color(si * m.cols + sj)
                    let (r8, g8, b8) = c.rgb8
                    let o = (i * m.cols + j) * 4
                    rgba[o] = r8; rgba[o + 1] = g8; rgba[o + 2] = b8; rgba[o + 3] = UInt8((c.a * 255).rounded())
                }
            }
            png = PNGEncoder.rgba(width: m.cols, height: m.rows, pixels: rgba, scaleX: sx, scaleY: sy)
        }
        let data = Data(png).base64EncodedString()
        b.line("<image x=\"\(fmt(min(x0, x1)))\" y=\"\(fmt(min(yFirst, yLast)))\" width=\"\(fmt(wPx))\" height=\"\(fmt(hPx))\" "
               + "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\"\(opacity) "
               + "xlink:href=\"data:image/png;base64,\(data)\"/>")
    }

    func renderTextGrid(_ m: TextGridMark, _ x: AxisView, _ y: AxisView) {
        var out = "<g shape-rendering=\"crispEdges\">\n"
        let maxSize = u.pt(m.fontSize ?? m.maxFontSize)
        for (r, row) in m.texts.enumerated() {
            for (c, text) in row.enumerated() {
                let xa = px(x.map(Double(c) - 0.5)).rounded(), xb = px(x.map(Double(c) + 0.5)).rounded()
                let ya = px(y.map(Double(r) - 0.5)).rounded(), yb = px(y.map(Double(r) + 0.5)).rounded()
                let cell = Rect(x: min(xa, xb), y: min(ya, yb), w: abs(xb - xa), h: abs(yb - ya))
                let hl = m.highlight.map { r < $0.count && c < $0[r].count && $0[r][c] } ?? false
                let bg = hl ? m.highlightColor : (r < m.backgrounds.count && c < m.backgrounds[r].count ? m.backgrounds[r][c] : .white)
                out += Draw.rect(cell, fill: bg, stroke: m.cellBorder, width: m.cellBorder == nil ? 0 : u.pt(0.5)) + "\n"
                let shown = m.quoted ? "'\(text)'" : text
                if shown.isEmpty { continue }
                var size: Double
                let unit = max(Draw.textWidth(shown, size: 1, bold: hl, multiline: false), 1e-6)
                if m.fontSize != nil { size = maxSize }
                else { size = min(maxSize, cell.h * 0.7, cell.w * 0.92 / unit) }
                var label = shown
                let minSize = u.pt(4)
                if size < minSize {
                    size = min(minSize, cell.h * 0.7)
                    while label.count > 1 && Draw.textWidth(label + "\u{2026}", size: size, bold: hl, multiline: false) > cell.w * 0.95 { label.removeLast() }
                    label += "\u{2026}"
                }
                let tc = m.textColor ?? (bg.luminance > 0.4 ? Color.black : Color.white)
                out += Draw.text(label, x: cell.x + cell.w / 2, y: cell.y + cell.h / 2, size: size, color: tc, ha: .center,
                                 va: .center, bold: hl, multiline: false) + "\n"
            }
        }
        b.out += out + "</g>\n"
    }
}
