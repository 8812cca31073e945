import LoupeNotebook
import LoupeInterpreter
import LoupePlot
import LoupeScript

/// What each plotting call does to one Axes, shared by the `ax.plot(...)` methods and the pyplot-style
/// globals (`plot(...)` on the current axes). Keyword names follow matplotlib.
enum PlotAxesMethods {
    /// The colour argument `name`, or nil when it was not given or is None.
    static func color(_ args: BoundArguments, _ name: String) throws -> Color? {
        try args.optional(name).map { try PlotValues.color($0, name) }
    }

    static func double(_ args: BoundArguments, _ name: String) throws -> Double? { try PlotValues.double(args.optional(name), name) }
    static func string(_ args: BoundArguments, _ name: String) throws -> String? { try PlotValues.string(args.optional(name), name) }
    static func bool(_ args: BoundArguments, _ name: String) throws -> Bool? { try PlotValues.bool(args.optional(name), name) }

    /// Line-style spellings matplotlib accepts for the same keyword.
    static let lineAliases = ["c": "color", "lw": "linewidth", "ls": "linestyle"]

    static let plotAliases = lineAliases.merging(["ms": "markersize", "mfc": "markerfacecolor", "mec": "markeredgecolor"]) { a, _ in a }

    static func plot(_ ax: AxesObject, _ args: BoundArguments) throws -> Value {
        let pos = args.varArgs
        if pos.count > 3 { throw LoupeError("plot() takes at most 3 positional arguments (\(pos.count) given)") }
        var xv: Value? = args.optional("x"), yv: Value? = args.optional("y"), fmtv: Value? = args.optional("fmt")
        switch pos.count {
        case 1: yv = pos[0]
        case 2: if case .string = pos[1] { yv = pos[0]; fmtv = pos[1] } else { xv = pos[0]; yv = pos[1] }
        case 3: xv = pos[0]; yv = pos[1]; fmtv = pos[2]
        default: break
        }
        guard let y = yv else { throw LoupeError("plot() needs values to draw", hint: "plot(ys) or plot(xs, ys, \"o-\")") }
        let fmt = try fmtv.map { try $0.asString("fmt") }
        if let f = fmt, FormatSpec.parse(f) == nil {
            throw LoupeError("plot(): \"\(f)\" is not a format string", hint: "combine a colour letter (bgrcmykw), a marker (o s . ^ h …) and a line (- -- : -.), e.g. \"ko\", \"s-\", \"r--\"")
        }
        let series = try PlotValues.series(y, "y")
        let xs = try xv.map { try PlotValues.numbers($0, "x") }
        if let xs = xs, let n = series.first?.count, xs.count != n {
            throw LoupeError("plot(): x has \(xs.count) values but y has \(n)")
        }
        let color = try self.color(args, "color")
        var labels: [String?] = Array(repeating: nil, count: series.count)
        if let l = args.optional("label") {
            if case .list = l, let ls = try? PlotValues.strings(l, "label") { for i in 0..<min(ls.count, labels.count) { labels[i] = ls[i] } }
            else { labels[0] = PlotValues.text(l) }
        }
        for (i, ys) in series.enumerated() {
            ax.axes.plot(x: xs, ys, fmt: fmt, color: color,
                         lineWidth: try double(args, "linewidth") ?? 1.5,
                         lineStyle: try PlotValues.lineStyle(args.optional("linestyle")),
                         marker: try PlotValues.marker(args.optional("marker")),
                         markerSize: try double(args, "markersize"),
                         markerFace: try self.color(args, "markerfacecolor"),
                         markerEdge: try self.color(args, "markeredgecolor"),
                         alpha: try double(args, "alpha") ?? 1, label: labels[i],
                         zorder: try double(args, "zorder") ?? 2)
        }
        return .none
    }

    static func scatter(_ ax: AxesObject, _ args: BoundArguments) throws -> Value {
        let x = try PlotValues.numbers(args.value("x"), "x"), y = try PlotValues.numbers(args.value("y"), "y")
        guard x.count == y.count else { throw LoupeError("scatter(): x has \(x.count) values but y has \(y.count)") }
        let sizes = try args.optional("s").map { try PlotValues.numbers($0, "s") } ?? [36]
        var color: Color? = nil, colors: [Color]? = nil, values: [Double]? = nil
        if let c = args.optional("c") ?? args.optional("color") {
            if case .string = c { color = try PlotValues.color(c, "c") }
            else if let list = try PlotValues.colorList(c, "c") { colors = list }
            else { values = try PlotValues.numbers(c, "c") }
        }
        let cmap = try PlotValues.cmap(args.optional("cmap"))
        let vmin = try double(args, "vmin"), vmax = try double(args, "vmax")
        ax.axes.scatter(x: x, y: y, sizes: sizes, color: color, colors: colors, values: values, cmap: cmap, vmin: vmin, vmax: vmax,
                        marker: try PlotValues.marker(args.optional("marker")) ?? .circle, edgeColor: try self.color(args, "edgecolor"),
                        lineWidth: try double(args, "linewidth") ?? 1,
                        alpha: try double(args, "alpha") ?? 1, label: try string(args, "label"),
                        zorder: try double(args, "zorder") ?? 1)
        if let values = values {
            var lo = Double.infinity, hi = -Double.infinity
            for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
            return .host(MappableObject(ScalarMappable(cmap: cmap, vmin: vmin ?? (lo.isFinite ? lo : 0), vmax: vmax ?? (hi.isFinite ? hi : 1)), ax))
        }
        return .none
    }

