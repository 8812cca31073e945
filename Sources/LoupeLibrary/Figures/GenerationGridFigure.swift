import LoupeNotebook
import LoupeInterpreter
import LoupePlot

/// Picture of greedy generation: a layers × steps grid of each layer's logit-lens top token
/// (in quotes), gold and bold where it equals the token finally generated at that step, light grey
/// elsewhere, rows labelled "Layer N".
enum GenerationGridFigure {
    /// tokens, matches: [row][step]; layers: the layer index of each row.
    static func draw(into ax: Axes, tokens: [[String]], matches: [[Bool]], layers: [Int], title: String) {
        let grey = Color(hex: 0xE0E0E0)
        ax.textGrid(tokens, colors: tokens.map { $0.map { _ in grey } }, highlight: matches,
                    highlightColor: .gold, fontSize: 8, textColor: .black, quoted: true)
        let steps = tokens.first?.count ?? 0
        ax.setXTicks((0..<steps).map(String.init))
        ax.setYTicks(layers.map { "Layer \($0)" })
        ax.set(xlabel: "Generation step", ylabel: "Layer", title: title)
    }

    static func figure(tokens: [[String]], matches: [[Bool]], layers: [Int], title: String) -> Figure {
        let steps = tokens.first?.count ?? 0
        let fig = Figure(width: min(24, max(6, 1.1 * Double(steps) + 2)), height: min(24, max(4, 0.45 * Double(layers.count) + 1.6)))
        draw(into: fig.ax, tokens: tokens, matches: matches, layers: layers, title: title)
        return fig
    }
}
