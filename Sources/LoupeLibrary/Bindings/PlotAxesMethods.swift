import LoupeNotebook
import LoupeInterpreter
import LoupePlot
import LoupeScript

/// What each plotting call does to one Axes, shared by the `ax.plot(...)` methods and the pyplot-style
/// globals (`plot(...)` on the current axes). Keyword names follow matplotlib.
enum PlotAxesMethods {
    static func bindKeywords(_ fn: String, _ args: Arguments, _ names: [String], positional: Int) throws -> ([Value], [String: Value]) {
        if args.positional.count > positional {
            throw LoupeError("\(fn)() takes at most \(positional) positional arguments (\(args.positional.count) given)")
        }
        var kw: [String: Value] = [:]
        for (k, v) in args.keywords {
            guard names.contains(k) else {
                throw LoupeError("\(fn)() got an unexpected keyword argument `\(k)`",
                                 hint: Suggest.hint(for: k, in: names) ?? "it takes: \(names.joined(separator: ", "))")
            }
            kw[k] = v
        }
        return (args.positional, kw)
    }

    static let plotKeywords = ["x", "y", "fmt", "color", "c", "linewidth", "lw", "linestyle", "ls", "marker", "markersize", "ms",
                               "markerfacecolor", "mfc", "markeredgecolor", "mec", "alpha", "label", "zorder"]

    static func plot(_ ax: AxesObject, _ args: Arguments) throws -> Value {
        let (pos, kw) = try bindKeywords("plot", args, plotKeywords, positional: 3)
        var xv: Value? = kw["x"], yv: Value? = kw["y"], fmtv: Value? = kw["fmt"]
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
        let color = try (kw["color"] ?? kw["c"]).flatMap { try $0.orNil.map { try PlotValues.color($0, "color") } }
        var labels: [String?] = Array(repeating: nil, count: series.count)
        if let l = kw["label"]?.orNil {
            if case .list = l, let ls = try? PlotValues.strings(l, "label") { for i in 0..<min(ls.count, labels.count) { labels[i] = ls[i] } }
            else { labels[0] = PlotValues.text(l) }
        }
        for (i, ys) in series.enumerated() {
            ax.axes.plot(x: xs, ys, fmt: fmt, color: color,
                         lineWidth: try PlotValues.double(kw["linewidth"] ?? kw["lw"], "linewidth") ?? 1.5,
                         lineStyle: try PlotValues.lineStyle(kw["linestyle"] ?? kw["ls"]),
                         marker: try PlotValues.marker(kw["marker"]),
                         markerSize: try PlotValues.double(kw["markersize"] ?? kw["ms"], "markersize"),
                         markerFace: try (kw["markerfacecolor"] ?? kw["mfc"]).flatMap { try $0.orNil.map { try PlotValues.color($0, "markerfacecolor") } },
                         markerEdge: try (kw["markeredgecolor"] ?? kw["mec"]).flatMap { try $0.orNil.map { try PlotValues.color($0, "markeredgecolor") } },
                         alpha: try PlotValues.double(kw["alpha"], "alpha") ?? 1, label: labels[i],
                         zorder: try PlotValues.double(kw["zorder"], "zorder") ?? 2)
        }
        return .none
    }

