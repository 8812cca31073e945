import LoupeNotebook
import LoupeInterpreter
import LoupePlot

/// Attention map for one generated token and one window of key positions: rows are layers
/// (plus a last "Output" row with the model's final prediction at each position), columns the window's
/// positions; a cell's colour is the attention the current (last) position pays to that key in that
/// layer, its text the logit-lens token of that layer at that position.
enum AttentionMapFigure {
    /// attention: [layer][column] for the window; lens: [layer][column] token text; output: [column];
    /// inputs: [column] the input token at each position (x labels); firstPosition labels the columns.
    static func draw(into ax: Axes, attention: [[Double]], lens: [[String]], output: [String], inputs: [String],
                     firstPosition: Int, title: String) {
        let hi = max(attention.flatMap { $0 }.filter { $0.isFinite }.max() ?? 1, 1e-6)
        let cmap = Colormap.named("Blues") ?? .viridis
        var colors = attention.map { row in row.map { cmap.color($0, vmin: 0, vmax: hi) } }
        colors.append(output.map { _ in Color(hex: 0xFFE9A8) })
        let texts = lens.map { $0.map(AttentionTokenFigure.label) } + [output.map(AttentionTokenFigure.label)]
        ax.textGrid(texts, colors: colors, fontSize: nil, cellBorder: Color(hex: 0xFFFFFF))
        ax.setXTicks(zip(inputs.indices, inputs).map { "\(firstPosition + $0) \(AttentionTokenFigure.label($1))" }, rotation: 90)
        ax.setYTicks(attention.indices.map { "Layer \($0)" } + ["Output"])
        ax.tickFontSize = 7
        ax.set(title: title)
    }

    static func figure(attention: [[Double]], lens: [[String]], output: [String], inputs: [String],
                       firstPosition: Int, title: String) -> Figure {
        let cols = Double(inputs.count), rows = Double(attention.count + 1)
        let fig = Figure(width: min(30, 0.62 * cols + 1.8), height: min(30, 0.3 * rows + 2.2))
        draw(into: fig.ax, attention: attention, lens: lens, output: output, inputs: inputs,
             firstPosition: firstPosition, title: title)
        return fig
    }
}
