import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeReport

/// circuitsvis-style views and the attention-tokens notebook's `figure(...)` helper, as Loupe builtins.
enum ViewBindings {
    static func install() {
        ViewMethods.install()
        Builtins.register(
            "attention_patterns(attention, tokens, attention_head_names=None, title=\"Attention patterns\")",
            aliases: ["pattern": "attention"],
            doc: """
            An interactive attention view like circuitsvis' attention_patterns: pick a head (or the mean of all \
            heads); hover or tap a token to see where it attends (as destination) and what attends to it (as \
            source); click to lock. `attention` is [heads, dest, src] (or [dest, src]; a leading batch axis of 1 \
            is dropped) with one position per token. Also accepted as circuitsvis spells it: \
            attention_patterns(tokens=..., attention=...).
            """,
            example: "attention_patterns(cache[\"pattern\", 5], tokens=model.to_str_tokens(text))"
        ) { _, args in
            let a = try attentionArguments(args, valueRange: false)
            let view = try viewCall { try AttentionPatternsView(tokens: a.tokens, pattern: a.values, shape: a.shape,
                                                                headNames: a.names, title: a.title ?? "Attention patterns") }
            return .host(ViewObject(function: "attention_patterns", summary: a.summary, output: view.output))
        }

        Builtins.register(
            "attention_heads(attention, tokens, attention_head_names=None, max_value=None, min_value=None, title=\"Attention heads\")",
            aliases: ["pattern": "attention"],
            doc: """
            A grid of per-head attention heatmaps like circuitsvis' attention_heads; click a head to open it \
            large with token labels and a hover read-out. Draws on canvas, so 1000+ tokens stay smooth. \
            `attention` is [heads, dest, src] (or [dest, src]). min_value/max_value fix the colour scale \
            (default 0..1 for probabilities, else the data's range).
            """,
            example: "attention_heads(cache[\"pattern\", 0], tokens=tokens, attention_head_names=[f\"L0H{h}\" for h in range(9)])"
        ) { _, args in
            let a = try attentionArguments(args, valueRange: true)
            let view = try viewCall { try AttentionHeadsView(tokens: a.tokens, attention: a.values, shape: a.shape, headNames: a.names,
                                                             minValue: a.minValue, maxValue: a.maxValue,
                                                             title: a.title ?? "Attention heads") }
            return .host(ViewObject(function: "attention_heads", summary: a.summary, output: view.output))
        }

        Builtins.register(
            "colored_tokens(tokens, values, min_value=None, max_value=None, title=\"Tokens\")",
            doc: """
            Tokens coloured by one value each, like circuitsvis' colored_tokens: red-white-blue around 0 when \
            the values have both signs, else white to blue; hover a token for its number.
            """,
            example: "colored_tokens(model.to_str_tokens(text), dla[0])"
        ) { _, args in
            let tokens = try ViewArguments.strings(args.value("tokens"), "tokens")
            let (values, shape) = try ViewArguments.numbers(args.value("values"), "values")
            guard ViewArguments.squeezeLeading(shape, to: 1).count <= 1 else {
                throw LoupeError("colored_tokens: values must be one number per token; got shape \(shape)")
            }
            let minValue = try ViewArguments.optionalFloat(args.optional("min_value"), "min_value").map(Double.init)
            let maxValue = try ViewArguments.optionalFloat(args.optional("max_value"), "max_value").map(Double.init)
            let title = try ViewArguments.optionalString(args.optional("title"), "title", default: "Tokens")
            let view = try viewCall { try ColoredTokensView(tokens: tokens, values: values.map(Double.init), minValue: minValue,
                                                            maxValue: maxValue, title: title) }
            return .host(ViewObject(function: "colored_tokens", summary: "\(tokens.count) tokens", output: view.output))
        }

        Builtins.register(
            "topk_tokens(tokens, top_tokens, top_values=None, targets=None, row_labels=None, row_name=\"Layer\", value_name=\"prob\", title=\"Top-k tokens\")",
            doc: """
            A table of top-k tokens per row (layer) and position with their values, like circuitsvis' \
            topk_tokens and the attention-when-generating notebook's logit lens: top_tokens[row][position] lists the k best token strings, \
            top_values[row][position] their probabilities (nested lists or a [rows, positions, k] tensor). \
            Cells whose best token equals targets[position] (e.g. the token finally generated) are marked gold; \
            a selector shows 1..k entries per cell. A logit lens (logit_lens(model, cache)) can stand in for \
            top_tokens and top_values; its labels become the rows and its positions pick the tokens.
            """,
            example: "topk_tokens(model.to_str_tokens(text), logit_lens(model, cache, pos=None))"
        ) { interp, args in
            var tokens = try ViewArguments.strings(args.value("tokens"), "tokens")
            var topTokensValue = args.value("top_tokens"), topValuesValue = args.optional("top_values"), rowLabelsValue = args.optional("row_labels")
            // A logit lens (logit_lens(model, cache)) carries its own tokens, probabilities and labels.
            if case .host(let lens) = topTokensValue, let t = try lens.attribute("top_tokens", interpreter: interp) {
                topTokensValue = t
                if topValuesValue == nil { topValuesValue = try lens.attribute("top_probs", interpreter: interp) }
                if rowLabelsValue == nil { rowLabelsValue = try lens.attribute("labels", interpreter: interp) }
                if let p = try lens.attribute("positions", interpreter: interp), case .list(let box) = p {
                    let positions = try box.items.map { try $0.asInt("positions") }.map { $0 < 0 ? $0 + tokens.count : $0 }
                    if positions.count != tokens.count, positions.allSatisfy({ $0 >= 0 && $0 < tokens.count }) {
                        tokens = positions.map { tokens[$0] }
                    }
                }
            }
            guard let topValuesValue else {
                throw LoupeError("topk_tokens() is missing required argument `top_values`",
                                 hint: "pass the probabilities, or a logit lens: topk_tokens(tokens, logit_lens(model, cache))")
            }
            let topTokens = try ViewArguments.stringTable(topTokensValue, "top_tokens")
            let topValues = try ViewArguments.numberTable(topValuesValue, "top_values")
            let targets = try args.optional("targets").map { try ViewArguments.strings($0, "targets") }
            let rowLabels = try rowLabelsValue.map { try ViewArguments.strings($0, "row_labels") } ?? topTokens.indices.map(String.init)
            let view = try viewCall {
                try TopkTokensView(tokens: tokens, rowLabels: rowLabels, topTokens: topTokens, topValues: topValues, targets: targets,
                                   rowName: try ViewArguments.optionalString(args.optional("row_name"), "row_name", default: "Layer"),
                                   valueName: try ViewArguments.optionalString(args.optional("value_name"), "value_name", default: "prob"),
                                   title: try ViewArguments.optionalString(args.optional("title"), "title", default: "Top-k tokens"))
            }
            return .host(ViewObject(function: "topk_tokens", summary: "\(rowLabels.count) rows × \(tokens.count) positions",
                                    output: view.output))
        }

        Builtins.register(
            "figure(plot, title=\"\", description=\"\", footer=\"\")",
            doc: """
            Shows a plot as a titled section, like the attention-tokens notebook's helper: the title, a Markdown description \
            (indentation from triple-quoted strings is removed), the plot, and a small footer. `plot` is a \
            figure (from subplots/plot/imshow…), a view, or an SVG string.
            """,
            example: "figure(fig, title=f\"Attention tokens for {l}.{h}\", description=\"Each cell is q⊙k.\", footer=f\"Input: {prompt}\")"
        ) { _, args in
            let title = try ViewArguments.optionalString(args.optional("title"), "title", default: "")
            let description = try ViewArguments.optionalString(args.optional("description"), "description", default: "")
            let footer = try ViewArguments.optionalString(args.optional("footer"), "footer", default: "")
            let plot = args.value("plot")
            let shown: CellOutput
            switch plot {
            case .string(let svg) where svg.contains("<svg"):
                shown = FigureSection.make(svg: svg, title: title, description: description, footer: footer)
            case .host(let h):
                let display = h.display()
                if case let .figure(svg, _)? = display {
                    shown = FigureSection.make(svg: svg, title: title, description: description, footer: footer)
                } else if let display, case .view = display {
                    shown = FigureSection.make(view: display, title: title, description: description, footer: footer)
                } else {
                    throw LoupeError("figure: plot must be a figure, a view or an SVG string, not \(h.typeName)")
                }
            default:
                throw LoupeError("figure: plot must be a figure, a view or an SVG string, not \(plot.typeName)",
                                 hint: "make one with fig, ax = subplots() or imshow(...)")
            }
            return .host(ViewObject(function: "figure", summary: title.isEmpty ? "untitled" : title, output: shown))
        }
    }

