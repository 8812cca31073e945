import LoupeNotebook
import LoupeInterpreter
import LoupePlot
import LoupeScript

/// pyplot for Loupe: `fig, axs = subplots(2, 3, figsize=(12, 8))`, `axs[0][1].imshow(a, cmap="magma")`,
/// `fig.colorbar(h, ax=axs[0][1])`, and one-call forms on the current figure for the REPL:
/// `imshow(a, x=tokens, y=tokens, title="…")`, `hist(t, bins=100)`, `plot(ys)`.
enum PlotBindings {
    static func axes(_ v: Value, _ what: String = "Axes") throws -> AxesObject {
        if case .host(let h) = v, let a = h as? AxesObject { return a }
        throw LoupeError("expected an Axes, not \(v.typeName)")
    }

    static func figure(_ v: Value) throws -> FigureObject {
        if case .host(let h) = v, let f = h as? FigureObject { return f }
        throw LoupeError("expected a Figure, not \(v.typeName)")
    }

    static func current() -> AxesObject {
        let f = PlotState.currentFigure()
        return AxesObject(f.current, f)
    }

    /// Registers `ax.NAME(...)` and the global `NAME(...)` that draws on the current axes, takes
    /// title=/xlabel=/ylabel= too, and returns the figure so a cell or the REPL shows it.
    static func mark(_ name: String, signature: String, doc: String, example: String, globalExample: String,
                     _ body: @escaping (AxesObject, Arguments) throws -> Value) {
        Builtins.registerMethod(type: "Axes", name: name, doc: doc, signature: "ax.\(signature)", example: example) { _, recv, args in
            try body(try axes(recv), args)
        }
        Builtins.register(name: name, doc: doc + "\nOn the current figure (a new one after the last was shown); also takes title=, xlabel=, ylabel=, and returns the figure.",
                          signature: signature, example: globalExample) { _, args in
            var rest = Arguments(args.positional)
            var labels: [String: Value] = [:]
            var colorbar = name == "imshow"
            for (k, v) in args.keywords {
                if ["title", "xlabel", "ylabel"].contains(k) { labels[k] = v }
                else if k == "colorbar" && name == "imshow" { colorbar = v.isTruthy }
                else { rest.keywords.append((k, v)) }
            }
            let ax = current()
            let result = try body(ax, rest)
            try PlotAxesMethods.set(ax, labels)
            if colorbar, let f = ax.owner { try f.figure.colorbar(for: ax.axes) }
            _ = result
            return .host(ax.owner ?? PlotState.currentFigure())
        }
    }

    static func install() {
        installMarks()
        installAxesSettings()
        installFigure()
        installGlobals()
    }