    static func hist(_ ax: AxesObject, _ args: BoundArguments) throws -> Value {
        let data = try PlotValues.numbers(args.value("x"), "x")
        var bins = 10
        var edges: [Double]? = nil
        if let b = args.optional("bins") {
            if case .int(let n) = b { bins = n } else { edges = try PlotValues.numbers(b, "bins") }
        }
        guard bins >= 1, bins <= 10_000_000 else { throw LoupeError("hist(): bins must be between 1 and 10 000 000, not \(bins)") }
        let range = try PlotValues.pair(args.optional("range"), "range").flatMap { r -> (Double, Double)? in
            guard let a = r.0, let b = r.1 else { return nil }; return (a, b)
        }
        let typeName = try string(args, "histtype") ?? "bar"
        guard let type = HistType(rawValue: typeName) else { throw LoupeError("histtype must be \"bar\", \"step\" or \"stepfilled\"") }
        let h = ax.axes.hist(data, bins: bins, edges: edges, range: range, density: try bool(args, "density") ?? false,
                             type: type, color: try color(args, "color"),
                             alpha: try double(args, "alpha") ?? 1, log: try bool(args, "log") ?? false,
                             horizontal: (try string(args, "orientation")) == "horizontal",
                             label: try string(args, "label"),
                             edgeColor: try color(args, "edgecolor"),
                             lineWidth: try double(args, "linewidth"))
        return .tuple([PlotValues.tensor(h.counts), PlotValues.tensor(h.edges)])
    }

    /// `bar(x, height, width, bottom=…)` and `barh(y, width, height, left=…)`: positions, lengths,
    /// thickness and base, named as matplotlib names them for each direction.
    static func bar(_ ax: AxesObject, _ args: BoundArguments, horizontal: Bool) throws -> Value {
        let fn = horizontal ? "barh" : "bar"
        let names = horizontal ? ["y", "width", "height", "left"] : ["x", "height", "width", "bottom"]
        let pv = args.value(names[0]), lv = args.value(names[1])
        var positions: [Double]
        var tickLabels: [String]? = try args.optional("tick_label").map { try PlotValues.strings($0, "tick_label") }
        if case .list(let l) = pv, let first = l.items.first, case .string = first {
            tickLabels = try PlotValues.strings(pv, names[0]); positions = (0..<l.items.count).map(Double.init)
        } else { positions = try PlotValues.numbers(pv, names[0]) }
        let lengths = try PlotValues.numbers(lv, names[1])
        guard positions.count == lengths.count else { throw LoupeError("\(fn)(): \(positions.count) positions but \(lengths.count) lengths") }
        let thickness = try double(args, names[2]) ?? 0.8
        let base = try args.optional(names[3]).map { v -> [Double] in
            let n = try PlotValues.numbers(v, names[3]); return n.count == 1 ? Array(repeating: n[0], count: positions.count) : n
        }
        var color: Color? = nil, colors: [Color]? = nil
        if let c = args.optional("color") { if let l = try PlotValues.colorList(c, "color") { colors = l } else { color = try PlotValues.color(c, "color") } }
        let edge = try self.color(args, "edgecolor")
        let lw = try double(args, "linewidth") ?? (edge == nil ? 0 : 1)
        let alpha = try double(args, "alpha") ?? 1, label = try string(args, "label")
        if horizontal {
            ax.axes.barh(y: positions, widths: lengths, height: thickness, left: base, color: color, colors: colors, edgeColor: edge, lineWidth: lw, alpha: alpha, label: label)
            if let t = tickLabels { ax.axes.setYTicks(t, positions: positions) }
        } else {
            ax.axes.bar(x: positions, heights: lengths, width: thickness, bottom: base, color: color, colors: colors, edgeColor: edge, lineWidth: lw, alpha: alpha, label: label)
            if let t = tickLabels { ax.axes.setXTicks(t, positions: positions) }
        }
        return .none
    }

