import Foundation
import LoupeTensor

/// Positions to keep: TransformerLens's `pos_slice` (an int drops the position dimension).
public enum PosSlice: Sendable, Equatable {
    case all
    case index(Int)
    case range(Int?, Int?)
}

/// Activations of one run by TransformerLens hook name, with TransformerLens's helpers.
/// Activations of one prompt have no batch dimension; batched runs keep it.
public final class ActivationCache: @unchecked Sendable {
    public let model: HookedTransformer
    public let hasBatchDim: Bool
    /// Per sequence, true for real tokens (nil when nothing was padded).
    public let paddingMask: [[Bool]]?
    private(set) var activations: [String: Tensor]
    private let order: [String]

    init(model: HookedTransformer, activations: [String: Tensor], order: [String], hasBatchDim: Bool,
         paddingMask: [[Bool]]?) {
        self.model = model
        self.activations = activations
        self.hasBatchDim = hasBatchDim
        self.paddingMask = paddingMask
        // Forward order of the model, whatever order hooks fired in.
        let pos = Dictionary(uniqueKeysWithValues: model.hookNames.enumerated().map { ($1, $0) })
        self.order = order.sorted { (pos[$0] ?? 0) < (pos[$1] ?? 0) }
    }

    /// The same activations without their batch dimension of size 1 (TransformerLens's
    /// `remove_batch_dim`); a cache that has none is returned as it is.
    public func removingBatchDim() throws -> ActivationCache {
        guard hasBatchDim else { return self }
        var single: [String: Tensor] = [:]
        for (name, t) in activations {
            guard t.rank >= 1, t.shape[0] == 1 else {
                throw ModelError(.badInput, "remove_batch_dim needs a batch of one prompt; \(name) has shape \(t.shape)")
            }
            single[name] = try t.reshapedCopy(Array(t.shape.dropFirst()))
        }
        return ActivationCache(model: model, activations: single, order: order, hasBatchDim: false, paddingMask: nil)
    }

    /// The same activations with a leading batch dimension of size 1 (a one-sequence pass, such as a
    /// generation step, seen with TransformerLens's shapes); a cache that has one is returned as it is.
    public func addingBatchDim() throws -> ActivationCache {
        guard !hasBatchDim else { return self }
        var batched: [String: Tensor] = [:]
        for (name, t) in activations { batched[name] = try t.reshapedCopy([1] + t.shape) }
        return ActivationCache(model: model, activations: batched, order: order, hasBatchDim: true, paddingMask: nil)
    }

    /// Names held, in forward order.
    public var keys: [String] { order }
    public var count: Int { order.count }
    public func contains(_ name: String) -> Bool { activations[name] ?? activations[HookRegistry.canonical(name)] != nil }

    /// The activation of a full hook name.
    public func get(_ name: String) throws -> Tensor {
        if let t = activations[name] ?? activations[HookRegistry.canonical(name)] { return t }
        if model.registry.id(of: name) != nil {
            throw ModelError(.unknownHook, "\(name) was not cached in this run (names_filter left it out)")
        }
        let hint = nearest(name, in: model.hookNames).map { "; did you mean \($0)?" } ?? ""
        throw ModelError(.unknownHook, "unknown hook point \(name)\(hint)")
    }

    /// `cache["pattern", 5]`, `cache["q", -1, "attn"]`, `cache["resid_pre", 0]`, `cache["hook_embed"]`.
    public subscript(_ name: String, _ layer: Int? = nil, _ layerType: String? = nil) -> Tensor {
        get throws { try get(ActivationCache.actName(name, layer: layer, layerType: layerType, nLayers: model.config.nLayers)) }
    }

    /// A cache key's full name: `utils.get_act_name` with negative layers counted from the end, as
    /// TransformerLens's `cache[name, layer]` does.
    public static func actName(_ name: String, layer: Int? = nil, layerType: String? = nil, nLayers: Int) -> String {
        getActName(name, layer: layer.map { String($0 < 0 ? $0 + nLayers : $0) }, layerType: layerType)
    }

