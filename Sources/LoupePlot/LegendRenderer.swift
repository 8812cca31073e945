// Legends (matplotlib's defaults: font 10 pt, handles 2 em long, 0.8 em before the label, rows
// 0.5 em apart, 0.4 em inside the frame, 0.5 em from the axes, frame 80% opaque with rounded
// corners; "best" picks the place covering the fewest data points) and colour bars.

import Foundation

enum LegendHandle {
    case line(Color, Double, LineStyle, Marker, Color?, Color?, Double)   // colour, width, style, marker, face, edge, marker size
    case patch(Color, Color?)
    case marker(Marker, Color, Color?)
}

extension FigureRenderer {
    func legendEntries(_ ax: Axes) -> [(String, LegendHandle)] {
        var out: [(String, LegendHandle)] = []
        var sources = [ax] + ax.legendSources
        if let t = ax.twin, !sources.contains(where: { $0 === t }) { sources.append(t) }
        for a in sources {
            for mark in a.marks {
                switch mark {
                case .line(let m):
                    if let l = m.label, !l.hasPrefix("_") {
                        out.append((l, .line(m.color.withAlpha(m.color.a * m.alpha), m.width, m.style, m.marker, m.markerFace, m.markerEdge, m.markerSize)))
                    }
                case .scatter(let m):
                    if let l = m.label, !l.hasPrefix("_") {
                        let c = m.colors.first ?? m.cmap.color(normalized: 0.5)
                        out.append((l, .marker(m.marker, c.withAlpha(c.a * m.alpha), m.edgeColor)))
                    }
                case .bar(let m):
                    if let l = m.label, !l.hasPrefix("_"), let c = m.colors.first { out.append((l, .patch(c.withAlpha(c.a * m.alpha), m.edgeColor))) }
                case .step(let m):
                    if let l = m.label, !l.hasPrefix("_") {
                        out.append((l, m.fill ? .patch(m.color.withAlpha(m.color.a * m.alpha), nil) : .patch(.none, m.color)))
                    }
                case .rule(let m):
                    if let l = m.label, !l.hasPrefix("_") { out.append((l, .line(m.color.withAlpha(m.color.a * m.alpha), m.width, m.style, .none, nil, nil, 6))) }
                case .rect(let m):
                    if let l = m.label, !l.hasPrefix("_") { out.append((l, .patch(m.face, m.edge))) }
                case .area(let m):
                    if let l = m.label, !l.hasPrefix("_") { out.append((l, .patch(m.color.withAlpha(m.color.a * m.alpha), nil))) }
                default: break
                }
            }
        }
        return out
    }

