// Figures for the golden-file tests, one per mark type, shaped like the seed notebooks' plots.
// Data comes from a fixed linear congruential generator so every run draws the same figure.

@testable import LoupePlot
import Foundation

struct LCG {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    /// Approximately normal (sum of 4 uniforms, centred and scaled).
    mutating func normal() -> Double { ((next() + next() + next() + next()) - 2) * 1.7 }
}

enum SampleFigures {
    static var all: [(String, () -> Figure)] { [
        ("line", line), ("scatter", scatter), ("hist", hist), ("bar", bar), ("imshow", imshow),
        ("heatmap_raster", heatmapRaster), ("token_grid", tokenGrid), ("attention_tokens", attentionTokens),
        ("attention_token_axes", attentionTokenAxes),
        ("twinx", twinx), ("log_axis", logAxis), ("dark", dark), ("subplots_colorbars", subplotsColorbars),
    ] }

    static func line() -> Figure {
        let fig = Figure(width: 9, height: 3)
        let ax = fig.ax
        let xs = (0..<100).map { -5 + Double($0) * 0.1 }
        for (i, name) in ["K", "Q", "V"].enumerated() {
            let s = 0.8 + 0.4 * Double(i)
            ax.plot(x: xs, xs.map { exp(-$0 * $0 / (2 * s * s)) / (s * 2.5066) }, label: name)
        }
        ax.fillBetween(x: xs, xs.map { 0.05 + 0.02 * sin($0) }, xs.map { 0.02 * cos($0) }, alpha: 0.3, label: "band")
        ax.plot(x: [-4, -2, 0, 2, 4], [0.1, 0.2, 0.15, 0.25, 0.05], fmt: "s--", label: "markers")
        ax.axhline(0.3, color: Color(r: 0.7, g: 0.7, b: 0.7), lineStyle: .dashed, label: "Clean log-prob")
        ax.axvline(1, color: .black, lineWidth: 1, lineStyle: .dotted)
        ax.legend()
        ax.xlabel = "Activation value"; ax.ylabel = "Density"
        ax.title = "Distribution of Layer 5 attention activations"
        ax.setXLim(-5, 4.9)
        return fig
    }

    static func scatter() -> Figure {
        let fig = Figure(width: 6, height: 4)
        var g = LCG(1)
        let n = 200
        let xs = (0..<n).map { _ in g.normal() }, ys = (0..<n).map { _ in g.normal() }
        let layer = (0..<n).map { Double($0 % 12) }
        fig.ax.scatter(x: xs, y: ys, sizes: [20], values: layer, cmap: Colormap.named("plasma")!, marker: .square,
                       edgeColor: .white, lineWidth: 0.3, alpha: 0.8)
        _ = try? fig.colorbar(for: fig.ax, label: "Layer")
        fig.ax.text(x: 0.02, y: 0.95, "t-SNE </script><img src=x onerror=alert(1)>", ha: .left, va: .top, axesCoordinates: true)
        fig.ax.title = "t-SNE of attention tokens"
        return fig
    }

    static func hist() -> Figure {
        let fig = Figure(width: 8, height: 3, rows: 1, columns: 2)
        var g = LCG(2)
        let data = (0..<2000).map { _ in g.normal() }
        fig.axes[0][0].hist(data, bins: 40, density: true, alpha: 0.7, label: "bar")
        fig.axes[0][0].hist(data.map { $0 * 0.5 + 1 }, bins: 40, density: true, type: .step, label: "step")
        fig.axes[0][0].legend(location: .upperLeft)
        fig.axes[0][0].title = "density"
        fig.axes[0][1].hist(data.map { exp($0) }, bins: 30, log: true)
        fig.axes[0][1].title = "log counts"
        return fig
    }

    static func bar() -> Figure {
        let fig = Figure(width: 8, height: 3, rows: 1, columns: 2)
        fig.axes[0][0].bar(x: [0, 1, 2, 3, 4], heights: [5, 3, -2, 7, 1], label: "freq")
        fig.axes[0][0].setXTicks([" the", ",", " and", "\n", "<|endoftext|>"])
        fig.axes[0][0].title = "bar"
        fig.axes[0][1].barh(y: [0, 1, 2], widths: [3, 1, 2], colors: [Color.cycle(0), Color.cycle(1), Color.cycle(2)])
        fig.axes[0][1].title = "barh"
        return fig
    }