    /// TransformerLens's `get_act_name`, alias tables included.
    public static func getActName(_ given: String, layer givenLayer: String?, layerType givenType: String?) -> String {
        if (given.contains(".") || given.hasPrefix("hook_")) && givenLayer == nil && givenType == nil { return given }
        var name = given, layer = givenLayer, layerType = givenType
        // "k6", "scale4ln1": letters, then the layer's digits, then the layer type.
        let letters = given.prefix { $0.isASCII && $0.isLowercase }
        let digits = given.dropFirst(letters.count).prefix { $0.isASCII && $0.isNumber }
        if !letters.isEmpty && !digits.isEmpty {
            name = String(letters)
            layer = String(digits)
            let rest = given.dropFirst(letters.count + digits.count)
            layerType = rest.isEmpty ? nil : String(rest)
        }
        let layerTypeAlias = ["a": "attn", "m": "mlp", "b": "", "block": "", "blocks": "", "attention": "attn"]
        let actNameAlias = ["attn": "pattern", "attn_logits": "attn_scores", "key": "k", "query": "q", "value": "v",
                            "mlp_pre": "pre", "mlp_mid": "mid", "mlp_post": "post"]
        name = actNameAlias[name] ?? name
        var full = layer.map { "blocks.\($0)." } ?? ""
        if ["k", "v", "q", "z", "rot_k", "rot_q", "result", "pattern", "attn_scores"].contains(name) {
            layerType = "attn"
        } else if ["pre", "post", "mid", "pre_linear"].contains(name) {
            layerType = "mlp"
        } else if let t = layerType, let alias = layerTypeAlias[t] {
            layerType = alias
        }
        if let t = layerType, !t.isEmpty { full += "\(t)." }
        full += "hook_\(name)"
        if ["scale", "normalized"].contains(name) && layer == nil { full = "ln_final.\(full)" }
        return full
    }

    // MARK: residual-stream stacks

    /// Residual stream before each layer (and at each mid-point), up to `layer` (nil: to the end,
    /// ending with `final_post`). Returns [components, (batch,) pos, d_model] and labels.
    public func accumulatedResid(layer: Int? = nil, inclMid: Bool = false, posSlice: PosSlice = .all) throws
        -> (stack: Tensor, labels: [String]) {
        let n = model.config.nLayers
        var L = layer ?? n
        if L < 0 { L += n + 1 }
        var parts: [Tensor] = [], labels: [String] = []
        for l in 0...L {
            if l == n {
                parts.append(try get("blocks.\(n - 1).hook_resid_post")); labels.append("final_post")
                continue
            }
            parts.append(try get("blocks.\(l).hook_resid_pre")); labels.append("\(l)_pre")
            if inclMid && l < L { parts.append(try get("blocks.\(l).hook_resid_mid")); labels.append("\(l)_mid") }
        }
        return (try stackSliced(parts, posSlice), labels)
    }

    /// Outputs of each component writing to the residual stream before `layer` (nil: all):
    /// embed, pos_embed, then each layer's attn_out and mlp_out. `mlpInput`: include layer's attn_out.
    public func decomposeResid(layer: Int? = nil, mlpInput: Bool = false, inclEmbeds: Bool = true,
                               posSlice: PosSlice = .all) throws -> (stack: Tensor, labels: [String]) {
        let n = model.config.nLayers
        var L = layer ?? n
        if L < 0 { L += n + 1 }
        var parts: [Tensor] = [], labels: [String] = []
        if inclEmbeds {
            parts.append(try get("hook_embed")); labels.append("embed")
            if model.registry.id(of: "hook_pos_embed") != nil { parts.append(try get("hook_pos_embed")); labels.append("pos_embed") }
        }
        for l in 0..<L {
            parts.append(try get("blocks.\(l).hook_attn_out")); labels.append("\(l)_attn_out")
            parts.append(try get("blocks.\(l).hook_mlp_out")); labels.append("\(l)_mlp_out")
        }
        if mlpInput && L < n { parts.append(try get("blocks.\(L).hook_attn_out")); labels.append("\(L)_attn_out") }
        return (try stackSliced(parts, posSlice), labels)
    }