    static func installMarks() {
        mark("plot", signature: "plot([x], y, [fmt], color=, linewidth=, linestyle=, marker=, markersize=, markerfacecolor=, label=, alpha=, zorder=)",
             doc: "Lines and/or markers. A 2-D y draws one line per column; fmt is matplotlib's format string (\"ko\", \"s-\", \"r--\").",
             example: "ax.plot(xs, ys, \"o-\", label=\"mean\")", globalExample: "plot(losses, title=\"loss\")", PlotAxesMethods.plot)
        mark("scatter", signature: "scatter(x, y, s=36, c=None, cmap=\"viridis\", vmin=, vmax=, marker=\"o\", edgecolor=, linewidth=, alpha=, label=)",
             doc: "Points; s is the marker area in pt², c a colour, a list of colours, or values coloured through cmap (returns a Mappable for colorbar).",
             example: "h = ax.scatter(x, y, 20, c=layer, cmap=\"plasma\")", globalExample: "scatter(x, y, c=values)", PlotAxesMethods.scatter)
        mark("hist", signature: "hist(x, bins=10, range=None, density=False, histtype=\"bar\", color=, alpha=, log=False, label=, orientation=\"vertical\")",
             doc: "Histogram with numpy's bins (an int or a list of edges); returns (counts, edges).",
             example: "counts, edges = ax.hist(t.flatten(), bins=100, density=True)", globalExample: "hist(t, bins=100)", PlotAxesMethods.hist)
        mark("bar", signature: "bar(x, height, width=0.8, bottom=0, color=, edgecolor=, label=, tick_label=)",
             doc: "Vertical bars centred on x (strings for x become categorical tick labels).",
             example: "ax.bar(range(5), counts)", globalExample: "bar([\"a\", \"b\"], [3, 5])") { try PlotAxesMethods.bar($0, $1, horizontal: false) }
        mark("barh", signature: "barh(y, width, height=0.8, left=0, color=, edgecolor=, label=, tick_label=)",
             doc: "Horizontal bars centred on y.", example: "ax.barh(range(3), [3, 1, 2])",
             globalExample: "barh(tokens, freqs)") { try PlotAxesMethods.bar($0, $1, horizontal: true) }
        mark("imshow", signature: "imshow(a, cmap=\"viridis\", vmin=, vmax=, origin=\"upper\", extent=[l, r, b, t], aspect=\"equal\", x=labels, y=labels, top=labels, right=labels)",
             doc: "A 2-D tensor as an image (more than 4096 cells become one embedded PNG); x=/y=/top=/right= put token labels on the four edges. Returns a Mappable for colorbar. The global form adds a colour bar unless colorbar=False.",
             example: "h = axs[0][1].imshow(a, cmap=\"magma\", vmin=0)", globalExample: "imshow(pattern, x=tokens, y=tokens, title=\"L0H1\")",
             PlotAxesMethods.imshow)
        mark("text_grid", signature: "text_grid(texts, values=None, colors=None, cmap=\"viridis\", highlight=None, highlight_color=\"gold\", fontsize=None, quoted=False, x=labels, y=labels, top=labels, right=labels)",
             doc: "A table of strings (tokens): each cell's colour from values through cmap, or from colors; highlighted cells gold and bold; text shrinks to fit.",
             example: "ax.text_grid(tokens, highlight=matches, quoted=True)", globalExample: "text_grid(grid, values=probs, cmap=\"Blues\")",
             PlotAxesMethods.textGrid)
        mark("fill_between", signature: "fill_between(x, y1, y2=0, color=, alpha=1, label=, zorder=)",
             doc: "Fills the band between two curves over the same x (e.g. mean ± std).",
             example: "ax.fill_between(xs, mean - std, mean + std, alpha=0.3)",
             globalExample: "fill_between(range(n), lo, hi, alpha=0.3)", PlotAxesMethods.fillBetween)
        mark("axhline", signature: "axhline(y, color=, linestyle=\"-\", linewidth=1.5, xmin=0, xmax=1, label=, zorder=)",
             doc: "A horizontal line across the axes.", example: "ax.axhline(clean, linestyle=\"--\", color=\"0.7\")",
             globalExample: "axhline(0, color=\"k\")") { try PlotAxesMethods.rule($0, $1, vertical: false) }
        mark("axvline", signature: "axvline(x, color=, linestyle=\"-\", linewidth=1.5, ymin=0, ymax=1, label=, zorder=)",
             doc: "A vertical line across the axes.", example: "ax.axvline(5, color=\"r\")",
             globalExample: "axvline(12)") { try PlotAxesMethods.rule($0, $1, vertical: true) }
        mark("rect", signature: "rect(x, y, width, height, facecolor=\"none\", edgecolor=\"black\", linewidth=1, alpha=1, label=)",
             doc: "A rectangle with lower-left corner (x, y) in data coordinates (matplotlib's Rectangle patch), e.g. a cell border.",
             example: "ax.rect(c - 0.5, r - 0.5, 1, 1, edgecolor=\"white\", linewidth=3)",
             globalExample: "rect(0, 0, 1, 1)", PlotAxesMethods.rect)
        mark("text", signature: "text(x, y, s, fontsize=, color=, ha=\"left\", va=\"baseline\", fontweight=, rotation=0, transform=\"data\"|\"axes\")",
             doc: "Text at (x, y) in data coordinates, or axes fractions with transform=\"axes\".",
             example: "ax.text(0.02, 0.95, \"note\", transform=\"axes\", va=\"top\")",
             globalExample: "text(3, 0.5, \"peak\")", PlotAxesMethods.text)
    }

    static func axesMethod(_ name: String, _ signature: String, _ doc: String, _ example: String,
                           _ body: @escaping (AxesObject, Arguments, Interpreter) throws -> Value) {
        Builtins.registerMethod(type: "Axes", name: name, doc: doc, signature: "ax.\(signature)", example: example) { interp, recv, args in
            try body(try axes(recv), args, interp)
        }
    }

