import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupePlot
import LoupeTensor

/// Seed 002's summaries of an attention-token dataset: frequency tables, shared tokens between heads,
/// and their plots (frequencies, unique tokens by head and by layer, embedding maps, shared heatmap).
enum AnalysisTokenStats {
    static let components = ["hp", "q", "k", "v"]

    static func install() {
        Builtins.register(
            name: "token_freq",
            doc: """
            Seed 002's token_freq_data: one row per (head, token) of a dataset column (hp, q, k or v; or its \
            index in df.columns, as the seed passed 4): Head (layer·n_heads + head), Layer, Token, Frequency, \
            Token str, Rank (1 = the head's most frequent).
            """,
            signature: "token_freq(model, table, column=\"hp\")",
            example: "token_counts = token_freq(model, df, \"hp\")\nq_counts = token_freq(model, df, \"q\")"
        ) { _, args in
            let a = try args.bind("token_freq", ["model", "table", "column"], required: 2)
            let m = try AnalysisModel.model(a[0]!)
            let data = try TableBindings.table(a[1]!, "table")
            let col = try column(a[2], in: data)
            return .host(TableObject(try TableBindings.checked {
                try TokenFrequency.table(data, column: col, nHeads: m.model.config.nHeads, tokenText: m.tokenText)
            }))
        }

        Builtins.register(
            name: "shared_tokens",
            doc: """
            Tokens shared between every pair of heads that share at least one (seed 002): Head 1, Head 2, \
            Shared Tokens, Tokens. Takes a dataset (with the component column, default hp) or a token_freq table.
            """,
            signature: "shared_tokens(table, column=\"hp\", n_heads=None)",
            example: "hp = shared_tokens(df)\nhp.sort_values(\"Shared Tokens\", ascending=False)"
        ) { _, args in
            let a = try args.bind("shared_tokens", ["table", "column", "n_heads"], required: 1)
            let freq = try frequencies(a[0]!, column: a[1], nHeads: a[2])
            return .host(TableObject(try TableBindings.checked { try TokenFrequency.shared(freq) }))
        }

        plot("plot_token_frequencies", "Token frequency against rank within each head (log–log), one line per head coloured by layer.") {
            TokenFrequencyFigures.drawFrequencies(into: $0, $1)
        }
        plot("plot_unique_tokens_by_head", "The number of distinct attention tokens of each head, one bar per head coloured by layer.") {
            TokenFrequencyFigures.drawUniqueByHead(into: $0, $1)
        }
        plot("plot_unique_tokens_by_layer_head", "Distinct attention tokens per layer (bars) with each head's count as a dot, coloured by layer.") {
            TokenFrequencyFigures.drawUniqueByLayerHead(into: $0, $1)
        }

        Builtins.register(
            name: "plot_token_embeddings",
            doc: """
            A 2-D map of the embeddings (W_E rows) of the attention tokens in a token_freq table, one point per \
            distinct (layer, token), coloured by layer: method "TSNE" (perplexity, seed) or "PCA". A token found \
            at several layers has one embedding, so it is embedded once and its points share a position (the \
            duplicates would only pull each other together; leaving them out makes t-SNE several times faster).
            """,
            signature: "plot_token_embeddings(model, freq, method=\"TSNE\", ax=None, perplexity=30, seed=0, title=None, iterations=1000)",
            example: "fig, axs = subplots(2, 2, figsize=(12, 8))\nplot_token_embeddings(model, token_counts, \"TSNE\", ax=axs[0][0])"
        ) { _, args in
            let a = try args.bind("plot_token_embeddings", ["model", "freq", "method", "ax", "perplexity", "seed", "title", "iterations"], required: 2)
            let m = try AnalysisModel.model(a[0]!)
            let rows = try TableBindings.checked { try TokenFrequencyFigures.rows(try TableBindings.table(a[1]!, "freq")) }
            let method = (try a[2]?.orNil?.asString("method") ?? "TSNE").uppercased()
            guard method == "TSNE" || method == "PCA" else { throw LoupeError("plot_token_embeddings: method must be \"TSNE\" or \"PCA\", not \"\(method)\"") }
            var seen = Set<[Int]>()
            var pairs: [(layer: Int, token: Int)] = []
            for i in rows.layer.indices where seen.insert([rows.layer[i], rows.token[i]]).inserted { pairs.append((rows.layer[i], rows.token[i])) }
            guard pairs.count >= 3 else { throw LoupeError("plot_token_embeddings: needs at least 3 tokens, the table has \(pairs.count)") }
            let wE = try engineCall { m.model.W_E }.contiguous() // [vocab, d_model]
            let d = wE.shape[1], all = wE.toArray()
            var slot: [Int: Int] = [:] // token -> row of `points`
            var points = [Float]()     // [unique tokens, d_model]
            for p in pairs where slot[p.token] == nil {
                guard p.token >= 0 && p.token < wE.shape[0] else { throw LoupeError("plot_token_embeddings: token \(p.token) is outside the vocabulary") }
                slot[p.token] = slot.count
                points += all[(p.token * d)..<((p.token + 1) * d)]
            }
            let unique = slot.count
            let embedded: [Float] // [unique, 2]
            if method == "PCA" {
                embedded = PCA.project(points, n: unique, d: d, components: 2).coords
            } else if unique < 3 {
                embedded = (0..<unique).flatMap { [Float($0), 0] } // too few for t-SNE: a row at y = 0
            } else {
                let t = TSNE(perplexity: try a[4]?.asDouble("perplexity") ?? 30, iterations: try a[7]?.asInt("iterations") ?? 1000,
                             seed: UInt64(max(0, try a[5]?.asInt("seed") ?? 0)))
                embedded = t.embed(points, n: unique, d: d)
            }
            var xy = [Float](); xy.reserveCapacity(pairs.count * 2) // [pairs, 2]
            for p in pairs { let r = slot[p.token] ?? 0; xy += [embedded[r * 2], embedded[r * 2 + 1]] }
            let x = stride(from: 0, to: xy.count, by: 2).map { Double(xy[$0]) }
            let y = stride(from: 1, to: xy.count, by: 2).map { Double(xy[$0]) }
            let layers = pairs.map(\.layer)
            let title = try AnalysisModel.title(a[6]) ?? "\(method == "PCA" ? "PCA" : "t-SNE") of attention-token embeddings"
            return try AnalysisModel.figure(a[3], make: {
                EmbeddingFigures.scatterFigure(x: x, y: y, layers: layers, nLayers: m.model.config.nLayers, title: title)
            }, draw: { EmbeddingFigures.drawScatter(into: $0, x: x, y: y, layers: layers, nLayers: m.model.config.nLayers, title: title) })
        }

        Builtins.register(
            name: "visualize_shared_tokens",
            doc: """
            Heatmap of how many tokens each pair of heads shares (from shared_tokens), heads ordered layer by \
            layer; the diagonal is left blank. As in the seed the model may come first; it then also gives \
            heads_per_layer (the layer separators).
            """,
            signature: "visualize_shared_tokens([model,] shared, ax=None, heads_per_layer=None, title=\"Shared tokens\")",
            example: "visualize_shared_tokens(model, shared_tokens(df, \"q\"), ax=axs[0][1])"
        ) { _, args in
            var args = args
            var modelHeads: Int?
            if let first = args.positional.first, case .host(let m as ModelObject) = first {
                modelHeads = m.model.config.nHeads
                args.positional.removeFirst()
            }
            let a = try args.bind("visualize_shared_tokens", ["shared", "ax", "heads_per_layer", "title"], required: 1)
            let t = try TableBindings.table(a[0]!, "shared")
            let (h1, h2, n) = try TableBindings.checked { (try ints(t, "Head 1"), try ints(t, "Head 2"), try ints(t, "Shared Tokens")) }
            let size = (Swift.max(h1.max() ?? 0, h2.max() ?? 0)) + 1
            var m = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
            for i in h1.indices where h1[i] >= 0 && h2[i] >= 0 { m[h1[i]][h2[i]] = Double(n[i]); m[h2[i]][h1[i]] = Double(n[i]) }
            let perLayer = try a[2]?.orNil?.asInt("heads_per_layer") ?? modelHeads ?? 0
            let title = try a[3]?.orNil?.asString("title") ?? "Shared tokens"
            return try AnalysisModel.figure(a[1], make: {
                EmbeddingFigures.sharedFigure(matrix: m, nHeadsPerLayer: perLayer, title: title)
            }, draw: { EmbeddingFigures.drawShared(into: $0, matrix: m, nHeadsPerLayer: perLayer, title: title) })
        }
    }

