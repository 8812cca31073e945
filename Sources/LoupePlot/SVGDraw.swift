// Small SVG element writers shared by the renderers: text (multi-line, aligned, rotated,
// with raised exponents), lines, rectangles, paint attributes.

struct Rect {
    var x: Double, y: Double, w: Double, h: Double
    var maxX: Double { x + w }
    var maxY: Double { y + h }
}

/// Sizes in points converted to pixels at the figure's dpi.
struct Units {
    let dpi: Double
    func pt(_ v: Double) -> Double { v * dpi / 72 }
}

enum Draw {
    static func fill(_ c: Color, attr: String = "fill") -> String {
        if c.a == 0 { return "\(attr)=\"none\"" }
        return c.a < 1 ? "\(attr)=\"\(c.hex)\" \(attr)-opacity=\"\(fmt(c.a, 3))\"" : "\(attr)=\"\(c.hex)\""
    }

    static func stroke(_ c: Color, width: Double, dashes: [Double]? = nil, cap: String? = nil) -> String {
        var s = fill(c, attr: "stroke") + " stroke-width=\"\(fmt(width))\""
        if let d = dashes { s += " stroke-dasharray=\"\(d.map { fmt($0 * width) }.joined(separator: ","))\"" }
        if let cap = cap { s += " stroke-linecap=\"\(cap)\"" }
        return s
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ c: Color, width: Double,
                     dashes: [Double]? = nil, cap: String = "butt") -> String {
        "<path d=\"M\(fmt(x1)) \(fmt(y1))L\(fmt(x2)) \(fmt(y2))\" \(stroke(c, width: width, dashes: dashes, cap: cap))/>"
    }

    static func rect(_ r: Rect, fill c: Color, stroke s: Color? = nil, width: Double = 0, extra: String = "") -> String {
        var out = "<rect x=\"\(fmt(r.x))\" y=\"\(fmt(r.y))\" width=\"\(fmt(r.w))\" height=\"\(fmt(r.h))\" \(fill(c))"
        if let s = s, width > 0 { out += " " + stroke(s, width: width) }
        return out + extra + "/>"
    }

    /// Text at (x, y): `ha` picks the anchor, `va` where y lies relative to the block of lines
    /// (cap-height based, as the eye sees alignment); rotation in degrees counter-clockwise about (x, y).
    static func text(_ s: String, x: Double, y: Double, size: Double, color: Color, ha: HAlign = .center,
                     va: VAlign = .baseline, bold: Bool = false, rotation: Double = 0,
                     superscript: String? = nil, multiline: Bool = true) -> String {
        // labels and titles (multiline) get matplotlib's $…$ mathtext; tokens (single line) stay verbatim
        let lines = multiline ? MathText.render(s).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) : [s]
        let lineH = size * 1.17
        let n = Double(lines.count)
        let first: Double
        switch va {
        case .baseline: first = y - (n - 1) * lineH
        case .top: first = y + 0.76 * size
        case .center: first = y - (n - 1) * lineH / 2 + 0.36 * size
        case .bottom: first = y - (n - 1) * lineH - 0.24 * size
        }
        let anchor = ha == .left ? "start" : ha == .right ? "end" : "middle"
        var out = "<text x=\"\(fmt(x))\" y=\"\(fmt(first))\" font-size=\"\(fmt(size))\" \(fill(color))"
        if anchor != "start" { out += " text-anchor=\"\(anchor)\"" }
        if bold { out += " font-weight=\"bold\"" }
        if rotation != 0 { out += " transform=\"rotate(\(fmt(-rotation)) \(fmt(x)) \(fmt(y)))\"" }
        out += ">"
        if lines.count == 1 {
            out += SVGText.escape(lines[0])
        } else {
            for (i, l) in lines.enumerated() {
                out += "<tspan x=\"\(fmt(x))\"\(i == 0 ? "" : " dy=\"\(fmt(lineH))\"")>\(SVGText.escape(l))</tspan>"
            }
        }
        if let sup = superscript {
            out += "<tspan dy=\"\(fmt(-0.42 * size))\" font-size=\"\(fmt(size * 0.7))\">\(SVGText.escape(sup))</tspan>"
        }
        return out + "</text>"
    }

    /// Width of a possibly multi-line label (the widest line).
    static func textWidth(_ s: String, size: Double, bold: Bool = false, superscript: String? = nil,
                          multiline: Bool = true) -> Double {
        let w = (multiline ? MathText.render(s).split(separator: "\n", omittingEmptySubsequences: false) : [Substring(s)])
            .map { FontMetrics.width(String($0), size: size, bold: bold) }.max() ?? 0
        return w + (superscript.map { FontMetrics.width($0, size: size * 0.7, bold: bold) } ?? 0)
    }

    static func textHeight(_ s: String, size: Double) -> Double {
        let n = Double(s.split(separator: "\n", omittingEmptySubsequences: false).count)
        return (n - 1) * size * 1.17 + size * 1.0
    }
}