    static func scatter(_ ax: AxesObject, _ args: Arguments) throws -> Value {
        let names = ["x", "y", "s", "c", "color", "cmap", "vmin", "vmax", "marker", "edgecolor", "edgecolors",
                     "linewidth", "linewidths", "alpha", "label", "zorder"]
        let (pos, kw) = try bindKeywords("scatter", args, names, positional: 4)
        func arg(_ i: Int, _ k: String) -> Value? { i < pos.count ? pos[i] : kw[k] }
        guard let xv = arg(0, "x"), let yv = arg(1, "y") else { throw LoupeError("scatter() needs x and y") }
        let x = try PlotValues.numbers(xv, "x"), y = try PlotValues.numbers(yv, "y")
        guard x.count == y.count else { throw LoupeError("scatter(): x has \(x.count) values but y has \(y.count)") }
        let sizes = try arg(2, "s")?.orNil.map { try PlotValues.numbers($0, "s") } ?? [36]
        var color: Color? = nil, colors: [Color]? = nil, values: [Double]? = nil
        if let c = (arg(3, "c") ?? kw["color"])?.orNil {
            if case .string = c { color = try PlotValues.color(c, "c") }
            else if let list = try PlotValues.colorList(c, "c") { colors = list }
            else { values = try PlotValues.numbers(c, "c") }
        }
        let cmap = try PlotValues.cmap(kw["cmap"])
        let vmin = try PlotValues.double(kw["vmin"], "vmin"), vmax = try PlotValues.double(kw["vmax"], "vmax")
        let edge = try (kw["edgecolor"] ?? kw["edgecolors"]).flatMap { try $0.orNil.map { try PlotValues.color($0, "edgecolor") } }
        ax.axes.scatter(x: x, y: y, sizes: sizes, color: color, colors: colors, values: values, cmap: cmap, vmin: vmin, vmax: vmax,
                        marker: try PlotValues.marker(kw["marker"]) ?? .circle, edgeColor: edge,
                        lineWidth: try PlotValues.double(kw["linewidth"] ?? kw["linewidths"], "linewidth") ?? 1,
                        alpha: try PlotValues.double(kw["alpha"], "alpha") ?? 1, label: try PlotValues.string(kw["label"], "label"),
                        zorder: try PlotValues.double(kw["zorder"], "zorder") ?? 1)
        if let values = values {
            var lo = Double.infinity, hi = -Double.infinity
            for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
            return .host(MappableObject(ScalarMappable(cmap: cmap, vmin: vmin ?? (lo.isFinite ? lo : 0), vmax: vmax ?? (hi.isFinite ? hi : 1)), ax))
        }
        return .none
    }

    static func hist(_ ax: AxesObject, _ args: Arguments) throws -> Value {
        let names = ["x", "bins", "range", "density", "histtype", "color", "alpha", "log", "label", "orientation", "edgecolor", "linewidth"]
        let (pos, kw) = try bindKeywords("hist", args, names, positional: 2)
        guard let xv = pos.first ?? kw["x"] else { throw LoupeError("hist() needs the values to count") }
        let data = try PlotValues.numbers(xv, "x")
        var bins = 10
        var edges: [Double]? = nil
        if let b = (pos.count > 1 ? pos[1] : kw["bins"])?.orNil {
            if case .int(let n) = b { bins = n } else { edges = try PlotValues.numbers(b, "bins") }
        }
        guard bins >= 1, bins <= 10_000_000 else { throw LoupeError("hist(): bins must be between 1 and 10 000 000, not \(bins)") }
        let range = try PlotValues.pair(kw["range"], "range").flatMap { r -> (Double, Double)? in
            guard let a = r.0, let b = r.1 else { return nil }; return (a, b)
        }
        let typeName = try PlotValues.string(kw["histtype"], "histtype") ?? "bar"
        guard let type = HistType(rawValue: typeName) else { throw LoupeError("histtype must be \"bar\", \"step\" or \"stepfilled\"") }
        let h = ax.axes.hist(data, bins: bins, edges: edges, range: range, density: try PlotValues.bool(kw["density"], "density") ?? false,
                             type: type, color: try kw["color"]?.orNil.map { try PlotValues.color($0, "color") },
                             alpha: try PlotValues.double(kw["alpha"], "alpha") ?? 1, log: try PlotValues.bool(kw["log"], "log") ?? false,
                             horizontal: (try PlotValues.string(kw["orientation"], "orientation")) == "horizontal",
                             label: try PlotValues.string(kw["label"], "label"),
                             edgeColor: try kw["edgecolor"]?.orNil.map { try PlotValues.color($0, "edgecolor") },
                             lineWidth: try PlotValues.double(kw["linewidth"], "linewidth"))
        return .tuple([PlotValues.tensor(h.counts), PlotValues.tensor(h.edges)])
    }