    /// Each head's output (hook_result, or z·W_O when results were not cached) for layers before
    /// `layer`: [layers·heads, (batch,) pos, d_model], labels "L{l}H{h}".
    public func stackHeadResults(layer: Int? = nil, posSlice: PosSlice = .all) throws -> (stack: Tensor, labels: [String]) {
        let c = model.config
        var L = layer ?? c.nLayers
        if L < 0 { L += c.nLayers + 1 }
        var parts: [Tensor] = [], labels: [String] = []
        for l in 0..<L {
            let res: Tensor
            if let r = activations["blocks.\(l).attn.hook_result"] { res = r } else { res = try computeHeadResults(l) }
            // res: [(batch,) pos, head, d_model] -> one part per head
            let lead = Array(res.shape.dropLast(2))
            let outer = lead.reduce(1, *)
            for h in 0..<c.nHeads {
                let t = Tensor(zeros: lead + [c.dModel])
                for i in 0..<outer {
                    (t.storage.pointer + i * c.dModel).update(from: res.contiguous().basePointer + (i * c.nHeads + h) * c.dModel, count: c.dModel)
                }
                parts.append(t); labels.append("L\(l)H\(h)")
            }
        }
        return (try stackSliced(parts, posSlice), labels)
    }

    func computeHeadResults(_ l: Int) throws -> Tensor {
        let c = model.config
        let z = try get("blocks.\(l).attn.hook_z").contiguous()     // [(batch,) pos, head, d_head]
        let wo = try model.W_O(layer: l)                            // [head, d_head, d_model]
        let lead = Array(z.shape.dropLast(2))
        let rows = lead.reduce(1, *)
        let out = Tensor(zeros: lead + [c.nHeads, c.dModel])
        for h in 0..<c.nHeads {
            Kernels.sgemm(m: rows, n: c.dModel, k: c.dHead, a: z.basePointer + h * c.dHead, lda: c.nHeads * c.dHead,
                          b: wo.basePointer + h * c.dHead * c.dModel, ldb: c.dModel,
                          c: out.storage.pointer + h * c.dModel, ldc: c.nHeads * c.dModel)
        }
        return out
    }

    /// Applies the norm feeding `layer` (nil or -1 or n_layers: ln_final) to each component of a stack
    /// [components, (batch,) pos, d_model]. `recompute` (default, current TransformerLens's logit lens):
    /// each component normalised with its own statistics by ln_final (with its weights unless they
    /// are folded). Otherwise TransformerLens ≤ 2.17: centre (LayerNorm) and divide by the run's cached
    /// scale. `posSlice` must be the one already applied to the stack.
    public func applyLNToStack(_ stack: Tensor, layer: Int? = nil, mlpInput: Bool = false, posSlice: PosSlice = .all,
                               recompute: Bool = false) throws -> Tensor {
        let c = model.config
        var L = layer ?? c.nLayers
        if L < 0 { L += c.nLayers + 1 }
        let s = stack.contiguous()
        let d = c.dModel
        guard s.shape.last == d else {
            throw ModelError(.badInput, "apply_ln_to_stack: last dimension \(s.shape.last ?? 0) is not d_model \(d)")
        }
        let out = Tensor(zeros: s.shape)
        let vectors = s.count / d
        let src = s.basePointer, dst = out.storage.pointer
        let center = !c.usesRMSNorm
        if recompute && L == c.nLayers {
            let applyWeights = !model.processing.foldLN
            let w = model.weights.lnFinalW.toArray(), b = model.weights.lnFinalB?.toArray()
            for v in 0..<vectors {
                let x = src + v * d, o = dst + v * d
                var mean: Double = 0
                if center { for i in 0..<d { mean += Double(x[i]) }; mean /= Double(d) }
                var ss: Double = 0
                for i in 0..<d { let t = Double(x[i]) - mean; ss += t * t }
                let inv = Float(1 / (ss / Double(d) + Double(c.eps)).squareRoot())
                for i in 0..<d {
                    var y = (x[i] - Float(mean)) * inv
                    if applyWeights { y *= w[i]; if let b { y += b[i] } }
                    o[i] = y
                }
            }
            return out
        }
        let scaleName = L == c.nLayers ? "ln_final.hook_scale" : "blocks.\(L).\(mlpInput ? "ln2" : "ln1").hook_scale"
        let scale = try sliced(try get(scaleName), posSlice).contiguous()   // [(batch,) pos, 1]
        let per = scale.count
        guard per > 0, vectors % per == 0 else {
            throw ModelError(.badInput, "apply_ln_to_stack: stack \(s.shape) does not match cached scale \(scale.shape); pass the pos_slice used for the stack")
        }
        for v in 0..<vectors {
            let x = src + v * d, o = dst + v * d
            var mean: Float = 0
            if center { var m: Double = 0; for i in 0..<d { m += Double(x[i]) }; mean = Float(m / Double(d)) }
            let sc = scale.basePointer[v % per]
            for i in 0..<d { o[i] = (x[i] - mean) / sc }
        }
        return out
    }

