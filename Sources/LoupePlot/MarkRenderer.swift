// Turns marks into SVG inside an axes box: lines with markers, scatters (compact paths for big
// ones), bars, histogram steps, images (cells or one embedded PNG), token grids, rules, shapes, text.

import Foundation

extension FigureRenderer {
    func renderMarks(_ ax: Axes, x: AxisView, y: AxisView, box: Rect) {
        let ordered = ax.marks.enumerated().sorted { a, c in
            a.element.zorder != c.element.zorder ? a.element.zorder < c.element.zorder : a.offset < c.offset
        }.map { $0.element }
        guard !ordered.isEmpty else { return }
        let clipID = b.uniqueID("clip")
        b.line("<clipPath id=\"\(clipID)\"><rect x=\"\(fmt(box.x))\" y=\"\(fmt(box.y))\" width=\"\(fmt(box.w))\" height=\"\(fmt(box.h))\"/></clipPath>")
        b.line("<g clip-path=\"url(#\(clipID))\">")
        var texts: [TextMark] = []
        for mark in ordered {
            switch mark {
            case .line(let m): renderLine(m, x, y)
            case .scatter(let m): renderScatter(m, x, y)
            case .bar(let m): renderBars(m, x, y, box: box)
            case .step(let m): renderStep(m, x, y, box: box)
            case .image(let m): renderImage(m, x, y)
            case .textGrid(let m): renderTextGrid(m, x, y)
            case .rule(let m): renderRule(m, x, y, box: box)
            case .rect(let m): renderRect(m, x, y)
            case .text(let m): texts.append(m)
            case .area(let m): renderArea(m, x, y)
            }
        }
        b.line("</g>")
        for t in texts { renderText(t, x, y, box: box) }
    }

    /// Clamps pixel coordinates so log(0) and far-away points stay representable.
    func px(_ v: Double) -> Double { v.isFinite ? min(max(v, -1e5), 1e5) : (v < 0 ? -1e5 : 1e5) }

    func renderLine(_ m: LineMark, _ x: AxisView, _ y: AxisView) {
        let n = min(m.x.count, m.y.count)
        let color = m.color.withAlpha(m.color.a * m.alpha)
        if m.style != .none && n > 1 {
            var d = ""
            d.reserveCapacity(n * 14)
            var pen = false
            for i in 0..<n {
                let okX = m.x[i].isFinite && (x.scale == .linear || m.x[i] > 0)
                let okY = m.y[i].isFinite && (y.scale == .linear || m.y[i] > 0)
                if !(okX && okY) { pen = false; continue }
                d += (pen ? "L" : "M") + fmt(px(x.map(m.x[i]))) + " " + fmt(px(y.map(m.y[i])))
                pen = true
            }
            if !d.isEmpty {
                b.line("<path d=\"\(d)\" fill=\"none\" \(Draw.stroke(color, width: u.pt(m.width), dashes: m.style.dashes, cap: m.style == .solid ? "square" : "butt"))/>")
            }
        }
        if m.marker != .none && n > 0 {
            let face = (m.markerFace ?? m.color)
            let edge = m.markerEdge ?? m.color
            let size = m.marker == .point ? m.markerSize * 0.5 : m.markerSize
            var pts: [(Double, Double)] = []
            pts.reserveCapacity(n)
            for i in 0..<n where m.x[i].isFinite && m.y[i].isFinite {
                pts.append((px(x.map(m.x[i])), px(y.map(m.y[i]))))
            }
            renderMarkers(pts, marker: m.marker, diameter: u.pt(size), faces: [face.withAlpha(face.a * m.alpha)],
                          edge: edge.withAlpha(edge.a * m.alpha), edgeWidth: u.pt(m.markerEdgeWidth))
        }
    }

