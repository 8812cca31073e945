// Draws one axes: background, grid, marks (clipped, by z-order), spines, ticks, tick labels,
// axis labels, title, the twin axis, legend and colour bars.

import Foundation

extension FigureRenderer {
    func renderAxes(_ p: inout AxesPlan) {
        let ax = p.ax
        let box = p.box
        b.line("<g class=\"axes\">")
        if ax.axisVisible {
            b.line(Draw.rect(box, fill: theme.axesBackground))
        }
        if ax.grid && ax.axisVisible {
            for t in p.x.ticks { let x = p.x.map(t); b.line(Draw.line(x, box.y, x, box.maxY, theme.gridColor, width: u.pt(0.8))) }
            for t in p.y.ticks { let y = p.y.map(t); b.line(Draw.line(box.x, y, box.maxX, y, theme.gridColor, width: u.pt(0.8))) }
        }
        renderMarks(ax, x: p.x, y: p.y, box: box)
        if ax.axisVisible { renderFrame(p); renderSecondaryTicks(p) }
        if let twin = ax.twin, let ty = p.twinY {
            renderMarks(twin, x: p.x, y: ty, box: box)
            if twin.axisVisible { renderTwinAxis(twin, ty, box: box) }
        }
        let title = trimmedTitle(ax.title)
        if !title.isEmpty {
            var top = box.y
            for (cb, rect, view) in p.colorbars where cb.location == .top {
                top = min(top, rect.y - tickLen - tickPad - fontPx - (cb.label.isEmpty ? 0 : Draw.textHeight(cb.label, size: fontPx) + labelPad))
                _ = view
            }
            if p.y.exponent != nil { top = min(top, box.y - tickPx(ax) * 1.2) }
            if let tt = ax.topTicks, !tt.labels.isEmpty, ax.axisVisible {
                let tp = tickPx(ax)
                let widest = tt.labels.map { Draw.textWidth(Limits.shorten($0), size: tp, multiline: false) }.max() ?? 0
                top = min(top, box.y - tickLen - tickPad - (p.topRotation == 0 ? tp : widest))
            }
            b.line(Draw.text(title, x: box.x + box.w / 2, y: top - titlePad, size: titlePx,
                             color: ax.titleColor ?? theme.text, ha: .center, va: .baseline, bold: theme.boldTitles))
        }
        if ax.legendShown { renderLegend(ax, x: p.x, y: p.y, box: box) }
        for (cb, rect, view) in p.colorbars { renderColorbar(cb, rect: rect, view: view) }
        b.line("</g>")
    }

    /// Every k-th categorical label when labels set across the axis (rotated x labels, y labels)
    /// would be closer than a line of text: 1000 tokens stay readable instead of a black smear.
    func labelStride(_ v: AxisView, lineHeight: Double, rotated: Bool) -> Int {
        guard rotated, v.ticks.count > 1 else { return 1 }
        var spacing = Double.infinity
        for i in 1..<v.ticks.count { spacing = min(spacing, abs(v.map(v.ticks[i]) - v.map(v.ticks[i - 1]))) }
        guard spacing > 0, spacing < lineHeight else { return 1 }
        return Int((lineHeight / spacing).rounded(.up))
    }

    func spineShown(_ ax: Axes, _ side: Side) -> Bool {
        if let v = ax.spineVisible[side] { return v }
        return side == .left || side == .bottom || theme.topRightSpines
    }

