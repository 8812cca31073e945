import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeModels
import LoupeTensor

/// Ablation and activation-patching sweeps (the attention-breakdown notebook and the usual follow-ups), as Tables.
enum AnalysisSweeps {
    static func install() {
        Builtins.register(
            "ablation_sweep(model, tokens, head: int = 4, position: int = -2, target=None, mode: str = \"zero\")",
            doc: """
            Head ablation: in each layer, replace head `head`'s output (hook_z) at `position` by zero \
            (mode="zero") or by its mean over positions (mode="mean"), and record the log-probability the model \
            gives `target` at that position (default: the next input token, the "true" token). Returns a Table: \
            layer, logprob, clean, delta (= logprob − clean).
            """,
            example: "sweep = ablation_sweep(model, \"The Eiffel Tower is in Paris\", head=5)\nplot(sweep[\"layer\"].tolist(), sweep[\"logprob\"].tolist())"
        ) { _, args in
            let m = try AnalysisModel.model(args.value("model"))
            let ids = try single(m, args.value("tokens"), "ablation_sweep")
            let head = try AnalysisModel.head(args.value("head"), m)
            var pos = try args.int("position")
            if pos < 0 { pos += ids.count }
            guard pos >= 0 && pos < ids.count else { throw LoupeError("ablation_sweep: position out of range for \(ids.count) tokens") }
            let target = try targetToken(m, args.value("target"), default: pos + 1 < ids.count ? ids[pos + 1] : nil)
            let mode = try args.string("mode")
            guard mode == "zero" || mode == "mean" else { throw LoupeError("ablation_sweep: mode must be \"zero\" or \"mean\", not \"\(mode)\"") }
            let clean = try logprob(try engineCall { try m.model.runWithHooks(ids, hooks: m.singleRunHooks) }, pos: pos, target: target)
            var layers: [Int] = [], values: [Double] = []
            for l in 0..<m.model.config.nLayers {
                let hook = Hook("blocks.\(l).attn.hook_z") { z, _ in try ablate(z, pos: pos, head: head, mean: mode == "mean") }
                let logits = try engineCall { try m.model.runWithHooks(ids, hooks: m.singleRunHooks + [hook]) }
                layers.append(l); values.append(try logprob(logits, pos: pos, target: target))
            }
            return .host(TableObject(try TableBindings.checked {
                try Table(columns: [("layer", .int(layers)), ("logprob", .double(values)),
                                    ("clean", .double(values.map { _ in clean })), ("delta", .double(values.map { $0 - clean }))])
            }))
        }

        Builtins.register(
            "patching_sweep(model, clean, corrupted, target_token, over: str = \"layers×positions\")",
            doc: """
            Activation patching: run `corrupted` with one activation taken from the `clean` run and record the \
            log-probability of target_token at the last position. over="layers×positions" patches the residual \
            stream (hook_resid_pre) of one layer at one position; over="layers×heads" patches one head's output \
            (hook_z) at every position. clean and corrupted must have the same number of tokens. Returns a \
            Table: layer, position or head, logprob, plus clean and corrupted baselines and the normalised \
            recovery (logprob − corrupted) / (clean − corrupted). Turn it into a heatmap with \
            t.pivot("layer", "position", "recovered").
            """,
            example: "t = patching_sweep(model, \"The Eiffel Tower is in\", \"The Colosseum is in the\", \" Paris\")\nimshow(t.pivot(\"layer\", \"position\", \"recovered\"))"
        ) { _, args in
            let m = try AnalysisModel.model(args.value("model"))
            let clean = try single(m, args.value("clean"), "clean"), corrupted = try single(m, args.value("corrupted"), "corrupted")
            guard clean.count == corrupted.count else {
                throw LoupeError("patching_sweep: clean has \(clean.count) tokens but corrupted has \(corrupted.count); patching needs equal lengths")
            }
            let target = try targetToken(m, args.value("target_token"), default: nil)
            let over = try args.string("over").replacingOccurrences(of: "x", with: "×")
            let last = clean.count - 1
            let run = try engineCall { try m.model.runWithCache(clean, namesFilter: .predicate { $0.hasSuffix("hook_resid_pre") || $0.hasSuffix("attn.hook_z") }, hooks: m.singleRunHooks) }
            let cleanLP = try logprob(run.logits, pos: last, target: target)
            let corruptLP = try logprob(try engineCall { try m.model.runWithHooks(corrupted, hooks: m.singleRunHooks) }, pos: last, target: target)
            var layer: [Int] = [], index: [Int] = [], lp: [Double] = []
            let byHead: Bool
            switch over {
            case "layers×positions": byHead = false
            case "layers×heads": byHead = true
            default: throw LoupeError("patching_sweep: over must be \"layers×positions\" or \"layers×heads\", not \"\(over)\"")
            }
            for l in 0..<m.model.config.nLayers {
                let name = byHead ? "blocks.\(l).attn.hook_z" : "blocks.\(l).hook_resid_pre"
                let source = try engineCall { try run.cache.get(name) }.contiguous()
                for i in 0..<(byHead ? m.model.config.nHeads : clean.count) {
                    let hook = Hook(name) { act, _ in try patch(act, from: source, index: i, byHead: byHead) }
                    let logits = try engineCall { try m.model.runWithHooks(corrupted, hooks: m.singleRunHooks + [hook]) }
                    layer.append(l); index.append(i); lp.append(try logprob(logits, pos: last, target: target))
                }
            }
            let span = cleanLP - corruptLP
            return .host(TableObject(try TableBindings.checked {
                try Table(columns: [("layer", .int(layer)), (byHead ? "head" : "position", .int(index)), ("logprob", .double(lp)),
                                    ("clean", .double(lp.map { _ in cleanLP })), ("corrupted", .double(lp.map { _ in corruptLP })),
                                    ("recovered", .double(lp.map { span == 0 ? .nan : ($0 - corruptLP) / span }))])
            }))
        }
    }

