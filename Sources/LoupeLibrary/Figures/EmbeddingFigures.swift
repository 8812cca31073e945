import LoupeNotebook
import LoupeInterpreter
import LoupePlot

/// T-SNE/PCA scatter of attention-token embeddings and its shared-token heatmap.
enum EmbeddingFigures {
    /// points: [n][2]; layers: [n] colour index (viridis over 0..<nLayers).
    static func drawScatter(into ax: Axes, x: [Double], y: [Double], layers: [Int], nLayers: Int, title: String) {
        ax.scatter(x: x, y: y, sizes: [9], values: layers.map(Double.init), cmap: .viridis, vmin: 0,
                   vmax: Double(max(nLayers - 1, 1)), lineWidth: 0, alpha: 0.8)
        ax.set(title: title)
        ax.xticks = []; ax.yticks = []
    }

    static func scatterFigure(x: [Double], y: [Double], layers: [Int], nLayers: Int, title: String) -> Figure {
        let fig = Figure(width: 6.4, height: 5.2)
        drawScatter(into: fig.ax, x: x, y: y, layers: layers, nLayers: nLayers, title: title)
        _ = try? fig.colorbar(for: fig.ax, label: "Layer")
        return fig
    }

    /// A [heads, heads] matrix of shared-token counts (diagonal: each head's own count, masked so the
    /// off-diagonal structure keeps the colour range).
    static func drawShared(into ax: Axes, matrix: [[Double]], nHeadsPerLayer: Int, title: String) {
        let n = matrix.count
        var m = matrix
        for i in 0..<n { m[i][i] = .nan }
        let hi = m.flatMap { $0 }.filter { $0.isFinite }.max() ?? 1
        ax.imshow(m, cmap: .viridis, vmin: 0, vmax: max(hi, 1))
        if nHeadsPerLayer > 0, n > nHeadsPerLayer {
            let ticks = Array(stride(from: 0, to: n, by: nHeadsPerLayer))
            ax.setXTicks(ticks.map { "L\($0 / nHeadsPerLayer)" }, positions: ticks.map(Double.init))
            ax.setYTicks(ticks.map { "L\($0 / nHeadsPerLayer)" }, positions: ticks.map(Double.init))
        }
        ax.set(xlabel: "Head", ylabel: "Head", title: title)
    }

    static func sharedFigure(matrix: [[Double]], nHeadsPerLayer: Int, title: String) -> Figure {
        let fig = Figure(width: 6.4, height: 5.4)
        drawShared(into: fig.ax, matrix: matrix, nHeadsPerLayer: nHeadsPerLayer, title: title)
        _ = try? fig.colorbar(for: fig.ax, label: "Shared tokens")
        return fig
    }
}
