import LoupeNotebook
import LoupeInterpreter
import LoupePlot

/// One window of one decoding step's attention map, drawn as llama-attn-maps' seaborn heatmap: one row
/// per layer plus a last row, one column per key position; a cell's colour is the attention the decoding
/// position pays that key in that layer (coolwarm over 0…1, a colour bar, black cell borders), its text
/// the row's token label: row 0 the input tokens, row l + 1 the logit lens after block l, so the last row
/// is the model's prediction (its colour row is zeros, as the viewer pads it).
enum AttentionMapFigure {
    /// attention: [layer][column] of the window; labels: [layer + 1][column]; firstPosition numbers the columns.
    static func figure(attention: [[Float]], labels: [[String]], firstPosition: Int) throws -> Figure {
        let fig = Figure(width: 28, height: 18)
        let ax = fig.ax
        let columns = labels.first?.count ?? 0
        let values = attention.map { $0.map(Double.init) } + [[Double](repeating: 0, count: columns)]
        ax.textGrid(labels.map { $0.map(AttentionTokenFigure.label) }, values: values,
                    cmap: Colormap.named("coolwarm") ?? .viridis, vmin: 0, vmax: 1, fontSize: 6)
        // The viewer's cell borders (seaborn's linewidths=0.5, linecolor="black"), drawn over every cell.
        for r in 0...labels.count { ax.axhline(Double(r) - 0.5, color: .black, lineWidth: 0.5) }
        for c in 0...columns { ax.axvline(Double(c) - 0.5, color: .black, lineWidth: 0.5) }
        ax.setXTicks((0..<columns).map { String(firstPosition + $0) })
        ax.setYTicks(labels.indices.map(String.init))
        try fig.colorbar(for: ax)
        return fig
    }
}
