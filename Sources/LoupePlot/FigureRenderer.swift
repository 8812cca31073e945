// Lays out a Figure (tight-layout style: each grid column and row gets the room its tick labels,
// axis labels, titles and colour bars need; axes in a column share their width) and writes the SVG.

import Foundation

struct AxesPlan {
    let ax: Axes
    var x: AxisView, y: AxisView
    var twinY: AxisView? = nil
    var xRotation: Double = 0
    var topRotation: Double = 0
    var box = Rect(x: 0, y: 0, w: 1, h: 1)
    var colorbars: [(ColorbarSpec, Rect, AxisView)] = []
    var decor = (left: 0.0, right: 0.0, top: 0.0, bottom: 0.0)
    var yFlipped = false, xFlipped = false
    var twinFlipped = false
}

final class FigureRenderer {
    let fig: Figure
    let theme: Theme
    let u: Units
    var b = SVGBuilder()

    init(figure: Figure) { fig = figure; theme = figure.theme; u = Units(dpi: figure.dpi) }

    var fontPx: Double { u.pt(theme.fontSize) }
    var titlePx: Double { u.pt(theme.fontSize * 1.2) }
    var tickLen: Double { u.pt(3.5) }
    var tickPad: Double { u.pt(3.5) }
    var labelPad: Double { u.pt(4) }
    var titlePad: Double { u.pt(6) }
    func tickPx(_ ax: Axes) -> Double { u.pt(ax.tickFontSize ?? theme.fontSize) }

    func render() -> String {
        let W = fig.pixelWidth, H = fig.pixelHeight
        var plans = layout(W: W, H: H)
        b.line("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
               + "width=\"\(fmt(W))\" height=\"\(fmt(H))\" viewBox=\"0 0 \(fmt(W)) \(fmt(H))\" version=\"1.1\" "
               + "xml:space=\"preserve\" style=\"white-space:pre\" font-family=\"\(SVGText.escape(theme.fontFamily))\" "
               + "stroke-linejoin=\"round\">")
        // an accessible name for screen readers and for the report's figure list
        let name = fig.suptitle.isEmpty ? (fig.allAxes.map { trimmedTitle($0.title) }.first { !$0.isEmpty } ?? "") : fig.suptitle
        if !name.isEmpty { b.line("<title>\(SVGText.escape(MathText.render(name)))</title>") }
        b.line(Draw.rect(Rect(x: 0, y: 0, w: W, h: H), fill: theme.figureBackground))
        if !fig.suptitle.isEmpty {
            b.line(Draw.text(fig.suptitle, x: W / 2, y: u.pt(6), size: titlePx, color: theme.text, ha: .center,
                             va: .top, bold: theme.boldTitles))
        }
        for i in plans.indices { renderAxes(&plans[i]) }
        b.line("</svg>")
        return b.finish()
    }

    // MARK: layout

    func resolvePlan(_ ax: Axes, boxW: Double, boxH: Double) -> AxesPlan {
        var (xlo, xhi) = Limits.resolve(ax, isX: true)
        var (ylo, yhi) = Limits.resolve(ax, isX: false)
        var xf = false, yf = false
        if xlo > xhi { swap(&xlo, &xhi); xf = true }
        if ylo > yhi { swap(&ylo, &yhi); yf = true }
        let tickPt = ax.tickFontSize ?? theme.fontSize
        let xv = Limits.ticks(ax, isX: true, lo: xlo, hi: xhi, lengthPt: boxW * 72 / fig.dpi, fontPt: tickPt)
        let yv = Limits.ticks(ax, isX: false, lo: ylo, hi: yhi, lengthPt: boxH * 72 / fig.dpi, fontPt: tickPt)
        var plan = AxesPlan(ax: ax, x: xv, y: yv)
        plan.xFlipped = xf != ax.xInverted
        plan.yFlipped = yf != ax.yInverted
        if let t = ax.twin {
            t.sharedX = []
            var (tlo, thi) = Limits.resolve(t, isX: false)
            var tf = false
            if tlo > thi { swap(&tlo, &thi); tf = true }
            plan.twinY = Limits.ticks(t, isX: false, lo: tlo, hi: thi, lengthPt: boxH * 72 / fig.dpi,
                                      fontPt: t.tickFontSize ?? theme.fontSize)
            plan.twinFlipped = tf != t.yInverted
        }
        // categorical x labels rotate when they would collide
        if let r = ax.xtickRotation { plan.xRotation = r }
        else if ax.xtickLabels != nil, xv.ticks.count > 1 {
            let px = boxW / max(abs(xv.hi - xv.lo), 1e-9)
            var spacing = Double.infinity
            for i in 1..<xv.ticks.count { spacing = min(spacing, abs(xv.ticks[i] - xv.ticks[i - 1]) * px) }
            let widest = xv.labels.map { Draw.textWidth($0.text, size: tickPx(ax), multiline: false) }.max() ?? 0
            if widest > spacing * 0.92 { plan.xRotation = 90 }
        }
        if let top = ax.topTicks, top.positions.count > 1 {
            let px = boxW / max(abs(xv.hi - xv.lo), 1e-9)
            var spacing = Double.infinity
            for i in 1..<top.positions.count { spacing = min(spacing, abs(top.positions[i] - top.positions[i - 1]) * px) }
            let widest = top.labels.map { Draw.textWidth(Limits.shorten($0), size: tickPx(ax), multiline: false) }.max() ?? 0
            if widest > spacing * 0.92 { plan.topRotation = 90 }
        }
        return plan
    }