    static func imshow(_ ax: AxesObject, _ args: BoundArguments) throws -> Value {
        let av = args.value("a")
        var cellColors: [Color]? = nil
        var png: [UInt8]? = nil
        var values: [Double], rows: Int, cols: Int
        if case .host(let h) = av, let picture = h as? ImageObject {
            // a photograph: drawn from its own PNG
            png = try ImageBindings.imageCall { try ImageObject.embeddedPNG(picture.image) }
            rows = picture.image.height; cols = picture.image.width
            values = [Double](repeating: 0, count: rows * cols)
        } else if case .tensor(let t) = av, t.tensor.shape.count == 3, [3, 4].contains(t.tensor.shape[2]) {
            // an RGB(A) picture [h, w, 3|4], values in 0...1 (or 0...255 when any exceeds 1)
            let s = t.tensor.shape, flat = t.tensor.toArray().map(Double.init)
            rows = s[0]; cols = s[1]
            let scale = (flat.max() ?? 1) > 1 ? 255.0 : 1.0
            cellColors = (0..<(rows * cols)).map { k in
                let o = k * s[2]
                return Color(r: flat[o] / scale, g: flat[o + 1] / scale, b: flat[o + 2] / scale, a: s[2] == 4 ? flat[o + 3] / scale : 1)
            }
            values = [Double](repeating: 0, count: rows * cols)
        } else {
            (values, rows, cols) = try PlotValues.matrix(av, "a")
        }
        let cmap = try PlotValues.cmap(args.optional("cmap"))
        let originName = try string(args, "origin") ?? "upper"
        guard let origin = ImageOrigin(rawValue: originName) else { throw LoupeError("origin must be \"upper\" or \"lower\"") }
        var extent: (Double, Double, Double, Double)? = nil
        if let e = args.optional("extent") {
            let n = try PlotValues.numbers(e, "extent")
            guard n.count == 4 else { throw LoupeError("extent must be [left, right, bottom, top]") }
            extent = (n[0], n[1], n[2], n[3])
        }
        var aspect: Aspect = .equal
        if let a = args.optional("aspect") {
            if case .string(let s) = a { aspect = s == "auto" ? .auto : .equal } else { aspect = .auto }
        }
        ax.axes.imshow(values: values, rows: rows, cols: cols, cmap: cmap, vmin: try double(args, "vmin"),
                       vmax: try double(args, "vmax"), origin: origin, extent: extent, aspect: aspect,
                       alpha: try double(args, "alpha") ?? 1, cellColors: cellColors, png: png)
        try tokenAxes(ax, args)
        return ax.axes.lastMappable.map { .host(MappableObject($0, ax)) } ?? .none
    }

    static func textGrid(_ ax: AxesObject, _ args: BoundArguments) throws -> Value {
        let texts = try PlotValues.stringGrid(args.value("texts"), "texts")
        var values: [[Double]]? = nil
        if let v = args.optional("values") {
            let (flat, rows, cols) = try PlotValues.matrix(v, "values")
            values = (0..<rows).map { r in Array(flat[(r * cols)..<((r + 1) * cols)]) }
        }
        ax.axes.textGrid(texts, values: values, colors: try args.optional("colors").map { try PlotValues.colorGrid($0, "colors") },
                         cmap: try PlotValues.cmap(args.optional("cmap")), vmin: try double(args, "vmin"),
                         vmax: try double(args, "vmax"),
                         highlight: try args.optional("highlight").map { try PlotValues.boolGrid($0, "highlight") },
                         highlightColor: try color(args, "highlight_color") ?? .gold,
                         fontSize: try double(args, "fontsize"),
                         textColor: try color(args, "text_color"),
                         cellBorder: try color(args, "border"),
                         quoted: try bool(args, "quoted") ?? false)
        try tokenAxes(ax, args)
        return ax.axes.lastMappable.map { .host(MappableObject($0, ax)) } ?? .none
    }

    /// x=, y=, top=, right= token labels on the four edges.
    static func tokenAxes(_ ax: AxesObject, _ args: BoundArguments) throws {
        if let x = args.optional("x") { ax.axes.setXTicks(try PlotValues.strings(x, "x")) }
        if let y = args.optional("y") { ax.axes.setYTicks(try PlotValues.strings(y, "y")) }
        if let t = args.optional("top") { ax.axes.setTopTicks(try PlotValues.strings(t, "top")) }
        if let r = args.optional("right") { ax.axes.setRightTicks(try PlotValues.strings(r, "right")) }
    }

    static func fillBetween(_ ax: AxesObject, _ args: BoundArguments) throws -> Value {
        let x = try PlotValues.numbers(args.value("x"), "x"), y1 = try PlotValues.numbers(args.value("y1"), "y1")
        var y2 = try args.optional("y2").map { try PlotValues.numbers($0, "y2") }
        if let v = y2, v.count == 1 { y2 = Array(repeating: v[0], count: x.count) }
        guard x.count == y1.count, y2 == nil || y2!.count == x.count else {
            throw LoupeError("fill_between(): x, y1 and y2 must have the same length (\(x.count), \(y1.count), \(y2?.count ?? x.count))")
        }
        ax.axes.fillBetween(x: x, y1, y2, color: try color(args, "color"),
                            alpha: try double(args, "alpha") ?? 1, label: try string(args, "label"),
                            zorder: try double(args, "zorder") ?? 1)
        return .none
    }

