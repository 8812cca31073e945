import Foundation
import LoupePlot

/// Static pictures of attention drawn with LoupePlot, so a view's fallback in the .ipynb looks like
/// the report's other figures (matplotlib's style): token tick labels, a colour bar, rasters for big
/// matrices. Past 100 positions the matrix is max-pooled and shown on a sqrt scale, as the views do.
enum PlotFallback {
    /// `matrix` is [n, n] (dest rows, src columns).
    static func heatmap(_ matrix: [Float], n: Int, tokens: [String], lo: Float, hi: Float, title: String) -> String {
        let (values, size, transformed) = prepare(matrix, n: n, lo: lo, hi: hi)
        let inches = min(9, max(4.2, 1.6 + Double(min(n, 48)) * 0.16))
        let fig = Figure(width: inches + 0.9, height: inches)
        fig.name = "attention"
        let ax = fig.ax
        ax.imshow(values: values, rows: size, cols: size, cmap: Colormap.named("Blues") ?? .viridis,
                  vmin: transformed ? 0 : Double(lo), vmax: transformed ? 1 : Double(hi))
        if n <= 48 {
            let labels = tokens.map { StaticSVG.label($0, max: 12) }
            ax.setXTicks(labels, rotation: 90)
            ax.setYTicks(labels)
        }
        ax.set(xlabel: "source (key)", ylabel: "destination (query)", title: title)
        _ = try? fig.colorbar(for: ax, label: transformed ? "√ attention (max-pooled)" : "attention")
        return fig.svg()
    }

    /// A grid of per-head heatmaps without ticks, titled by head name.
    static func headsGrid(_ pattern: [Float], heads: Int, n: Int, names: [String], lo: Float, hi: Float, title: String) -> String {
        let columns = min(heads, 6), rows = (heads + columns - 1) / columns
        let fig = Figure(width: 1.9 * Double(columns) + 0.4, height: 2.1 * Double(rows) + 0.6, rows: rows, columns: columns)
        fig.name = "attention-heads"
        fig.suptitle = title
        for (i, ax) in fig.allAxes.enumerated() {
            guard i < heads else { ax.axisVisible = false; continue }
            let slice = Array(pattern[(i * n * n)..<((i + 1) * n * n)])
            let (values, size, transformed) = prepare(slice, n: n, lo: lo, hi: hi)
            ax.imshow(values: values, rows: size, cols: size, cmap: Colormap.named("Blues") ?? .viridis,
                      vmin: transformed ? 0 : Double(lo), vmax: transformed ? 1 : Double(hi))
            ax.showXTickLabels = false
            ax.showYTickLabels = false
            ax.xticks = []
            ax.yticks = []
            ax.set(title: StaticSVG.label(names[i], max: 18))
        }
        return fig.svg()
    }

    /// Small matrices as they are; big ones max-pooled to 160 a side and put through sqrt on [0, 1].
    static func prepare(_ m: [Float], n: Int, lo: Float, hi: Float) -> (values: [Double], size: Int, transformed: Bool) {
        guard n > 100 else { return (m.map(Double.init), n, false) }
        let pooled = StaticSVG.pool(m, rows: n, cols: n, limit: 160)
        let span = hi > lo ? hi - lo : 1
        return (pooled.values.map { (Double(max(0, min(1, ($0 - lo) / span)))).squareRoot() }, pooled.rows, true)
    }

    /// the attention-when-generating notebook's logit-lens grid: each cell the best token, its colour the value, gold where it equals
    /// the position's target.
    static func topkGrid(tokens: [String], rowLabels: [String], topTokens: [[[String]]], topValues: [[[Double]]],
                         targets: [String]?, rowName: String, valueName: String, title: String) -> String {
        let texts = topTokens.map { $0.map { StaticSVG.label($0.first ?? "", max: 10) } }
        let values = topValues.map { $0.map { $0.first ?? .nan } }
        let highlight = targets.map { t in topTokens.map { row in row.enumerated().map { p, cell in cell.first.map { $0 == t[p] } ?? false } } }
        let fig = Figure(width: min(30, 1.8 + 0.95 * Double(tokens.count)), height: min(30, 1.6 + 0.28 * Double(rowLabels.count)))
        fig.name = "topk"
        let ax = fig.ax
        ax.textGrid(texts, values: values, cmap: Colormap.named("Blues") ?? .viridis, vmin: 0, vmax: 1, highlight: highlight)
        ax.setXTicks(tokens.map { StaticSVG.label($0, max: 12) }, rotation: 90)
        ax.setYTicks(rowLabels.map { StaticSVG.label($0, max: 12) })
        ax.set(ylabel: rowName, title: title)
        _ = try? fig.colorbar(for: ax, label: valueName)
        return fig.svg()
    }
}
