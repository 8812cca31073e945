import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeModels
import LoupePlot
import LoupeReport
import LoupeTensor

/// Attention tokens: per head (`attention_tokens`, `plot_attn`, `plot_attn_layer`) and as a
/// dataset over many prompts (`attention_token_dataset`). The mapping to vocabulary tokens is
/// LoupeAnalysis.AttentionTokens' (q·W_Qᵀ, k·W_Kᵀ, v·W_O, (q⊙k)·W_Qᵀ, then ·W_U and argmax).
enum AnalysisAttentionTokens {
    static func install() {
        Builtins.register(
            "attention_tokens(model, cache, layer: int, head: int)",
            doc: """
            The attention tokens of one head in a cached run (calculate_attns): the vocabulary token \
            of each position's q (through W_Qᵀ), k (W_Kᵀ), v (W_O) and of each causal query–key pair's q⊙k \
            (through W_Qᵀ, since q⊙k sums to the attention score in the query's head space), each unembedded \
            with W_U without MLPs or later layers; biases left out. Returns AttentionTokens with .q .k .v .qk \
            .attn .input .rows(); shown as a cell value it draws plot_attn. The cache is one prompt's (batch axis of \
            one or none); results have no batch axis.
            """,
            example: "data = attention_tokens(model, cache, 0, 1)\nplot_attn(model, data, title=\"Attention tokens for 0.1\")"
        ) { _, args in
            let m = try AnalysisModel.model(args.value("model"))
            let c = try AnalysisModel.cache(args.value("cache"))
            let layer = try AnalysisModel.layer(args.value("layer"), m), head = try AnalysisModel.head(args.value("head"), m)
            let weights = try LayerWeights(m, layer: layer)
            let data = try compute(c.cache, weights, head: head, input: try AnalysisModel.inputIDs(c))
            return .host(AttentionTokensObject(data: data, model: m))
        }

        Builtins.register(
            "plot_attn(model, data, ax=None, hide_labels: bool = False, title: str | None = None)",
            doc: """
            Attention-token plot: the q⊙k token grid (rows query positions, columns key positions), \
            colours by order of discovery (brighter = found later), query tokens on top, key tokens on the right, \
            value tokens at the bottom, input tokens on the left, and the final position's attention as white \
            cell borders. Draws into `ax` (returns None) or returns a new Figure. The first argument may be the \
            model or the cache, as the attention-tokens notebook does.
            """,
            example: "fig, axs = subplots(3, 4, figsize=(12, 8))\nfor i in range(12):\n    plot_attn(cache, attention_tokens(model, cache, 0, i), ax=axs[i // 4, i % 4], hide_labels=True, title=f\"Head {i}\")"
        ) { _, args in
            let m = try AnalysisModel.model(args.value("model"))
            let data = args.value("data")
            guard case .host(let d as AttentionTokensObject) = data else {
                throw LoupeError("plot_attn: data must come from attention_tokens(model, cache, layer, head), not \(data.typeName)")
            }
            let hide = try args.bool("hide_labels")
            let title = try args.optionalString("title")
            return try AnalysisModel.figure(args.optional("ax"), make: {
                AttentionTokenFigure.figure(data: d.data, tokenText: m.tokenText, hideLabels: hide, title: title)
            }, draw: { ax in
                AttentionTokenFigure.draw(into: ax, data: d.data, tokenText: m.tokenText, hideLabels: hide, title: title)
            })
        }

        Builtins.register(
            "plot_attn_layer(model, cache, layer: int, columns: int = 4, title: str | None = None)",
            doc: "The attention-token plots of every head of a layer in a grid without labels (subplots(3, 4) loop).",
            example: "plot_attn_layer(model, cache, 0, title=\"Attention token plots for each head in layer 0\")"
        ) { _, args in
            let m = try AnalysisModel.model(args.value("model"))
            let c = try AnalysisModel.cache(args.value("cache"))
            let layer = try AnalysisModel.layer(args.value("layer"), m)
            let weights = try LayerWeights(m, layer: layer)
            let input = try AnalysisModel.inputIDs(c)
            let heads = try (0..<m.model.config.nHeads).map { try compute(c.cache, weights, head: $0, input: input) }
            return .host(FigureObject(AttentionTokenFigure.layerFigure(heads: heads, tokenText: m.tokenText,
                                                                       columns: try args.int("columns"),
                                                                       title: try args.optionalString("title"))))
        }

        Builtins.register(
            "attention_token_dataset(model, prompts, max_tokens: int = 16, layers=None, keep_maps: bool = True)",
            doc: """
            Dataset: runs each prompt (capped at max_tokens tokens, BOS included) and records, for \
            every layer (or `layers`), head and causal (query, key) pair, a row: prompt, layer, head, \
            input_token (at the query), key_pos, attn, hp (the q⊙k token), q (the query's), k and v (the key's). \
            The heads' vocabulary maps (W_Qᵀ·W_U, W_Kᵀ·W_U, W_O·W_U: (2·heads + kv_heads)·d_head·vocab floats a \
            layer, 7.9 GB for SmolLM2-135M, 5.6 GB for GPT-2 small) are formed once and kept on the model for \
            later calls when they fit in half the memory available (keep_maps=False, or \
            drop_attention_token_maps(model), frees them). Each head's pairs of all prompts then go through its \
            map in one blocked product whose argmax is taken block by block. Writes a progress line per layer \
            on the terminal.
            """,
            example: "df = attention_token_dataset(model, read_prompts(k=4, seed=0), max_tokens=16)\ndf.to_csv(\"attn.csv\")"
        ) { rt, args in
            let m = try AnalysisModel.model(args.value("model"))
            let maxTokens = try args.int("max_tokens")
            guard maxTokens >= 1 else { throw LoupeError("attention_token_dataset: max_tokens must be ≥ 1") }
            let prompts: [Value]
            let given = args.value("prompts")
            if case .string = given { prompts = [given] } else { prompts = try Ops.iterate(given) }
            let layers = try args.optional("layers").map { try Ops.iterate($0).map { try AnalysisModel.layer($0, m, "layers") } }
                ?? Array(0..<m.model.config.nLayers)
            return .host(TableObject(try AttentionTokenDatasetBuilder(model: m, keepMaps: try args.bool("keep_maps"))
                .table(prompts: prompts, maxTokens: maxTokens, layers: layers, interrupted: { rt.interruptRequested })))
        }

        Builtins.register(
            "drop_attention_token_maps(model)",
            doc: "Frees the heads' vocabulary maps attention_token_dataset keeps on the model; returns the bytes freed.",
            example: "drop_attention_token_maps(model)"
        ) { _, args in
            .int(AttentionTokenDatasetBuilder.dropMaps(try AnalysisModel.model(args.value("model"))))
        }

        Builtins.registerMethod(type: "AttentionTokens", "data.rows(prompt: int = 0)",
                                doc: "This head's dataset rows as a Table (the columns of attention_token_dataset).",
                                example: "attention_tokens(model, cache, 0, 1).rows().head()") { _, recv, args in
            guard case .host(let d as AttentionTokensObject) = recv else { throw LoupeError("expected AttentionTokens") }
            let prompt = try args.int("prompt")
            return .host(TableObject(try TableBindings.checked {
                try Table(columnNames: AttentionTokenData.columns, rows: d.data.rows(prompt: prompt))
            }))
        }
    }

