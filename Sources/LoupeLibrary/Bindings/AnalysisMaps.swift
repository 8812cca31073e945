import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeModels
import LoupePlot
import LoupeReport
import LoupeTensor

/// Attention map viewer: for every generated token, layers × key-position windows where a
/// cell's colour is the attention from the current position and its text the logit-lens token there.
enum AnalysisMaps {
    static func install() {
        Builtins.register(
            """
            attention_maps(model, prompt, max_new_tokens: int = 5, window: int = 32, stride: int = 5,
                           out_dir: str | None = None, average_heads: bool = True, head: int = 0)
            """,
            doc: """
            As Llama attention-map viewers do (llama-attn-maps): greedy generation; at each step i, for every layer the attention of the \
            current (last) position over all positions (mean of heads, or `head`) and the logit-lens token at \
            each position (that layer's output through the final norm and W_U); the last row is the model's \
            own prediction at each position. Positions are cut in windows of `window` moving by `stride` \
            (attention_windows), one figure per window, written as out_dir/attn_{i}_{j}.svg when out_dir is \
            given. Returns AttentionMaps: .figures, .files, .tokens, .attention(step) [layer, pos], .lens(step).
            """,
            example: "maps = attention_maps(model, \"Alice and Bob are siblings. Who is Bob's sister?\", max_new_tokens=3, out_dir=\"attn_maps\")\nmaps.figures[-1]"
        ) { rt, args in
            let m = try AnalysisModel.model(args.value("model"))
            var ids = try AnalysisSweeps.single(m, args.value("prompt"), "attention_maps")
            let maxNew = try args.int("max_new_tokens")
            let window = try args.int("window"), stride = try args.int("stride")
            guard window >= 1, stride >= 1 else { throw LoupeError("attention_maps: window and stride must be ≥ 1") }
            let outDir = try args.optionalString("out_dir").map { try FileBuiltins.writeURL($0, rt) }
            let average = try args.bool("average_heads")
            let head = try AnalysisModel.head(args.value("head"), m)
            if let outDir { try? FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true) }
            let maps = MapsObject(model: m)
            let eos = m.tokenizer?.eosID ?? m.model.config.eosTokenID
            for i in 0..<max(0, maxNew) {
                if rt.interruptRequested { throw LoupeError.interrupted }
                let step = try compute(m, ids, average: average, head: head)
                maps.steps.append(step)
                let inputs = m.tokenizer?.tokenStrings(ids) ?? ids.map { "<\($0)>" }
                let predicted = m.tokenizer?.decode([step.next]) ?? "<\(step.next)>"
                for (j, start) in AttentionWindows.starts(length: ids.count, size: window, stride: stride).enumerated() {
                    let end = min(start + window, ids.count)
                    let fig = AttentionMapFigure.figure(
                        attention: step.attention.map { Array($0[start..<end]) }, lens: step.lens.map { Array($0[start..<end]) },
                        output: Array(step.output[start..<end]), inputs: Array(inputs[start..<end]), firstPosition: start,
                        title: "Token \(i): predicting '\(predicted)' — positions \(start)–\(end - 1)")
                    fig.name = "attn_\(i)_\(j)"
                    maps.figures.append(fig)
                    if let outDir {
                        let path = outDir.appendingPathComponent("attn_\(i)_\(j).svg").path
                        do { try fig.save(to: path) } catch { throw LoupeError("attention_maps: \(error)") }
                        maps.files.append(path)
                    }
                }
                ids.append(step.next)
                maps.tokens.append(step.next)
                if step.next == eos { break }
            }
            return .host(maps)
        }
        Builtins.registerMethod(type: "AttentionMaps", "maps.attention(step: int)", doc: "Step i's attention from the current position: [layer, pos].",
                                example: "maps.attention(0)[5]") { _, recv, args in
            let s = try step(recv, args)
            let n = s.attention.first?.count ?? 0
            return .tensor(Tensor(shape: [s.attention.count, n], data: s.attention.flatMap { $0.map(Float.init) }))
        }
        Builtins.registerMethod(type: "AttentionMaps", "maps.lens(step: int)", doc: "Step i's logit-lens token ids [layer][pos] (the last row: the model's prediction).",
                                example: "maps.lens(0)[-1]") { _, recv, args in
            let s = try step(recv, args)
            return .list((s.lensIDs + [s.outputIDs]).map { .list($0.map { .int($0) }) })
        }
    }

    /// The step a `maps.attention(step)` / `maps.lens(step)` call names (negative counts from the end).
    static func step(_ recv: Value, _ args: BoundArguments) throws -> MapsObject.Step {
        guard case .host(let m as MapsObject) = recv else { throw LoupeError("expected AttentionMaps") }
        var i = try args.int("step")
        if i < 0 { i += m.steps.count }
        guard i >= 0 && i < m.steps.count else { throw LoupeError("step \(i) out of range for \(m.steps.count) steps") }
        return m.steps[i]
    }

    static func compute(_ m: ModelObject, _ ids: [Int], average: Bool, head: Int) throws -> MapsObject.Step {
        let nL = m.model.config.nLayers
        let r = try engineCall {
            try m.model.runWithCache(ids, namesFilter: .predicate { $0.hasSuffix("attn.hook_pattern") || $0.contains("resid") || $0.hasPrefix("ln_final") }, hooks: m.singleRunHooks)
        }
        let n = ids.count
        var attention: [[Double]] = []
        for l in 0..<nL {
            let p = try engineCall { try r.cache.get("blocks.\(l).attn.hook_pattern") }.contiguous() // [head, pos, pos]
            let v = p.toArray(), H = p.shape[0]
            attention.append((0..<n).map { k in
                if average { return (0..<H).reduce(0.0) { $0 + Double(v[($1 * n + n - 1) * n + k]) } / Double(H) }
                return Double(v[(head * n + n - 1) * n + k])
            })
        }
        let lens = try engineCall { () -> LensResult in
            let acc = try r.cache.accumulatedResid(layer: nil, inclMid: false, posSlice: .all) // [L+1, pos, d]: 0_pre … final_post
            let outputs = try acc.stack.index([.range(1, nil, nil)]).contiguous()             // each layer's output
            let normed = try r.cache.applyLNToStack(outputs, layer: nil, posSlice: .all, recompute: true)
            return try LogitLens.topK(stack: normed, W_U: try m.model.W_U, k: 1)
        }
        let lensIDs = lens.top1 // [layer][pos]
        let logits = r.logits.contiguous() // [pos, vocab]
        let outputIDs = try engineCall { try logits.argmax(dim: -1).toArray().map { Int($0) } }
        let text: (Int) -> String = { m.tokenizer?.decode([$0]) ?? "<\($0)>" }
        return MapsObject.Step(attention: attention, lensIDs: lensIDs, outputIDs: outputIDs,
                               lens: lensIDs.map { $0.map(text) }, output: outputIDs.map(text), next: outputIDs[n - 1])
    }
}

final class MapsObject: HostObject {
    let typeName = "AttentionMaps"
    struct Step {
        var attention: [[Double]] // [layer][pos]
        var lensIDs: [[Int]]      // [layer][pos]
        var outputIDs: [Int]      // [pos]
        var lens: [[String]]
        var output: [String]
        var next: Int
    }
    let model: ModelObject
    var steps: [Step] = []
    var figures: [Figure] = []
    var files: [String] = []
    var tokens: [Int] = []

    init(model: ModelObject) { self.model = model }

    func repr() -> String { "<AttentionMaps \(steps.count) steps, \(figures.count) figures\(files.isEmpty ? "" : ", \(files.count) files")>" }
    var memberNames: [String] { ["figures", "files", "tokens", "text"] }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "figures": return .list(figures.map { .host(FigureObject($0)) })
        case "files": return .list(files.map { .string($0) })
        case "tokens": return .tokens(tokens)
        case "text": return .string(model.tokenizer?.decode(tokens) ?? "")
        default: return nil
        }
    }

    var help: String { TableBindings.typeHelp("AttentionMaps", "Attention maps (attention_maps(model, prompt)).") }
}