    func renderFrame(_ p: AxesPlan) {
        let ax = p.ax, box = p.box
        let sw = u.pt(0.8)
        for side in Side.allCases where spineShown(ax, side) && !(side == .right && ax.twin != nil && ax.twin!.spineVisible[.right] == true) {
            switch side {
            case .left: b.line(Draw.line(box.x, box.y, box.x, box.maxY, theme.edge, width: sw, cap: "square"))
            case .right: b.line(Draw.line(box.maxX, box.y, box.maxX, box.maxY, theme.edge, width: sw, cap: "square"))
            case .top: b.line(Draw.line(box.x, box.y, box.maxX, box.y, theme.edge, width: sw, cap: "square"))
            case .bottom: b.line(Draw.line(box.x, box.maxY, box.maxX, box.maxY, theme.edge, width: sw, cap: "square"))
            }
        }
        let tp = tickPx(ax)
        // x axis
        let xc = ax.xTickColor ?? theme.tick
        var d = ""
        let xStride = ax.showXTickLabels ? labelStride(p.x, lineHeight: tp * 1.1, rotated: p.xRotation != 0) : 1
        for (k, t) in p.x.ticks.enumerated() where k % xStride == 0 {
            let x = p.x.map(t); d += "M\(fmt(x)) \(fmt(box.maxY))v\(fmt(tickLen))"
        }
        if !d.isEmpty { b.line("<path d=\"\(d)\" \(Draw.stroke(xc, width: sw))/>") }
        var dm = ""
        for t in p.x.minor { let x = p.x.map(t); dm += "M\(fmt(x)) \(fmt(box.maxY))v\(fmt(u.pt(2)))" }
        if !dm.isEmpty { b.line("<path d=\"\(dm)\" \(Draw.stroke(xc, width: u.pt(0.6)))/>") }
        var labelBottom = box.maxY + (p.x.ticks.isEmpty ? 0 : tickLen)
        if ax.showXTickLabels {
            let y0 = box.maxY + tickLen + tickPad
            var maxH = 0.0
            for (k, (t, l)) in zip(p.x.ticks, p.x.labels).enumerated() where !l.text.isEmpty && k % xStride == 0 {
                let x = p.x.map(t)
                if p.xRotation == 0 {
                    b.line(Draw.text(l.text, x: x, y: y0, size: tp, color: xc, ha: .center, va: .top, superscript: l.superscript, multiline: false))
                    maxH = max(maxH, tp)
                } else {
                    let rad = p.xRotation * .pi / 180
                    let px = x + 0.36 * tp * sin(rad)
                    b.line(Draw.text(l.text, x: px, y: y0, size: tp, color: xc, ha: .right,
                                     va: .baseline, rotation: p.xRotation, superscript: l.superscript, multiline: false))
                    maxH = max(maxH, Draw.textWidth(l.text, size: tp, multiline: false) * sin(rad) + tp * cos(rad))
                }
            }
            if !p.x.labels.isEmpty { labelBottom = y0 + maxH }
            if let e = p.x.exponent {
                b.line(Draw.text("\u{00D7}10", x: box.maxX, y: labelBottom + tp * 0.2, size: tp, color: xc, ha: .right,
                                 va: .top, superscript: e < 0 ? "\u{2212}\(-e)" : "\(e)"))
                labelBottom += tp * 1.2
            }
        }
        if !ax.xlabel.isEmpty {
            b.line(Draw.text(ax.xlabel, x: box.x + box.w / 2, y: labelBottom + labelPad, size: fontPx,
                             color: ax.xlabelColor ?? theme.label, ha: .center, va: .top, bold: theme.boldLabels))
        }
        // y axis
        let yc = ax.yTickColor ?? theme.tick
        d = ""
        let yStride = ax.showYTickLabels ? labelStride(p.y, lineHeight: tp * 1.1, rotated: true) : 1
        for (k, t) in p.y.ticks.enumerated() where k % yStride == 0 {
            let y = p.y.map(t); d += "M\(fmt(box.x)) \(fmt(y))h\(fmt(-tickLen))"
        }
        if !d.isEmpty { b.line("<path d=\"\(d)\" \(Draw.stroke(yc, width: sw))/>") }
        dm = ""
        for t in p.y.minor { let y = p.y.map(t); dm += "M\(fmt(box.x)) \(fmt(y))h\(fmt(-u.pt(2)))" }
        if !dm.isEmpty { b.line("<path d=\"\(dm)\" \(Draw.stroke(yc, width: u.pt(0.6)))/>") }
        var labelLeft = box.x - (p.y.ticks.isEmpty ? 0 : tickLen)
        if ax.showYTickLabels {
            let x0 = box.x - tickLen - tickPad
            for (k, (t, l)) in zip(p.y.ticks, p.y.labels).enumerated() where !l.text.isEmpty && k % yStride == 0 {
                // text-anchor applies to the whole chunk, exponent included
                b.line(Draw.text(l.text, x: x0,
                                 y: p.y.map(t), size: tp, color: yc, ha: .right, va: .center, superscript: l.superscript, multiline: false))
            }
            if !p.y.labels.isEmpty { labelLeft = x0 - labelsWidth(p.y, size: tp) }
            if let e = p.y.exponent {
                b.line(Draw.text("\u{00D7}10", x: box.x, y: box.y - tp * 0.3, size: tp, color: yc, ha: .left,
                                 va: .bottom, superscript: e < 0 ? "\u{2212}\(-e)" : "\(e)"))
            }
        }
        if !ax.ylabel.isEmpty {
            let x = labelLeft - labelPad
            b.line(Draw.text(ax.ylabel, x: x, y: box.y + box.h / 2, size: fontPx, color: ax.ylabelColor ?? theme.label,
                             ha: .center, va: .bottom, bold: theme.boldLabels, rotation: 90))
        }
    }