    static func installAxesSettings() {
        axesMethod("set", "set(xlabel=, ylabel=, title=, xlim=, ylim=, xscale=, yscale=, xticks=, yticks=, xticklabels=, yticklabels=, aspect=)",
                   "Sets several properties at once, as matplotlib's ax.set.", "ax.set(xlabel=\"Layer\", title=\"Variance\", xlim=[0, 36])") { ax, args, _ in
            let (_, kw) = try PlotAxesMethods.bindKeywords("set", args, PlotAxesMethods.setKeywords, positional: 0)
            try PlotAxesMethods.set(ax, kw); return .none
        }
        for (key, what) in [("title", "title"), ("xlabel", "x-axis label"), ("ylabel", "y-axis label")] {
            axesMethod("set_\(key)", "set_\(key)(text, color=None)", "Sets the \(what).", "ax.set_\(key)(\"…\")") { ax, args, _ in
                let a = try args.bind("set_\(key)", ["text", "color", "fontsize"], required: 1)
                let color = try a[1]?.orNil.map { try PlotValues.color($0, "color") }
                switch key {
                case "title": ax.axes.title = PlotValues.text(a[0]!); ax.axes.titleColor = color
                case "xlabel": ax.axes.xlabel = PlotValues.text(a[0]!); ax.axes.xlabelColor = color
                default: ax.axes.ylabel = PlotValues.text(a[0]!); ax.axes.ylabelColor = color
                }
                return .none
            }
        }
        for axis in ["x", "y"] {
            axesMethod("set_\(axis)lim", "set_\(axis)lim(low, high)", "Sets the \(axis) view limits (None keeps automatic; high < low inverts).",
                       "ax.set_\(axis)lim(0, None)") { ax, args, _ in
                let a = try args.bind("set_\(axis)lim", ["low", "high"], required: 1)
                var lo = try PlotValues.double(a[0], "low"), hi = try PlotValues.double(a[1], "high")
                if a[1] == nil, let p = try? PlotValues.pair(a[0], "limits") { lo = p.0; hi = p.1 }
                if axis == "x" { ax.axes.setXLim(lo, hi) } else { ax.axes.setYLim(lo, hi) }
                return .none
            }
            axesMethod("set_\(axis)scale", "set_\(axis)scale(\"linear\" | \"log\")", "Linear or base-10 log \(axis) axis.", "ax.set_\(axis)scale(\"log\")") { ax, args, _ in
                let a = try args.bind("set_\(axis)scale", ["scale"], required: 1)
                let s = try PlotValues.scale(a[0], "scale") ?? .linear
                if axis == "x" { ax.axes.xscale = s } else { ax.axes.yscale = s }
                return .none
            }
            axesMethod("set_\(axis)ticks", "set_\(axis)ticks(positions, labels=None, rotation=None)", "Tick positions and optional labels (e.g. tokens).",
                       "ax.set_\(axis)ticks(range(len(tokens)), tokens)") { ax, args, _ in
                let a = try args.bind("set_\(axis)ticks", ["positions", "labels", "rotation"], required: 1)
                let p = try PlotValues.numbers(a[0]!, "positions")
                let l = try a[1]?.orNil.map { try PlotValues.strings($0, "labels") }
                if axis == "x" { ax.axes.xticks = p; if let l = l { ax.axes.xtickLabels = l }; ax.axes.xtickRotation = try PlotValues.double(a[2], "rotation") ?? ax.axes.xtickRotation }
                else { ax.axes.yticks = p; if let l = l { ax.axes.ytickLabels = l } }
                return .none
            }
            axesMethod("set_\(axis)ticklabels", "set_\(axis)ticklabels(labels, rotation=None)", "Labels for the current ticks (positions 0, 1, … when none were set).",
                       "ax.set_\(axis)ticklabels([f\"Layer {i}\" for i in layers])") { ax, args, _ in
                let a = try args.bind("set_\(axis)ticklabels", ["labels", "rotation"], required: 1)
                let l = try PlotValues.strings(a[0]!, "labels")
                if axis == "x" {
                    ax.axes.xtickLabels = l; if ax.axes.xticks == nil { ax.axes.xticks = (0..<l.count).map(Double.init) }
                    ax.axes.xtickRotation = try PlotValues.double(a[1], "rotation") ?? ax.axes.xtickRotation
                } else { ax.axes.ytickLabels = l; if ax.axes.yticks == nil { ax.axes.yticks = (0..<l.count).map(Double.init) } }
                return .none
            }
        }
        axesMethod("tick_params", "tick_params(axis=\"both\", colors=None, labelsize=None)", "Colours (ticks and tick labels) and size of tick labels.",
                   "ax.tick_params(axis=\"y\", colors=(0.7, 0.9, 0.7))") { ax, args, _ in
            let a = try args.bind("tick_params", ["axis", "colors", "labelsize"])
            let which = try PlotValues.string(a[0], "axis") ?? "both"
            if let c = try a[1]?.orNil.map({ try PlotValues.color($0, "colors") }) {
                if which != "y" { ax.axes.xTickColor = c }
                if which != "x" { ax.axes.yTickColor = c }
            }
            if let s = try PlotValues.double(a[2], "labelsize") { ax.axes.tickFontSize = s }
            return .none
        }
        axesMethod("legend", "legend(labels=None, loc=\"best\", fontsize=None)",
                   "Shows a legend of labelled marks (a twin axis's too); a list of labels names the lines in order, as legend([\"Q\", \"K\", \"V\"]).",
                   "ax.legend(loc=\"upper left\")") { ax, args, _ in
            var args = args
            var labels: [String]? = nil
            if let first = args.positional.first, case .list = first {
                labels = try PlotValues.strings(first, "labels"); args.positional.removeFirst()
            }
            if let i = args.keywords.firstIndex(where: { $0.0 == "labels" }) {
                labels = try PlotValues.strings(args.keywords[i].1, "labels"); args.keywords.remove(at: i)
            }
            let a = try args.bind("legend", ["loc", "fontsize"])
            var loc = LegendLocation.best
            if let s = try PlotValues.string(a[0], "loc") {
                guard let l = LegendLocation(rawValue: s) else {
                    throw LoupeError("unknown legend location \"\(s)\"", hint: "use one of: " + LegendLocation.allCases.map { $0.rawValue }.joined(separator: ", "))
                }
                loc = l
            }
            if let labels = labels { ax.axes.legend(labels: labels, location: loc) } else { ax.axes.legend(location: loc) }
            ax.axes.legendFontSize = try PlotValues.double(a[1], "fontsize")
            return .none
        }
        axesMethod("twinx", "twinx()", "A second y axis on the right sharing this x axis.", "ax2 = ax.twinx()") { ax, args, _ in
            _ = try args.bind("twinx", [])
            return .host(AxesObject(ax.axes.twinx(), ax.owner))
        }
        axesMethod("grid", "grid(visible=True)", "Grid lines at the major ticks.", "ax.grid()") { ax, args, _ in
            let a = try args.bind("grid", ["visible"])
            ax.axes.grid = a[0].map { $0.isTruthy } ?? true
            return .none
        }
        axesMethod("axis", "axis(\"off\" | \"on\")", "Hides or shows spines, ticks and axis labels.", "ax.axis(\"off\")") { ax, args, _ in
            let a = try args.bind("axis", ["state"], required: 1)
            ax.axes.axisVisible = (try PlotValues.string(a[0], "state")) != "off"
            return .none
        }
        axesMethod("invert_yaxis", "invert_yaxis()", "Flips the y axis (larger values downwards).", "ax.invert_yaxis()") { ax, _, _ in
            ax.axes.yInverted.toggle(); return .none
        }
        axesMethod("set_spines", "set_spines(left=, right=, top=, bottom=)", "Shows or hides individual spines (matplotlib's ax.spines[side].set_visible).",
                   "ax.set_spines(right=True)") { ax, args, _ in
            let a = try args.bind("set_spines", ["left", "right", "top", "bottom"])
            for (i, side) in [Side.left, .right, .top, .bottom].enumerated() { if let v = a[i] { ax.axes.spineVisible[side] = v.isTruthy } }
            return .none
        }
        axesMethod("set_top_ticks", "set_top_ticks(labels, positions=None)", "A second set of labels along the top edge (e.g. query tokens).",
                   "ax.set_top_ticks(query_tokens)") { ax, args, _ in
            let a = try args.bind("set_top_ticks", ["labels", "positions"], required: 1)
            ax.axes.setTopTicks(try PlotValues.strings(a[0]!, "labels"), positions: try a[1]?.orNil.map { try PlotValues.numbers($0, "positions") })
            return .none
        }
        axesMethod("set_right_ticks", "set_right_ticks(labels, positions=None)", "A second set of labels along the right edge (e.g. key tokens).",
                   "ax.set_right_ticks(key_tokens)") { ax, args, _ in
            let a = try args.bind("set_right_ticks", ["labels", "positions"], required: 1)
            ax.axes.setRightTicks(try PlotValues.strings(a[0]!, "labels"), positions: try a[1]?.orNil.map { try PlotValues.numbers($0, "positions") })
            return .none
        }
        axesMethod("hide_labels", "hide_labels()", "Hides tick labels on both axes (small multiples).", "ax.hide_labels()") { ax, _, _ in
            ax.axes.showXTickLabels = false; ax.axes.showYTickLabels = false; return .none
        }
    }