    static func single(_ m: ModelObject, _ v: Value, _ what: String) throws -> [Int] {
        guard case .single(let ids) = try m.input(v, prependBOS: nil, what: what) else { throw LoupeError("\(what): one prompt, not a batch") }
        return ids
    }

    /// An id, or a text that is one token (" Paris").
    static func targetToken(_ m: ModelObject, _ v: Value?, default d: Int?) throws -> Int {
        guard let v = v?.orNil else {
            guard let d else { throw LoupeError("no target token: pass target= (a token id or a one-token text)") }
            return d
        }
        if case .string(let s) = v {
            let ids = try m.requireTokenizer("target").encode(s, addSpecial: false)
            guard ids.count == 1 else { throw LoupeError("target \"\(s)\" is \(ids.count) tokens, not one", hint: "pass a token id instead") }
            return ids[0]
        }
        let id = try v.asInt("target")
        guard id >= 0 && id < m.model.config.dVocab else { throw LoupeError("target \(id) is outside the vocabulary") }
        return id
    }

    /// log softmax(logits[pos])[target]; logits: [pos, vocab]
    static func logprob(_ logits: Tensor, pos: Int, target: Int) throws -> Double {
        try engineCall { Double(try logits.index([.at(pos)]).logSoftmax(dim: -1).index([.at(target)]).item) }
    }

    /// z: [pos, head, d_head] with head `head` at `pos` zeroed or set to its mean over positions.
    static func ablate(_ z: Tensor, pos: Int, head: Int, mean: Bool) throws -> Tensor {
        var a = z.contiguous().toArray()
        let (n, h, d) = (z.shape[0], z.shape[1], z.shape[2])
        for e in 0..<d {
            var fill: Float = 0
            if mean { for p in 0..<n { fill += a[(p * h + head) * d + e] }; fill /= Float(n) }
            a[(pos * h + head) * d + e] = fill
        }
        return Tensor(shape: z.shape, data: a)
    }

    /// act with one position ([pos, d_model]) or one head ([pos, head, d_head]) taken from `source`.
    static func patch(_ act: Tensor, from source: Tensor, index i: Int, byHead: Bool) throws -> Tensor {
        var a = act.contiguous().toArray()
        let s = source.toArray()
        if byHead {
            let (n, h, d) = (act.shape[0], act.shape[1], act.shape[2])
            for p in 0..<n { for e in 0..<d { a[(p * h + i) * d + e] = s[(p * h + i) * d + e] } }
        } else {
            let d = act.shape[1]
            for e in 0..<d { a[i * d + e] = s[i * d + e] }
        }
        return Tensor(shape: act.shape, data: a)
    }
}
