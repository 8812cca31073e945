import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeModels
import LoupePlot
import LoupeReport
import LoupeTensor

/// `generation_trace(model, prompt)`: the attention-when-generating notebook's greedy generation that re-runs the growing sequence
/// with a cache each step, keeping the logit lens of every residual component at the last position and
/// the attention patterns of chosen layers, printing `step = N` / `token: 'x' (id: N)` as it goes.
enum AnalysisTrace {
    static func install() {
        Builtins.register(
            """
            generation_trace(model, prompt, max_new_tokens: int = 10, top_k: int = 5, pattern_layers=[], every: int = 2,
                             last: int = 40, recompute_ln: bool = False, image=None)
            """,
            doc: """
            Greedy generation, one full cached run per step (as the attention-when-generating notebook does), stopping at max_new_tokens or \
            the end-of-sequence token. Each step prints `step = N` and `token: 'x' (id: N)`, keeps the top_k \
            logit-lens tokens of every accumulated residual component (incl_mid) at the last position (normalised \
            by the run's cached final-norm scale as the seed's apply_ln_to_stack did; recompute_ln=True uses each \
            component's own norm) and the \
            attention patterns of pattern_layers (last `last` positions). Returns a GenerationTrace: .text, \
            .tokens, .top_tokens[step][component][k], .labels, .grid(layers=None, every=2) (the gold grid), \
            .views(layers=None, step=-1) (attention views). image= (LLaVA): pixel_values for the prompt's <image>s, \
            at the same positions in every step's run.
            """,
            example: "trace = generation_trace(model, \"Is this a cat or a dog? Answer:\", max_new_tokens=6, pattern_layers=[1, 6])\ntrace.grid()"
        ) { rt, args in
            let m = try AnalysisModel.model(args.value("model"))
            let prompt = args.value("prompt")
            let pixels = try args.optional("image").map { try ModelBindings.pixels(m, $0, "generation_trace") }
            let start: [Int]
            if pixels != nil {
                start = try ModelBindings.imagePrompt(m, prompt, prependBOS: nil, what: "generation_trace")
            } else {
                guard case .single(let ids) = try m.input(prompt, prependBOS: nil, what: "generation_trace") else {
                    throw LoupeError("generation_trace: one prompt at a time")
                }
                start = ids
            }
            let maxNew = try args.int("max_new_tokens")
            let k = try args.int("top_k")
            let layers = try args.optional("pattern_layers").map { try Ops.iterate($0).map { try AnalysisModel.layer($0, m, "pattern_layers") } } ?? []
            let trace = TraceObject(model: m, prompt: start, every: try args.int("every"),
                                    promptText: (try? prompt.asString("prompt")) ?? "")
            trace.pixels = pixels
            try trace.run(maxNew: maxNew, k: k, patternLayers: layers, last: try args.int("last"),
                          recomputeLN: try args.bool("recompute_ln"), interp: rt)
            return .host(trace)
        }
        Builtins.registerMethod(type: "GenerationTrace", "trace.grid(layers=None, every: int | None = None, title: str | None = None)",
                                doc: "Layers × steps grid of each component's top token, gold where it equals the generated token. layers picks components by index (default every `every`-th, as the seed's np.arange(0, n, 2)).",
                                example: "trace.grid(title=\"Predicted tokens\")") { _, recv, args in
            let t = try trace(recv)
            let layers = try args.optional("layers").map { try Ops.iterate($0).map { try $0.asInt("layers") } }
            let g = GenerationGrid.grid(lensTop1: t.steps.map { $0.top.map { $0.first ?? "" } }, generated: t.generatedText,
                                        layers: layers, every: try args.optionalInt("every") ?? t.every)
            let title = try args.optionalString("title") ?? "Predicted tokens for: \(t.promptText)"
            return .host(FigureObject(GenerationGridFigure.figure(tokens: g.tokens, matches: g.matches, layers: g.layers, title: title)))
        }
        Builtins.registerMethod(type: "GenerationTrace", "trace.views(layers=None, step: int | None = None, last: int | None = None)",
                                doc: "Shows circuitsvis-style attention views of the kept layers (or `layers`) at a step (default: every step), over the last positions — the seed's saved attention HTML.",
                                example: "trace.views(layers=[6], step=-1)") { rt, recv, args in
            let t = try trace(recv)
            let keep = try args.optionalInt("last")
            let want = try args.optional("layers").map { try Ops.iterate($0).map { try AnalysisModel.layer($0, t.model) } }
            var steps = Array(t.steps.indices)
            if let s = try args.optionalInt("step") {
                let i = s < 0 ? s + t.steps.count : s
                guard i >= 0 && i < t.steps.count else { throw LoupeError("views: step \(s) out of range for \(t.steps.count) steps") }
                steps = [i]
            }
            for s in steps {
                for (layer, p) in t.steps[s].patterns where want?.contains(layer) ?? true {
                    let p = keep.map { cutLast(p, $0) } ?? p
                    let view = try ViewBindings.viewCall {
                        try AttentionPatternsView(tokens: p.tokens, pattern: p.values, shape: p.shape,
                                                  title: "Step \(s + 1), layer \(layer)")
                    }
                    rt.emit(view.output)
                }
            }
            return .none
        }
    }