    static func colorbar(_ fig: FigureObject, _ args: Arguments, interp: Interpreter) throws -> Value {
        let a = try args.bind("colorbar", ["mappable", "ax", "location", "pad", "label", "shrink", "aspect", "cmap", "vmin", "vmax"])
        var target: AxesObject? = try a[1]?.orNil.map { v -> AxesObject in
            if case .list(let l) = v, let last = l.items.last { return try axes(last) }
            return try axes(v)
        }
        var mappable: ScalarMappable? = nil
        if let m = a[0]?.orNil {
            if case .host(let h) = m, let mo = h as? MappableObject {
                mappable = mo.mappable; if target == nil { target = mo.axes }
            } else if case .host(let h) = m, let f = h as? FigureObject {
                if target == nil { target = AxesObject(f.current, f) }
            } else if case .host(let h) = m, let ao = h as? AxesObject {
                if target == nil { target = ao }
            } else { throw LoupeError("colorbar(): the first argument must be what imshow/scatter returned, not \(m.typeName)") }
        }
        if a[7] != nil || a[8] != nil || a[9] != nil {
            mappable = ScalarMappable(cmap: try PlotValues.cmap(a[7]), vmin: try PlotValues.double(a[8], "vmin") ?? 0,
                                      vmax: try PlotValues.double(a[9], "vmax") ?? 1)
        }
        let ax = target ?? AxesObject(fig.current, fig)
        do {
            let cb = try fig.figure.colorbar(for: ax.axes, mappable: mappable, location: try PlotValues.side(a[2], "location", default: .right),
                                             label: try PlotValues.string(a[4], "label") ?? "", pad: try PlotValues.double(a[3], "pad"),
                                             aspect: try PlotValues.double(a[6], "aspect") ?? 20, shrink: try PlotValues.double(a[5], "shrink") ?? 1)
            return .host(ColorbarObject(cb, fig))
        } catch let e as PlotError {
            throw LoupeError(e.description, hint: "pass what imshow()/scatter(c=…) returned, or cmap=, vmin=, vmax=")
        }
    }