    /// Logit attributions: each component's (normalised) contribution to the logit of `tokens`
    /// (minus `incorrectTokens`), [components, ...positions]. `tokens`: one id for all positions or
    /// one per position of the stack.
    public func logitAttrs(_ stack: Tensor, tokens: [Int], incorrectTokens: [Int]? = nil, posSlice: PosSlice = .all,
                           recompute: Bool = false) throws -> Tensor {
        let c = model.config
        let scaled = try applyLNToStack(stack, posSlice: posSlice, recompute: recompute).contiguous()
        let d = c.dModel
        let outShape = Array(scaled.shape.dropLast())
        let vectors = scaled.count / d
        let perComponent = vectors / max(outShape.first ?? 1, 1)
        guard tokens.count == 1 || tokens.count == perComponent else {
            throw ModelError(.badInput, "logit_attrs: \(tokens.count) tokens for \(perComponent) positions")
        }
        let wu = try model.W_U.contiguous()     // [d_model, d_vocab]
        let out = Tensor(zeros: outShape)
        for v in 0..<vectors {
            let i = tokens.count == 1 ? 0 : v % perComponent
            var acc: Float = 0
            let x = scaled.basePointer + v * d
            for k in 0..<d {
                var dir = wu.basePointer[k * c.dVocab + tokens[i]]
                if let bad = incorrectTokens { dir -= wu.basePointer[k * c.dVocab + bad[bad.count == 1 ? 0 : i]] }
                acc += x[k] * dir
            }
            out.storage.pointer[v] = acc
        }
        return out
    }

    // MARK: helpers

    /// Applies a position slice to an activation whose position dimension is 0 (or 1 with batch).
    func sliced(_ t: Tensor, _ s: PosSlice) throws -> Tensor {
        if s == .all { return t }
        let dim = hasBatchDim ? 1 : 0
        let n = t.shape[dim]
        func norm(_ i: Int) -> Int { i < 0 ? i + n : i }
        var lo = 0, hi = n, drop = false
        switch s {
        case .all: break
        case .index(let i):
            lo = norm(i); hi = lo + 1; drop = true
            guard lo >= 0 && lo < n else { throw ModelError(.badInput, "position \(i) out of range for \(n) positions") }
        case .range(let a, let b):
            lo = max(0, min(n, a.map(norm) ?? 0)); hi = max(lo, min(n, b.map(norm) ?? n))
        }
        let c = t.contiguous()
        let outer = t.shape[..<dim].reduce(1, *), inner = t.shape[(dim + 1)...].reduce(1, *)
        var shape = t.shape
        shape[dim] = hi - lo
        let out = Tensor(zeros: shape)
        for o in 0..<outer {
            (out.storage.pointer + o * (hi - lo) * inner).update(from: c.basePointer + (o * n + lo) * inner, count: (hi - lo) * inner)
        }
        if drop { shape.remove(at: dim); return try out.reshapedCopy(shape) }
        return out
    }

    func stackSliced(_ parts: [Tensor], _ s: PosSlice) throws -> Tensor {
        let ps = try parts.map { try sliced($0, s).contiguous() }
        guard let first = ps.first else { return Tensor(zeros: [0]) }
        let out = Tensor(zeros: [ps.count] + first.shape)
        for (i, p) in ps.enumerated() {
            (out.storage.pointer + i * first.count).update(from: p.basePointer, count: first.count)
        }
        return out
    }
}

// MARK: planning the cache's memory

/// Bytes one forward pass will hold, planned from the config before anything is allocated.
public struct PassMemory: Sendable, Equatable {
    /// The activations the names filter keeps (each hook point's shape × 4 bytes).
    public var cache: Int
    /// The pass's working buffers (residual, q/k/v, scores and pattern, MLP) and the logits.
    public var working: Int
    public var total: Int { cache &+ working }
}

