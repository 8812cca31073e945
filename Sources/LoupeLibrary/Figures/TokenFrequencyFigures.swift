import LoupeNotebook
import LoupeInterpreter
import LoupeAnalysis
import LoupePlot

/// Three token-frequency plots, drawn from a token frequency table (TokenFrequency.table:
/// Head, Layer, Token, Frequency, Token str, Rank). Colour is always the layer (viridis).
enum TokenFrequencyFigures {
    struct Rows {
        var head: [Int], layer: [Int], token: [Int], frequency: [Int], rank: [Int]
        var nLayers: Int { (layer.max() ?? 0) + 1 }
    }

    static func rows(_ t: Table) throws -> Rows {
        func ints(_ name: String) throws -> [Int] {
            switch try t.column(name) {
            case .int(let v): return v
            case .double(let v): return v.map { Int($0) }
            case .string: throw TableError("column '\(name)' holds text, expected numbers")
            }
        }
        return Rows(head: try ints("Head"), layer: try ints("Layer"), token: try ints("Token"),
                    frequency: try ints("Frequency"), rank: try ints("Rank"))
    }

    static func layerColor(_ layer: Int, of n: Int) -> Color {
        Colormap.viridis.color(Double(layer), vmin: 0, vmax: Double(max(n - 1, 1)))
    }

    /// Frequency against rank within each head (log-log, one line per head), coloured by layer.
    static func drawFrequencies(into ax: Axes, _ r: Rows, title: String = "Token frequencies") {
        var byHead: [Int: [(Int, Int, Int)]] = [:] // head -> (rank, freq, layer)
        for i in r.head.indices { byHead[r.head[i], default: []].append((r.rank[i], r.frequency[i], r.layer[i])) }
        for h in byHead.keys.sorted() {
            let pts = byHead[h]!.sorted { ($0.0, -$0.1) < ($1.0, -$1.1) }
            let c = layerColor(pts[0].2, of: r.nLayers)
            let x = pts.indices.map { Double($0 + 1) }, y = pts.map { Double($0.1) }
            ax.plot(x: x, y, color: c, lineWidth: 1, marker: .circle, markerSize: 3, alpha: 0.7)
        }
        ax.xscale = .log; ax.yscale = .log
        ax.set(xlabel: "Token rank within head", ylabel: "Frequency", title: title)
    }

    /// Number of distinct tokens each head uses, one bar per head, coloured by layer.
    static func drawUniqueByHead(into ax: Axes, _ r: Rows, title: String = "Attention tokens by head") {
        var sets: [Int: (Set<Int>, Int)] = [:]
        for i in r.head.indices { sets[r.head[i], default: ([], r.layer[i])].0.insert(r.token[i]) }
        let heads = sets.keys.sorted()
        ax.bar(x: heads.map(Double.init), heights: heads.map { Double(sets[$0]!.0.count) }, width: 1,
               colors: heads.map { layerColor(sets[$0]!.1, of: r.nLayers) })
        ax.set(xlabel: "Head (layer · n_heads + head)", ylabel: "Unique tokens", title: title)
    }

    /// Distinct tokens per layer (bar) with each head's count as a dot on it, coloured by layer.
    static func drawUniqueByLayerHead(into ax: Axes, _ r: Rows, title: String = "Attention tokens by layer") {
        var perLayer: [Int: Set<Int>] = [:]
        var perHead: [Int: (Set<Int>, Int)] = [:]
        for i in r.head.indices {
            perLayer[r.layer[i], default: []].insert(r.token[i])
            perHead[r.head[i], default: ([], r.layer[i])].0.insert(r.token[i])
        }
        let layers = perLayer.keys.sorted()
        ax.bar(x: layers.map(Double.init), heights: layers.map { Double(perLayer[$0]!.count) }, width: 0.8,
               colors: layers.map { layerColor($0, of: r.nLayers).withAlpha(0.45) }, label: "layer")
        let heads = perHead.keys.sorted()
        ax.scatter(x: heads.map { Double(perHead[$0]!.1) }, y: heads.map { Double(perHead[$0]!.0.count) }, sizes: [14],
                   colors: heads.map { layerColor(perHead[$0]!.1, of: r.nLayers) }, edgeColor: .black, lineWidth: 0.4,
                   label: "head", zorder: 3)
        ax.set(xlabel: "Layer", ylabel: "Unique tokens", title: title)
        ax.legend()
    }
}