    /// The last `w` positions of a kept [head, pos, pos] pattern.
    static func cutLast(_ p: TraceObject.Pattern, _ w: Int) -> TraceObject.Pattern {
        let (h, n) = (p.shape[0], p.shape[1])
        let k = max(1, min(w, n))
        var out: [Float] = []
        out.reserveCapacity(h * k * k)
        for head in 0..<h { for i in (n - k)..<n { for j in (n - k)..<n { out.append(p.values[(head * n + i) * n + j]) } } }
        return TraceObject.Pattern(tokens: Array(p.tokens.suffix(k)), values: out, shape: [h, k, k])
    }

    static func trace(_ v: Value) throws -> TraceObject {
        if case .host(let t as TraceObject) = v { return t }
        throw LoupeError("expected a GenerationTrace, not \(v.typeName)")
    }
}

final class TraceObject: HostObject {
    let typeName = "GenerationTrace"
    struct Pattern { var tokens: [String]; var values: [Float]; var shape: [Int] }
    struct Step {
        var token: Int
        /// [component][k] token text, as decode([id]) gives it.
        var top: [[String]]
        var patterns: [(Int, Pattern)]
    }

    let model: ModelObject
    let prompt: [Int]
    let promptText: String
    let every: Int
    var steps: [Step] = []
    var labels: [String] = []
    /// The images at the prompt's image tokens (LLaVA), nil for a text prompt.
    var pixels: Tensor?

    init(model: ModelObject, prompt: [Int], every: Int, promptText: String) {
        self.model = model; self.prompt = prompt; self.every = every; self.promptText = promptText
    }

    func decode(_ id: Int) -> String { model.tokenizer?.decode([id]) ?? "<\(id)>" }
    var generatedText: [String] { steps.map { decode($0.token) } }

    func run(maxNew: Int, k: Int, patternLayers: [Int], last: Int, recomputeLN: Bool, interp: Interpreter) throws {
        var ids = prompt
        let eos = model.tokenizer?.eosID ?? model.model.config.eosTokenID
        for i in 0..<max(0, maxNew) {
            interp.emit(.stream("step = \(i + 1)\n"))
            let input = pixels.map { ForwardInput.multimodal(ids, pixelValues: $0, batchAxis: false) } ?? .tokens(ids)
            let r = try engineCall { try model.model.runWithCache(input, namesFilter: .all, hooks: model.singleRunHooks) }
            let logits = r.logits // [pos, vocab]
            let next = try engineCall { Int(try logits.index([.at(-1)]).argmax(dim: -1).item) }
            let lens = try engineCall { () -> LensResult in
                let acc = try r.cache.accumulatedResid(layer: nil, inclMid: true, posSlice: .all)
                let normed = try r.cache.applyLNToStack(acc.stack, layer: nil, posSlice: .all, recompute: recomputeLN)
                return try LogitLens.topK(stack: normed, model: model.model, k: k, labels: acc.labels, positions: [-1])
            }
            labels = lens.labels
            var patterns: [(Int, Pattern)] = []
            for l in patternLayers {
                let p = try engineCall { try r.cache.get("blocks.\(l).attn.hook_pattern") } // [head, pos, pos]
                let n = p.shape[1], w = min(last, n)
                let cut = try engineCall { try p.index([.range(nil, nil, nil), .range(n - w, nil, nil), .range(n - w, nil, nil)]).contiguous() }
                let toks = model.tokenizer?.tokenStrings(Array(ids.suffix(w))) ?? ids.suffix(w).map { "<\($0)>" }
                patterns.append((l, Pattern(tokens: toks, values: cut.toArray(), shape: cut.shape)))
            }
            steps.append(Step(token: next, top: lens.ids.map { $0[0].map { decode($0) } }, patterns: patterns))
            interp.emit(.stream("token: '\(decode(next))' (id: \(next))\n"))
            ids.append(next)
            if next == eos { break }
        }
        interp.emit(.stream("full text: \(model.tokenizer?.decode(steps.map(\.token)) ?? "")\n"))
    }

    func repr() -> String { "<GenerationTrace \(steps.count) steps: \(model.tokenizer?.decode(steps.map(\.token)) ?? "")>" }

    var memberNames: [String] { ["text", "tokens", "top_tokens", "labels", "steps"] }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "text": return .string(model.tokenizer?.decode(steps.map(\.token)) ?? "")
        case "tokens": return .tokens(steps.map(\.token))
        case "top_tokens": return .list(steps.map { .list($0.top.map { .list($0.map { .string($0) }) }) })
        case "labels": return .list(labels.map { .string($0) })
        case "steps": return .int(steps.count)
        default: return nil
        }
    }

    var help: String { TableBindings.typeHelp("GenerationTrace", "Greedy generation with the logit lens and attention of every step (generation_trace(model, prompt)).") }
}