    static func bar(_ ax: AxesObject, _ args: Arguments, horizontal: Bool) throws -> Value {
        let fn = horizontal ? "barh" : "bar"
        let names = horizontal ? ["y", "width", "height", "left", "color", "edgecolor", "linewidth", "alpha", "label", "tick_label"]
                               : ["x", "height", "width", "bottom", "color", "edgecolor", "linewidth", "alpha", "label", "tick_label"]
        let (pos, kw) = try bindKeywords(fn, args, names, positional: 3)
        func arg(_ i: Int) -> Value? { i < pos.count ? pos[i] : kw[names[i]] }
        guard let pv = arg(0), let lv = arg(1) else { throw LoupeError("\(fn)() needs positions and \(horizontal ? "widths" : "heights")") }
        var positions: [Double]
        var tickLabels: [String]? = try kw["tick_label"].map { try PlotValues.strings($0, "tick_label") }
        if case .list(let l) = pv, let first = l.items.first, case .string = first {
            tickLabels = try PlotValues.strings(pv, names[0]); positions = (0..<l.items.count).map(Double.init)
        } else { positions = try PlotValues.numbers(pv, names[0]) }
        let lengths = try PlotValues.numbers(lv, names[1])
        guard positions.count == lengths.count else { throw LoupeError("\(fn)(): \(positions.count) positions but \(lengths.count) lengths") }
        let thickness = try PlotValues.double(arg(2), names[2]) ?? 0.8
        let base = try kw[names[3]]?.orNil.map { v -> [Double] in
            let n = try PlotValues.numbers(v, names[3]); return n.count == 1 ? Array(repeating: n[0], count: positions.count) : n
        }
        var color: Color? = nil, colors: [Color]? = nil
        if let c = kw["color"]?.orNil { if let l = try PlotValues.colorList(c, "color") { colors = l } else { color = try PlotValues.color(c, "color") } }
        let edge = try kw["edgecolor"]?.orNil.map { try PlotValues.color($0, "edgecolor") }
        let lw = try PlotValues.double(kw["linewidth"], "linewidth") ?? (edge == nil ? 0 : 1)
        let alpha = try PlotValues.double(kw["alpha"], "alpha") ?? 1, label = try PlotValues.string(kw["label"], "label")
        if horizontal {
            ax.axes.barh(y: positions, widths: lengths, height: thickness, left: base, color: color, colors: colors, edgeColor: edge, lineWidth: lw, alpha: alpha, label: label)
            if let t = tickLabels { ax.axes.setYTicks(t, positions: positions) }
        } else {
            ax.axes.bar(x: positions, heights: lengths, width: thickness, bottom: base, color: color, colors: colors, edgeColor: edge, lineWidth: lw, alpha: alpha, label: label)
            if let t = tickLabels { ax.axes.setXTicks(t, positions: positions) }
        }
        return .none
    }

