// The resolved state of one axis for drawing: view limits (data bounds + margins, sticky edges,
// user limits, shared axes), tick positions and labels, and the data -> pixel mapping.

import Foundation

struct TickLabel: Equatable {
    var text: String
    /// A log-axis label drawn as text with a raised exponent ("10" with "−2").
    var superscript: String? = nil
}

struct AxisView {
    var lo: Double, hi: Double
    var scale: Scale
    var ticks: [Double] = []
    var labels: [TickLabel] = []
    var minor: [Double] = []
    /// A shared ×10^n factor shown at the end of the axis.
    var exponent: Int? = nil

    /// Pixel range the axis maps onto (`pxLo` is where `lo` lands; may be larger than `pxHi`).
    var pxLo = 0.0, pxHi = 1.0

    func t(_ v: Double) -> Double { scale == .log ? (v > 0 ? log10(v) : -.infinity) : v }

    func map(_ v: Double) -> Double {
        let a = t(lo), b = t(hi)
        if b == a { return (pxLo + pxHi) / 2 }
        return pxLo + (t(v) - a) / (b - a) * (pxHi - pxLo)
    }

    func contains(_ v: Double) -> Bool {
        let a = min(lo, hi), b = max(lo, hi), eps = (b - a) * 1e-9
        return v >= a - eps && v <= b + eps
    }
}

struct Bounds {
    var lo = Double.infinity, hi = -Double.infinity
    var sticky: [Double] = []
    var isEmpty: Bool { lo > hi }
    mutating func add(_ v: Double, positiveOnly: Bool) {
        guard v.isFinite, !positiveOnly || v > 0 else { return }
        lo = min(lo, v); hi = max(hi, v)
    }
    mutating func merge(_ o: Bounds) { lo = min(lo, o.lo); hi = max(hi, o.hi); sticky += o.sticky }
}

enum Limits {
    /// Data bounds of an axes' marks along x (`isX`) or y.
    static func bounds(_ ax: Axes, isX: Bool) -> Bounds {
        var b = Bounds()
        let logScale = (isX ? ax.xscale : ax.yscale) == .log
        func add(_ v: Double) { b.add(v, positiveOnly: logScale) }
        for mark in ax.marks {
            switch mark {
            case .line(let m): for v in (isX ? m.x : m.y) { add(v) }
            case .scatter(let m): for v in (isX ? m.x : m.y) { add(v) }
            case .bar(let m):
                let alongPos = isX != m.horizontal
                for i in 0..<m.positions.count {
                    if alongPos {
                        let w = i < m.widths.count ? m.widths[i] : 0.8
                        let start = m.alignEdge ? m.positions[i] : m.positions[i] - w / 2
                        add(start); add(start + w)
                    } else {
                        add(m.bases[i]); add(m.bases[i] + m.lengths[i])
                        if !logScale { b.sticky.append(m.bases[i]) }
                    }
                }
            case .step(let m):
                if isX != m.horizontal { for e in m.edges { add(e) } }
                else { for c in m.counts { add(c) }; if !logScale { add(0); b.sticky.append(0) } }
            case .image(let m):
                let (a, c) = isX ? (m.extent.0, m.extent.1) : (m.extent.2, m.extent.3)
                add(a); add(c); b.sticky += [a, c]
            case .textGrid(let m):
                let n = isX ? (m.texts.map { $0.count }.max() ?? 0) : m.texts.count
                add(-0.5); add(Double(n) - 0.5); b.sticky += [-0.5, Double(n) - 0.5]
            case .rule(let m): if m.vertical == isX { add(m.value) }
            case .rect(let m):
                if isX { add(m.x); add(m.x + m.width) } else { add(m.y); add(m.y + m.height) }
            case .area(let m):
                if isX { for v in m.x { add(v) } } else { for v in m.y1 { add(v) }; for v in m.y2 { add(v) } }
            case .text: break
            }
        }
        return b
    }