    func colorbarView(_ cb: ColorbarSpec, lengthPx: Double) -> AxisView {
        let lo = min(cb.mappable.vmin, cb.mappable.vmax), hi = max(cb.mappable.vmin, cb.mappable.vmax)
        let hi2 = hi == lo ? lo + 1 : hi
        let vertical = cb.location == .left || cb.location == .right
        let proxy = Axes(row: 0, column: 0)
        return Limits.ticks(proxy, isX: !vertical, lo: lo, hi: hi2, lengthPt: lengthPx * 72 / fig.dpi,
                            fontPt: theme.fontSize)
    }

    func labelsWidth(_ v: AxisView, size: Double) -> Double {
        v.labels.map { Draw.textWidth($0.text, size: size, superscript: $0.superscript, multiline: false) }.max() ?? 0
    }

    func decorations(_ p: AxesPlan, boxW: Double, boxH: Double) -> (left: Double, right: Double, top: Double, bottom: Double) {
        let ax = p.ax
        let tp = tickPx(ax)
        var l = 0.0, r = 0.0, t = 0.0, bt = 0.0
        if ax.axisVisible {
            if ax.showYTickLabels && !p.y.ticks.isEmpty { l += labelsWidth(p.y, size: tp) + tickLen + tickPad }
            else if !p.y.ticks.isEmpty { l += tickLen }
            if !ax.ylabel.isEmpty { l += Draw.textHeight(ax.ylabel, size: fontPx) + labelPad }
            if ax.showXTickLabels && !p.x.ticks.isEmpty {
                let rad = p.xRotation * .pi / 180
                let h = p.xRotation == 0 ? tp : labelsWidth(p.x, size: tp) * sin(rad) + tp * cos(rad)
                bt += h + tickLen + tickPad
            } else if !p.x.ticks.isEmpty { bt += tickLen }
            if !ax.xlabel.isEmpty { bt += Draw.textHeight(ax.xlabel, size: fontPx) + labelPad }
            if p.y.exponent != nil { t += tp * 1.2 }
            if let top = ax.topTicks, !top.labels.isEmpty {
                let widest = top.labels.map { Draw.textWidth(Limits.shorten($0), size: tp, multiline: false) }.max() ?? 0
                t += tickLen + tickPad + (p.topRotation == 0 ? tp : widest)
            }
            if let right = ax.rightTicks, !right.labels.isEmpty {
                r += tickLen + tickPad + (right.labels.map { Draw.textWidth(Limits.shorten($0), size: tp, multiline: false) }.max() ?? 0)
            }
            if let tv = p.twinY, let twin = ax.twin {
                r += labelsWidth(tv, size: tickPx(twin)) + tickLen + tickPad
                if !twin.ylabel.isEmpty { r += Draw.textHeight(twin.ylabel, size: fontPx) + labelPad }
            }
            // the last x tick label may stick out past the right edge
            if ax.showXTickLabels, p.xRotation == 0, let last = p.x.labels.last, let lt = p.x.ticks.last {
                let frac = abs(lt - p.x.lo) / max(abs(p.x.hi - p.x.lo), 1e-12)
                let over = Draw.textWidth(last.text, size: tp) / 2 - (1 - frac) * boxW
                if over > r { r = over }
            }
        }
        let title = trimmedTitle(ax.title)
        if !title.isEmpty { t += Draw.textHeight(title, size: titlePx) + titlePad }
        for cb in ax.colorbars {
            let vertical = cb.location == .left || cb.location == .right
            let length = (vertical ? boxH : boxW) * cb.shrink
            let view = colorbarView(cb, lengthPx: length)
            // the bar and its pad are carved out of the axes box in layout(); only its labels sit outside
            var extent = tickLen + tickPad
            extent += vertical ? labelsWidth(view, size: fontPx) : fontPx
            if !cb.label.isEmpty { extent += Draw.textHeight(cb.label, size: fontPx) + labelPad }
            switch cb.location {
            case .right: r += extent
            case .left: l += extent
            case .top: t += extent
            case .bottom: bt += extent
            }
        }
        return (l, r, t, bt)
    }

