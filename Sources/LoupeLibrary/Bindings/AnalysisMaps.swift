import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeModels
import LoupePlot
import LoupeTensor
import LoupeTokenizers

/// The attention-map viewer (llama-attn-maps' generate_with_logit_lens + plot_attn): generation with a
/// KV cache; for every token fed back, each layer's attention from it over all positions (reduced over
/// heads) with each position labelled by the logit lens, cut into windows of key positions.
enum AnalysisMaps {
    static func install() {
        Builtins.register(
            """
            attention_maps(model, prompt, max_gen_len: int = 256, temperature: float = 0.1, top_p: float = 0.9,
                           seed: int = 0, heads = "max", window: int = 32, stride: int = 5,
                           out_dir: str | None = None, format: str = "svg", stop_tokens = None)
            """,
            doc: """
            The attention maps of llama-attn-maps: generates up to max_gen_len tokens after prompt (token ids, \
            e.g. model.chat_tokens(...), or a text) with a KV cache, sampling at temperature with top_p (seeded) or \
            greedily at temperature=0, until a stop token (default: the end-of-turn token of the model's chat \
            format, else its end-of-sequence token). Map i belongs to generated token i fed back in (as the viewer, \
            which leaves out the prompt pass): for each layer the attention of that position over positions \
            0…prompt+i, the largest over heads (heads="max", the viewer's), "mean", or one head's index. Labels: row 0 \
            the input tokens, row l+1 the logit lens after block l (its output through the final norm and the \
            unembedding, top token), so the last row is the model's prediction. Sequences longer than window are \
            cut into windows moving by stride, files out_dir/attn_{i}_{j}.svg (or .png with format="png"), else \
            one out_dir/attn_{i}.svg. Returns AttentionMaps: .steps, .files, .tokens, .text, .prompt_length, \
            .attention(i) [layer, key], .labels(i), .label_ids(i), .windows(i), .figure(i, j).
            """,
            example: "maps = attention_maps(model, model.chat_tokens([(\"user\", \"Who is Bob's sister?\")]), max_gen_len=4, temperature=0)\nmaps.figure(-1, -1)"
        ) { rt, args in
            let m = try AnalysisModel.model(args.value("model"))
            let prompt = try AnalysisSweeps.single(m, args.value("prompt"), "attention_maps")
            guard !prompt.isEmpty else { throw LoupeError("attention_maps: the prompt has no tokens") }
            let window = try args.int("window"), stride = try args.int("stride")
            guard window >= 1, stride >= 1 else { throw LoupeError("attention_maps: window and stride must be ≥ 1") }
            let format = try args.string("format")
            guard format == "svg" || format == "png" else { throw LoupeError("attention_maps: format must be \"svg\" or \"png\", not \"\(format)\"") }
            let outDir = try args.optionalString("out_dir").map { try FileBuiltins.writeURL($0, rt) }
            if let outDir {
                do { try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true) }
                catch { throw LoupeError("attention_maps: cannot create \(outDir.path): \(error.localizedDescription)") }
            }
            let c = m.model.config
            let maps = MapsObject(model: m, prompt: prompt, heads: try heads(args.value("heads"), m),
                                  window: window, stride: stride)
            var o = GenerationOptions()
            let maxGen = try args.int("max_gen_len")
            guard maxGen >= 0 else { throw LoupeError("attention_maps: max_gen_len must be ≥ 0, got \(maxGen)") }
            guard prompt.count < c.nCtx else {
                throw LoupeError("attention_maps: the prompt's \(prompt.count) tokens leave no room in the model's context of \(c.nCtx)")
            }
            o.maxNewTokens = min(maxGen, c.nCtx - prompt.count)   // the viewer's min(max_seq_len, max_gen_len + prompt)
            let temperature = try args.double("temperature")
            guard temperature >= 0 else { throw LoupeError("attention_maps: temperature must be ≥ 0, got \(temperature)") }
            o.temperature = Float(temperature)
            let topP = try args.double("top_p")
            guard topP > 0 && topP <= 1 else { throw LoupeError("attention_maps: top_p must be in (0, 1], got \(topP)") }
            o.topP = Float(topP)
            let seed = try args.int("seed")
            guard seed >= 0 else { throw LoupeError("attention_maps: seed must be ≥ 0, got \(seed)") }
            o.seed = UInt64(seed)
            o.eosTokenIDs = try stopTokens(args.optional("stop_tokens"), m)
            maps.stopTokens = Set(o.eosTokenIDs ?? [])
            o.cacheFilter = .predicate { $0.hasSuffix("attn.hook_pattern") || $0.hasSuffix("hook_resid_post") }
            o.hooks = m.singleRunHooks
            o.onStep = { step in
                if rt.interruptRequested { throw LoupeError.interrupted }
                guard let cache = step.cache else { throw LoupeError("attention_maps: the engine kept no cache") }
                guard let i = try maps.add(cache: cache, next: step.token) else { return }
                guard let outDir else { return }
                for (j, w) in maps.windows(i).enumerated() {
                    let path = outDir.appendingPathComponent("\(w.name).\(format)").path
                    do { try maps.figure(i, j).save(to: path) } catch { throw LoupeError("attention_maps: \(error)") }
                    maps.files.append(path)
                }
            }
            _ = try engineCall { try m.model.generate(prompt, options: o) }
            return .host(maps)
        }
        installMethods()
    }

    /// heads="max" | "mean" | a head index.
    static func heads(_ v: Value, _ m: ModelObject) throws -> HeadReduction {
        switch v {
        case .string("max"): return .max
        case .string("mean"): return .mean
        case .int: return .head(try AnalysisModel.head(v, m))
        default: throw LoupeError("attention_maps: heads must be \"max\", \"mean\" or a head index, not \(Repr.repr(v))")
        }
    }

    /// Generation stops after one of these: the given ids, else the chat format's end-of-turn token
    /// (the viewer stops at <|eot_id|>), else the end-of-sequence token.
    static func stopTokens(_ v: Value?, _ m: ModelObject) throws -> [Int] {
        if let v {
            if case .int(let i) = v { return [i] }
            return try Ops.iterate(v).map { try $0.asInt("stop_tokens") }
        }
        if let tok = m.tokenizer, let format = try? ChatFormat.of(tok), let id = tok.id(for: format.endOfTurn) { return [id] }
        return (m.tokenizer?.eosID ?? m.model.config.eosTokenID).map { [$0] } ?? []
    }

    /// The step a method call names (negative counts from the end).
    static func step(_ maps: MapsObject, _ args: BoundArguments) throws -> Int {
        var i = try args.int("step")
        if i < 0 { i += maps.steps.count }
        guard i >= 0 && i < maps.steps.count else { throw LoupeError("step \(try args.int("step")) out of range for \(maps.steps.count) steps") }
        return i
    }

    static func installMethods() {
        func maps(_ v: Value) throws -> MapsObject {
            guard case .host(let m as MapsObject) = v else { throw LoupeError("expected AttentionMaps, not \(v.typeName)") }
            return m
        }
        Builtins.registerMethod(type: "AttentionMaps", "maps.attention(step: int)",
                                doc: "Map `step`'s attention rows [layer, key]: the decoding position's attention over every position so far, reduced over heads.",
                                example: "maps.attention(0)[5]") { _, recv, args in
            let o = try maps(recv), s = o.steps[try step(o, args)]
            return .tensor(Tensor(shape: [s.attention.count, s.length], data: s.attention.flatMap { $0 }))
        }
        Builtins.registerMethod(type: "AttentionMaps", "maps.label_ids(step: int)",
                                doc: "Map `step`'s label token ids [layer + 1][key]: row 0 the input tokens, row l + 1 the logit lens after block l (the last: the model's prediction).",
                                example: "maps.label_ids(0)[-1]") { _, recv, args in
            let o = try maps(recv)
            return .list(o.labelIDs(try step(o, args)).map { .list($0.map { .int($0) }) })
        }
        Builtins.registerMethod(type: "AttentionMaps", "maps.labels(step: int)",
                                doc: "Map `step`'s labels as text [layer + 1][key] (each token decoded on its own).",
                                example: "maps.labels(0)[0]") { _, recv, args in
            let o = try maps(recv)
            return .list(o.labels(try step(o, args)).map { .list($0.map { .string($0) }) })
        }
        Builtins.registerMethod(type: "AttentionMaps", "maps.windows(step: int)",
                                doc: "Map `step`'s windows: (name, start, stop) per file, as the viewer names them (attn_{i}_{j}, or attn_{i} when one window holds every position).",
                                example: "maps.windows(0)") { _, recv, args in
            let o = try maps(recv)
            return .list(o.windows(try step(o, args)).map { .tuple([.string($0.name), .int($0.start), .int($0.end)]) })
        }
        Builtins.registerMethod(type: "AttentionMaps", "maps.figure(step: int, window: int = 0)",
                                doc: "The figure of map `step`, window `window` (negative counts from the end), drawn as the viewer draws it.",
                                example: "maps.figure(0, -1)") { _, recv, args in
            let o = try maps(recv)
            let i = try step(o, args), windows = o.windows(i)
            var j = try args.int("window")
            if j < 0 { j += windows.count }
            guard j >= 0 && j < windows.count else { throw LoupeError("window \(try args.int("window")) out of range for \(windows.count) windows") }
            return .host(FigureObject(try o.figure(i, j)))
        }
    }
}
