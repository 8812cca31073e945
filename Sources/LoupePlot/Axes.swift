// One plot area: its marks, labels, limits, scales and tick settings. Methods mirror matplotlib's
// Axes (plot, scatter, hist, bar, imshow, axhline, text, twinx, legend); setters are properties.

public enum Scale: String, Sendable { case linear, log }
public enum Aspect: Sendable, Equatable { case auto, equal }
public enum Side: String, Sendable, CaseIterable { case left, right, top, bottom }
public enum HistType: String, Sendable { case bar, step, stepfilled }

public enum LegendLocation: String, Sendable, CaseIterable {
    case best, upperRight = "upper right", upperLeft = "upper left", lowerLeft = "lower left",
         lowerRight = "lower right", center, upperCenter = "upper center", lowerCenter = "lower center",
         centerLeft = "center left", centerRight = "center right"
}

/// What a colour bar shows: a colour map over a value range.
public struct ScalarMappable: Sendable, Equatable {
    public var cmap: Colormap
    public var vmin: Double, vmax: Double
    public init(cmap: Colormap, vmin: Double, vmax: Double) { self.cmap = cmap; self.vmin = vmin; self.vmax = vmax }
}

public final class Axes {
    public var title = ""
    public var xlabel = "", ylabel = ""
    public var titleColor: Color? = nil
    public var xlabelColor: Color? = nil, ylabelColor: Color? = nil
    /// Colour of tick marks and tick labels per axis (matplotlib's tick_params(colors=)).
    public var xTickColor: Color? = nil, yTickColor: Color? = nil
    public var xmin: Double? = nil, xmax: Double? = nil, ymin: Double? = nil, ymax: Double? = nil
    public var xscale: Scale = .linear, yscale: Scale = .linear
    /// Explicit tick positions and (optionally) their labels, e.g. tokens.
    public var xticks: [Double]? = nil, yticks: [Double]? = nil
    public var xtickLabels: [String]? = nil, ytickLabels: [String]? = nil
    /// Degrees; nil rotates categorical x labels by 90° when they would overlap.
    public var xtickRotation: Double? = nil
    /// Second set of categorical labels on the top / right edge (query/key axes):
    /// positions and labels, drawn with ticks at those positions.
    public var topTicks: (positions: [Double], labels: [String])? = nil
    public var rightTicks: (positions: [Double], labels: [String])? = nil
    public var tickFontSize: Double? = nil
    public var showXTickLabels = true, showYTickLabels = true
    public var grid = false
    public var axisVisible = true
    /// Per-side spine visibility overriding the theme (e.g. the right spine of a twin axis).
    public var spineVisible: [Side: Bool] = [:]
    public var aspect: Aspect = .auto
    /// Draw y increasing downwards (images with origin "upper", token grids).
    public var yInverted = false
    public var xInverted = false
    public var xmargin = 0.05, ymargin = 0.05
    public var legendShown = false
    public var legendLocation: LegendLocation = .best
    public var legendFontSize: Double? = nil
    /// Extra legend entries from other axes (ax.legend(lines + lines2, ...) across a twin).
    var legendSources: [Axes] = []

    public internal(set) var marks: [Mark] = []
    public internal(set) var twin: Axes? = nil
    public internal(set) var isTwin = false
    var colorbars: [ColorbarSpec] = []
    var lineCycle = 0, patchCycle = 0
    /// Axes sharing x / y limits with this one (subplots(sharex:, sharey:)).
    var sharedX: [Axes] = [], sharedY: [Axes] = []
    public let row: Int, column: Int

    init(row: Int, column: Int) { self.row = row; self.column = column }

    public func add(_ mark: Mark) { marks.append(mark) }

    func nextLineColor() -> Color { defer { lineCycle += 1 }; return Color.cycle(lineCycle) }
    func nextPatchColor() -> Color { defer { patchCycle += 1 }; return Color.cycle(patchCycle) }

    // MARK: lines