    func renderScatter(_ m: ScatterMark, _ x: AxisView, _ y: AxisView) {
        let n = min(m.x.count, m.y.count)
        var faces: [Color]
        if let values = m.values {
            let (lo, hi) = Axes.range(values)
            let vmin = m.vmin ?? lo, vmax = m.vmax ?? hi
            faces = (0..<n).map { i in i < values.count ? m.cmap.color(values[i], vmin: vmin, vmax: vmax) : m.cmap.colors[0] }
        } else { faces = m.colors.isEmpty ? [Color.cycle(0)] : m.colors }
        faces = faces.map { $0.withAlpha($0.a * m.alpha) }
        var pts: [(Double, Double)] = []
        var keep: [Int] = []
        pts.reserveCapacity(n)
        for i in 0..<n where m.x[i].isFinite && m.y[i].isFinite
            && (x.scale == .linear || m.x[i] > 0) && (y.scale == .linear || m.y[i] > 0) {
            pts.append((px(x.map(m.x[i])), px(y.map(m.y[i])))); keep.append(i)
        }
        let f = faces.count > 1 ? keep.map { faces[$0 < faces.count ? $0 : 0] } : faces
        let diam: [Double] = m.sizes.count > 1 ? keep.map { u.pt(sqrt(max(m.sizes[$0 < m.sizes.count ? $0 : 0], 0))) }
                                               : [u.pt(sqrt(max(m.sizes[0], 0)))]
        let edge = m.edgeColor.map { $0.withAlpha($0.a * m.alpha) }
        renderMarkers(pts, marker: m.marker, diameters: diam, faces: f, edge: edge, edgeWidth: edge == nil ? 0 : u.pt(m.lineWidth))
    }

    func renderMarkers(_ pts: [(Double, Double)], marker: Marker, diameter: Double, faces: [Color], edge: Color?, edgeWidth: Double) {
        renderMarkers(pts, marker: marker, diameters: [diameter], faces: faces, edge: edge, edgeWidth: edgeWidth)
    }

