import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupePlot
import LoupeTensor

/// Summaries of an attention-token dataset: frequency tables, shared tokens between heads,
/// and their plots (frequencies, unique tokens by head and by layer, embedding maps, shared heatmap).
enum AnalysisTokenStats {
    static let components = ["hp", "q", "k", "v"]

    static func install() {
        Builtins.register(
            "token_freq(model, table, column: str | int = \"hp\")",
            doc: """
            Token_freq_data: one row per (head, token) of a dataset column (hp, q, k or v; or its \
            index in df.columns, as notebooks pass 4): Head (layer·n_heads + head), Layer, Token, Frequency, \
            Token str, Rank (1 = the head's most frequent).
            """,
            example: "token_counts = token_freq(model, df, \"hp\")\nq_counts = token_freq(model, df, \"q\")"
        ) { _, args in
            let m = try AnalysisModel.model(args.value("model"))
            let data = try TableBindings.table(args.value("table"), "table")
            let col = try column(args.value("column"), in: data)
            return .host(TableObject(try TableBindings.checked {
                try TokenFrequency.table(data, column: col, nHeads: m.model.config.nHeads, tokenText: m.tokenText)
            }))
        }

        Builtins.register(
            "shared_tokens(table, column: str | int = \"hp\", n_heads: int | None = None)",
            doc: """
            Tokens shared between every pair of heads that share at least one: Head 1, Head 2, \
            Shared Tokens, Tokens. Takes a dataset (with the component column, default hp) or a token_freq table.
            """,
            example: "hp = shared_tokens(df)\nhp.sort_values(\"Shared Tokens\", ascending=False)"
        ) { _, args in
            let freq = try frequencies(args.value("table"), column: args.value("column"), nHeads: args.value("n_heads"))
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
            """
            plot_token_embeddings(model, freq, method: str = "TSNE", ax=None, perplexity: float = 30, seed: int = 0,
                                  title: str | None = None, iterations: int = 1000)
            """,
            doc: """
            A 2-D map of the embeddings (W_E rows) of the attention tokens in a token_freq table, one point per \
            distinct (layer, token), coloured by layer: method "TSNE" (perplexity, seed) or "PCA". A token found \
            at several layers has one embedding, so it is embedded once and its points share a position (the \
            duplicates would only pull each other together; leaving them out makes t-SNE several times faster).
            """,
            example: "fig, axs = subplots(2, 2, figsize=(12, 8))\nplot_token_embeddings(model, token_counts, \"TSNE\", ax=axs[0][0])"
        ) { _, args in
            let m = try AnalysisModel.model(args.value("model"))
            let rows = try TableBindings.checked { try TokenFrequencyFigures.rows(try TableBindings.table(args.value("freq"), "freq")) }
            let method = (try args.optionalString("method") ?? "TSNE").uppercased()  // None reads as the default
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
                let t = TSNE(perplexity: try args.double("perplexity"), iterations: try args.int("iterations"),
                             seed: UInt64(max(0, try args.int("seed"))))
                embedded = t.embed(points, n: unique, d: d)
            }
            var xy = [Float](); xy.reserveCapacity(pairs.count * 2) // [pairs, 2]
            for p in pairs { let r = slot[p.token] ?? 0; xy += [embedded[r * 2], embedded[r * 2 + 1]] }
            let x = stride(from: 0, to: xy.count, by: 2).map { Double(xy[$0]) }
            let y = stride(from: 1, to: xy.count, by: 2).map { Double(xy[$0]) }
            let layers = pairs.map(\.layer)
            let title = try args.optionalString("title") ?? "\(method == "PCA" ? "PCA" : "t-SNE") of attention-token embeddings"
            return try AnalysisModel.figure(args.optional("ax"), make: {
                EmbeddingFigures.scatterFigure(x: x, y: y, layers: layers, nLayers: m.model.config.nLayers, title: title)
            }, draw: { EmbeddingFigures.drawScatter(into: $0, x: x, y: y, layers: layers, nLayers: m.model.config.nLayers, title: title) })
        }

        Builtins.register(
            """
            visualize_shared_tokens(*args, shared=, ax=None, heads_per_layer: int | None = None,
                                    title: str = "Shared tokens")
            """,
            doc: """
            Heatmap of how many tokens each pair of heads shares (from shared_tokens), heads ordered layer by \
            layer; the diagonal is left blank. Positionally it takes ([model,] shared): as in the attention-tokens notebook the model \
            may come first; it then also gives heads_per_layer (the layer separators).
            """,
            example: "visualize_shared_tokens(model, shared_tokens(df, \"q\"), ax=axs[0][1])"
        ) { _, args in
            var positional = args.varArgs
            var modelHeads: Int?
            if let first = positional.first, case .host(let m as ModelObject) = first {
                modelHeads = m.model.config.nHeads
                positional.removeFirst()
            }
            let shared: Value
            switch (positional.count, args.optional("shared")) {
            case (0, let keyword?): shared = keyword
            case (1, nil): shared = positional[0]
            case (0, nil): throw LoupeError("visualize_shared_tokens() is missing required argument `shared`", hint: "usage: \(args.signature.text)")
            default:
                throw LoupeError("visualize_shared_tokens() takes ([model,] shared) positionally; pass ax=, heads_per_layer= and title= by keyword",
                                 hint: "usage: \(args.signature.text)")
            }
            let t = try TableBindings.table(shared, "shared")
            let (h1, h2, n) = try TableBindings.checked { (try ints(t, "Head 1"), try ints(t, "Head 2"), try ints(t, "Shared Tokens")) }
            let size = (Swift.max(h1.max() ?? 0, h2.max() ?? 0)) + 1
            var m = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
            for i in h1.indices where h1[i] >= 0 && h2[i] >= 0 { m[h1[i]][h2[i]] = Double(n[i]); m[h2[i]][h1[i]] = Double(n[i]) }
            let perLayer = try args.optionalInt("heads_per_layer") ?? modelHeads ?? 0
            let title = try args.optionalString("title") ?? "Shared tokens"  // None reads as the default
            return try AnalysisModel.figure(args.optional("ax"), make: {
                EmbeddingFigures.sharedFigure(matrix: m, nHeadsPerLayer: perLayer, title: title)
            }, draw: { EmbeddingFigures.drawShared(into: $0, matrix: m, nHeadsPerLayer: perLayer, title: title) })
        }
    }

    /// The three frequency plots share a signature: (model, freq, ax=None, title=None).
    static func plot(_ name: String, _ doc: String, _ draw: @escaping (Axes, TokenFrequencyFigures.Rows) -> Void) {
        Builtins.register("\(name)(model, freq, ax=None, title: str | None = None)",
                          doc: doc + " Takes a token_freq table; draws into ax or returns a new Figure.",
                          example: "fig, axs = subplots(4, 3, figsize=(16, 16))\n\(name)(model, q_token_counts, ax=axs[0][0])") { _, args in
            _ = try AnalysisModel.model(args.value("model"))
            let rows = try TableBindings.checked { try TokenFrequencyFigures.rows(try TableBindings.table(args.value("freq"), "freq")) }
            let title = try args.optionalString("title")
            let apply: (Axes) -> Void = { ax in draw(ax, rows); if let title { ax.title = title } }
            return try AnalysisModel.figure(args.optional("ax"), make: { let f = Figure(width: 6.4, height: 4.8); apply(f.ax); return f }, draw: apply)
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