    /// plot(ys) against 0..<n, or plot(x, y) with an optional matplotlib format string ("ko", "s-", "r--").
    public func plot(x: [Double]? = nil, _ y: [Double], fmt: String? = nil, color: Color? = nil,
                     lineWidth: Double = 1.5, lineStyle: LineStyle? = nil, marker: Marker? = nil,
                     markerSize: Double? = nil, markerFace: Color? = nil, markerEdge: Color? = nil,
                     alpha: Double = 1, label: String? = nil, zorder: Double = 2) {
        let spec = fmt.flatMap { FormatSpec.parse($0) }
        let xs = x ?? (0..<y.count).map(Double.init)
        let mk = marker ?? spec?.marker ?? .none
        var style = lineStyle ?? spec?.lineStyle ?? (spec?.marker != nil ? LineStyle.none : .solid)
        if lineStyle == nil, spec != nil, spec?.lineStyle == nil, spec?.marker == nil { style = .solid }
        let c = color ?? spec?.color ?? nextLineColor()
        let size = markerSize ?? (mk == .point ? 6 : 6)
        marks.append(.line(LineMark(x: xs, y: y, color: c, width: lineWidth, style: style, marker: mk,
                                    markerSize: size, markerFace: markerFace, markerEdge: markerEdge,
                                    alpha: alpha, label: label, zorder: zorder)))
    }

    // MARK: scatter

    /// scatter(x, y, s, c): `values` colours points through `cmap` (and makes a colorbar possible);
    /// `colors` gives explicit colours (one, or one per point).
    public func scatter(x: [Double], y: [Double], sizes: [Double] = [36], color: Color? = nil,
                        colors: [Color]? = nil, values: [Double]? = nil, cmap: Colormap = .viridis,
                        vmin: Double? = nil, vmax: Double? = nil, marker: Marker = .circle,
                        edgeColor: Color? = nil, lineWidth: Double = 1, alpha: Double = 1,
                        label: String? = nil, zorder: Double = 1) {
        let cs: [Color]
        if let colors = colors, !colors.isEmpty { cs = colors }
        else if let color = color { cs = [color] }
        else if values != nil { cs = [] }
        else { cs = [nextPatchColor()] }
        marks.append(.scatter(ScatterMark(x: x, y: y, sizes: sizes.isEmpty ? [36] : sizes, colors: cs,
                                          values: values, cmap: cmap, vmin: vmin, vmax: vmax, marker: marker,
                                          edgeColor: edgeColor, lineWidth: lineWidth, alpha: alpha,
                                          label: label, zorder: zorder)))
    }

    // MARK: histograms and bars

    /// numpy.histogram semantics: `bins` equal bins over `range` (default data min...max) or explicit
    /// `edges`; the last bin includes its right edge; `density` divides by count × bin width.
    /// Returns the counts (or densities) and the edges.
    @discardableResult
    public func hist(_ data: [Double], bins: Int = 10, edges: [Double]? = nil, range: (Double, Double)? = nil,
                     density: Bool = false, type: HistType = .bar, color: Color? = nil, alpha: Double = 1,
                     log: Bool = false, horizontal: Bool = false, label: String? = nil,
                     edgeColor: Color? = nil, lineWidth: Double? = nil) -> (counts: [Double], edges: [Double]) {
        let h = Histogram.compute(data, bins: bins, edges: edges, range: range, density: density)
        let c = color ?? nextPatchColor()
        if log { if horizontal { xscale = .log } else { yscale = .log } }
        switch type {
        case .bar:
            var centres: [Double] = [], widths: [Double] = []
            for i in 0..<h.counts.count {
                centres.append(h.edges[i]); widths.append(h.edges[i + 1] - h.edges[i])
            }
            marks.append(.bar(BarMark(positions: centres, lengths: h.counts,
                                      bases: Array(repeating: 0, count: h.counts.count), widths: widths,
                                      horizontal: horizontal, colors: [c], edgeColor: edgeColor,
                                      lineWidth: lineWidth ?? 0, alpha: alpha, label: label, alignEdge: true)))
        case .step, .stepfilled:
            marks.append(.step(StepMark(edges: h.edges, counts: h.counts, color: c, width: lineWidth ?? 1,
                                        alpha: alpha, fill: type == .stepfilled, horizontal: horizontal, label: label)))
        }
        return h
    }

    /// Vertical bars centred on `x`.
    public func bar(x: [Double], heights: [Double], width: Double = 0.8, bottom: [Double]? = nil,
                    color: Color? = nil, colors: [Color]? = nil, edgeColor: Color? = nil, lineWidth: Double = 0,
                    alpha: Double = 1, label: String? = nil) {
        addBars(x, heights, width, bottom, color, colors, edgeColor, lineWidth, alpha, label, horizontal: false)
    }

