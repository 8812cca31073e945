// What an Axes draws: each mark keeps its data in data coordinates and its style; rendering turns
// it into SVG once the axes' limits and pixel box are known.

public enum LineStyle: String, Sendable, CaseIterable {
    case solid = "-", dashed = "--", dotted = ":", dashDot = "-.", none = ""

    /// Dash pattern in multiples of the line width (matplotlib's scaled dash patterns).
    var dashes: [Double]? {
        switch self {
        case .solid, .none: return nil
        case .dashed: return [3.7, 1.6]
        case .dotted: return [1, 1.65]
        case .dashDot: return [6.4, 1.6, 1, 1.6]
        }
    }

    public static func named(_ s: String) -> LineStyle? {
        switch s {
        case "-", "solid": return .solid
        case "--", "dashed": return .dashed
        case ":", "dotted": return .dotted
        case "-.", "dashdot": return .dashDot
        case "", "None", "none", " ": return LineStyle.none
        default: return nil
        }
    }
}

public enum Marker: String, Sendable, CaseIterable {
    case none = "", point = ".", pixel = ",", circle = "o", square = "s", triangleUp = "^",
         triangleDown = "v", triangleLeft = "<", triangleRight = ">", diamond = "D", thinDiamond = "d",
         hexagon = "h", hexagon2 = "H", pentagon = "p", plus = "+", cross = "x", star = "*",
         vline = "|", hline = "_", filledPlus = "P", filledX = "X"

    /// Markers drawn only as strokes (matplotlib's unfilled markers).
    var isUnfilled: Bool { self == .plus || self == .cross || self == .vline || self == .hline }

    public static func named(_ s: String) -> Marker? {
        if let m = Marker(rawValue: s) { return m }
        switch s {
        case "None", "none": return Marker.none
        case "circle": return .circle
        case "square": return .square
        default: return nil
        }
    }
}

public struct LineMark {
    public var x: [Double], y: [Double]
    public var color: Color
    public var width: Double = 1.5          // pt
    public var style: LineStyle = .solid
    public var marker: Marker = .none
    public var markerSize: Double = 6       // pt (diameter)
    public var markerFace: Color? = nil     // default: line colour
    public var markerEdge: Color? = nil     // default: line colour
    public var markerEdgeWidth: Double = 1  // pt
    public var alpha: Double = 1
    public var label: String? = nil
    public var zorder: Double = 2
}

public struct ScatterMark {
    public var x: [Double], y: [Double]
    /// Marker area in pt² per point (matplotlib's `s`); one value or one per point.
    public var sizes: [Double] = [36]
    /// One colour for all points, or per-point colours.
    public var colors: [Color]
    /// When colouring by value: the values and how they map (also what a colorbar shows).
    public var values: [Double]? = nil
    public var cmap: Colormap = .viridis
    public var vmin: Double? = nil, vmax: Double? = nil
    public var marker: Marker = .circle
    public var edgeColor: Color? = nil      // nil: face colour (matplotlib's "face")
    public var lineWidth: Double = 1        // pt, edge
    public var alpha: Double = 1
    public var label: String? = nil
    public var zorder: Double = 1
}

public struct BarMark {
    /// Bar centres (or left edges when `alignEdge`), lengths, and the base each starts from.
    public var positions: [Double], lengths: [Double], bases: [Double]
    public var widths: [Double]
    public var horizontal = false
    public var colors: [Color]
    public var edgeColor: Color? = nil
    public var lineWidth: Double = 0
    public var alpha: Double = 1
    public var label: String? = nil
    public var zorder: Double = 1
    public var alignEdge = false
}

public struct StepMark {
    /// A histogram outline: `edges.count == counts.count + 1`.
    public var edges: [Double], counts: [Double]
    public var color: Color
    public var width: Double = 1.5
    public var alpha: Double = 1
    public var fill: Bool = false
    public var horizontal = false
    public var label: String? = nil
    public var zorder: Double = 1
}

/// The region between two curves over the same x (matplotlib's fill_between), e.g. mean ± std.
public struct AreaMark {
    public var x: [Double], y1: [Double], y2: [Double]
    public var color: Color
    public var alpha: Double = 1
    public var label: String? = nil
    public var zorder: Double = 1
}