    static func imshow() -> Figure {
        let fig = Figure(width: 10, height: 3, rows: 1, columns: 2)
        var m: [[Double]] = []
        for i in 0..<16 {
            var row: [Double] = []
            for j in 0..<16 { row.append(j > i ? Double.nan : -Double((i - j) * (i - j)) * 0.4) }
            m.append(row)
        }
        fig.axes[0][0].imshow(m, cmap: .magma, vmin: -90, vmax: 0)
        _ = try? fig.colorbar(for: fig.axes[0][0], pad: 0.02)
        fig.axes[0][0].title = #"$QK^T \;/\; \sqrt{d_k}$"#; fig.axes[0][0].xlabel = "Tokens"; fig.axes[0][0].ylabel = "Tokens"
        var hist: [[Double]] = []
        for l in 0..<36 {
            var row: [Double] = []
            for b in 0..<100 {
                let d = Double(b) - 50
                row.append(exp(-d * d / (50 + Double(l) * 10)) * 0.4)
            }
            hist.append(row)
        }
        fig.axes[0][1].imshow(hist, cmap: .magma, vmin: 0, vmax: 0.4, origin: .lower, extent: (-5, 4.9, 0, 36), aspect: .auto)
        _ = try? fig.colorbar(for: fig.axes[0][1], location: .top, pad: 0.02)
        fig.axes[0][1].xlabel = "Activation value"; fig.axes[0][1].ylabel = "Transformer block"
        fig.axes[0][1].title = "Q activations\n\n\n"
        return fig
    }