    /// Horizontal bars centred on `y`.
    public func barh(y: [Double], widths: [Double], height: Double = 0.8, left: [Double]? = nil,
                     color: Color? = nil, colors: [Color]? = nil, edgeColor: Color? = nil, lineWidth: Double = 0,
                     alpha: Double = 1, label: String? = nil) {
        addBars(y, widths, height, left, color, colors, edgeColor, lineWidth, alpha, label, horizontal: true)
    }

    private func addBars(_ pos: [Double], _ len: [Double], _ thickness: Double, _ base: [Double]?, _ color: Color?,
                         _ colors: [Color]?, _ edge: Color?, _ lw: Double, _ alpha: Double, _ label: String?,
                         horizontal: Bool) {
        let n = min(pos.count, len.count)
        let cs = colors.flatMap { $0.isEmpty ? nil : $0 } ?? [color ?? nextPatchColor()]
        let bases = (0..<n).map { i in base.map { i < $0.count ? $0[i] : 0 } ?? 0 }
        marks.append(.bar(BarMark(positions: Array(pos.prefix(n)), lengths: Array(len.prefix(n)), bases: bases,
                                  widths: Array(repeating: thickness, count: n), horizontal: horizontal, colors: cs,
                                  edgeColor: edge, lineWidth: lw, alpha: alpha, label: label)))
        if horizontal { yInvertedDefaultForBars() }
    }

    private func yInvertedDefaultForBars() {}

    /// matplotlib's fill_between(x, y1, y2): the band between two curves (y2 defaults to 0).
    public func fillBetween(x: [Double], _ y1: [Double], _ y2: [Double]? = nil, color: Color? = nil, alpha: Double = 1,
                            label: String? = nil, zorder: Double = 1) {
        let n = min(x.count, y1.count)
        let lower = y2.map { Array($0.prefix(n)) } ?? Array(repeating: 0, count: n)
        marks.append(.area(AreaMark(x: Array(x.prefix(n)), y1: Array(y1.prefix(n)), y2: lower,
                                    color: color ?? nextPatchColor(), alpha: alpha, label: label, zorder: zorder)))
    }

    // MARK: images and grids

    /// imshow of a [rows][cols] matrix. vmin/vmax default to the finite data range.
    public func imshow(_ matrix: [[Double]], cmap: Colormap = .viridis, vmin: Double? = nil, vmax: Double? = nil,
                       origin: ImageOrigin = .upper, extent: (Double, Double, Double, Double)? = nil,
                       aspect: Aspect = .equal, alpha: Double = 1) {
        let rows = matrix.count, cols = matrix.map { $0.count }.max() ?? 0
        var flat = [Double](repeating: .nan, count: rows * cols)
        for r in 0..<rows { for c in 0..<matrix[r].count { flat[r * cols + c] = matrix[r][c] } }
        imshow(values: flat, rows: rows, cols: cols, cmap: cmap, vmin: vmin, vmax: vmax, origin: origin,
               extent: extent, aspect: aspect, alpha: alpha)
    }

    /// imshow of a row-major buffer `values` // [rows, cols]
    public func imshow(values: [Double], rows: Int, cols: Int, cmap: Colormap = .viridis, vmin: Double? = nil,
                       vmax: Double? = nil, origin: ImageOrigin = .upper,
                       extent: (Double, Double, Double, Double)? = nil, aspect: Aspect = .equal,
                       alpha: Double = 1, cellColors: [Color]? = nil, png: [UInt8]? = nil) {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        if !lo.isFinite { lo = 0; hi = 1 }
        let ext = extent ?? (origin == .upper
            ? (-0.5, Double(cols) - 0.5, Double(rows) - 0.5, -0.5)
            : (-0.5, Double(cols) - 0.5, -0.5, Double(rows) - 0.5))
        marks.append(.image(ImageMark(values: values, rows: rows, cols: cols, cellColors: cellColors, cmap: cmap,
                                      vmin: vmin ?? lo, vmax: vmax ?? hi, origin: origin, extent: ext, alpha: alpha, png: png)))
        self.aspect = aspect
        yInverted = ext.3 < ext.2
        if ext.3 < ext.2 { yInverted = true }
        xmargin = 0; ymargin = 0
    }

