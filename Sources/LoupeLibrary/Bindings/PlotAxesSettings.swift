import LoupeInterpreter
import LoupePlot

/// The Axes' setting methods (`ax.set`, `ax.set_title`, limits, ticks, legend, spines, twinx, …), the
/// Colorbar's `cb.set_label` and the axes array's `axs.flatten()`, each declared once by its header.
enum PlotAxesSettings {
    static func axesMethod(_ header: String, _ doc: String, _ example: String,
                           _ body: @escaping (AxesObject, BoundArguments) throws -> Value) {
        Builtins.registerMethod(type: "Axes", "ax.\(header)", doc: doc, example: example) { _, recv, args in
            try body(try PlotBindings.axes(recv), args)
        }
    }

    /// `legend([labels], [loc], [fontsize], labels=, loc=, fontsize=)`: a list first names the lines in order.
    static let legendHeader = "legend(*args, labels=None, loc=\"best\", fontsize=None)"
    static let legendDoc = "Shows a legend of labelled marks (a twin axis's too); a list of labels first names the lines in order, as legend([\"Q\", \"K\", \"V\"]); the other positionals are loc and fontsize."

    static func legend(_ ax: AxesObject, _ args: BoundArguments) throws {
        var rest = args.varArgs
        var labels: [String]? = nil
        if let first = rest.first, case .list = first { labels = try PlotValues.strings(first, "labels"); rest.removeFirst() }
        if args.isGiven("labels") { labels = try PlotValues.strings(args.value("labels"), "labels") }
        guard rest.count <= 2 else { throw LoupeError("legend() takes at most 2 positional arguments (\(rest.count) given)") }
        if rest.count >= 1, args.isGiven("loc") { throw LoupeError("legend() got two values for argument `loc`") }
        if rest.count == 2, args.isGiven("fontsize") { throw LoupeError("legend() got two values for argument `fontsize`") }
        var loc = LegendLocation.best
        if let s = try PlotValues.string(rest.count >= 1 ? rest[0] : args.value("loc"), "loc") {
            guard let l = LegendLocation(rawValue: s) else {
                throw LoupeError("unknown legend location \"\(s)\"", hint: "use one of: " + LegendLocation.allCases.map { $0.rawValue }.joined(separator: ", "))
            }
            loc = l
        }
        if let labels = labels { ax.axes.legend(labels: labels, location: loc) } else { ax.axes.legend(location: loc) }
        ax.axes.legendFontSize = try PlotValues.double(rest.count == 2 ? rest[1] : args.value("fontsize"), "fontsize")
    }