    func trimmedTitle(_ s: String) -> String {
        var t = s
        while t.hasSuffix("\n") || t.hasSuffix(" ") { t.removeLast() }
        return t
    }

    func layout(W: Double, H: Double) -> [AxesPlan] {
        let rows = fig.rows, cols = fig.columns
        let outer = u.pt(theme.fontSize) * 1.08
        let supH = fig.suptitle.isEmpty ? 0 : Draw.textHeight(fig.suptitle, size: titlePx) + u.pt(6) + u.pt(4)
        let estW = W / Double(cols) * 0.75, estH = H / Double(rows) * 0.7
        var plans: [AxesPlan] = []
        for ax in fig.allAxes {
            var p = resolvePlan(ax, boxW: estW, boxH: estH)
            p.decor = decorations(p, boxW: estW, boxH: estH)
            plans.append(p)
        }
        var L = [Double](repeating: 0, count: cols), R = L
        var T = [Double](repeating: 0, count: rows), B = T
        for p in plans {
            L[p.ax.column] = max(L[p.ax.column], p.decor.left); R[p.ax.column] = max(R[p.ax.column], p.decor.right)
            T[p.ax.row] = max(T[p.ax.row], p.decor.top); B[p.ax.row] = max(B[p.ax.row], p.decor.bottom)
        }
        let gapW = outer, gapH = outer
        let availW = W - 2 * outer - L.reduce(0, +) - R.reduce(0, +)
        let availH = H - 2 * outer - supH - T.reduce(0, +) - B.reduce(0, +)
        let axW: Double, axH: Double
        if let ws = fig.wspace { axW = availW / (Double(cols) + Double(cols - 1) * ws) }
        else { axW = (availW - Double(cols - 1) * gapW) / Double(cols) }
        if let hs = fig.hspace { axH = availH / (Double(rows) + Double(rows - 1) * hs) }
        else { axH = (availH - Double(rows - 1) * gapH) / Double(rows) }
        let w = max(axW, 10), h = max(axH, 10)
        let gw = fig.wspace.map { $0 * w } ?? gapW, gh = fig.hspace.map { $0 * h } ?? gapH
        for i in plans.indices {
            let c = plans[i].ax.column, r = plans[i].ax.row
            var x = outer
            for k in 0..<c { x += L[k] + w + R[k] + gw }
            x += L[c]
            var y = outer + supH
            for k in 0..<r { y += T[k] + h + B[k] + gh }
            y += T[r]
            var box = Rect(x: x, y: y, w: w, h: h)
            // colour bars take their pad and thickness from the axes box
            var reserved: [(ColorbarSpec, Double, Double)] = []
            for cb in plans[i].ax.colorbars {
                let vertical = cb.location == .left || cb.location == .right
                let pad = cb.pad * (vertical ? w : h)
                let thick = (vertical ? h : w) * cb.shrink / cb.aspect
                reserved.append((cb, pad, thick))
                switch cb.location {
                case .right: box.w -= pad + thick
                case .left: box.x += pad + thick; box.w -= pad + thick
                case .top: box.y += pad + thick; box.h -= pad + thick
                case .bottom: box.h -= pad + thick
                }
            }
            box.w = max(box.w, 4); box.h = max(box.h, 4)
            // final ticks for the real size
            let decor = plans[i].decor, rot = plans[i].xRotation, topRot = plans[i].topRotation
            plans[i] = resolvePlan(plans[i].ax, boxW: box.w, boxH: box.h)
            plans[i].decor = decor; plans[i].xRotation = rot; plans[i].topRotation = topRot
            if plans[i].ax.aspect == .equal {
                let dx = abs(plans[i].x.hi - plans[i].x.lo), dy = abs(plans[i].y.hi - plans[i].y.lo)
                if dx > 0 && dy > 0 && plans[i].ax.xscale == .linear && plans[i].ax.yscale == .linear {
                    if box.w / box.h > dx / dy {
                        let nw = box.h * dx / dy; box.x += (box.w - nw) / 2; box.w = nw
                    } else {
                        let nh = box.w * dy / dx; box.y += (box.h - nh) / 2; box.h = nh
                    }
                    plans[i] = resolvePlan(plans[i].ax, boxW: box.w, boxH: box.h)
                    plans[i].decor = decor; plans[i].xRotation = rot; plans[i].topRotation = topRot
                }
            }
            plans[i].box = box
            // colour bars sit outside whatever labels already occupy that side (a twin's ticks, top tokens)
            var offsetAlong = [Side: Double]()
            let tpx = tickPx(plans[i].ax)
            if let twin = plans[i].ax.twin, let tv = plans[i].twinY {
                offsetAlong[.right] = tickLen + tickPad + labelsWidth(tv, size: tickPx(twin))
                    + (twin.ylabel.isEmpty ? 0 : Draw.textHeight(twin.ylabel, size: fontPx) + labelPad)
            } else if let rt = plans[i].ax.rightTicks, !rt.labels.isEmpty {
                offsetAlong[.right] = tickLen + tickPad
                    + (rt.labels.map { Draw.textWidth(Limits.shorten($0), size: tpx, multiline: false) }.max() ?? 0)
            }
            if let tt = plans[i].ax.topTicks, !tt.labels.isEmpty {
                let widest = tt.labels.map { Draw.textWidth(Limits.shorten($0), size: tpx, multiline: false) }.max() ?? 0
                offsetAlong[.top] = tickLen + tickPad + (plans[i].topRotation == 0 ? tpx : widest)
            }
            for (cb, pad, thick) in reserved {
                let vertical = cb.location == .left || cb.location == .right
                let length = (vertical ? box.h : box.w) * cb.shrink
                let o = offsetAlong[cb.location] ?? 0
                var rect: Rect
                switch cb.location {
                case .right: rect = Rect(x: box.maxX + pad + o, y: box.y + (box.h - length) / 2, w: thick, h: length)
                case .left: rect = Rect(x: box.x - pad - thick - o, y: box.y + (box.h - length) / 2, w: thick, h: length)
                case .top: rect = Rect(x: box.x + (box.w - length) / 2, y: box.y - pad - thick - o, w: length, h: thick)
                case .bottom: rect = Rect(x: box.x + (box.w - length) / 2, y: box.maxY + pad + o, w: length, h: thick)
                }
                let view = colorbarView(cb, lengthPx: length)
                offsetAlong[cb.location] = o + pad + thick + tickLen + tickPad
                    + (vertical ? labelsWidth(view, size: fontPx) : fontPx)
                    + (cb.label.isEmpty ? 0 : Draw.textHeight(cb.label, size: fontPx) + labelPad)
                plans[i].colorbars.append((cb, rect, view))
            }
            setPixels(&plans[i])
        }
        return plans
    }

    func setPixels(_ p: inout AxesPlan) {
        let box = p.box
        p.x.pxLo = p.xFlipped ? box.maxX : box.x; p.x.pxHi = p.xFlipped ? box.x : box.maxX
        p.y.pxLo = p.yFlipped ? box.y : box.maxY; p.y.pxHi = p.yFlipped ? box.maxY : box.y
        if p.twinY != nil {
            p.twinY!.pxLo = p.twinFlipped ? box.y : box.maxY; p.twinY!.pxHi = p.twinFlipped ? box.maxY : box.y
        }
    }
}
