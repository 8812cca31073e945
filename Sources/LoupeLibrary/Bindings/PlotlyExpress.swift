import LoupeInterpreter
import LoupeNotebook
import LoupePlot
import LoupeTensor

/// One trace of a plotly express figure: the values that went into it, as plotly's `fig.data[i]` keeps them
/// (`.z` for imshow, `.x`/`.y` for line and scatter, `.hovertext` from hover_name=, `.marker_color` from color=).
final class PlotlyTraceObject: HostObject {
    let typeName = "PlotlyTrace"
    let kind: String
    var fields: [String: Value]

    init(kind: String, fields: [String: Value]) { self.kind = kind; self.fields = fields }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if name == "type" { return .string(kind) }
        return fields[name] ?? (["x", "y", "z", "hovertext", "marker_color"].contains(name) ? Value.none : nil)
    }
    var memberNames: [String] { ["type", "x", "y", "z", "hovertext", "marker_color"] }
    func repr() -> String { "<PlotlyTrace \(kind)>" }
}

/// A plotly express figure drawn as a Loupe figure: `.show(renderer)` puts its SVG in the output,
/// `.data` holds the traces' values, `.update_layout(title=, xaxis_title=, yaxis_title=)` relabels it.
final class PlotlyFigureObject: HostObject {
    let typeName = "PlotlyFigure"
    let figure: Figure
    let traces: [PlotlyTraceObject]
    var colorbar: (() throws -> Void)?

    /// The last figures shown with `.show()`, newest last (a few, for checking what a helper drew).
    nonisolated(unsafe) static var shown: [PlotlyFigureObject] = []

    init(_ figure: Figure, traces: [PlotlyTraceObject]) { self.figure = figure; self.traces = traces }

    var ax: Axes { figure.ax }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "data": return .tuple(traces.map { .host($0) })
        case "title": return .string(ax.title)
        case "xaxis_title": return .string(ax.xlabel)
        case "yaxis_title": return .string(ax.ylabel)
        case "svg": return .string(figure.svg())
        default: return nil
        }
    }
    var memberNames: [String] { ["data", "title", "xaxis_title", "yaxis_title", "svg", "show", "update_layout", "to_image"] }
    func repr() -> String { "<PlotlyFigure \(traces.map(\.kind).joined(separator: ", "))\(ax.title.isEmpty ? "" : " \"\(ax.title)\"")>" }
    func display() -> CellOutput? { .figure(svg: figure.svg(), name: PlotState.fileStem(figure)) }
}

/// `import plotly.express as px`: px.imshow, px.line and px.scatter with the keywords TransformerLens's demos
/// pass, drawn by Loupe's plotting; keywords Loupe cannot honour are refused by name.
enum PlotlyExpress {
    static func install() {
        let px = Namespace(name: "plotly.express", doc: "plotly express's imshow, line and scatter, drawn as Loupe figures (SVG).",
                           otherwise: "Loupe's plotly express has imshow, line and scatter; other plots are builtins: see help(\"plot\")")
        px.set("imshow", .builtin(Builtins.function("""
            px.imshow(img, *, zmin=None, zmax=None, color_continuous_midpoint=None, color_continuous_scale=None, labels=None,
                      x=None, y=None, title=None, aspect=None, width=None, height=None)
            """,
            doc: "A heatmap of a 2-D tensor (row 0 at the top) with a colour bar; color_continuous_midpoint centres the colour range on a value (unless zmin and zmax are given); labels={\"x\": …, \"y\": …, \"color\": …} names the axes and the colour bar; x= and y= label columns and rows.",
            example: "px.imshow(scores, color_continuous_midpoint=0.0, color_continuous_scale=\"RdBu\", labels={\"x\": \"Head\", \"y\": \"Layer\"}).show()") { _, args in
            try imshow(args)
        }))
        px.set("line", .builtin(Builtins.function(
            "px.line(data_frame=None, x=None, y=None, *, hover_name=None, labels=None, title=None, range_x=None, range_y=None, markers=False, width=None, height=None)",
            doc: "A line through y (against x, or 0, 1, …); hover_name= names the points (kept in fig.data[0].hovertext).",
            example: "px.line(y=losses, title=\"loss\").show()") { _, args in
            try xy(args, kind: "scatter", lines: true)
        }))
        px.set("scatter", .builtin(Builtins.function("""
            px.scatter(data_frame=None, x=None, y=None, *, color=None, hover_name=None, labels=None, title=None, range_x=None,
                       range_y=None, color_continuous_scale=None, width=None, height=None)
            """,
            doc: "Points (x, y); a numeric color= colours them through a continuous scale (plasma) with a colour bar; hover_name= names the points.",
            example: "px.scatter(x=a, y=b, hover_name=labels, title=\"a vs b\").show()") { _, args in
            try xy(args, kind: "scatter", lines: false)
        }))
        px.set("shown_figures", .builtin(Builtins.function("px.shown_figures()",
            doc: "Loupe's addition: the plotly figures shown by .show() in this run (the last 16, newest last), to check what a plotting helper drew.",
            example: "fig = px.shown_figures()[-1]; fig.data[0].z") { _, _ in
            .list(ListBox(PlotlyFigureObject.shown.map { .host($0) }))
        }))
        Builtins.registerModule("plotly.express", .host(px))
        let plotly = Namespace(name: "plotly", doc: "plotly: its express module.", otherwise: "Loupe's plotly has plotly.express (px)")
        plotly.set("express", .host(px))
        Builtins.registerModule("plotly", .host(plotly))
        installMethods()
    }