    /// One layer's weights, dequantised once: [head, d_model, d_head] for Q and K, [head, d_head, d_model] for O.
    struct LayerWeights {
        let layer: Int
        let wQ: Tensor, wK: Tensor, wO: Tensor, wU: Tensor
        let config: ModelConfig
        /// `unembed`: W_U when the caller already has it (forming it dequantises the whole unembedding).
        init(_ m: ModelObject, layer: Int, unembed: Tensor? = nil) throws {
            self.layer = layer
            config = m.model.config
            (wQ, wK, wO) = try engineCall { (try m.model.W_Q(layer: layer), try m.model.W_K(layer: layer), try m.model.W_O(layer: layer)) }
            wU = try unembed ?? engineCall { try m.model.W_U.contiguous() }
        }
        func head(_ t: Tensor, _ h: Int) throws -> Tensor {
            try engineCall { try t.index([.at(index(t, h))]).contiguous() }
        }
        /// The row of `t` that query head h uses (its key/value head when `t` holds only those).
        func index(_ t: Tensor, _ h: Int) -> Int {
            t.shape[0] == config.nHeads ? h : h / max(1, config.nHeads / max(1, t.shape[0]))
        }
        /// Query head h's vocabulary maps; the key map is shared by the query heads of one key/value head
        /// (`keyMaps` keyed by key/value head).
        func projection(head h: Int, keyMaps: inout [Int: Tensor]) throws -> HeadVocabProjection {
            let kvHead = h / max(1, config.nHeads / max(1, config.nKVHeads))
            let key: Tensor
            if let known = keyMaps[kvHead] {
                key = known
            } else {
                key = try engineCall { try HeadVocabProjection.keyMap(W_K: try head(wK, h), W_U: wU) }
                keyMaps[kvHead] = key
            }
            return try engineCall { try HeadVocabProjection(W_Q: try head(wQ, h), W_O: try head(wO, h), W_U: wU, key: key) }
        }
    }