    static func imshow(_ ax: AxesObject, _ args: Arguments) throws -> Value {
        let names = ["a", "cmap", "vmin", "vmax", "origin", "extent", "aspect", "alpha", "x", "y", "top", "right", "interpolation"]
        let (pos, kw) = try bindKeywords("imshow", args, names, positional: 1)
        guard let av = pos.first ?? kw["a"] else { throw LoupeError("imshow() needs a 2-D tensor or a list of rows") }
        var cellColors: [Color]? = nil
        var values: [Double], rows: Int, cols: Int
        if case .tensor(let t) = av, t.tensor.shape.count == 3, [3, 4].contains(t.tensor.shape[2]) {
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
        let cmap = try PlotValues.cmap(kw["cmap"])
        let originName = try PlotValues.string(kw["origin"], "origin") ?? "upper"
        guard let origin = ImageOrigin(rawValue: originName) else { throw LoupeError("origin must be \"upper\" or \"lower\"") }
        var extent: (Double, Double, Double, Double)? = nil
        if let e = kw["extent"]?.orNil {
            let n = try PlotValues.numbers(e, "extent")
            guard n.count == 4 else { throw LoupeError("extent must be [left, right, bottom, top]") }
            extent = (n[0], n[1], n[2], n[3])
        }
        var aspect: Aspect = .equal
        if let a = kw["aspect"]?.orNil {
            if case .string(let s) = a { aspect = s == "auto" ? .auto : .equal } else { aspect = .auto }
        }
        ax.axes.imshow(values: values, rows: rows, cols: cols, cmap: cmap, vmin: try PlotValues.double(kw["vmin"], "vmin"),
                       vmax: try PlotValues.double(kw["vmax"], "vmax"), origin: origin, extent: extent, aspect: aspect,
                       alpha: try PlotValues.double(kw["alpha"], "alpha") ?? 1, cellColors: cellColors)
        try tokenAxes(ax, kw)
        return ax.axes.lastMappable.map { .host(MappableObject($0, ax)) } ?? .none
    }

    static func textGrid(_ ax: AxesObject, _ args: Arguments) throws -> Value {
        let names = ["texts", "values", "colors", "cmap", "vmin", "vmax", "highlight", "highlight_color", "fontsize",
                     "text_color", "border", "quoted", "x", "y", "top", "right"]
        let (pos, kw) = try bindKeywords("text_grid", args, names, positional: 2)
        guard let tv = pos.first ?? kw["texts"] else { throw LoupeError("text_grid() needs a list of rows of strings") }
        let texts = try PlotValues.stringGrid(tv, "texts")
        var values: [[Double]]? = nil
        if let v = (pos.count > 1 ? pos[1] : kw["values"])?.orNil {
            let (flat, rows, cols) = try PlotValues.matrix(v, "values")
            values = (0..<rows).map { r in Array(flat[(r * cols)..<((r + 1) * cols)]) }
        }
        ax.axes.textGrid(texts, values: values, colors: try kw["colors"]?.orNil.map { try PlotValues.colorGrid($0, "colors") },
                         cmap: try PlotValues.cmap(kw["cmap"]), vmin: try PlotValues.double(kw["vmin"], "vmin"),
                         vmax: try PlotValues.double(kw["vmax"], "vmax"),
                         highlight: try kw["highlight"]?.orNil.map { try PlotValues.boolGrid($0, "highlight") },
                         highlightColor: try kw["highlight_color"]?.orNil.map { try PlotValues.color($0, "highlight_color") } ?? .gold,
                         fontSize: try PlotValues.double(kw["fontsize"], "fontsize"),
                         textColor: try kw["text_color"]?.orNil.map { try PlotValues.color($0, "text_color") },
                         cellBorder: try kw["border"]?.orNil.map { try PlotValues.color($0, "border") },
                         quoted: try PlotValues.bool(kw["quoted"], "quoted") ?? false)
        try tokenAxes(ax, kw)
        return ax.axes.lastMappable.map { .host(MappableObject($0, ax)) } ?? .none
    }

    /// x=, y=, top=, right= token labels on the four edges.
    static func tokenAxes(_ ax: AxesObject, _ kw: [String: Value]) throws {
        if let x = kw["x"]?.orNil { ax.axes.setXTicks(try PlotValues.strings(x, "x")) }
        if let y = kw["y"]?.orNil { ax.axes.setYTicks(try PlotValues.strings(y, "y")) }
        if let t = kw["top"]?.orNil { ax.axes.setTopTicks(try PlotValues.strings(t, "top")) }
        if let r = kw["right"]?.orNil { ax.axes.setRightTicks(try PlotValues.strings(r, "right")) }
    }

    static func fillBetween(_ ax: AxesObject, _ args: Arguments) throws -> Value {
        let names = ["x", "y1", "y2", "color", "alpha", "label", "zorder"]
        let (pos, kw) = try bindKeywords("fill_between", args, names, positional: 3)
        func arg(_ i: Int) -> Value? { i < pos.count ? pos[i] : kw[names[i]] }
        guard let xv = arg(0), let y1v = arg(1) else { throw LoupeError("fill_between() needs x and y1") }
        let x = try PlotValues.numbers(xv, "x"), y1 = try PlotValues.numbers(y1v, "y1")
        var y2 = try arg(2)?.orNil.map { try PlotValues.numbers($0, "y2") }
        if let v = y2, v.count == 1 { y2 = Array(repeating: v[0], count: x.count) }
        guard x.count == y1.count, y2 == nil || y2!.count == x.count else {
            throw LoupeError("fill_between(): x, y1 and y2 must have the same length (\(x.count), \(y1.count), \(y2?.count ?? x.count))")
        }
        ax.axes.fillBetween(x: x, y1, y2, color: try kw["color"]?.orNil.map { try PlotValues.color($0, "color") },
                            alpha: try PlotValues.double(kw["alpha"], "alpha") ?? 1, label: try PlotValues.string(kw["label"], "label"),
                            zorder: try PlotValues.double(kw["zorder"], "zorder") ?? 1)
        return .none
    }

    static func rule(_ ax: AxesObject, _ args: Arguments, vertical: Bool) throws -> Value {
        let fn = vertical ? "axvline" : "axhline"
        let names = [vertical ? "x" : "y", "color", "c", "linestyle", "ls", "linewidth", "lw", vertical ? "ymin" : "xmin",
                     vertical ? "ymax" : "xmax", "alpha", "label", "zorder"]
        let (pos, kw) = try bindKeywords(fn, args, names, positional: 1)
        let value = try (pos.first ?? kw[names[0]]).map { try $0.asDouble(names[0]) } ?? 0
        let color = try (kw["color"] ?? kw["c"])?.orNil.map { try PlotValues.color($0, "color") }
        let ls = try PlotValues.lineStyle(kw["linestyle"] ?? kw["ls"]) ?? .solid
        let lw = try PlotValues.double(kw["linewidth"] ?? kw["lw"], "linewidth") ?? 1.5
        let from = try PlotValues.double(kw[names[7]], names[7]) ?? 0, to = try PlotValues.double(kw[names[8]], names[8]) ?? 1
        let alpha = try PlotValues.double(kw["alpha"], "alpha") ?? 1, label = try PlotValues.string(kw["label"], "label")
        let z = try PlotValues.double(kw["zorder"], "zorder") ?? 2
        if vertical { ax.axes.axvline(value, color: color, lineWidth: lw, lineStyle: ls, from: from, to: to, alpha: alpha, label: label, zorder: z) }
        else { ax.axes.axhline(value, color: color, lineWidth: lw, lineStyle: ls, from: from, to: to, alpha: alpha, label: label, zorder: z) }
        return .none
    }

    static func rect(_ ax: AxesObject, _ args: Arguments) throws -> Value {
        let names = ["x", "y", "width", "height", "facecolor", "edgecolor", "linewidth", "alpha", "label", "zorder"]
        let (pos, kw) = try bindKeywords("rect", args, names, positional: 4)
        func num(_ i: Int) throws -> Double {
            guard let v = i < pos.count ? pos[i] : kw[names[i]] else { throw LoupeError("rect() needs x, y, width and height") }
            return try v.asDouble(names[i])
        }
        ax.axes.rect(x: try num(0), y: try num(1), width: try num(2), height: try num(3),
                     face: try kw["facecolor"]?.orNil.map { try PlotValues.color($0, "facecolor") } ?? .none,
                     edge: try kw["edgecolor"].map { v -> Color? in try v.orNil.map { try PlotValues.color($0, "edgecolor") } } ?? .black,
                     lineWidth: try PlotValues.double(kw["linewidth"], "linewidth") ?? 1,
                     alpha: try PlotValues.double(kw["alpha"], "alpha") ?? 1, label: try PlotValues.string(kw["label"], "label"),
                     zorder: try PlotValues.double(kw["zorder"], "zorder") ?? 1)
        return .none
    }

    static func text(_ ax: AxesObject, _ args: Arguments) throws -> Value {
        let names = ["x", "y", "s", "fontsize", "color", "ha", "va", "fontweight", "rotation", "transform"]
        let (pos, kw) = try bindKeywords("text", args, names, positional: 3)
        func arg(_ i: Int) -> Value? { i < pos.count ? pos[i] : kw[names[i]] }
        guard let xv = arg(0), let yv = arg(1), let sv = arg(2) else { throw LoupeError("text() needs x, y and the text") }
        let ha = HAlign(rawValue: try PlotValues.string(kw["ha"], "ha") ?? "left") ?? .left
        let vaName = try PlotValues.string(kw["va"], "va") ?? "baseline"
        let va = VAlign(rawValue: vaName == "center_baseline" ? "center" : vaName) ?? .baseline
        ax.axes.text(x: try xv.asDouble("x"), y: try yv.asDouble("y"), PlotValues.text(sv),
                     fontSize: try PlotValues.double(kw["fontsize"], "fontsize"),
                     color: try kw["color"]?.orNil.map { try PlotValues.color($0, "color") }, ha: ha, va: va,
                     bold: (try PlotValues.string(kw["fontweight"], "fontweight")) == "bold",
                     rotation: try PlotValues.double(kw["rotation"], "rotation") ?? 0,
                     axesCoordinates: (try PlotValues.string(kw["transform"], "transform")) == "axes")
        return .none
    }

    static let setKeywords = ["xlabel", "ylabel", "title", "xlim", "ylim", "xscale", "yscale", "xticks", "yticks",
                              "xticklabels", "yticklabels", "aspect"]

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