    /// View limits (lo, hi) in increasing order for one axis of `ax`.
    static func resolve(_ ax: Axes, isX: Bool) -> (Double, Double) {
        var b = bounds(ax, isX: isX)
        for other in (isX ? ax.sharedX : ax.sharedY) { b.merge(bounds(other, isX: isX)) }
        let scale = isX ? ax.xscale : ax.yscale
        let margin = isX ? ax.xmargin : ax.ymargin
        var lo: Double, hi: Double
        if b.isEmpty { lo = scale == .log ? 1 : 0; hi = scale == .log ? 10 : 1 }
        else {
            let tl = scale == .log ? log10(b.lo) : b.lo, th = scale == .log ? log10(b.hi) : b.hi
            var a = tl, c = th
            if a == c { let d = a == 0 ? 0.05 : abs(a) * 0.05; a -= d; c += d }
            let span = c - a
            var a2 = a - margin * span, c2 = c + margin * span
            let sticky = scale == .log ? b.sticky.filter { $0 > 0 }.map { log10($0) } : b.sticky
            for s in sticky {
                if s <= a + 1e-12 * max(1, abs(a)) && s > a2 { a2 = max(a2, s) }
                if s >= c - 1e-12 * max(1, abs(c)) && s < c2 { c2 = min(c2, s) }
            }
            lo = scale == .log ? pow(10, a2) : a2
            hi = scale == .log ? pow(10, c2) : c2
        }
        let userLo = isX ? ax.xmin : ax.ymin, userHi = isX ? ax.xmax : ax.ymax
        if let u = userLo, u.isFinite, scale != .log || u > 0 { lo = u }
        if let u = userHi, u.isFinite, scale != .log || u > 0 { hi = u }
        if lo == hi { lo -= 0.5; hi += 0.5 }
        return (lo, hi)
    }

    /// Categorical labels (tokens) longer than 32 characters are cut with an ellipsis so one
    /// runaway token cannot squeeze the plot away.
    static func shorten(_ s: String, max: Int = 32) -> String {
        s.count <= max ? s : String(s.prefix(max - 1)) + "\u{2026}"
    }

    /// Ticks and labels for a resolved axis. `lengthPt` is the axis length in points; the number
    /// of bins follows matplotlib (3 label heights per tick on x, 2 on y, at most 9).
    static func ticks(_ ax: Axes, isX: Bool, lo: Double, hi: Double, lengthPt: Double, fontPt: Double) -> AxisView {
        let scale = isX ? ax.xscale : ax.yscale
        var v = AxisView(lo: lo, hi: hi, scale: scale)
        let explicit = isX ? ax.xticks : ax.yticks
        let explicitLabels = isX ? ax.xtickLabels : ax.ytickLabels
        let a = min(lo, hi), b = max(lo, hi)
        if let explicit = explicit {
            var ticks: [Double] = [], labels: [TickLabel] = []
            let formatted = TickFormatter.scalar(explicit).labels
            for (i, t) in explicit.enumerated() where v.contains(t) {
                ticks.append(t)
                if let l = explicitLabels { labels.append(TickLabel(text: i < l.count ? Limits.shorten(l[i]) : "")) }
                else { labels.append(TickLabel(text: formatted[i])) }
            }
            v.ticks = ticks; v.labels = labels
            return v
        }
        if scale == .log {
            let major = TickLocator.logMajor(a, b, maxTicks: isX ? 9 : 9).filter { v.contains($0) }
            v.ticks = major
            v.labels = major.map { t in
                let e = Int(log10(t).rounded())
                return TickLabel(text: "10", superscript: e < 0 ? "\u{2212}\(-e)" : "\(e)")
            }
            v.minor = TickLocator.logMinor(a, b).filter { v.contains($0) && !major.contains($0) }
            return v
        }
        let per = fontPt * (isX ? 3 : 2)
        let nbins = min(max(Int(floor(lengthPt / per)), 1), 9)
        let integerish = false
        let ticks = TickLocator.maxN(a, b, nbins: nbins, integer: integerish).filter { v.contains($0) }
        let f = TickFormatter.scalar(ticks)
        v.ticks = ticks
        v.labels = f.labels.map { TickLabel(text: $0) }
        v.exponent = f.exponent
        return v
    }
}
