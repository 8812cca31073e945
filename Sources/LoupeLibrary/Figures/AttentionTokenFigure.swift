import LoupeNotebook
import LoupeInterpreter
import LoupeAnalysis
import LoupePlot

/// `plot_attn`: the q⊙k attention-token grid of one head. Rows are query positions, columns
/// key positions (causal: the upper triangle is empty). A cell's colour is the order in which its token
/// was first met scanning the grid row by row (viridis: later discoveries brighter), so colours show how
/// a head reuses its small vocabulary, not which token it is. Each side labels the positions along it
/// with one component's token there: query tokens on top, key tokens on the right, value tokens at the
/// bottom, input tokens on the left. The final position's attention is overlaid as white cell borders
/// on the last row, thicker for more attention.
enum AttentionTokenFigure {
    /// Index of each q⊙k cell's token in order of first appearance; -1 where masked. [query][key]
    static func discoveryOrder(_ qk: [[Int]]) -> (order: [[Int]], distinct: Int) {
        var seen: [Int: Int] = [:]
        let order = qk.map { row in
            row.map { tok -> Int in
                guard tok >= 0 else { return -1 }
                if let i = seen[tok] { return i }
                seen[tok] = seen.count
                return seen.count - 1
            }
        }
        return (order, seen.count)
    }

    static func draw(into ax: Axes, data: AttentionTokenData, tokenText: (Int) -> String,
                     hideLabels: Bool = false, title: String? = nil) {
        let n = data.input.count
        let (order, distinct) = discoveryOrder(data.qk)
        var values = [Double](repeating: .nan, count: n * n) // [query, key]
        for i in 0..<n { for j in 0..<n where order[i][j] >= 0 { values[i * n + j] = Double(order[i][j]) } }
        ax.imshow(values: values, rows: n, cols: n, cmap: .viridis, vmin: 0, vmax: Double(max(distinct - 1, 1)))
        if n > 0, let last = data.attn.last {
            let peak = max(last.max() ?? 0, 1e-6)
            for (j, a) in last.enumerated() where Double(a / peak) > 0.02 {
                ax.rect(x: Double(j) - 0.5, y: Double(n - 1) - 0.5, width: 1, height: 1, face: .none, edge: .white,
                        lineWidth: 0.4 + 2.6 * Double(a / peak), zorder: 3)
            }
        }
        if hideLabels {
            ax.xticks = []; ax.yticks = []
        } else {
            ax.setXTicks(data.v.map { Self.label(tokenText($0)) }, rotation: 90)
            ax.setYTicks(data.input.map { Self.label(tokenText($0)) })
            ax.setTopTicks(data.q.map { Self.label(tokenText($0)) })
            ax.setRightTicks(data.k.map { Self.label(tokenText($0)) })
            ax.tickFontSize = n > 24 ? 6 : 8
        }
        ax.title = title ?? "Attention tokens for \(data.layer).\(data.head)"
    }

    /// Token text as a tick label: whitespace made visible, long ones shortened.
    static func label(_ s: String) -> String {
        var t = s.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
        if t.hasPrefix(" ") { t = "␣" + t.dropFirst() }
        return t.count > 14 ? String(t.prefix(13)) + "…" : t
    }

    static func figure(data: AttentionTokenData, tokenText: (Int) -> String, hideLabels: Bool = false,
                       title: String? = nil) -> Figure {
        let n = Double(data.input.count)
        let side = min(14, max(4, 0.32 * n + 2.4))
        let fig = Figure(width: side + 1, height: side)
        draw(into: fig.ax, data: data, tokenText: tokenText, hideLabels: hideLabels, title: title)
        return fig
    }

    /// All heads of a layer in a grid (subplots(3, 4), wspace=0, hspace=0.5, hide_labels).
    static func layerFigure(heads: [AttentionTokenData], tokenText: (Int) -> String, columns: Int = 4,
                            title: String? = nil) -> Figure {
        let cols = max(1, min(columns, heads.count))
        let rows = max(1, (heads.count + cols - 1) / cols)
        let fig = Figure(width: 3 * Double(cols), height: 2.7 * Double(rows), rows: rows, columns: cols)
        fig.wspace = 0; fig.hspace = 0.5
        if let title { fig.suptitle = title }
        for (i, d) in heads.enumerated() {
            draw(into: fig.axes[i / cols][i % cols], data: d, tokenText: tokenText, hideLabels: true, title: "Head \(d.head)")
        }
        for i in heads.count..<(rows * cols) { fig.axes[i / cols][i % cols].axisVisible = false }
        return fig
    }
}
