import LoupeNotebook
/// circuitsvis' `attention_patterns`: the tokens, a head selector (each head or the mean), and a
/// heatmap; hovering a token shows where it attends (as destination) and what attends to it (as source).
public struct AttentionPatternsView: Sendable {
    public var title: String
    let html: String
    let svg: String

    /// `pattern` is [head, dest, src] (or [dest, src]) row-major, `shape` its shape.
    public init(tokens: [String], pattern: [Float], shape: [Int], headNames: [String]? = nil,
                title: String = "Attention patterns") throws {
        let data = try AttentionData(function: "attention_patterns", tokens: tokens, pattern: pattern,
                                     shape: shape, headNames: headNames)
        self.title = title
        svg = PlotFallback.heatmap(data.meanOverHeads(), n: data.n, tokens: tokens, lo: data.lo, hi: data.hi,
                                   title: data.heads > 1 ? "\(title) (mean of \(data.heads) heads)" : title)
        html = ViewFragment.html(kind: "attention-patterns", title: title, data: data.json(),
                                 fallbackSVG: svg, script: "attention-patterns.js")
    }

    public var output: CellOutput { .view(html: html, fallbackSVG: svg, title: title) }
}

/// circuitsvis' `attention_heads`: a grid of small per-head heatmaps on canvas; clicking one opens it
/// large with token labels and a hover read-out. Stays smooth for 1000+ tokens.
public struct AttentionHeadsView: Sendable {
    public var title: String
    let html: String
    let svg: String

    /// `attention` is [head, dest, src] (or [dest, src]) row-major, `shape` its shape.
    public init(tokens: [String], attention: [Float], shape: [Int], headNames: [String]? = nil,
                minValue: Float? = nil, maxValue: Float? = nil, title: String = "Attention heads") throws {
        let data = try AttentionData(function: "attention_heads", tokens: tokens, pattern: attention, shape: shape,
                                     headNames: headNames, minValue: minValue, maxValue: maxValue)
        self.title = title
        svg = PlotFallback.headsGrid(data.pattern, heads: data.heads, n: data.n, names: data.headNames,
                                     lo: data.lo, hi: data.hi, title: title)
        html = ViewFragment.html(kind: "attention-heads", title: title, data: data.json(),
                                 fallbackSVG: svg, script: "attention-heads.js")
    }

    public var output: CellOutput { .view(html: html, fallbackSVG: svg, title: title) }
}