    struct AttentionArguments {
        var values: [Float]
        var shape: [Int]
        var tokens: [String]
        var names: [String]?
        var title: String?
        var minValue: Float?
        var maxValue: Float?
        var summary: String { "\(tokens.count) tokens, \(shape.count == 3 ? shape[0] : 1) head\(shape.count == 3 && shape[0] != 1 ? "s" : "")" }
    }

    /// (attention, tokens, attention_head_names, [max_value, min_value,] title), with `pattern=` declared as
    /// an alias of `attention=`; circuitsvis' order (tokens, attention) is recognised by the values' kinds.
    static func attentionArguments(_ args: BoundArguments, valueRange: Bool) throws -> AttentionArguments {
        var attention = args.value("attention"), tokenList = args.value("tokens")
        if isStringList(attention), !isStringList(tokenList) { swap(&attention, &tokenList) }
        let (values, rawShape) = try ViewArguments.numbers(attention, "attention")
        let shape = ViewArguments.squeezeLeading(rawShape, to: 3)
        let tokens = try ViewArguments.strings(tokenList, "tokens")
        let headNames = try args.optional("attention_head_names").map { try ViewArguments.strings($0, "attention_head_names") }
        var out = AttentionArguments(values: values, shape: shape, tokens: tokens, names: headNames,
                                     title: try args.optionalString("title"))
        if valueRange {
            out.maxValue = try ViewArguments.optionalFloat(args.optional("max_value"), "max_value")
            out.minValue = try ViewArguments.optionalFloat(args.optional("min_value"), "min_value")
        }
        return out
    }

    static func isStringList(_ v: Value) -> Bool {
        switch v {
        case .list(let box): return box.items.first.map { if case .string = $0 { return true }; return false } ?? false
        case .tuple(let t): return t.first.map { if case .string = $0 { return true }; return false } ?? false
        default: return false
        }
    }

    /// Views throw `ViewError`; the language shows `LoupeError`.
    static func viewCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ViewError { throw LoupeError(e.description) }
    }
}