    static func save(_ fig: FigureObject, _ args: Arguments, _ fn: String, _ interp: Interpreter) throws -> Value {
        let a = try args.bind(fn, ["path"], required: 1)
        let path = try FileBuiltins.writeURL(try a[0]!.asString("path"), interp).path
        do { try fig.figure.save(to: path) } catch let e as PlotError { throw LoupeError(e.description) }
        fig.shown = true  // a saved figure is finished: the next pyplot-style call starts a new one
        return .string(path)
    }

    static func installFigure() {
        func method(_ name: String, _ sig: String, _ doc: String, _ example: String,
                    _ body: @escaping (FigureObject, Arguments, Interpreter) throws -> Value) {
            Builtins.registerMethod(type: "Figure", name: name, doc: doc, signature: "fig.\(sig)", example: example) { interp, recv, args in
                try body(try figure(recv), args, interp)
            }
        }
        method("colorbar", "colorbar(mappable=None, ax=None, location=\"right\", pad=None, label=\"\", shrink=1, aspect=20, cmap=, vmin=, vmax=)",
               "A colour bar beside ax for what imshow/scatter returned (or for cmap=/vmin=/vmax=); location left/right/top/bottom.",
               "fig.colorbar(h, ax=axs[0], location=\"top\", pad=0.02)") { try colorbar($0, $1, interp: $2) }
        method("save", "save(path)", "Writes the figure as .svg, or .png through rsvg-convert.", "fig.save(\"attention.svg\")") { f, a, i in try save(f, a, "save", i) }
        method("savefig", "savefig(path)", "Same as save(path).", "fig.savefig(\"x.png\")") { f, a, i in try save(f, a, "savefig", i) }
        method("suptitle", "suptitle(text)", "A title over all the axes.", "fig.suptitle(\"Layer 0\")") { f, args, _ in
            let a = try args.bind("suptitle", ["text"], required: 1); f.figure.suptitle = PlotValues.text(a[0]!); return .none
        }
        method("subplots_adjust", "subplots_adjust(wspace=None, hspace=None)", "Space between columns/rows as a fraction of the axes size.",
               "fig.subplots_adjust(wspace=0, hspace=0.5)") { f, args, _ in
            let a = try args.bind("subplots_adjust", ["wspace", "hspace", "left", "right", "top", "bottom"])
            if let w = try PlotValues.double(a[0], "wspace") { f.figure.wspace = w }
            if let h = try PlotValues.double(a[1], "hspace") { f.figure.hspace = h }
            return .none
        }
        method("tight_layout", "tight_layout()", "Accepted for matplotlib compatibility; Loupe always lays figures out tightly.", "fig.tight_layout()") { _, _, _ in .none }
        method("set_size_inches", "set_size_inches(width, height)", "Changes the figure size.", "fig.set_size_inches(10, 4)") { f, args, _ in
            let a = try args.bind("set_size_inches", ["width", "height"], required: 2)
            f.figure.width = try a[0]!.asDouble("width"); f.figure.height = try a[1]!.asDouble("height"); return .none
        }
    }