    /// A grid of token strings, each cell's background from `values` through `cmap` (or from
    /// `colors`), cells where `highlight` is true drawn in `highlightColor` with bold text.
    /// Sets the view to the cells, rows top-down, and integer ticks.
    public func textGrid(_ texts: [[String]], values: [[Double]]? = nil, colors: [[Color]]? = nil,
                         cmap: Colormap = .viridis, vmin: Double? = nil, vmax: Double? = nil,
                         highlight: [[Bool]]? = nil, highlightColor: Color = .gold, fontSize: Double? = nil,
                         textColor: Color? = nil, cellBorder: Color? = nil, quoted: Bool = false) {
        let rows = texts.count, cols = texts.map { $0.count }.max() ?? 0
        var lo = Double.infinity, hi = -Double.infinity
        for row in values ?? [] { for v in row where v.isFinite { lo = min(lo, v); hi = max(hi, v) } }
        let vlo = vmin ?? (lo.isFinite ? lo : 0), vhi = vmax ?? (hi.isFinite ? hi : 1)
        var bg: [[Color]] = []
        for r in 0..<rows {
            var row: [Color] = []
            for c in 0..<cols {
                if let colors = colors, r < colors.count, c < colors[r].count { row.append(colors[r][c]) }
                else if let values = values, r < values.count, c < values[r].count {
                    row.append(cmap.color(values[r][c], vmin: vlo, vmax: vhi))
                } else { row.append(Color(hex: 0xE0E0E0)) }
            }
            bg.append(row)
        }
        marks.append(.textGrid(TextGridMark(texts: texts, backgrounds: bg, highlight: highlight,
                                            highlightColor: highlightColor, fontSize: fontSize, textColor: textColor,
                                            cellBorder: cellBorder, quoted: quoted)))
        if values != nil, colors == nil { lastGridMappable = ScalarMappable(cmap: cmap, vmin: vlo, vmax: vhi) }
        xmin = -0.5; xmax = Double(cols) - 0.5; ymin = -0.5; ymax = Double(rows) - 0.5
        yInverted = true
        if xticks == nil { xticks = (0..<cols).map(Double.init) }
        if yticks == nil { yticks = (0..<rows).map(Double.init) }
    }
    var lastGridMappable: ScalarMappable? = nil

    // MARK: rules, shapes, text

    public func axhline(_ y: Double, color: Color? = nil, lineWidth: Double = 1.5, lineStyle: LineStyle = .solid,
                        from: Double = 0, to: Double = 1, alpha: Double = 1, label: String? = nil, zorder: Double = 2) {
        marks.append(.rule(RuleMark(value: y, vertical: false, from: from, to: to, color: color ?? nextLineColor(),
                                    width: lineWidth, style: lineStyle, alpha: alpha, label: label, zorder: zorder)))
    }

    public func axvline(_ x: Double, color: Color? = nil, lineWidth: Double = 1.5, lineStyle: LineStyle = .solid,
                        from: Double = 0, to: Double = 1, alpha: Double = 1, label: String? = nil, zorder: Double = 2) {
        marks.append(.rule(RuleMark(value: x, vertical: true, from: from, to: to, color: color ?? nextLineColor(),
                                    width: lineWidth, style: lineStyle, alpha: alpha, label: label, zorder: zorder)))
    }

    /// A rectangle with lower-left corner (x, y) in data coordinates (matplotlib's Rectangle patch).
    public func rect(x: Double, y: Double, width: Double, height: Double, face: Color = .none,
                     edge: Color? = .black, lineWidth: Double = 1, alpha: Double = 1, label: String? = nil,
                     zorder: Double = 1) {
        marks.append(.rect(RectMark(x: x, y: y, width: width, height: height, face: face, edge: edge,
                                    lineWidth: lineWidth, alpha: alpha, label: label, zorder: zorder)))
    }

    public func text(x: Double, y: Double, _ text: String, fontSize: Double? = nil, color: Color? = nil,
                     ha: HAlign = .left, va: VAlign = .baseline, bold: Bool = false, rotation: Double = 0,
                     axesCoordinates: Bool = false) {
        marks.append(.text(TextMark(x: x, y: y, text: text, fontSize: fontSize, color: color, ha: ha, va: va,
                                    bold: bold, rotation: rotation, axesCoordinates: axesCoordinates)))
    }

