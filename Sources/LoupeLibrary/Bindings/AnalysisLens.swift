import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeModels
import LoupePlot
import LoupeReport
import LoupeTensor

/// `logit_lens(model, cache)`: what each layer's residual stream would predict if unembedded directly.
enum AnalysisLens {
    static func install() {
        Builtins.register(
            "logit_lens(model, cache, k: int = 5, pos=-1, incl_mid: bool = True, recompute_ln: bool = False)",
            doc: """
            The logit lens of a cached run, as the attention-when-generating notebook computes it: cache.accumulated_resid(incl_mid=...) → \
            cache.apply_ln_to_stack (the final norm) → @ W_U (no b_U) → top-k with softmax probabilities over \
            the vocabulary. pos picks one position (default the last), a list of positions, or None for all. \
            recompute_ln=False (the default, as in TransformerLens's apply_ln_to_stack and as the seeds computed \
            it) divides every component by the run's cached final-norm scale; True normalises each component by \
            its own norm (TransformerLens's recompute_ln=True). Returns a \
            LogitLens with .table(), .top_tokens, .top_probs, .top_ids, .labels and .grid(). The cache is one \
            prompt's, with TransformerLens's batch axis of one or without it (remove_batch_dim=True); results have \
            no batch axis (a Loupe analysis, not a TransformerLens call).
            """,
            example: "lens = logit_lens(model, cache, k=5)\nlens.table().head(10)\nlens.grid()"
        ) { _, args in
            let m = try AnalysisModel.model(args.value("model"))
            let c = try AnalysisModel.cache(args.value("cache"))
            let k = try args.int("k")
            let pos = args.value("pos")
            let positions: [Int]?  // nil: every position
            switch pos {
            case .none: positions = nil
            case .list, .tuple: positions = try Ops.iterate(pos).map { try $0.asInt("pos") }
            default: positions = [try pos.asInt("pos")]
            }
            let result = try compute(m, c, k: k, positions: positions, inclMid: try args.bool("incl_mid"),
                                     recomputeLN: try args.bool("recompute_ln"))
            return .host(LensObject(result: result, model: m))
        }
        Builtins.registerMethod(type: "LogitLens", "lens.table()", doc: "One row per (component, position, rank): layer, position, rank, token, token_str, prob.",
                                example: "lens.table().where(\"rank\", \"==\", 1)") { _, recv, _ in
            let l = try lens(recv)
            return .host(TableObject(try TableBindings.checked { try l.result.table(tokenText: l.model.tokenText) }))
        }
        Builtins.registerMethod(type: "LogitLens", "lens.grid(title: str | None = None)",
                                doc: "A components × positions grid of each component's top token, coloured by its probability.",
                                example: "lens.grid(title=\"Logit lens\")") { _, recv, args in
            let l = try lens(recv)
            return .host(FigureObject(l.grid(title: try args.optionalString("title") ?? "Logit lens: top token per layer")))
        }
    }

    static func lens(_ v: Value) throws -> LensObject {
        if case .host(let l as LensObject) = v { return l }
        throw LoupeError("expected a LogitLens, not \(v.typeName)")
    }

    /// The lens over `positions` (nil: all) of a one-prompt cache.
    static func compute(_ m: ModelObject, _ c: CacheObject, k: Int, positions: [Int]?, inclMid: Bool,
                        recomputeLN: Bool) throws -> LensResult {
        try engineCall {
            let r = try c.cache.accumulatedResid(layer: nil, inclMid: inclMid, posSlice: .all)
            let normed = try c.cache.applyLNToStack(r.stack, layer: nil, posSlice: .all, recompute: recomputeLN)
            return try LogitLens.topK(stack: normed, model: m.model, k: k, labels: r.labels, positions: positions)
        }
    }
}

/// A logit-lens result in Loupe code.
final class LensObject: HostObject {
    let typeName = "LogitLens"
    let result: LensResult
    let model: ModelObject

    init(result: LensResult, model: ModelObject) { self.result = result; self.model = model }

    func repr() -> String {
        "<LogitLens \(result.labels.count) components × \(result.positions.count) position\(result.positions.count == 1 ? "" : "s"), top \(result.ids.first?.first?.count ?? 0)>"
    }

    var memberNames: [String] { ["top_tokens", "top_ids", "top_probs", "labels", "positions"] }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "top_tokens": return .list(result.ids.map { .list($0.map { .list($0.map { .string(model.tokenText($0)) }) }) })
        case "top_ids": return .list(result.ids.map { .list($0.map { .list($0.map { .int($0) }) }) })
        case "top_probs":
            let c = result.probs.count, p = result.positions.count, k = result.probs.first?.first?.count ?? 0
            return .tensor(Tensor(shape: [c, p, k], data: result.probs.flatMap { $0.flatMap { $0 } }))
        case "labels": return .list(result.labels.map { .string($0) })
        case "positions": return .list(result.positions.map { .int($0) })
        default: return nil
        }
    }

    func display() -> CellOutput? {
        (try? result.table(tokenText: model.tokenText)).flatMap { TableObject($0).display() }
    }

    func grid(title: String) -> Figure {
        let texts = result.ids.map { $0.map { model.tokenText($0.first ?? 0) } }
        let probs = result.probs.map { $0.map { Double($0.first ?? 0) } }
        let fig = Figure(width: min(24, max(4.5, 1.2 * Double(result.positions.count) + 3)), height: min(30, 0.28 * Double(texts.count) + 1.6))
        let ax = fig.ax
        ax.textGrid(texts.map { $0.map(AttentionTokenFigure.label) }, values: probs, cmap: Colormap.named("Blues") ?? .viridis,
                    vmin: 0, vmax: 1, fontSize: nil, cellBorder: .white)
        ax.setXTicks(result.positions.map(String.init))
        ax.setYTicks(result.labels)
        ax.tickFontSize = 7
        ax.set(xlabel: "Position", title: title)
        _ = try? fig.colorbar(for: ax, label: "Top-1 probability", aspect: max(20, Double(texts.count)), shrink: texts.count > 20 ? 0.5 : 1)
        return fig
    }

    var help: String { TableBindings.typeHelp("LogitLens", "Top-k logit-lens tokens per residual component and position (logit_lens(model, cache)).") }
}