    static func figure(_ v: Value) throws -> PlotlyFigureObject {
        if case .host(let h) = v, let f = h as? PlotlyFigureObject { return f }
        throw LoupeError("expected a plotly figure, not \(v.typeName)")
    }

    static func installMethods() {
        Builtins.registerMethod(type: "PlotlyFigure", "fig.show(renderer=None)",
                                doc: "Shows the figure in the output now (as SVG, whatever the renderer).", example: "fig.show()") { interp, recv, args in
            let f = try figure(recv)
            if let r = args.optional("renderer") { _ = try r.asString("renderer") }
            if let out = f.display() { interp.emit(out) }
            PlotlyFigureObject.shown.append(f)
            if PlotlyFigureObject.shown.count > 16 { PlotlyFigureObject.shown.removeFirst() }
            return .none
        }
        Builtins.registerMethod(type: "PlotlyFigure", "fig.update_layout(*, title=None, xaxis_title=None, yaxis_title=None, width=None, height=None)",
                                doc: "Sets the title, the axis titles or the size (pixels); returns the figure.",
                                example: "fig.update_layout(title=\"Scores\", xaxis_title=\"Head\")") { _, recv, args in
            let f = try figure(recv)
            if let t = args.optional("title") { f.ax.title = try layoutTitle(t) }
            if let t = args.optional("xaxis_title") { f.ax.xlabel = PlotValues.text(t) }
            if let t = args.optional("yaxis_title") { f.ax.ylabel = PlotValues.text(t) }
            try size(f.figure, args)
            return recv
        }
        Builtins.registerMethod(type: "PlotlyFigure", "fig.to_image(format=\"svg\")",
                                doc: "The figure's SVG text (Loupe renders SVG only).", example: "svg = fig.to_image(format=\"svg\")") { _, recv, args in
            guard try args.string("format") == "svg" else {
                throw LoupeError("to_image: Loupe renders plotly figures as SVG only, not \(try args.string("format"))", hint: "to_image(format=\"svg\")")
            }
            return .string(try figure(recv).figure.svg())
        }
    }

    /// plotly's title is a string or {"text": …}.
    static func layoutTitle(_ v: Value) throws -> String {
        if case .dict(let d) = v { return try d.get(.string("text")).map(PlotValues.text) ?? "" }
        return PlotValues.text(v)
    }

    static func size(_ f: Figure, _ args: BoundArguments) throws {
        // plotly sizes figures in pixels; Loupe's figures are in inches at 100 px per inch.
        if let w = try args.optionalDouble("width") { guard w > 0, w <= 10000 else { throw LoupeError("width must be 1…10000 pixels") }; f.width = w / 100 }
        if let h = try args.optionalDouble("height") { guard h > 0, h <= 10000 else { throw LoupeError("height must be 1…10000 pixels") }; f.height = h / 100 }
    }

    /// labels={"x": …, "y": …, "color": …}; other keys name data_frame columns, which Loupe's px does not take.
    static func labels(_ args: BoundArguments) throws -> [String: String] {
        guard let v = args.optional("labels") else { return [:] }
        guard case .dict(let d) = v else { throw LoupeError("labels= must be a dict such as {\"x\": \"Head\", \"y\": \"Layer\"}, not \(v.typeName)") }
        var out: [String: String] = [:]
        for (k, value) in zip(d.keys, d.values) {
            let key = try k.asString("labels key")
            guard ["x", "y", "color"].contains(key) else {
                throw LoupeError("labels: Loupe's px labels \"x\", \"y\" and \"color\", not \"\(key)\"")
            }
            out[key] = PlotValues.text(value)
        }
        return out
    }

    static func rejectDataFrame(_ args: BoundArguments) throws {
        if args.optional("data_frame") != nil {
            throw LoupeError("px: Loupe's plotly express takes arrays as x= and y=, not a data_frame")
        }
    }

    static func newFigure(_ args: BoundArguments, _ labels: [String: String]) throws -> Figure {
        let fig = Figure(width: 7, height: 5)
        fig.ax.title = try args.optional("title").map(layoutTitle) ?? ""
        fig.ax.xlabel = labels["x"] ?? ""
        fig.ax.ylabel = labels["y"] ?? ""
        try size(fig, args)
        return fig
    }

    static func plotCall(_ body: () throws -> Void) throws {
        do { try body() } catch let e as PlotError { throw LoupeError(e.description) }
    }