    // MARK: axes settings

    /// A second y axis on the right sharing this one's x axis (matplotlib's twinx).
    public func twinx() -> Axes {
        if let t = twin { return t }
        let t = Axes(row: row, column: column)
        t.isTwin = true
        t.lineCycle = lineCycle
        t.spineVisible[.right] = true
        twin = t
        return t
    }

    /// Shows a legend of labelled marks, also gathering those of `including` axes (e.g. a twin).
    public func legend(location: LegendLocation = .best, including: [Axes] = []) {
        legendShown = true; legendLocation = location; legendSources = including
    }

    /// matplotlib's legend(["Q", "K", "V"]): names the marks that can carry a label, in the order
    /// they were added, then shows the legend.
    public func legend(labels: [String], location: LegendLocation = .best) {
        var k = 0
        for i in marks.indices where k < labels.count {
            switch marks[i] {
            case .line(var m): m.label = labels[k]; marks[i] = .line(m); k += 1
            case .scatter(var m): m.label = labels[k]; marks[i] = .scatter(m); k += 1
            case .bar(var m): m.label = labels[k]; marks[i] = .bar(m); k += 1
            case .step(var m): m.label = labels[k]; marks[i] = .step(m); k += 1
            default: continue
            }
        }
        legend(location: location)
    }

    /// Categorical ticks: labels (tokens) at 0..<n, or at `positions`.
    public func setXTicks(_ labels: [String], positions: [Double]? = nil, rotation: Double? = nil) {
        xticks = positions ?? (0..<labels.count).map(Double.init); xtickLabels = labels; xtickRotation = rotation
    }

    /// Labels along the top edge at 0..<n (or `positions`), e.g. query tokens above a key × input grid.
    public func setTopTicks(_ labels: [String], positions: [Double]? = nil) {
        topTicks = (positions ?? (0..<labels.count).map(Double.init), labels)
    }

    /// Labels along the right edge at 0..<n (or `positions`).
    public func setRightTicks(_ labels: [String], positions: [Double]? = nil) {
        rightTicks = (positions ?? (0..<labels.count).map(Double.init), labels)
    }

    public func setYTicks(_ labels: [String], positions: [Double]? = nil) {
        yticks = positions ?? (0..<labels.count).map(Double.init); ytickLabels = labels
    }

    public func setXLim(_ lo: Double?, _ hi: Double?) { xmin = lo; xmax = hi }
    public func setYLim(_ lo: Double?, _ hi: Double?) { ymin = lo; ymax = hi }

    /// The colour mapping of the most recent image, value-coloured scatter or value grid (for colorbar).
    public var lastMappable: ScalarMappable? {
        for mark in marks.reversed() {
            switch mark {
            case .image(let m) where m.cellColors == nil: return ScalarMappable(cmap: m.cmap, vmin: m.vmin, vmax: m.vmax)
            case .scatter(let m) where m.values != nil:
                let (lo, hi) = Axes.range(m.values ?? [])
                return ScalarMappable(cmap: m.cmap, vmin: m.vmin ?? lo, vmax: m.vmax ?? hi)
            case .textGrid: if let g = lastGridMappable { return g }
            default: continue
            }
        }
        return nil
    }

    static func range(_ v: [Double]) -> (Double, Double) {
        var lo = Double.infinity, hi = -Double.infinity
        for x in v where x.isFinite { lo = min(lo, x); hi = max(hi, x) }
        return lo.isFinite ? (lo, hi) : (0, 1)
    }
}

extension Axes {
    /// matplotlib's ax.set(xlabel=, ylabel=, title=, xlim=, ylim=, xscale=, yscale=); nil leaves a setting alone.
    public func set(xlabel: String? = nil, ylabel: String? = nil, title: String? = nil,
                    xlim: (Double?, Double?)? = nil, ylim: (Double?, Double?)? = nil,
                    xscale: Scale? = nil, yscale: Scale? = nil) {
        if let v = xlabel { self.xlabel = v }
        if let v = ylabel { self.ylabel = v }
        if let v = title { self.title = v }
        if let v = xlim { xmin = v.0; xmax = v.1 }
        if let v = ylim { ymin = v.0; ymax = v.1 }
        if let v = xscale { self.xscale = v }
        if let v = yscale { self.yscale = v }
    }
}