    /// Markers at pixel points. Up to 5000 points each marker is its own element (faithful overlap);
    /// beyond that, points of the same colour and size become one path, circles and squares as
    /// zero-length strokes with round/square caps (about 14 bytes a point).
    func renderMarkers(_ pts: [(Double, Double)], marker: Marker, diameters: [Double], faces: [Color], edge: Color?, edgeWidth: Double) {
        guard !pts.isEmpty else { return }
        let unfilled = marker.isUnfilled
        let big = pts.count > 5000
        let dec = big ? 1 : 2
        func faceOf(_ i: Int) -> Color { faces.count == 1 ? faces[0] : faces[i] }
        func diamOf(_ i: Int) -> Double { diameters.count == 1 ? diameters[0] : diameters[i] }
        if big && (marker == .circle || marker == .point || marker == .square || marker == .pixel) {
            // group by (face, size) preserving first-appearance order; keys are exact bit patterns
            struct Key: Hashable { let r: UInt64, g: UInt64, b: UInt64, a: UInt64, d: UInt64 }
            var order: [Key] = []
            var groups: [Key: (Color, Double, String, [Int])] = [:]
            for (i, p) in pts.enumerated() {
                let c = faceOf(i), d = diamOf(i)
                let key = Key(r: c.r.bitPattern, g: c.g.bitPattern, b: c.b.bitPattern, a: c.a.bitPattern, d: d.bitPattern)
                let seg = "M" + fmt(p.0, dec) + " " + fmt(p.1, dec) + "h0"
                if groups[key] == nil { order.append(key); groups[key] = (c, d, seg, [i]) }
                else { groups[key]!.2 += seg; groups[key]!.3.append(i) }
            }
            let cap = (marker == .square || marker == .pixel) ? "square" : "round"
            for key in order {
                let (c, d, path, members) = groups[key]!
                if let e = edge, edgeWidth > 0, c.a < 1 {
                    // a see-through face must not show the edge colour beneath it: one symbol, many <use>
                    let id = b.uniqueID("m")
                    let shape = marker == .square || marker == .pixel
                        ? "<rect x=\"\(fmt(-d / 2))\" y=\"\(fmt(-d / 2))\" width=\"\(fmt(d))\" height=\"\(fmt(d))\""
                        : "<circle r=\"\(fmt(d / 2))\""
                    b.line("<defs>\(shape) id=\"\(id)\" \(Draw.fill(c)) \(Draw.stroke(e, width: edgeWidth))/></defs>")
                    var uses = ""
                    uses.reserveCapacity(members.count * 48)
                    for i in members {
                        uses += "<use xlink:href=\"#\(id)\" x=\"\(fmt(pts[i].0, dec))\" y=\"\(fmt(pts[i].1, dec))\"/>"
                    }
                    b.line(uses)
                } else if let e = edge, edgeWidth > 0 {
                    b.line("<path d=\"\(path)\" \(Draw.stroke(e, width: d + edgeWidth, cap: cap))/>")
                    b.line("<path d=\"\(path)\" \(Draw.stroke(c, width: max(d - edgeWidth, 0.5), cap: cap))/>")
                } else {
                    b.line("<path d=\"\(path)\" \(Draw.stroke(c, width: marker == .pixel ? 1 : d, cap: cap))/>")
                }
            }
            return
        }
        var out = ""
        out.reserveCapacity(pts.count * 60)
        for (i, p) in pts.enumerated() {
            let d = diamOf(i), r = d / 2
            let face = unfilled ? Color.none : faceOf(i)
            var paint = Draw.fill(face)
            let strokeColor = unfilled ? faceOf(i) : edge
            if let e = strokeColor, (edgeWidth > 0 || unfilled) {
                paint += " " + Draw.stroke(e, width: unfilled ? max(edgeWidth, u.pt(1)) : edgeWidth)
            }
            switch marker {
            case .circle, .point:
                out += "<circle cx=\"\(fmt(p.0, dec))\" cy=\"\(fmt(p.1, dec))\" r=\"\(fmt(r, dec))\" \(paint)/>\n"
            case .square, .pixel:
                let s = marker == .pixel ? 1.0 : d
                out += "<rect x=\"\(fmt(p.0 - s / 2, dec))\" y=\"\(fmt(p.1 - s / 2, dec))\" width=\"\(fmt(s, dec))\" height=\"\(fmt(s, dec))\" \(paint)/>\n"
            default:
                out += "<path d=\"M\(fmt(p.0, dec)) \(fmt(p.1, dec))\(MarkerShapes.relativePath(marker, r: r))\" \(paint)/>\n"
            }
        }
        b.out += out
    }

    func renderBars(_ m: BarMark, _ x: AxisView, _ y: AxisView, box: Rect) {
        var out = ""
        for i in 0..<m.positions.count {
            let w = i < m.widths.count ? m.widths[i] : 0.8
            let start = m.alignEdge ? m.positions[i] : m.positions[i] - w / 2
            let a0 = m.bases[i], a1 = m.bases[i] + m.lengths[i]
            let (pAxis, lAxis) = m.horizontal ? (y, x) : (x, y)
            var p0 = px(pAxis.map(start)), p1 = px(pAxis.map(start + w))
            var l0 = px(lAxis.map(a0)), l1 = px(lAxis.map(a1))
            if lAxis.scale == .log {
                if a0 <= 0 { l0 = m.horizontal ? box.x - 2 : box.maxY + 2 }
                if a1 <= 0 { continue }
            }
            if p0 > p1 { swap(&p0, &p1) }
            if l0 > l1 { swap(&l0, &l1) }
            if m.edgeColor == nil {
                // whole-pixel edges: neighbouring histogram bars meet without an anti-aliased seam
                p0 = p0.rounded(); p1 = max(p1.rounded(), p0 + 1); l0 = l0.rounded(); l1 = l1.rounded()
            }
            let r = m.horizontal ? Rect(x: l0, y: p0, w: l1 - l0, h: p1 - p0) : Rect(x: p0, y: l0, w: p1 - p0, h: l1 - l0)
            let c = m.colors[i % m.colors.count]
            out += Draw.rect(r, fill: c.withAlpha(c.a * m.alpha), stroke: m.edgeColor, width: u.pt(m.lineWidth)) + "\n"
        }
        b.out += out
    }