public enum ImageOrigin: String, Sendable { case upper, lower }

public struct ImageMark {
    /// [rows, cols] row-major; NaN cells are transparent.
    public var values: [Double]
    public var rows: Int, cols: Int
    /// Explicit per-cell colours ([rows * cols]) instead of values through the colour map.
    public var cellColors: [Color]? = nil
    public var cmap: Colormap = .viridis
    public var vmin: Double, vmax: Double
    public var origin: ImageOrigin = .upper
    /// (left, right, bottom, top) in data coordinates; default (-0.5, cols-0.5, rows-0.5, -0.5) for
    /// origin upper, as matplotlib.
    public var extent: (Double, Double, Double, Double)
    public var alpha: Double = 1
    public var zorder: Double = 0
    /// A picture already encoded as PNG (a photograph), drawn smoothly over the extent instead of
    /// `values`/`cellColors` cell by cell.
    public var png: [UInt8]? = nil
}

/// A table of text cells (layer × step grid, the Llama attention-map viewer's attention map with logit-lens
/// tokens): cell (r, c) covers [c-0.5, c+0.5] × [r-0.5, r+0.5] in data coordinates.
public struct TextGridMark {
    /// [rows][cols]
    public var texts: [[String]]
    /// Per-cell background colours, [rows][cols].
    public var backgrounds: [[Color]]
    /// Optional highlight mask [rows][cols]: highlighted cells get `highlightColor` and bold text.
    public var highlight: [[Bool]]? = nil
    public var highlightColor: Color = .gold
    /// Font size in pt; nil shrinks the text to fit each cell (at most `maxFontSize`).
    public var fontSize: Double? = nil
    public var maxFontSize: Double = 8
    public var textColor: Color? = nil       // nil: black or white by background luminance
    public var cellBorder: Color? = nil
    public var quoted = false                 // draw 'text' with quotes as the attention-when-generating notebook does
    public var zorder: Double = 0
}

public struct RuleMark {
    /// A horizontal (axhline) or vertical (axvline) line at `value`, spanning the axes fraction
    /// `from...to` of the other direction.
    public var value: Double
    public var vertical: Bool
    public var from: Double = 0, to: Double = 1
    public var color: Color
    public var width: Double = 1.5
    public var style: LineStyle = .solid
    public var alpha: Double = 1
    public var label: String? = nil
    public var zorder: Double = 2
}

public struct RectMark {
    public var x: Double, y: Double, width: Double, height: Double
    public var face: Color = .none
    public var edge: Color? = .black
    public var lineWidth: Double = 1
    public var alpha: Double = 1
    public var label: String? = nil
    public var zorder: Double = 1
}

public enum HAlign: String, Sendable { case left, center, right }
public enum VAlign: String, Sendable { case top, center, bottom, baseline }

public struct TextMark {
    public var x: Double, y: Double
    public var text: String
    public var fontSize: Double? = nil       // pt; nil: theme size
    public var color: Color? = nil
    public var ha: HAlign = .left
    public var va: VAlign = .baseline
    public var bold = false
    public var rotation: Double = 0          // degrees, counter-clockwise
    /// Coordinates are axes fractions (0...1) instead of data values (`transform=ax.transAxes`).
    public var axesCoordinates = false
    public var zorder: Double = 3
}

public enum Mark {
    case line(LineMark), scatter(ScatterMark), bar(BarMark), step(StepMark), image(ImageMark),
         textGrid(TextGridMark), rule(RuleMark), rect(RectMark), text(TextMark), area(AreaMark)

    var zorder: Double {
        switch self {
        case .line(let m): return m.zorder
        case .scatter(let m): return m.zorder
        case .bar(let m): return m.zorder
        case .step(let m): return m.zorder
        case .image(let m): return m.zorder
        case .textGrid(let m): return m.zorder
        case .rule(let m): return m.zorder
        case .rect(let m): return m.zorder
        case .text(let m): return m.zorder
        case .area(let m): return m.zorder
        }
    }
}