    /// The three frequency plots share a signature: (model, freq, ax=None, title=None).
    static func plot(_ name: String, _ doc: String, _ draw: @escaping (Axes, TokenFrequencyFigures.Rows) -> Void) {
        Builtins.register(name: name, doc: doc + " Takes a token_freq table; draws into ax or returns a new Figure.",
                          signature: "\(name)(model, freq, ax=None, title=None)",
                          example: "fig, axs = subplots(4, 3, figsize=(16, 16))\n\(name)(model, q_token_counts, ax=axs[0][0])") { _, args in
            let a = try args.bind(name, ["model", "freq", "ax", "title"], required: 2)
            _ = try AnalysisModel.model(a[0]!)
            let rows = try TableBindings.checked { try TokenFrequencyFigures.rows(try TableBindings.table(a[1]!, "freq")) }
            let title = try AnalysisModel.title(a[3])
            let apply: (Axes) -> Void = { ax in draw(ax, rows); if let title { ax.title = title } }
            return try AnalysisModel.figure(a[2], make: { let f = Figure(width: 6.4, height: 4.8); apply(f.ax); return f }, draw: apply)
        }
    }

    /// A column name, or its index among the table's columns.
    static func column(_ v: Value?, in t: Table) throws -> String {
        guard let v = v?.orNil else { return "hp" }
        if case .string(let s) = v { _ = try TableBindings.checked { try t.columnIndex(s) }; return s }
        let i = try v.asInt("column")
        guard i >= 0 && i < t.columnCount else { throw LoupeError("column index \(i) out of range for \(t.columnCount) columns") }
        return t.columnNames[i]
    }

    /// A token_freq table as given, or one computed from a dataset.
    static func frequencies(_ v: Value, column c: Value?, nHeads: Value?) throws -> Table {
        let t = try TableBindings.table(v, "table")
        if t.columnNames.contains("Head") && t.columnNames.contains("Token") { return t }
        let col = try column(c, in: t)
        let n = try nHeads?.orNil?.asInt("n_heads") ?? ((try TableBindings.checked { try ints(t, "head") }.max() ?? 0) + 1)
        return try TableBindings.checked { try TokenFrequency.table(t, column: col, nHeads: n, tokenText: { String($0) }) }
    }

    static func ints(_ t: Table, _ name: String) throws -> [Int] {
        switch try t.column(name) {
        case .int(let v): return v
        case .double(let v): return v.map { Int($0) }
        case .string: throw TableError("column '\(name)' holds text, expected numbers")
        }
    }
}