    func renderStep(_ m: StepMark, _ x: AxisView, _ y: AxisView, box: Rect) {
        guard m.edges.count == m.counts.count + 1, !m.counts.isEmpty else { return }
        let (pAxis, lAxis) = m.horizontal ? (y, x) : (x, y)
        func l(_ v: Double) -> Double {
            if lAxis.scale == .log && v <= 0 { return m.horizontal ? box.x - 2 : box.maxY + 2 }
            return px(lAxis.map(v))
        }
        func pt(_ p: Double, _ v: Double) -> String {
            m.horizontal ? "\(fmt(v)) \(fmt(p))" : "\(fmt(p)) \(fmt(v))"
        }
        var d = "M" + pt(px(pAxis.map(m.edges[0])), l(0))
        for i in 0..<m.counts.count {
            let ly = l(m.counts[i])
            d += "L" + pt(px(pAxis.map(m.edges[i])), ly) + "L" + pt(px(pAxis.map(m.edges[i + 1])), ly)
        }
        d += "L" + pt(px(pAxis.map(m.edges[m.counts.count])), l(0))
        let c = m.color.withAlpha(m.color.a * m.alpha)
        if m.fill { b.line("<path d=\"\(d)Z\" \(Draw.fill(c))/>") }
        else { b.line("<path d=\"\(d)\" fill=\"none\" \(Draw.stroke(c, width: u.pt(m.width)))/>") }
    }

    func renderArea(_ m: AreaMark, _ x: AxisView, _ y: AxisView) {
        var d = ""
        let n = min(m.x.count, m.y1.count, m.y2.count)
        var i = 0
        // one polygon per run of finite points: along y1, then back along y2
        while i < n {
            while i < n && !(m.x[i].isFinite && m.y1[i].isFinite && m.y2[i].isFinite) { i += 1 }
            var j = i
            while j < n && m.x[j].isFinite && m.y1[j].isFinite && m.y2[j].isFinite { j += 1 }
            if j - i >= 1 {
                for k in i..<j { d += (k == i ? "M" : "L") + fmt(px(x.map(m.x[k]))) + " " + fmt(px(y.map(m.y1[k]))) }
                for k in (i..<j).reversed() { d += "L" + fmt(px(x.map(m.x[k]))) + " " + fmt(px(y.map(m.y2[k]))) }
                d += "Z"
            }
            i = j
        }
        if !d.isEmpty { b.line("<path d=\"\(d)\" \(Draw.fill(m.color.withAlpha(m.color.a * m.alpha)))/>") }
    }

    func renderRule(_ m: RuleMark, _ x: AxisView, _ y: AxisView, box: Rect) {
        let c = m.color.withAlpha(m.color.a * m.alpha)
        if m.vertical {
            let px0 = px(x.map(m.value))
            b.line(Draw.line(px0, box.maxY - m.from * box.h, px0, box.maxY - m.to * box.h, c, width: u.pt(m.width), dashes: m.style.dashes))
        } else {
            let py = px(y.map(m.value))
            b.line(Draw.line(box.x + m.from * box.w, py, box.x + m.to * box.w, py, c, width: u.pt(m.width), dashes: m.style.dashes))
        }
    }