    func renderLegend(_ ax: Axes, x: AxisView, y: AxisView, box: Rect) {
        let entries = legendEntries(ax)
        guard !entries.isEmpty else { return }
        let fs = u.pt(ax.legendFontSize ?? theme.fontSize)
        let handleLen = 2 * fs, handlePad = 0.8 * fs, rowGap = 0.5 * fs, border = 0.4 * fs, axPad = 0.5 * fs
        let rowH = fs * 1.0
        let labelW = entries.map { Draw.textWidth($0.0, size: fs) }.max() ?? 0
        let w = border * 2 + handleLen + handlePad + labelW
        let h = border * 2 + Double(entries.count) * rowH + Double(entries.count - 1) * rowGap
        func origin(_ loc: LegendLocation) -> (Double, Double) {
            let left = box.x + axPad, right = box.maxX - axPad - w, cx = box.x + (box.w - w) / 2
            let top = box.y + axPad, bottom = box.maxY - axPad - h, cy = box.y + (box.h - h) / 2
            switch loc {
            case .best, .upperRight: return (right, top)
            case .upperLeft: return (left, top)
            case .lowerLeft: return (left, bottom)
            case .lowerRight: return (right, bottom)
            case .center: return (cx, cy)
            case .upperCenter: return (cx, top)
            case .lowerCenter: return (cx, bottom)
            case .centerLeft: return (left, cy)
            case .centerRight: return (right, cy)
            }
        }
        var loc = ax.legendLocation
        if loc == .best {
            let pts = dataPoints(ax, x: x, y: y)
            let candidates: [LegendLocation] = [.upperRight, .upperLeft, .lowerLeft, .lowerRight, .centerRight,
                                                .centerLeft, .lowerCenter, .upperCenter, .center]
            var bestBad = Int.max
            for c in candidates {
                let (ox, oy) = origin(c)
                var bad = 0
                for p in pts where p.0 >= ox && p.0 <= ox + w && p.1 >= oy && p.1 <= oy + h { bad += 1 }
                if bad < bestBad { bestBad = bad; loc = c }
                if bad == 0 { break }
            }
        }
        let (ox, oy) = origin(loc)
        b.line("<g class=\"legend\">")
        b.line("<rect x=\"\(fmt(ox))\" y=\"\(fmt(oy))\" width=\"\(fmt(w))\" height=\"\(fmt(h))\" rx=\"\(fmt(0.2 * fs))\" "
               + "\(Draw.fill(theme.legendBackground.withAlpha(0.8))) \(Draw.stroke(theme.legendEdge.withAlpha(0.8), width: u.pt(0.8)))/>")
        for (i, (label, handle)) in entries.enumerated() {
            let cy = oy + border + Double(i) * (rowH + rowGap) + rowH / 2
            let hx = ox + border
            switch handle {
            case .line(let c, let width, let style, let marker, let face, let edge, let ms):
                if style != .none {
                    b.line(Draw.line(hx, cy, hx + handleLen, cy, c, width: u.pt(width), dashes: style.dashes))
                }
                if marker != .none {
                    renderMarkers([(hx + handleLen / 2, cy)], marker: marker, diameter: u.pt(marker == .point ? ms * 0.5 : ms),
                                  faces: [face ?? c], edge: edge ?? c, edgeWidth: u.pt(1))
                }
            case .patch(let c, let edge):
                b.line(Draw.rect(Rect(x: hx, y: cy - 0.35 * fs, w: handleLen, h: 0.7 * fs), fill: c, stroke: edge, width: edge == nil ? 0 : u.pt(0.8)))
            case .marker(let m, let c, let edge):
                renderMarkers([(hx + handleLen / 2, cy)], marker: m, diameter: u.pt(6), faces: [c], edge: edge, edgeWidth: edge == nil ? 0 : u.pt(0.5))
            }
            b.line(Draw.text(label, x: hx + handleLen + handlePad, y: cy, size: fs, color: theme.text, ha: .left, va: .center))
        }
        b.line("</g>")
    }

    /// Pixel positions of (a sample of) the axes' data, for legend placement.
    func dataPoints(_ ax: Axes, x: AxisView, y: AxisView) -> [(Double, Double)] {
        var pts: [(Double, Double)] = []
        func add(_ xs: [Double], _ ys: [Double], _ yv: AxisView) {
            let n = min(xs.count, ys.count)
            let stride = max(1, n / 2000)
            var i = 0
            while i < n { pts.append((x.map(xs[i]), yv.map(ys[i]))); i += stride }
        }
        for a in [ax] + (ax.twin.map { [$0] } ?? []) {
            for mark in a.marks {
                switch mark {
                case .line(let m): add(m.x, m.y, y)
                case .scatter(let m): add(m.x, m.y, y)
                case .bar(let m):
                    // a bar covers its whole length: sample it from base to tip, at its centre line
                    var along: [Double] = [], across: [Double] = []
                    for i in 0..<min(m.positions.count, m.lengths.count, m.bases.count) {
                        let w = i < m.widths.count ? m.widths[i] : 0.8
                        let centre = m.alignEdge ? m.positions[i] + w / 2 : m.positions[i]
                        for f in stride(from: 0.0, through: 1.0, by: 0.125) {
                            along.append(centre); across.append(m.bases[i] + f * m.lengths[i])
                        }
                    }
                    add(m.horizontal ? across : along, m.horizontal ? along : across, y)
                case .step(let m): add(Array(m.edges.dropLast()), m.counts, y)
                case .area(let m): add(m.x, m.y1, y); add(m.x, m.y2, y)
                default: break
                }
            }
        }
        return pts
    }