    static func heatmapRaster() -> Figure {
        let fig = Figure(width: 5, height: 4)
        let n = 100
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { v[i * n + j] = sin(Double(i) / 7) * cos(Double(j) / 11) } }
        v[5] = .nan
        fig.ax.imshow(values: v, rows: n, cols: n, cmap: Colormap.named("RdBu_r")!, vmin: -1, vmax: 1)
        _ = try? fig.colorbar(for: fig.ax, label: "value")
        fig.ax.title = "10 000 cells as one PNG"
        return fig
    }

    static func tokenGrid() -> Figure {
        let fig = Figure(width: 12, height: 8)
        let steps = ["The", "cat", "is", "black", ".", "</s>"]
        var texts: [[String]] = [], hl: [[Bool]] = []
        for l in 0..<16 {
            texts.append(steps.enumerated().map { (s, tok) in l > 10 ? tok : ["ing", "\u{200F}rtl", "\u{1F600}", "a&b", "<x>", "\u{0007}bell"][(l + s) % 6] })
            hl.append(steps.indices.map { _ in l > 10 })
        }
        let colors = hl.map { $0.map { $0 ? Color.gold : Color(hex: 0xE0E0E0) } }
        fig.ax.textGrid(texts, colors: colors, highlight: hl, quoted: true)
        fig.ax.setYTicks((0..<16).map { "Layer \($0 * 2)" })
        fig.ax.xlabel = "Generation step"; fig.ax.ylabel = "Layer"
        fig.ax.title = "Predicted Tokens for question: What animal is this?"
        return fig
    }

    static func attentionTokens() -> Figure {
        let fig = Figure(width: 12, height: 8, rows: 3, columns: 4)
        fig.wspace = 0; fig.hspace = 0.5
        let toks = ["The", " next", " sentence", " is", " false", ".", " The", " previous"]
        for (i, ax) in fig.allAxes.enumerated() {
            var vals: [[Double]] = [], texts: [[String]] = []
            for r in 0..<8 {
                vals.append((0..<8).map { c in c <= r ? Double((r * 3 + c + i) % 7) : .nan })
                texts.append((0..<8).map { c in c <= r ? toks[(r + c + i) % 8] : "" })
            }
            ax.textGrid(texts, values: vals, cmap: .viridis)
            for c in 0..<8 where (c + i) % 3 == 0 {
                ax.rect(x: Double(c) - 0.5, y: 6.5, width: 1, height: 1, face: .none, edge: .white, lineWidth: Double((c % 3) + 1))
            }
            ax.showXTickLabels = false; ax.showYTickLabels = false
            ax.title = "Head \(i)"
        }
        fig.suptitle = "Attention tokens for layer 0"
        return fig
    }

    /// Seed 002's single-head plot: query tokens on top, key tokens on the right, value tokens at
    /// the bottom, input tokens on the left; attention of the last position as white borders.
    static func attentionTokenAxes() -> Figure {
        let fig = Figure(width: 8, height: 6)
        let ax = fig.ax
        let input = ["The", " next", " sentence", " is", " false", ".", " The", " previous"]
        let q = [",", " the", " and", "\n", " of", " in", " a", " to"]
        let k = [" (", " [", " \u{201C}", " <", "&", " '", "\"", " \u{05D0}"]
        let v = ["ing", "ed", " un", "ly", "\u{1F600}", "s", "er", " re"]
        var vals: [[Double]] = [], texts: [[String]] = []
        for r in 0..<8 {
            vals.append((0..<8).map { c in c <= r ? Double((r * 5 + c * 3) % 8) : .nan })
            texts.append((0..<8).map { c in c <= r ? q[(r + c) % 8] : "" })
        }
        ax.textGrid(texts, values: vals, cmap: .viridis)
        ax.setXTicks(v); ax.setYTicks(input)
        ax.setTopTicks(q); ax.setRightTicks(k)
        for c in 0..<8 { ax.rect(x: Double(c) - 0.5, y: 6.5, width: 1, height: 1, face: .none, edge: .white, lineWidth: Double(c % 4)) }
        ax.title = "Attention tokens for 0.1"
        return fig
    }

    static func twinx() -> Figure {
        let fig = Figure(width: 6, height: 3, theme: .dark)
        let ax = fig.ax
        let green = Color(r: 0.7, g: 0.9, b: 0.7), lav = Color(r: 0.7, g: 0.7, b: 0.9)
        ax.plot((0..<36).map { -Double($0) * 0.8 + sin(Double($0)) }, fmt: "s-", color: green, label: "Mean")
        ax.xlabel = "Transformer block"; ax.ylabel = "Activation mean"; ax.ylabelColor = green; ax.yTickColor = green
        let t = ax.twinx()
        t.plot((0..<36).map { 3 + Double($0) * 0.3 }, fmt: "o-", color: lav, label: "Stdev.")
        t.ylabel = "Activation stdev."; t.ylabelColor = lav; t.yTickColor = lav
        ax.legend(including: [t])
        return fig
    }

    static func logAxis() -> Figure {
        let fig = Figure(width: 10, height: 3, rows: 1, columns: 2)
        let plasma = Colormap.named("plasma")!
        for l in 0..<12 {
            let xs = (0..<20).map { Double($0) / 20 }
            fig.axes[0][0].plot(x: xs, xs.map { exp(-pow($0 - 0.5, 2) * Double(10 + l)) }, color: plasma.color(Double(l), vmin: 0, vmax: 12), label: "Layer \(l)")
            fig.axes[0][1].plot(x: xs, xs.map { 1000 * exp(-$0 * Double(5 + l)) + 0.01 }, color: plasma.color(Double(l), vmin: 0, vmax: 12))
        }
        fig.axes[0][0].ymin = 0
        fig.axes[0][0].set(xlabel: "Activation value", ylabel: "Density", title: "Distribution of $QK^T$")
        fig.axes[0][1].yscale = .log
        fig.axes[0][1].set(xlabel: "Softmax probability", ylabel: "log(density)", title: #"Distribution of $\sigma(QK^T)$"#)
        _ = try? fig.colorbar(for: fig.axes[0][1], mappable: ScalarMappable(cmap: plasma, vmin: 0, vmax: 12), label: "Transformer block", pad: 0.02)
        return fig
    }

    static func dark() -> Figure {
        let fig = Figure(width: 9, height: 3, theme: .dark)
        let plasma = Colormap.named("plasma")!
        for i in 0..<36 {
            fig.ax.plot(x: [Double(i)], [-3 - sin(Double(i) / 5)], fmt: "wh", markerSize: 12,
                        markerFace: plasma.color(Double(i), vmin: 0, vmax: 36))
        }
        fig.ax.axhline(-2.5, color: Color(r: 0.7, g: 0.7, b: 0.7), lineStyle: .dashed, label: "Clean log-prob", zorder: -2)
        fig.ax.legend()
        fig.ax.set(xlabel: "Transformer block", ylabel: "Log probability", title: "Log softmax for penultimate token")
        return fig
    }

    static func subplotsColorbars() -> Figure {
        let fig = Figure(width: 12, height: 8, rows: 2, columns: 3, sharex: true, sharey: true)
        for (i, ax) in fig.allAxes.enumerated() {
            var m: [[Double]] = []
            for r in 0..<10 { m.append((0..<10).map { c in Double((r * c + i) % 10) }) }
            let cmapName = ["viridis", "magma", "plasma", "inferno", "cividis", "coolwarm"][i]
            ax.imshow(m, cmap: Colormap.named(cmapName)!)
            _ = try? fig.colorbar(for: ax, location: [Side.right, .left, .top, .bottom, .right, .right][i], label: cmapName)
            ax.title = cmapName
        }
        fig.suptitle = "Six colour maps, shared axes"
        return fig
    }
}