extension HookRegistry {
    /// Elements of hook point `id`'s activation for `batch` sequences of `T` new positions after `past`
    /// cached ones (the shapes `ForwardPass` fires with).
    func elements(of id: Int, config c: ModelConfig, batch B: Int, positions T: Int, past: Int) -> Int {
        let rows = B * T, d = c.dModel
        let nLayers = c.nLayers
        if id < HookRegistry.globalsBefore || id >= HookRegistry.globalsBefore + nLayers * HookRegistry.perBlock {
            return id == HookRegistry.id(.lnFinalScale, nLayers: nLayers) ? rows : rows * d
        }
        let hook = BlockHook(rawValue: (id - HookRegistry.globalsBefore) % HookRegistry.perBlock) ?? .residPre
        switch hook {
        case .ln1Scale, .ln2Scale: return rows
        case .q, .rotQ, .z: return rows * c.nHeads * c.dHead
        case .k, .v, .rotK: return rows * c.nKVHeads * c.dHead
        case .attnScores, .pattern: return B * c.nHeads * T * (past + T)
        case .result: return rows * c.nHeads * d
        case .mlpPre, .mlpPreLinear, .mlpPost: return rows * c.dMLP
        case .residPre, .ln1Normalized, .attnOut, .residMid, .ln2Normalized, .mlpOut, .residPost: return rows * d
        }
    }
}

extension HookedTransformer {
    /// Bytes the activation cache of one pass would take: every hook point the filter selects, its
    /// shape × 4 bytes (attention patterns and scores are [batch, heads, pos, pos]). TransformerLens's
    /// `run_with_cache` arguments: `namesFilter`, `batch` sequences of `tokens` positions.
    public func cacheBytes(tokens: Int, namesFilter: NamesFilter = .all, batch: Int = 1) throws -> Int {
        try passMemory(ids: try registry.select(namesFilter), batch: batch, positions: tokens, past: 0).cache
    }

    /// The cache and working memory of one pass over `batch` × `positions` after `past` cached positions.
    func passMemory(ids: [Int], batch B: Int, positions T: Int, past: Int) throws -> PassMemory {
        guard B >= 0, T >= 0 else { throw ModelError(.badInput, "cache size: batch and positions must be ≥ 0") }
        let c = config
        var cache = 0
        for id in Set(ids) {
            let (b, o) = registry.elements(of: id, config: c, batch: B, positions: T, past: past)
                .multipliedReportingOverflow(by: 4)
            cache = o ? Int.max : cache.addingReportingOverflow(b).overflow ? Int.max : cache + b
        }
        let rows = B * T, d = c.dModel, qDim = c.nHeads * c.dHead, kvDim = c.nKVHeads * c.dHead
        var floats = rows * (6 * d + 2 * qDim + 2 * kvDim + 3 * c.dMLP + 1 + c.dVocab)   // buffers and logits
        floats += 2 * B * c.nHeads * T * (past + T)                                        // scores, pattern
        if ids.contains(where: { registry.points[$0]?.name.hasSuffix("attn.hook_result") ?? false }) {
            floats += rows * c.nHeads * d
        }
        return PassMemory(cache: cache, working: floats * 4)
    }

    /// Throws before a pass whose cache and buffers would not fit in the memory available, with the
    /// estimate and how to shrink it.
    func requirePassFits(ids: [Int], batch: Int, positions: Int, past: Int) throws {
        let m = try passMemory(ids: ids, batch: batch, positions: positions, past: past)
        let all = try passMemory(ids: try registry.select(.all), batch: batch, positions: positions, past: past).cache
        let filtered = ids.isEmpty ? "" : (m.cache < all ? " (the names filter keeps \(ids.count) hook points)" : " (every hook point)")
        try MemoryBudget.require(m.total, for: "a pass over \(batch) x \(positions) tokens caching \(MemoryBudget.describe(m.cache))\(filtered) with \(MemoryBudget.describe(m.working)) of buffers and logits",
                                 shrink: "cache fewer hook points (names_filter=\"blocks.*.hook_resid_post\"), run fewer positions or a smaller batch, or load the weights smaller (dtype=\"q8_0\")")
    }
}