    func renderRect(_ m: RectMark, _ x: AxisView, _ y: AxisView) {
        let xa = px(x.map(m.x)), xb = px(x.map(m.x + m.width))
        let ya = px(y.map(m.y)), yb = px(y.map(m.y + m.height))
        let r = Rect(x: min(xa, xb), y: min(ya, yb), w: abs(xb - xa), h: abs(yb - ya))
        let face = m.face.withAlpha(m.face.a * m.alpha)
        let edge = m.edge.map { $0.withAlpha($0.a * m.alpha) }
        b.line(Draw.rect(r, fill: face, stroke: edge, width: u.pt(m.lineWidth)))
    }

    func renderText(_ m: TextMark, _ x: AxisView, _ y: AxisView, box: Rect) {
        let px0 = m.axesCoordinates ? box.x + m.x * box.w : px(x.map(m.x))
        let py0 = m.axesCoordinates ? box.maxY - m.y * box.h : px(y.map(m.y))
        b.line(Draw.text(m.text, x: px0, y: py0, size: u.pt(m.fontSize ?? theme.fontSize), color: m.color ?? theme.text,
                         ha: m.ha, va: m.va, bold: m.bold, rotation: m.rotation))
    }
}

enum MarkerShapes {
    /// Path commands relative to the marker centre (after an absolute M to the centre).
    static func relativePath(_ m: Marker, r: Double) -> String {
        func pts(_ list: [(Double, Double)]) -> String {
            var s = ""
            var cx = 0.0, cy = 0.0
            for (i, p) in list.enumerated() {
                let dx = p.0 * r - cx, dy = p.1 * r - cy
                s += (i == 0 ? "m" : "l") + fmt(dx) + " " + fmt(dy)
                cx = p.0 * r; cy = p.1 * r
            }
            return s + "z"
        }
        func polygon(_ n: Int, rot: Double) -> [(Double, Double)] {
            (0..<n).map { k in
                let a = rot + Double(k) * 2 * .pi / Double(n)
                return (sin(a), -cos(a))
            }
        }
        switch m {
        case .triangleUp: return pts([(0, -1), (0.866, 0.5), (-0.866, 0.5)])
        case .triangleDown: return pts([(0, 1), (-0.866, -0.5), (0.866, -0.5)])
        case .triangleLeft: return pts([(-1, 0), (0.5, -0.866), (0.5, 0.866)])
        case .triangleRight: return pts([(1, 0), (-0.5, 0.866), (-0.5, -0.866)])
        case .diamond: return pts([(0, -1), (0.75, 0), (0, 1), (-0.75, 0)].map { ($0.0 * 1.33, $0.1 * 1.0) })
        case .thinDiamond: return pts([(0, -1), (0.6, 0), (0, 1), (-0.6, 0)])
        case .hexagon: return pts(polygon(6, rot: 0))
        case .hexagon2: return pts(polygon(6, rot: .pi / 6))
        case .pentagon: return pts(polygon(5, rot: 0))
        case .star:
            var list: [(Double, Double)] = []
            for k in 0..<10 {
                let a = Double(k) * .pi / 5, rr = k % 2 == 0 ? 1.0 : 0.381966
                list.append((rr * sin(a), -rr * cos(a)))
            }
            return pts(list)
        case .plus, .filledPlus: return "m\(fmt(-r)) 0h\(fmt(2 * r))m\(fmt(-r)) \(fmt(-r))v\(fmt(2 * r))"
        case .cross, .filledX:
            let k = r * 0.7071
            return "m\(fmt(-k)) \(fmt(-k))l\(fmt(2 * k)) \(fmt(2 * k))m0 \(fmt(-2 * k))l\(fmt(-2 * k)) \(fmt(2 * k))"
        case .vline: return "m0 \(fmt(-r))v\(fmt(2 * r))"
        case .hline: return "m\(fmt(-r)) 0h\(fmt(2 * r))"
        default:
            return "m\(fmt(-r)) 0a\(fmt(r)) \(fmt(r)) 0 1 0 \(fmt(2 * r)) 0a\(fmt(r)) \(fmt(r)) 0 1 0 \(fmt(-2 * r)) 0z"
        }
    }
}