    func renderColorbar(_ cb: ColorbarSpec, rect: Rect, view: AxisView) {
        let vertical = cb.location == .left || cb.location == .right
        let cmap = cb.mappable.cmap
        let n = cmap.isListed ? cmap.colors.count : 256
        let lo = view.lo, hi = view.hi
        b.line("<g class=\"colorbar\">")
        // the colour ramp: one rect per colour step (≤ 256), seams hidden by crisp edges
        var out = "<g shape-rendering=\"crispEdges\">\n"
        for k in 0..<n {
            let c = cmap.colors[k * cmap.colors.count / n]
            let f0 = Double(k) / Double(n), f1 = Double(k + 1) / Double(n)
            let r: Rect = vertical
                ? Rect(x: rect.x, y: rect.maxY - f1 * rect.h, w: rect.w, h: (f1 - f0) * rect.h + 0.5)
                : Rect(x: rect.x + f0 * rect.w, y: rect.y, w: (f1 - f0) * rect.w + 0.5, h: rect.h)
            out += Draw.rect(r, fill: c) + "\n"
        }
        b.out += out + "</g>\n"
        b.line(Draw.rect(rect, fill: .none, stroke: theme.edge, width: u.pt(0.8)))
        var v = view
        if vertical { v.pxLo = rect.maxY; v.pxHi = rect.y } else { v.pxLo = rect.x; v.pxHi = rect.maxX }
        _ = (lo, hi)
        var d = ""
        var labelExtent = 0.0
        for (t, l) in zip(v.ticks, v.labels) {
            let p = v.map(t)
            switch cb.location {
            case .right:
                d += "M\(fmt(rect.maxX)) \(fmt(p))h\(fmt(tickLen))"
                b.line(Draw.text(l.text, x: rect.maxX + tickLen + tickPad, y: p, size: fontPx, color: theme.tick, ha: .left, va: .center))
                labelExtent = max(labelExtent, Draw.textWidth(l.text, size: fontPx))
            case .left:
                d += "M\(fmt(rect.x)) \(fmt(p))h\(fmt(-tickLen))"
                b.line(Draw.text(l.text, x: rect.x - tickLen - tickPad, y: p, size: fontPx, color: theme.tick, ha: .right, va: .center))
                labelExtent = max(labelExtent, Draw.textWidth(l.text, size: fontPx))
            case .top:
                d += "M\(fmt(p)) \(fmt(rect.y))v\(fmt(-tickLen))"
                b.line(Draw.text(l.text, x: p, y: rect.y - tickLen - tickPad, size: fontPx, color: theme.tick, ha: .center, va: .bottom))
                labelExtent = fontPx
            case .bottom:
                d += "M\(fmt(p)) \(fmt(rect.maxY))v\(fmt(tickLen))"
                b.line(Draw.text(l.text, x: p, y: rect.maxY + tickLen + tickPad, size: fontPx, color: theme.tick, ha: .center, va: .top))
                labelExtent = fontPx
            }
        }
        if !d.isEmpty { b.line("<path d=\"\(d)\" \(Draw.stroke(theme.tick, width: u.pt(0.8)))/>") }
        if !cb.label.isEmpty {
            let off = tickLen + tickPad + labelExtent + labelPad
            switch cb.location {
            case .right:
                b.line(Draw.text(cb.label, x: rect.maxX + off, y: rect.y + rect.h / 2, size: fontPx, color: theme.label,
                                 ha: .center, va: .top, bold: theme.boldLabels, rotation: 90))
            case .left:
                b.line(Draw.text(cb.label, x: rect.x - off, y: rect.y + rect.h / 2, size: fontPx, color: theme.label,
                                 ha: .center, va: .bottom, bold: theme.boldLabels, rotation: 90))
            case .top:
                b.line(Draw.text(cb.label, x: rect.x + rect.w / 2, y: rect.y - off, size: fontPx, color: theme.label,
                                 ha: .center, va: .bottom, bold: theme.boldLabels))
            case .bottom:
                b.line(Draw.text(cb.label, x: rect.x + rect.w / 2, y: rect.maxY + off, size: fontPx, color: theme.label,
                                 ha: .center, va: .top, bold: theme.boldLabels))
            }
        }
        b.line("</g>")
    }
}