    /// Cell indices as plotly labels a heatmap's axes: whole numbers, about a dozen at most.
    static func integerTicks(_ n: Int, _ set: ([String], [Double]?) -> Void) {
        let step = max(1, (n + 11) / 12)
        let at = Array(stride(from: 0, to: n, by: step))
        set(at.map(String.init), at.map(Double.init))
    }

    static func imshow(_ args: BoundArguments) throws -> Value {
        let img = args.value("img")
        let (values, rows, cols) = try PlotValues.matrix(img, "img")
        let labels = try labels(args)
        let fig = try newFigure(args, labels)
        var zmin = try args.optionalDouble("zmin"), zmax = try args.optionalDouble("zmax")
        let finite = values.filter(\.isFinite)
        if let mid = try args.optionalDouble("color_continuous_midpoint"), zmin == nil || zmax == nil {
            // plotly's cmid: the range is widened to be symmetric about the midpoint.
            let reach = max(abs((finite.max() ?? mid) - mid), abs((finite.min() ?? mid) - mid))
            zmin = zmin ?? mid - reach
            zmax = zmax ?? mid + reach
        }
        let cmap = try args.optional("color_continuous_scale").map { try PlotValues.cmap($0, "color_continuous_scale") } ?? .viridis
        let aspect: Aspect = (try args.optionalString("aspect")) == "equal" ? .equal : .auto
        fig.ax.imshow(values: values, rows: rows, cols: cols, cmap: cmap, vmin: zmin, vmax: zmax, origin: .upper,
                      extent: nil, aspect: aspect, alpha: 1, cellColors: nil, png: nil)
        if let x = args.optional("x") {
            let names = try PlotValues.strings(x, "x")
            guard names.count == cols else { throw LoupeError("px.imshow: x= has \(names.count) labels for \(cols) columns") }
            fig.ax.setXTicks(names, rotation: 90)
        }
        if let y = args.optional("y") {
            let names = try PlotValues.strings(y, "y")
            guard names.count == rows else { throw LoupeError("px.imshow: y= has \(names.count) labels for \(rows) rows") }
            fig.ax.setYTicks(names)
        }
        if args.optional("x") == nil { integerTicks(cols) { fig.ax.setXTicks($0, positions: $1) } }
        if args.optional("y") == nil { integerTicks(rows) { fig.ax.setYTicks($0, positions: $1) } }
        try plotCall { try fig.colorbar(for: fig.ax, label: labels["color"] ?? "") }
        var fields: [String: Value] = ["z": .tensor(Tensor(shape: [rows, cols], data: values.map(Float.init)))]
        if let x = args.optional("x") { fields["x"] = x }
        if let y = args.optional("y") { fields["y"] = y }
        return .host(PlotlyFigureObject(fig, traces: [PlotlyTraceObject(kind: "heatmap", fields: fields)]))
    }

    static func xy(_ args: BoundArguments, kind: String, lines: Bool) throws -> Value {
        try rejectDataFrame(args)
        guard let yv = args.optional("y") else { throw LoupeError("px.\(lines ? "line" : "scatter"): y= is required") }
        let y = try PlotValues.numbers(yv, "y")
        let x = try args.optional("x").map { try PlotValues.numbers($0, "x") } ?? (0..<y.count).map(Double.init)
        guard x.count == y.count else { throw LoupeError("px.\(lines ? "line" : "scatter"): x has \(x.count) values and y \(y.count)") }
        let labels = try labels(args)
        let fig = try newFigure(args, labels)
        var fields: [String: Value] = ["x": PlotValues.tensor(x), "y": PlotValues.tensor(y)]
        if let h = args.optional("hover_name") {
            let names = try PlotValues.strings(h, "hover_name")
            guard names.count == y.count else { throw LoupeError("hover_name has \(names.count) names for \(y.count) points") }
            fields["hovertext"] = .list(ListBox(names.map { .string($0) }))
        }
        if lines {
            fig.ax.plot(x: x, y, color: Color.cycle(0), lineWidth: 2, marker: args.value("markers").isTruthy ? .circle : nil)
        } else if let c = args.optional("color") {
            let values = try PlotValues.numbers(c, "color")
            guard values.count == y.count else { throw LoupeError("px.scatter: color= has \(values.count) values for \(y.count) points") }
            let cmap = try args.optional("color_continuous_scale").map { try PlotValues.cmap($0, "color_continuous_scale") } ?? (Colormap.named("plasma") ?? .viridis)
            fig.ax.scatter(x: x, y: y, values: values, cmap: cmap)
            try plotCall { try fig.colorbar(for: fig.ax, label: labels["color"] ?? "") }
            fields["marker_color"] = PlotValues.tensor(values)
        } else {
            fig.ax.scatter(x: x, y: y, color: Color.cycle(0))
        }
        for (axis, set) in [("range_x", fig.ax.setXLim), ("range_y", fig.ax.setYLim)] {
            if let r = try PlotValues.pair(args.optional(axis), axis) { set(r.0, r.1) }
        }
        return .host(PlotlyFigureObject(fig, traces: [PlotlyTraceObject(kind: kind, fields: fields)]))
    }
}