    /// `axhline(y, xmin=, xmax=)` and `axvline(x, ymin=, ymax=)`.
    static func rule(_ ax: AxesObject, _ args: BoundArguments, vertical: Bool) throws -> Value {
        let (at, from, to) = vertical ? ("x", "ymin", "ymax") : ("y", "xmin", "xmax")
        let value = try args.double(at)
        let color = try self.color(args, "color")
        let ls = try PlotValues.lineStyle(args.optional("linestyle")) ?? .solid
        let lw = try double(args, "linewidth") ?? 1.5
        let lo = try double(args, from) ?? 0, hi = try double(args, to) ?? 1
        let alpha = try double(args, "alpha") ?? 1, label = try string(args, "label")
        let z = try double(args, "zorder") ?? 2
        if vertical { ax.axes.axvline(value, color: color, lineWidth: lw, lineStyle: ls, from: lo, to: hi, alpha: alpha, label: label, zorder: z) }
        else { ax.axes.axhline(value, color: color, lineWidth: lw, lineStyle: ls, from: lo, to: hi, alpha: alpha, label: label, zorder: z) }
        return .none
    }

    static func rect(_ ax: AxesObject, _ args: BoundArguments) throws -> Value {
        ax.axes.rect(x: try args.double("x"), y: try args.double("y"), width: try args.double("width"), height: try args.double("height"),
                     face: try color(args, "facecolor") ?? .none,
                     edge: try color(args, "edgecolor"),
                     lineWidth: try double(args, "linewidth") ?? 1,
                     alpha: try double(args, "alpha") ?? 1, label: try string(args, "label"),
                     zorder: try double(args, "zorder") ?? 1)
        return .none
    }

    static func text(_ ax: AxesObject, _ args: BoundArguments) throws -> Value {
        let ha = HAlign(rawValue: try string(args, "ha") ?? "left") ?? .left
        let vaName = try string(args, "va") ?? "baseline"
        let va = VAlign(rawValue: vaName == "center_baseline" ? "center" : vaName) ?? .baseline
        ax.axes.text(x: try args.double("x"), y: try args.double("y"), PlotValues.text(args.value("s")),
                     fontSize: try double(args, "fontsize"),
                     color: try color(args, "color"), ha: ha, va: va,
                     bold: (try string(args, "fontweight")) == "bold",
                     rotation: try double(args, "rotation") ?? 0,
                     axesCoordinates: (try string(args, "transform")) == "axes")
        return .none
    }

    static let setKeywords = ["xlabel", "ylabel", "title", "xlim", "ylim", "xscale", "yscale", "xticks", "yticks",
                              "xticklabels", "yticklabels", "aspect"]

    /// The `setKeywords` a call gave (not None), for `set`.
    static func given(_ args: BoundArguments, _ names: [String]) -> [String: Value] {
        var kw: [String: Value] = [:]
        for k in names { if let v = args.optional(k) { kw[k] = v } }
        return kw
    }

    static func set(_ ax: AxesObject, _ kw: [String: Value]) throws {
        let a = ax.axes
        a.set(xlabel: try PlotValues.string(kw["xlabel"], "xlabel"), ylabel: try PlotValues.string(kw["ylabel"], "ylabel"),
              title: try PlotValues.string(kw["title"], "title"), xlim: try PlotValues.pair(kw["xlim"], "xlim"),
              ylim: try PlotValues.pair(kw["ylim"], "ylim"), xscale: try PlotValues.scale(kw["xscale"], "xscale"),
              yscale: try PlotValues.scale(kw["yscale"], "yscale"))
        if let t = kw["xticks"]?.orNil { a.xticks = try PlotValues.numbers(t, "xticks") }
        if let t = kw["yticks"]?.orNil { a.yticks = try PlotValues.numbers(t, "yticks") }
        if let t = kw["xticklabels"]?.orNil {
            let l = try PlotValues.strings(t, "xticklabels"); a.xtickLabels = l
            if a.xticks == nil { a.xticks = (0..<l.count).map(Double.init) }
        }
        if let t = kw["yticklabels"]?.orNil {
            let l = try PlotValues.strings(t, "yticklabels"); a.ytickLabels = l
            if a.yticks == nil { a.yticks = (0..<l.count).map(Double.init) }
        }
        if let s = kw["aspect"]?.orNil { a.aspect = (try? s.asString("aspect")) == "equal" ? .equal : .auto }
    }
}