    /// The second label sets on the top and right edges.
    func renderSecondaryTicks(_ p: AxesPlan) {
        let ax = p.ax, box = p.box, tp = tickPx(ax), sw = u.pt(0.8)
        if let tt = ax.topTicks {
            let c = ax.xTickColor ?? theme.tick
            var d = ""
            for (pos, label) in zip(tt.positions, tt.labels) where p.x.contains(pos) {
                let x = p.x.map(pos)
                d += "M\(fmt(x)) \(fmt(box.y))v\(fmt(-tickLen))"
                let y0 = box.y - tickLen - tickPad
                if p.topRotation == 0 {
                    b.line(Draw.text(Limits.shorten(label), x: x, y: y0, size: tp, color: c, ha: .center, va: .bottom, multiline: false))
                } else {
                    b.line(Draw.text(Limits.shorten(label), x: x + 0.36 * tp, y: y0, size: tp, color: c, ha: .left,
                                     va: .baseline, rotation: 90, multiline: false))
                }
            }
            if !d.isEmpty { b.line("<path d=\"\(d)\" \(Draw.stroke(c, width: sw))/>") }
        }
        if let rt = ax.rightTicks {
            let c = ax.yTickColor ?? theme.tick
            var d = ""
            for (pos, label) in zip(rt.positions, rt.labels) where p.y.contains(pos) {
                let y = p.y.map(pos)
                d += "M\(fmt(box.maxX)) \(fmt(y))h\(fmt(tickLen))"
                b.line(Draw.text(Limits.shorten(label), x: box.maxX + tickLen + tickPad, y: y, size: tp, color: c, ha: .left,
                                 va: .center, multiline: false))
            }
            if !d.isEmpty { b.line("<path d=\"\(d)\" \(Draw.stroke(c, width: sw))/>") }
        }
    }

    func renderTwinAxis(_ twin: Axes, _ v: AxisView, box: Rect) {
        let sw = u.pt(0.8)
        if spineShown(twin, .right) {
            b.line(Draw.line(box.maxX, box.y, box.maxX, box.maxY, theme.edge, width: sw, cap: "square"))
        }
        let yc = twin.yTickColor ?? theme.tick
        let tp = tickPx(twin)
        var d = ""
        for t in v.ticks { let y = v.map(t); d += "M\(fmt(box.maxX)) \(fmt(y))h\(fmt(tickLen))" }
        if !d.isEmpty { b.line("<path d=\"\(d)\" \(Draw.stroke(yc, width: sw))/>") }
        let x0 = box.maxX + tickLen + tickPad
        for (t, l) in zip(v.ticks, v.labels) where !l.text.isEmpty {
            b.line(Draw.text(l.text, x: x0, y: v.map(t), size: tp, color: yc, ha: .left, va: .center, superscript: l.superscript, multiline: false))
        }
        if !twin.ylabel.isEmpty {
            let x = x0 + labelsWidth(v, size: tp) + labelPad
            b.line(Draw.text(twin.ylabel, x: x, y: box.y + box.h / 2, size: fontPx, color: twin.ylabelColor ?? theme.label,
                             ha: .center, va: .top, bold: theme.boldLabels, rotation: 90))
        }
        if !twin.title.isEmpty && false { }
    }
}