    static func install() {
        axesMethod("set(*, xlabel=, ylabel=, title=, xlim=, ylim=, xscale=, yscale=, xticks=, yticks=, xticklabels=, yticklabels=, aspect=)",
                   "Sets several properties at once, as matplotlib's ax.set.", "ax.set(xlabel=\"Layer\", title=\"Variance\", xlim=[0, 36])") { ax, args in
            try PlotAxesMethods.set(ax, PlotAxesMethods.given(args, PlotAxesMethods.setKeywords)); return .none
        }
        for (key, what) in [("title", "title"), ("xlabel", "x-axis label"), ("ylabel", "y-axis label")] {
            axesMethod("set_\(key)(text, color=None, fontsize=None)", "Sets the \(what) (fontsize is accepted and ignored).",
                       "ax.set_\(key)(\"…\")") { ax, args in
                let text = PlotValues.text(args.value("text"))
                let color = try PlotAxesMethods.color(args, "color")
                switch key {
                case "title": ax.axes.title = text; ax.axes.titleColor = color
                case "xlabel": ax.axes.xlabel = text; ax.axes.xlabelColor = color
                default: ax.axes.ylabel = text; ax.axes.ylabelColor = color
                }
                return .none
            }
        }
        for axis in ["x", "y"] {
            axesMethod("set_\(axis)lim(low, high=None)", "Sets the \(axis) view limits (None keeps automatic; high < low inverts).",
                       "ax.set_\(axis)lim(0, None)") { ax, args in
                var lo = try PlotValues.double(args.value("low"), "low"), hi = try PlotValues.double(args.value("high"), "high")
                if !args.isGiven("high"), let p = try? PlotValues.pair(args.value("low"), "limits") { lo = p.0; hi = p.1 }
                if axis == "x" { ax.axes.setXLim(lo, hi) } else { ax.axes.setYLim(lo, hi) }
                return .none
            }
            axesMethod("set_\(axis)scale(scale)", "Linear or base-10 log \(axis) axis: scale is \"linear\" or \"log\".", "ax.set_\(axis)scale(\"log\")") { ax, args in
                let s = try PlotValues.scale(args.value("scale"), "scale") ?? .linear
                if axis == "x" { ax.axes.xscale = s } else { ax.axes.yscale = s }
                return .none
            }
            axesMethod("set_\(axis)ticks(positions, labels=None, rotation=None)", "Tick positions and optional labels (e.g. tokens).",
                       "ax.set_\(axis)ticks(range(len(tokens)), tokens)") { ax, args in
                let p = try PlotValues.numbers(args.value("positions"), "positions")
                let l = try args.optional("labels").map { try PlotValues.strings($0, "labels") }
                if axis == "x" {
                    ax.axes.xticks = p; if let l = l { ax.axes.xtickLabels = l }
                    ax.axes.xtickRotation = try PlotAxesMethods.double(args, "rotation") ?? ax.axes.xtickRotation
                } else { ax.axes.yticks = p; if let l = l { ax.axes.ytickLabels = l } }
                return .none
            }
            axesMethod("set_\(axis)ticklabels(labels, rotation=None)", "Labels for the current ticks (positions 0, 1, … when none were set).",
                       "ax.set_\(axis)ticklabels([f\"Layer {i}\" for i in layers])") { ax, args in
                let l = try PlotValues.strings(args.value("labels"), "labels")
                if axis == "x" {
                    ax.axes.xtickLabels = l; if ax.axes.xticks == nil { ax.axes.xticks = (0..<l.count).map(Double.init) }
                    ax.axes.xtickRotation = try PlotAxesMethods.double(args, "rotation") ?? ax.axes.xtickRotation
                } else { ax.axes.ytickLabels = l; if ax.axes.yticks == nil { ax.axes.yticks = (0..<l.count).map(Double.init) } }
                return .none
            }
        }
        axesMethod("tick_params(axis=\"both\", colors=None, labelsize=None)", "Colours (ticks and tick labels) and size of tick labels.",
                   "ax.tick_params(axis=\"y\", colors=(0.7, 0.9, 0.7))") { ax, args in
            let which = try PlotAxesMethods.string(args, "axis") ?? "both"
            if let c = try PlotAxesMethods.color(args, "colors") {
                if which != "y" { ax.axes.xTickColor = c }
                if which != "x" { ax.axes.yTickColor = c }
            }
            if let s = try PlotAxesMethods.double(args, "labelsize") { ax.axes.tickFontSize = s }
            return .none
        }
        axesMethod(legendHeader, legendDoc, "ax.legend(loc=\"upper left\")") { ax, args in
            try legend(ax, args); return .none
        }
        axesMethod("twinx()", "A second y axis on the right sharing this x axis.", "ax2 = ax.twinx()") { ax, _ in
            .host(AxesObject(ax.axes.twinx(), ax.owner))
        }
        axesMethod("grid(visible=True)", "Grid lines at the major ticks.", "ax.grid()") { ax, args in
            ax.axes.grid = args.value("visible").isTruthy
            return .none
        }
        axesMethod("axis(state)", "Hides (state \"off\") or shows (\"on\") spines, ticks and axis labels.", "ax.axis(\"off\")") { ax, args in
            ax.axes.axisVisible = (try PlotAxesMethods.string(args, "state")) != "off"
            return .none
        }
        axesMethod("invert_yaxis()", "Flips the y axis (larger values downwards).", "ax.invert_yaxis()") { ax, _ in
            ax.axes.yInverted.toggle(); return .none
        }
        axesMethod("set_spines(left=, right=, top=, bottom=)", "Shows or hides individual spines (matplotlib's ax.spines[side].set_visible).",
                   "ax.set_spines(right=True)") { ax, args in
            for (name, side) in [("left", Side.left), ("right", .right), ("top", .top), ("bottom", .bottom)] where args.isGiven(name) {
                ax.axes.spineVisible[side] = args.value(name).isTruthy
            }
            return .none
        }
        axesMethod("set_top_ticks(labels, positions=None)", "A second set of labels along the top edge (e.g. query tokens).",
                   "ax.set_top_ticks(query_tokens)") { ax, args in
            ax.axes.setTopTicks(try PlotValues.strings(args.value("labels"), "labels"),
                                positions: try args.optional("positions").map { try PlotValues.numbers($0, "positions") })
            return .none
        }
        axesMethod("set_right_ticks(labels, positions=None)", "A second set of labels along the right edge (e.g. key tokens).",
                   "ax.set_right_ticks(key_tokens)") { ax, args in
            ax.axes.setRightTicks(try PlotValues.strings(args.value("labels"), "labels"),
                                  positions: try args.optional("positions").map { try PlotValues.numbers($0, "positions") })
            return .none
        }
        axesMethod("hide_labels()", "Hides tick labels on both axes (small multiples).", "ax.hide_labels()") { ax, _ in
            ax.axes.showXTickLabels = false; ax.axes.showYTickLabels = false; return .none
        }
        Builtins.registerMethod(type: "Colorbar", "cb.set_label(label)", doc: "Sets the colour bar's label (also cb.label = text).",
                                example: "cb.set_label(\"probability\")") { _, recv, args in
            guard case .host(let h) = recv, let cb = h as? ColorbarObject else { throw LoupeError("expected a Colorbar, not \(recv.typeName)") }
            cb.colorbar.label = PlotValues.text(args.value("label"))
            return .none
        }
        for name in ["flatten", "ravel"] {
            Builtins.registerMethod(type: "AxesArray", "axs.\(name)()", doc: "All the axes in one list, row by row (as axs.flat).",
                                    example: "for ax in axs.\(name)(): ax.grid()") { _, recv, _ in
                guard case .host(let h) = recv, let g = h as? AxesGridObject else { throw LoupeError("expected an AxesArray, not \(recv.typeName)") }
                return .list(g.flat())
            }
        }
    }
}
