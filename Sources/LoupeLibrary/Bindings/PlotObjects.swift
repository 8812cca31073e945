import LoupeNotebook
import LoupeInterpreter
import LoupePlot
import LoupeReport

/// A figure in Loupe code. Shown as a cell's value it becomes `CellOutput.figure`; after that the
/// pyplot-style global functions (`plot`, `hist`, …) start a new figure, as Jupyter does per cell.
final class FigureObject: HostObject {
    let typeName = "Figure"
    let figure: Figure
    var current: Axes
    var shown = false

    init(_ figure: Figure) { self.figure = figure; current = figure.ax }

    func repr() -> String {
        let n = figure.rows * figure.columns
        return "<Figure \(TickFormatter.compact(figure.width))×\(TickFormatter.compact(figure.height)) in, \(n) axes>"
    }

    func display() -> CellOutput? {
        shown = true
        return .figure(svg: figure.svg(), name: PlotState.fileStem(figure))
    }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "axes": return .list(figure.allAxes.map { .host(AxesObject($0, self)) })
        case "ax": return .host(AxesObject(figure.ax, self))
        case "svg": return .string(figure.svg())
        case "theme": return .string(figure.theme.name)
        case "figsize": return .tuple([.float(figure.width), .float(figure.height)])
        default: return nil
        }
    }

    func setAttribute(_ name: String, _ value: Value, interpreter: Interpreter) throws -> Bool {
        switch name {
        case "theme": figure.theme = try PlotState.theme(value); return true
        case "name": figure.name = try value.asString("name"); return true
        default: return false
        }
    }

    var memberNames: [String] { ["axes", "ax", "svg", "theme", "figsize", "name"] }
    var help: String { "Figure: a grid of axes, a suptitle, colour bars and a theme; fig.axes lists the axes, fig.theme = \"dark\"." }
}

/// One plot area in Loupe code; methods are registered in PlotBindings.
final class AxesObject: HostObject {
    let typeName = "Axes"
    let axes: Axes
    var owner: FigureObject?   // strong: a figure lives as long as any of its axes is reachable

    init(_ axes: Axes, _ owner: FigureObject?) { self.axes = axes; self.owner = owner }

    func repr() -> String { "<Axes row \(axes.row) column \(axes.column)\(axes.title.isEmpty ? "" : " \"\(axes.title)\"")>" }
    func display() -> CellOutput? { owner?.display() }
    var help: String { "Axes: one plot area (matplotlib's Axes)." }
}

/// The axes of subplots(r, c) as matplotlib returns them: `axs[i][j]`, `axs[i, j]`, or `axs[k]` for one row/column;
/// `axs.flatten()` is registered in PlotBindings.
final class AxesGridObject: HostObject {
    let typeName = "AxesArray"
    let items: [Value]
    let is2D: Bool

    init(_ items: [Value], is2D: Bool) { self.items = items; self.is2D = is2D }

    var length: Int? { items.count }
    func iterate() throws -> [Value]? { items }
    func repr() -> String { "<AxesArray of \(items.count)\(is2D ? " rows" : "")>" }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        if case .tuple(let parts) = key {
            var v: Value = .host(self)
            for p in parts {
                guard case .host(let h) = v, let g = h as? AxesGridObject else { throw LoupeError("too many indices for the axes array") }
                v = try g.at(p)
            }
            return v
        }
        return try at(key)
    }

    func at(_ key: Value) throws -> Value {
        var i = try key.asInt("axes index")
        if i < 0 { i += items.count }
        guard i >= 0 && i < items.count else { throw LoupeError("axes index \(i) is out of range (there are \(items.count))") }
        return items[i]
    }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if name == "flat" { return .list(flat()) }
        return nil
    }

    func flat() -> [Value] {
        items.flatMap { v -> [Value] in
            if case .host(let h) = v, let g = h as? AxesGridObject { return g.flat() }
            return [v]
        }
    }

    var memberNames: [String] { ["flat"] }
    var help: String { "AxesArray: the axes of subplots(); index as axs[i][j] or axs[i, j]; axs.flat lists them all." }
}

/// What imshow / scatter(c=values) return and what a colour bar shows (matplotlib's ScalarMappable).
final class MappableObject: HostObject {
    let typeName = "Mappable"
    let mappable: ScalarMappable
    let axes: AxesObject?

    init(_ m: ScalarMappable, _ axes: AxesObject?) { mappable = m; self.axes = axes }
    func repr() -> String { "<Mappable \(mappable.cmap.name) \(TickFormatter.compact(mappable.vmin))…\(TickFormatter.compact(mappable.vmax))>" }
    func display() -> CellOutput? { axes?.owner?.display() }
    var help: String { "Mappable: a colour map over a value range; pass it to colorbar()." }
}

/// A colour bar in Loupe code; `cb.set_label` is registered in PlotBindings.
final class ColorbarObject: HostObject {
    let typeName = "Colorbar"
    let colorbar: Colorbar
    var owner: FigureObject?   // strong: a figure lives as long as any of its axes is reachable

    init(_ c: Colorbar, _ owner: FigureObject?) { colorbar = c; self.owner = owner }

    func setAttribute(_ name: String, _ value: Value, interpreter: Interpreter) throws -> Bool {
        guard name == "label" else { return false }
        colorbar.label = PlotValues.text(value)
        return true
    }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        name == "label" ? .string(colorbar.label) : nil
    }

    func repr() -> String { "<Colorbar \(colorbar.mappable.cmap.name)>" }
    func display() -> CellOutput? { owner?.display() }
    var memberNames: [String] { ["label"] }
    var help: String { "Colorbar: cb.set_label(text) or cb.label = text." }
}

/// pyplot's implicit "current figure".
enum PlotState {
    nonisolated(unsafe) static var current: FigureObject? = nil

    /// The current figure, or a new one when there is none or the last was already shown.
    static func currentFigure() -> FigureObject {
        if let c = current, !c.shown { return c }
        let f = FigureObject(Figure())
        current = f
        return f
    }

    static func theme(_ v: Value) throws -> Theme {
        let name = try v.asString("theme")
        guard let t = Theme.named(name) else {
            throw LoupeError("unknown theme \"\(name)\"", hint: "use one of: \(Theme.names.joined(separator: ", "))")
        }
        return t
    }

    /// A file-name stem from the figure's name, suptitle or first title: lower-case words joined by "-".
    static func fileStem(_ f: Figure) -> String {
        let source = f.name ?? (f.suptitle.isEmpty ? f.allAxes.map { $0.title }.first { !$0.isEmpty } ?? "figure" : f.suptitle)
        var out = ""
        var dash = false
        for ch in source.lowercased().unicodeScalars {
            if (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") { out.unicodeScalars.append(ch); dash = false }
            else if !dash && !out.isEmpty { out += "-"; dash = true }
            if out.count >= 40 { break }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "figure" : out
    }
}