    static func installGlobals() {
        Builtins.register(name: "subplots", doc: "A new figure with a grid of axes, as matplotlib's plt.subplots: returns (fig, axes); axes is one Axes for 1×1, a list-like for one row or column, else rows of Axes.",
                          signature: "subplots(nrows=1, ncols=1, figsize=(6.4, 4.8), sharex=False, sharey=False, theme=None)",
                          example: "fig, axs = subplots(2, 3, figsize=(12, 8))\naxs[0][1].imshow(a, cmap=\"magma\")") { _, args in
            let a = try args.bind("subplots", ["nrows", "ncols", "figsize", "sharex", "sharey", "theme", "squeeze"])
            let rows = try a[0]?.asInt("nrows") ?? 1, cols = try a[1]?.asInt("ncols") ?? 1
            guard rows >= 1, cols >= 1, rows * cols <= 400 else { throw LoupeError("subplots(): nrows and ncols must be at least 1 (and at most 400 axes)") }
            var w = 6.4, h = 4.8
            if let fs = try PlotValues.pair(a[2], "figsize") { w = fs.0 ?? w; h = fs.1 ?? h }
            guard w > 0, h > 0, w <= 100, h <= 100 else { throw LoupeError("figsize must be positive inches (at most 100)") }
            let theme = try a[5]?.orNil.map { try PlotState.theme($0) }
            let fig = FigureObject(Figure(width: w, height: h, rows: rows, columns: cols, sharex: a[3]?.isTruthy ?? false,
                                          sharey: a[4]?.isTruthy ?? false, theme: theme))
            PlotState.current = fig
            let squeeze = a[6]?.isTruthy ?? true
            let axesValues = fig.figure.axes.map { row in row.map { Value.host(AxesObject($0, fig)) } }
            let axesValue: Value
            if squeeze && rows == 1 && cols == 1 { axesValue = axesValues[0][0] }
            else if squeeze && (rows == 1 || cols == 1) { axesValue = .host(AxesGridObject(axesValues.flatMap { $0 }, is2D: false)) }
            else { axesValue = .host(AxesGridObject(axesValues.map { .host(AxesGridObject($0, is2D: false)) }, is2D: true)) }
            return .tuple([.host(fig), axesValue])
        }
        for (key, what) in [("title", "the current axes' title"), ("xlabel", "the current x-axis label"), ("ylabel", "the current y-axis label")] {
            Builtins.register(name: key, doc: "Sets \(what); returns the figure.", signature: "\(key)(text)", example: "\(key)(\"Layer\")") { _, args in
                let a = try args.bind(key, ["text"], required: 1)
                let ax = current()
                try PlotAxesMethods.set(ax, [key: a[0]!])
                return .host(ax.owner!)
            }
        }
        for axis in ["x", "y"] {
            Builtins.register(name: "\(axis)lim", doc: "Sets the current axes' \(axis) limits; returns the figure.", signature: "\(axis)lim(low, high)",
                              example: "\(axis)lim(0, 10)") { _, args in
                let a = try args.bind("\(axis)lim", ["low", "high"], required: 1)
                let ax = current()
                let lo = try PlotValues.double(a[0], "low"), hi = try PlotValues.double(a[1], "high")
                if axis == "x" { ax.axes.setXLim(lo, hi) } else { ax.axes.setYLim(lo, hi) }
                return .host(ax.owner!)
            }
        }
        Builtins.register(name: "legend", doc: "Shows a legend on the current axes; returns the figure.", signature: "legend(loc=\"best\")",
                          example: "plot(a, label=\"a\"); plot(b, label=\"b\"); legend()") { interp, args in
            let ax = current()
            guard let def = Builtins.member("Axes", "legend"), let m = def.method else { return .none }
            _ = try m(interp, .host(ax), args)
            return .host(ax.owner!)
        }
        Builtins.register(name: "colorbar", doc: "A colour bar on the current figure (see fig.colorbar); returns the Colorbar (cb.set_label(text)), which shows as its figure.",
                          signature: "colorbar(mappable=None, ax=None, location=\"right\", label=\"\", pad=None)",
                          example: "h = imshow(a, colorbar=False)\ncolorbar(label=\"value\")") { interp, args in
            try colorbar(PlotState.currentFigure(), args, interp: interp)
        }
        Builtins.register(name: "suptitle", doc: "A title over the whole current figure; returns the figure.", signature: "suptitle(text)",
                          example: "suptitle(\"Attention in layer 0\")") { _, args in
            let a = try args.bind("suptitle", ["text"], required: 1)
            let f = PlotState.currentFigure(); f.figure.suptitle = PlotValues.text(a[0]!); return .host(f)
        }
        Builtins.register(name: "savefig", doc: "Writes the current figure (.svg, or .png through rsvg-convert); returns the path.",
                          signature: "savefig(path)", example: "savefig(\"hist.svg\")") { interp, args in
            try save(PlotState.currentFigure(), args, "savefig", interp)
        }
        Builtins.register(name: "gcf", doc: "The current figure (a new one if the last was shown).", signature: "gcf()", example: "fig = gcf()") { _, args in
            _ = try args.bind("gcf", []); return .host(PlotState.currentFigure())
        }
        Builtins.register(name: "gca", doc: "The current axes.", signature: "gca()", example: "gca().set(xlabel=\"x\")") { _, args in
            _ = try args.bind("gca", []); return .host(current())
        }
        Builtins.register(name: "theme", doc: "Sets the theme for new figures (\"light\" or \"dark\", seed 001's dark mode) and for the current unshown figure; returns the theme's name. theme() just returns it.",
                          signature: "theme(name=None)", example: "theme(\"dark\")") { _, args in
            let a = try args.bind("theme", ["name"])
            if let v = a[0]?.orNil {
                let t = try PlotState.theme(v)
                Theme.current = t
                if let c = PlotState.current, !c.shown { c.figure.theme = t }
            }
            return .string(Theme.current.name)
        }
        Builtins.register(name: "colormap", doc: "The colour (\"#rrggbb\") of a matplotlib colour map at v in 0…1 (a list for a list), like mpl.cm.plasma(v).",
                          signature: "colormap(name, v)", example: "color = colormap(\"plasma\", i / n_layers)") { _, args in
            let a = try args.bind("colormap", ["name", "v"], required: 2)
            let cmap = try PlotValues.cmap(a[0])
            switch a[1]! {
            case .int, .float, .bool: return .string(cmap.color(normalized: try a[1]!.asDouble("v")).hex)
            default: return .list(try PlotValues.numbers(a[1]!, "v").map { .string(cmap.color(normalized: $0).hex) })
            }
        }
        Builtins.register(name: "scalar_mappable", doc: "A colour map over vmin…vmax for colorbar() without an image (matplotlib's ScalarMappable + Normalize).",
                          signature: "scalar_mappable(cmap, vmin=0, vmax=1)",
                          example: "fig.colorbar(scalar_mappable(\"plasma\", 0, 36), ax=axs[1], label=\"Transformer block\")") { _, args in
            let a = try args.bind("scalar_mappable", ["cmap", "vmin", "vmax"], required: 1)
            return .host(MappableObject(ScalarMappable(cmap: try PlotValues.cmap(a[0]), vmin: try PlotValues.double(a[1], "vmin") ?? 0,
                                                       vmax: try PlotValues.double(a[2], "vmax") ?? 1), nil))
        }
    }
}