    static func compute(_ cache: ActivationCache, _ w: LayerWeights, head: Int, input: [Int],
                        projection: HeadVocabProjection? = nil) throws -> AttentionTokenData {
        let l = w.layer
        let q = try AnalysisModel.headSlice(try engineCall { try cache.get("blocks.\(l).attn.hook_q") }, head: head, config: w.config)
        let k = try AnalysisModel.headSlice(try engineCall { try cache.get("blocks.\(l).attn.hook_k") }, head: head, config: w.config)
        let v = try AnalysisModel.headSlice(try engineCall { try cache.get("blocks.\(l).attn.hook_v") }, head: head, config: w.config)
        let pattern = try engineCall { try cache.get("blocks.\(l).attn.hook_pattern").index([.at(head)]).contiguous() }
        var keyMaps: [Int: Tensor] = [:]
        let projection = try projection ?? w.projection(head: head, keyMaps: &keyMaps)
        return try engineCall {
            try AttentionTokens.compute(layer: l, head: head, input: input, q: q, k: k, v: v, pattern: pattern,
                                        projection: projection)
        }
    }
}

final class AttentionTokensObject: HostObject {
    let typeName = "AttentionTokens"
    let data: AttentionTokenData
    let model: ModelObject

    init(data: AttentionTokenData, model: ModelObject) { self.data = data; self.model = model }

    func repr() -> String { "<AttentionTokens \(data.layer).\(data.head): \(data.input.count) positions, \(Set(data.qk.flatMap { $0 }.filter { $0 >= 0 }).count) distinct q⊙k tokens>" }

    func display() -> CellOutput? {
        let fig = AttentionTokenFigure.figure(data: data, tokenText: model.tokenText)
        return .figure(svg: fig.svg(), name: "attention-tokens-\(data.layer)-\(data.head)")
    }

    var memberNames: [String] { ["q", "k", "v", "qk", "attn", "input", "layer", "head"] }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        func ints(_ xs: [Int]) -> Value { .list(xs.map { .int($0) }) }
        switch name {
        case "q": return ints(data.q)
        case "k": return ints(data.k)
        case "v": return ints(data.v)
        case "input": return ints(data.input)
        case "qk": return .list(data.qk.map(ints))
        case "attn":
            let n = data.attn.count
            return .tensor(Tensor(shape: [n, n], data: data.attn.flatMap { $0 }))
        case "layer": return .int(data.layer)
        case "head": return .int(data.head)
        default: return nil
        }
    }

    var help: String { TableBindings.typeHelp("AttentionTokens", "One head's attention tokens (attention_tokens(model, cache, layer, head)).") }
}
