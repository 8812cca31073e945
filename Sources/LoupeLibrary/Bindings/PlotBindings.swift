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

    /// Registers `ax.NAME(...)` from `header` (read without the `ax.`) and the global `NAME(...)` that
    /// draws on the current axes, takes title=/xlabel=/ylabel= too (imshow also colorbar=), and returns
    /// the figure so a cell or the REPL shows it. The header's keyword parameters follow a `*` or
    /// `*args`, so the global's extra keywords are keyword-only.
    static func mark(_ header: String, aliases: [String: String] = [:], doc: String, example: String, globalExample: String,
                     _ body: @escaping (AxesObject, BoundArguments) throws -> Value) {
        Builtins.registerMethod(type: "Axes", "ax.\(header)", aliases: aliases, doc: doc, example: example) { _, recv, args in
            try body(try axes(recv), args)
        }
        let addsColorbar = header.hasPrefix("imshow(")
        let globalHeader = String(header.dropLast()) + ", title=, xlabel=, ylabel=" + (addsColorbar ? ", colorbar=True)" : ")")
        Builtins.register(globalHeader, aliases: aliases,
                          doc: doc + "\nOn the current figure (a new one after the last was shown); also takes title=, xlabel=, ylabel=, and returns the figure.",
                          example: globalExample) { _, args in
            let ax = current()
            _ = try body(ax, args)
            try PlotAxesMethods.set(ax, PlotAxesMethods.given(args, ["title", "xlabel", "ylabel"]))
            if addsColorbar, args.value("colorbar").isTruthy, let f = ax.owner { try f.figure.colorbar(for: ax.axes) }
            return .host(ax.owner ?? PlotState.currentFigure())
        }
    }

    static func install() {
        installMarks()
        PlotAxesSettings.install()
        installFigure()
        installGlobals()
    }

    static func installMarks() {
        mark("""
             plot(*args, x=, y=, fmt=, color=, linewidth=1.5, linestyle=, marker=, markersize=, markerfacecolor=,
                  markeredgecolor=, alpha=1, label=, zorder=2)
             """, aliases: PlotAxesMethods.plotAliases,
             doc: "Lines and/or markers. The positionals are y, or x and y, each optionally followed by fmt (plot(y), plot(x, y), plot(y, fmt), plot(x, y, fmt)). A 2-D y draws one line per column; fmt is matplotlib's format string (\"ko\", \"s-\", \"r--\"). c, lw, ls, ms, mfc and mec are matplotlib's short names.",
             example: "ax.plot(xs, ys, \"o-\", label=\"mean\")", globalExample: "plot(losses, title=\"loss\")", PlotAxesMethods.plot)
        mark("""
             scatter(x, y, s=36, c=None, *, color=, cmap="viridis", vmin=, vmax=, marker="o", edgecolor=, linewidth=1,
                     alpha=1, label=, zorder=1)
             """, aliases: ["edgecolors": "edgecolor", "linewidths": "linewidth"],
             doc: "Points; s is the marker area in pt², c a colour, a list of colours, or values coloured through cmap (returns a Mappable for colorbar).",
             example: "h = ax.scatter(x, y, 20, c=layer, cmap=\"plasma\")", globalExample: "scatter(x, y, c=values)", PlotAxesMethods.scatter)
        mark("""
             hist(x, bins=10, *, range=None, density=False, histtype="bar", color=, alpha=1, log=False, label=,
                  orientation="vertical", edgecolor=, linewidth=)
             """,
             doc: "Histogram with numpy's bins (an int or a list of edges); returns (counts, edges).",
             example: "counts, edges = ax.hist(t.flatten(), bins=100, density=True)", globalExample: "hist(t, bins=100)", PlotAxesMethods.hist)
        mark("bar(x, height, width=0.8, *, bottom=, color=, edgecolor=, linewidth=, alpha=1, label=, tick_label=)",
             doc: "Vertical bars centred on x (strings for x become categorical tick labels).",
             example: "ax.bar(range(5), counts)", globalExample: "bar([\"a\", \"b\"], [3, 5])") { try PlotAxesMethods.bar($0, $1, horizontal: false) }
        mark("barh(y, width, height=0.8, *, left=, color=, edgecolor=, linewidth=, alpha=1, label=, tick_label=)",
             doc: "Horizontal bars centred on y.", example: "ax.barh(range(3), [3, 1, 2])",
             globalExample: "barh(tokens, freqs)") { try PlotAxesMethods.bar($0, $1, horizontal: true) }
        mark("""
             imshow(a, *, cmap="viridis", vmin=, vmax=, origin="upper", extent=, aspect="equal", alpha=1, x=, y=, top=,
                    right=, interpolation=)
             """,
             doc: "A 2-D tensor as an image (more than 4096 cells become one embedded PNG); extent is [left, right, bottom, top]; x=/y=/top=/right= put token labels on the four edges. Returns a Mappable for colorbar. The global form adds a colour bar unless colorbar=False.",
             example: "h = axs[0][1].imshow(a, cmap=\"magma\", vmin=0)", globalExample: "imshow(pattern, x=tokens, y=tokens, title=\"L0H1\")",
             PlotAxesMethods.imshow)
        mark("""
             text_grid(texts, values=None, *, colors=None, cmap="viridis", vmin=, vmax=, highlight=None,
                       highlight_color="gold", fontsize=None, text_color=, border=, quoted=False, x=, y=, top=, right=)
             """,
             doc: "A table of strings (tokens): each cell's colour from values through cmap, or from colors; highlighted cells gold and bold; text shrinks to fit; x=/y=/top=/right= put token labels on the four edges.",
             example: "ax.text_grid(tokens, highlight=matches, quoted=True)", globalExample: "text_grid(grid, values=probs, cmap=\"Blues\")",
             PlotAxesMethods.textGrid)
        mark("fill_between(x, y1, y2=0, *, color=, alpha=1, label=, zorder=1)",
             doc: "Fills the band between two curves over the same x (e.g. mean ± std).",
             example: "ax.fill_between(xs, mean - std, mean + std, alpha=0.3)",
             globalExample: "fill_between(range(n), lo, hi, alpha=0.3)", PlotAxesMethods.fillBetween)
        mark("axhline(y=0, *, color=, linestyle=\"-\", linewidth=1.5, xmin=0, xmax=1, alpha=1, label=, zorder=2)",
             aliases: PlotAxesMethods.lineAliases,
             doc: "A horizontal line across the axes.", example: "ax.axhline(clean, linestyle=\"--\", color=\"0.7\")",
             globalExample: "axhline(0, color=\"k\")") { try PlotAxesMethods.rule($0, $1, vertical: false) }
        mark("axvline(x=0, *, color=, linestyle=\"-\", linewidth=1.5, ymin=0, ymax=1, alpha=1, label=, zorder=2)",
             aliases: PlotAxesMethods.lineAliases,
             doc: "A vertical line across the axes.", example: "ax.axvline(5, color=\"r\")",
             globalExample: "axvline(12)") { try PlotAxesMethods.rule($0, $1, vertical: true) }
        mark("rect(x, y, width, height, *, facecolor=\"none\", edgecolor=\"black\", linewidth=1, alpha=1, label=, zorder=1)",
             doc: "A rectangle with lower-left corner (x, y) in data coordinates (matplotlib's Rectangle patch), e.g. a cell border; edgecolor=None draws no edge.",
             example: "ax.rect(c - 0.5, r - 0.5, 1, 1, edgecolor=\"white\", linewidth=3)",
             globalExample: "rect(0, 0, 1, 1)", PlotAxesMethods.rect)
        mark("text(x, y, s, *, fontsize=, color=, ha=\"left\", va=\"baseline\", fontweight=, rotation=0, transform=\"data\")",
             doc: "Text at (x, y) in data coordinates, or axes fractions with transform=\"axes\".",
             example: "ax.text(0.02, 0.95, \"note\", transform=\"axes\", va=\"top\")",
             globalExample: "text(3, 0.5, \"peak\")", PlotAxesMethods.text)
    }

    static let colorbarHeader = "colorbar(mappable=None, ax=None, location=\"right\", pad=None, label=\"\", shrink=1, aspect=20, cmap=, vmin=, vmax=)"

    static func colorbar(_ fig: FigureObject, _ args: BoundArguments) throws -> Value {
        var target: AxesObject? = try args.optional("ax").map { v -> AxesObject in
            if case .list(let l) = v, let last = l.items.last { return try axes(last) }
            return try axes(v)
        }
        var mappable: ScalarMappable? = nil
        if let m = args.optional("mappable") {
            if case .host(let h) = m, let mo = h as? MappableObject {
                mappable = mo.mappable; if target == nil { target = mo.axes }
            } else if case .host(let h) = m, let f = h as? FigureObject {
                if target == nil { target = AxesObject(f.current, f) }
            } else if case .host(let h) = m, let ao = h as? AxesObject {
                if target == nil { target = ao }
            } else { throw LoupeError("colorbar(): the first argument must be what imshow/scatter returned, not \(m.typeName)") }
        }
        if args.isGiven("cmap") || args.isGiven("vmin") || args.isGiven("vmax") {
            mappable = ScalarMappable(cmap: try PlotValues.cmap(args.optional("cmap")), vmin: try PlotAxesMethods.double(args, "vmin") ?? 0,
                                      vmax: try PlotAxesMethods.double(args, "vmax") ?? 1)
        }
        let ax = target ?? AxesObject(fig.current, fig)
        do {
            let cb = try fig.figure.colorbar(for: ax.axes, mappable: mappable,
                                             location: try PlotValues.side(args.optional("location"), "location", default: .right),
                                             label: try PlotAxesMethods.string(args, "label") ?? "", pad: try PlotAxesMethods.double(args, "pad"),
                                             aspect: try PlotAxesMethods.double(args, "aspect") ?? 20,
                                             shrink: try PlotAxesMethods.double(args, "shrink") ?? 1)
            return .host(ColorbarObject(cb, fig))
        } catch let e as PlotError {
            throw LoupeError(e.description, hint: "pass what imshow()/scatter(c=…) returned, or cmap=, vmin=, vmax=")
        }
    }

    static func save(_ fig: FigureObject, _ args: BoundArguments, _ interp: Interpreter) throws -> Value {
        let path = try FileBuiltins.writeURL(try args.string("path"), interp).path
        do { try fig.figure.save(to: path) } catch let e as PlotError { throw LoupeError(e.description) }
        fig.shown = true  // a saved figure is finished: the next pyplot-style call starts a new one
        return .string(path)
    }

    static func installFigure() {
        func method(_ header: String, _ doc: String, _ example: String,
                    _ body: @escaping (FigureObject, BoundArguments, Interpreter) throws -> Value) {
            Builtins.registerMethod(type: "Figure", "fig.\(header)", doc: doc, example: example) { interp, recv, args in
                try body(try figure(recv), args, interp)
            }
        }
        method(colorbarHeader,
               "A colour bar beside ax for what imshow/scatter returned (or for cmap=/vmin=/vmax=); location left/right/top/bottom.",
               "fig.colorbar(h, ax=axs[0], location=\"top\", pad=0.02)") { f, args, _ in try colorbar(f, args) }
        method("save(path)", "Writes the figure as .svg, or .png through rsvg-convert.", "fig.save(\"attention.svg\")") { f, a, i in try save(f, a, i) }
        method("savefig(path)", "Same as save(path).", "fig.savefig(\"x.png\")") { f, a, i in try save(f, a, i) }
        method("suptitle(text)", "A title over all the axes.", "fig.suptitle(\"Layer 0\")") { f, args, _ in
            f.figure.suptitle = PlotValues.text(args.value("text")); return .none
        }
        method("subplots_adjust(wspace=None, hspace=None, left=None, right=None, top=None, bottom=None)",
               "Space between columns/rows as a fraction of the axes size (left, right, top and bottom are accepted for matplotlib compatibility and ignored).",
               "fig.subplots_adjust(wspace=0, hspace=0.5)") { f, args, _ in
            if let w = try PlotAxesMethods.double(args, "wspace") { f.figure.wspace = w }
            if let h = try PlotAxesMethods.double(args, "hspace") { f.figure.hspace = h }
            return .none
        }
        method("tight_layout(*args, **kwargs)", "Accepted (with any arguments) for matplotlib compatibility; Loupe always lays figures out tightly.",
               "fig.tight_layout()") { _, _, _ in .none }
        method("set_size_inches(width, height)", "Changes the figure size.", "fig.set_size_inches(10, 4)") { f, args, _ in
            f.figure.width = try args.double("width"); f.figure.height = try args.double("height"); return .none
        }
    }

    static func installGlobals() {
        Builtins.register("subplots(nrows=1, ncols=1, figsize=(6.4, 4.8), sharex=False, sharey=False, theme=None, squeeze=True)",
                          doc: "A new figure with a grid of axes, as matplotlib's plt.subplots: returns (fig, axes); axes is one Axes for 1×1, a list-like for one row or column (squeeze=False: always rows of Axes), else rows of Axes.",
                          example: "fig, axs = subplots(2, 3, figsize=(12, 8))\naxs[0][1].imshow(a, cmap=\"magma\")") { _, args in
            let rows = try args.int("nrows"), cols = try args.int("ncols")
            guard rows >= 1, cols >= 1, rows * cols <= 400 else { throw LoupeError("subplots(): nrows and ncols must be at least 1 (and at most 400 axes)") }
            var w = 6.4, h = 4.8
            if let fs = try PlotValues.pair(args.optional("figsize"), "figsize") { w = fs.0 ?? w; h = fs.1 ?? h }
            guard w > 0, h > 0, w <= 100, h <= 100 else { throw LoupeError("figsize must be positive inches (at most 100)") }
            let theme = try args.optional("theme").map { try PlotState.theme($0) }
            let fig = FigureObject(Figure(width: w, height: h, rows: rows, columns: cols, sharex: args.value("sharex").isTruthy,
                                          sharey: args.value("sharey").isTruthy, theme: theme))
            PlotState.current = fig
            let squeeze = args.value("squeeze").isTruthy
            let axesValues = fig.figure.axes.map { row in row.map { Value.host(AxesObject($0, fig)) } }
            let axesValue: Value
            if squeeze && rows == 1 && cols == 1 { axesValue = axesValues[0][0] }
            else if squeeze && (rows == 1 || cols == 1) { axesValue = .host(AxesGridObject(axesValues.flatMap { $0 }, is2D: false)) }
            else { axesValue = .host(AxesGridObject(axesValues.map { .host(AxesGridObject($0, is2D: false)) }, is2D: true)) }
            return .tuple([.host(fig), axesValue])
        }
        for (key, what) in [("title", "the current axes' title"), ("xlabel", "the current x-axis label"), ("ylabel", "the current y-axis label")] {
            Builtins.register("\(key)(text)", doc: "Sets \(what); returns the figure.", example: "\(key)(\"Layer\")") { _, args in
                let ax = current()
                try PlotAxesMethods.set(ax, [key: args.value("text")])
                return .host(ax.owner!)
            }
        }
        for axis in ["x", "y"] {
            Builtins.register("\(axis)lim(low, high=None)", doc: "Sets the current axes' \(axis) limits; returns the figure.",
                              example: "\(axis)lim(0, 10)") { _, args in
                let ax = current()
                let lo = try PlotAxesMethods.double(args, "low"), hi = try PlotAxesMethods.double(args, "high")
                if axis == "x" { ax.axes.setXLim(lo, hi) } else { ax.axes.setYLim(lo, hi) }
                return .host(ax.owner!)
            }
        }
        Builtins.register(PlotAxesSettings.legendHeader, doc: PlotAxesSettings.legendDoc + " On the current axes; returns the figure.",
                          example: "plot(a, label=\"a\"); plot(b, label=\"b\"); legend()") { _, args in
            let ax = current()
            try PlotAxesSettings.legend(ax, args)
            return .host(ax.owner!)
        }
        Builtins.register(colorbarHeader, doc: "A colour bar on the current figure (see fig.colorbar); returns the Colorbar (cb.set_label(text)), which shows as its figure.",
                          example: "h = imshow(a, colorbar=False)\ncolorbar(label=\"value\")") { _, args in
            try colorbar(PlotState.currentFigure(), args)
        }
        Builtins.register("suptitle(text)", doc: "A title over the whole current figure; returns the figure.",
                          example: "suptitle(\"Attention in layer 0\")") { _, args in
            let f = PlotState.currentFigure(); f.figure.suptitle = PlotValues.text(args.value("text")); return .host(f)
        }
        Builtins.register("savefig(path)", doc: "Writes the current figure (.svg, or .png through rsvg-convert); returns the path.",
                          example: "savefig(\"hist.svg\")") { interp, args in
            try save(PlotState.currentFigure(), args, interp)
        }
        Builtins.register("gcf()", doc: "The current figure (a new one if the last was shown).", example: "fig = gcf()") { _, _ in
            .host(PlotState.currentFigure())
        }
        Builtins.register("gca()", doc: "The current axes.", example: "gca().set(xlabel=\"x\")") { _, _ in .host(current()) }
        Builtins.register("theme(name=None)", doc: "Sets the theme for new figures (\"light\" or \"dark\", the attention-breakdown notebook's dark mode) and for the current unshown figure; returns the theme's name. theme() just returns it.",
                          example: "theme(\"dark\")") { _, args in
            if let v = args.optional("name") {
                let t = try PlotState.theme(v)
                Theme.current = t
                if let c = PlotState.current, !c.shown { c.figure.theme = t }
            }
            return .string(Theme.current.name)
        }
        Builtins.register("colormap(name, v)", doc: "The colour (\"#rrggbb\") of a matplotlib colour map at v in 0…1 (a list for a list), like mpl.cm.plasma(v).",
                          example: "color = colormap(\"plasma\", i / n_layers)") { _, args in
            let cmap = try PlotValues.cmap(args.value("name"))
            let v = args.value("v")
            switch v {
            case .int, .float, .bool: return .string(cmap.color(normalized: try v.asDouble("v")).hex)
            default: return .list(try PlotValues.numbers(v, "v").map { .string(cmap.color(normalized: $0).hex) })
            }
        }
        Builtins.register("scalar_mappable(cmap, vmin=0, vmax=1)", doc: "A colour map over vmin…vmax for colorbar() without an image (matplotlib's ScalarMappable + Normalize).",
                          example: "fig.colorbar(scalar_mappable(\"plasma\", 0, 36), ax=axs[1], label=\"Transformer block\")") { _, args in
            .host(MappableObject(ScalarMappable(cmap: try PlotValues.cmap(args.value("cmap")), vmin: try PlotAxesMethods.double(args, "vmin") ?? 0,
                                                vmax: try PlotAxesMethods.double(args, "vmax") ?? 1), nil))
        }
    }
}
