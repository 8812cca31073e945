import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeModels
import LoupeTensor

/// A hook point as a hook function sees it (`hook.name`, `hook.layer()`), as TransformerLens's HookPoint.
final class HookPointObject: HostObject {
    let typeName = "HookPoint"
    let name: String
    /// The block index, nil outside blocks (hook_embed, ln_final…).
    let layer: Int?
    /// The model it belongs to when reached as an attribute (`model.blocks[0].attn.hook_z`), for add_hook.
    let model: ModelObject?
    init(_ point: HookPoint) { name = point.name; layer = point.layer; model = nil }
    init(name: String, model: ModelObject? = nil) {
        self.name = name
        self.model = model
        let parts = name.split(separator: ".")
        layer = parts.count > 1 && parts[0] == "blocks" ? Int(parts[1]) : nil
    }
    func repr() -> String { "<HookPoint \(name)>" }
    var memberNames: [String] { ["name", "layer", "add_hook", "remove_hooks"] }
    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        name == "name" ? .string(self.name) : nil
    }
    var help: String { "HookPoint: hook.name is the full hook name, hook.layer() its block (None outside blocks, where TransformerLens raises)." }
}

/// A prebuilt hook (from ablate_heads, patch_hook, scale_hook, add_hook), usable in fwd_hooks.
final class HookSpecObject: HostObject {
    let typeName = "Hook"
    let hook: Hook
    let label: String
    init(_ hook: Hook, label: String) { self.hook = hook; self.label = label }
    func repr() -> String { "<Hook \(label)>" }
    var help: String { "Hook \(label): pass it in fwd_hooks=[...] to run_with_hooks or run_with_cache." }
}

enum HookBindings {
    /// names_filter: None (everything), a name, a pattern with *, a list of names, or a function name -> bool.
    static func namesFilter(_ v: Value?, _ interp: Interpreter) throws -> NamesFilter {
        guard let v = v?.orNil else { return .all }
        switch v {
        case .string(let s): return s.contains("*") ? .glob(s) : .name(s)
        case .host(let point as HookPointObject): return .name(point.name)
        case .list(let l): return .names(try l.items.map(hookName))
        case .tuple(let t): return .names(try t.map(hookName))
        case .function, .builtin, .method, .host(is Partial):
            return .predicate { name in (try? interp.call(v, Arguments([.string(name)])).isTruthy) ?? false }
        default: throw LoupeError("names_filter must be a name, a pattern, a list of names or a function, not \(v.typeName)")
        }
    }

    /// A hook name given as a string or a hook point object (`model.blocks[0].attn.hook_z`).
    static func hookName(_ v: Value) throws -> String {
        if case .host(let point as HookPointObject) = v { return point.name }
        return try v.asString("names_filter entry")
    }

    /// fwd_hooks: a list of (name_or_filter, fn) pairs or prebuilt hooks.
    static func hooks(_ v: Value?, _ interp: Interpreter) throws -> [Hook] {
        guard let v = v?.orNil else { return [] }
        let items: [Value]
        switch v {
        case .list(let l): items = l.items
        case .tuple(let t): items = t.count == 2 && !isHookEntry(t[0]) ? [v] : t.items
        case .host: items = [v]
        default: throw LoupeError("fwd_hooks must be a list of (name, function) pairs, not \(v.typeName)")
        }
        return try items.map { item in
            if case .host(let h) = item, let spec = h as? HookSpecObject { return spec.hook }
            guard case .tuple(let pair) = item, pair.count == 2 else {
                throw LoupeError("each fwd_hooks entry must be a (name, function) pair or a prebuilt hook, not \(item.typeName)")
            }
            let filter = try namesFilter(pair[0], interp)
            let fn = pair[1]
            switch fn { case .function, .builtin, .method, .host(is Partial): break
            default: throw LoupeError("the hook for \(Repr.repr(pair[0])) must be a function (activation, hook), not \(fn.typeName)") }
            return Hook(filter) { activation, point in
                let arg = Value.tensor(activation)
                let result = try interp.call(fn, Arguments([arg, .host(HookPointObject(point))]))
                switch result {
                case .none: return activation // edited in place, or left alone
                case .tensor(let t): return t.tensor
                default:
                    throw LoupeError("hook at \(point.name) returned \(result.typeName); return a tensor of shape \(TensorMath.shapeText(activation.shape)) or None")
                }
            }
        }
    }

    /// A hook for a pass that runs one sequence without a batch axis (generation): its function still
    /// sees TransformerLens's [1, ...] activations and may return them with that axis.
    static func withBatchAxis(_ h: Hook) -> Hook {
        Hook(h.filter) { act, point in
            let batched = try act.unsqueezed(0)
            guard let r = try h.function(batched, point) else { return nil }
            return r.rank == act.rank + 1 && r.shape.first == 1 ? try r.squeezed(0) : r
        }
    }

    static func isHookEntry(_ v: Value) -> Bool {
        if case .tuple = v { return true }
        if case .host(let h) = v, h is HookSpecObject { return true }
        return false
    }

    static func install() {
        Builtins.registerMethod(type: "HookPoint", "hook.layer()",
                                doc: "The block this hook point is in (None outside blocks: hook_embed, ln_final…).",
                                example: "def show(act, hook):\n    print(hook.name, hook.layer())") { _, recv, _ in
            guard case .host(let h as HookPointObject) = recv else { throw LoupeError("expected a HookPoint, not \(recv.typeName)") }
            return h.layer.map { .int($0) } ?? .none
        }
        Builtins.register(
            "ablate_heads(layer: int, heads, positions=None, mode: str = \"zero\")",
            doc: """
            A hook that ablates attention heads at hook_z of one layer: mode="zero" sets their output to 0, mode="mean"
            replaces it with its mean over positions. positions limits it to some positions (negative counts from the end).
            """,
            example: "logits = model.run_with_hooks(text, fwd_hooks=[ablate_heads(9, [4], positions=[-2])])"
        ) { _, args in
            let layer = try args.int("layer")
            let heads = try intList(args.value("heads"), "heads")
            let positions = try args.optional("positions").map { try intList($0, "positions") }
            let mode = try args.optionalString("mode") ?? "zero"  // None reads as the default
            guard mode == "zero" || mode == "mean" else { throw LoupeError("ablate_heads: mode must be \"zero\" or \"mean\", not \(Repr.repr(.string(mode)))") }
            guard layer >= 0 else { throw LoupeError("ablate_heads: layer must be 0 or more (got \(layer)); use model.n_layers + layer for counting from the end") }
            let hook = Hook(.name("blocks.\(layer).attn.hook_z")) { z, point in
                try ablate(z, heads: heads, positions: positions, mean: mode == "mean", point: point)
            }
            return .host(HookSpecObject(hook, label: "ablate_heads(layer \(layer), heads \(heads), \(mode))"))
        }
        Builtins.register(
            "patch_hook(name: str, cache, positions=None, heads=None)",
            doc: "A hook for activation patching: replaces the activation at `name` with the same activation from another run's cache (all of it, or only some positions — axis 1 of [batch, pos, ...] — and, for [batch, pos, head, d_head] activations, some heads). A cache of one prompt patches every prompt of the batch.",
            example: "_, clean = model.run_with_cache(clean_text)\nlogits = model.run_with_hooks(corrupt_text, fwd_hooks=[patch_hook(\"blocks.3.hook_resid_pre\", clean, positions=[5])])"
        ) { _, args in
            let name = try args.string("name")
            let source = try CacheBindings.cache(args.value("cache"))
            let donor = try engineCall { try source.cache.get(name) }
            let positions = try args.optional("positions").map { try intList($0, "positions") }
            let heads = try args.optional("heads").map { try intList($0, "heads") }
            let hook = Hook(.name(name)) { act, _ in
                // A cache without its batch axis (remove_batch_dim=True) patches every prompt of the batch.
                let source = donor.rank == act.rank - 1 ? try donor.unsqueezed(0) : donor
                guard source.shape == act.shape || (source.shape.first == 1 && Array(source.shape.dropFirst()) == Array(act.shape.dropFirst())) else {
                    throw LoupeError("patch_hook \(name): this run's activation is \(TensorMath.shapeText(act.shape)) but the cache holds \(TensorMath.shapeText(donor.shape)); patch between prompts of the same length")
                }
                return try patch(act, from: source, positions: positions, heads: heads)
            }
            return .host(HookSpecObject(hook, label: "patch_hook(\(name))"))
        }
        Builtins.register(
            "scale_hook(name, factor: float)", doc: "A hook that multiplies the activation at `name` (a name or a pattern with *) by `factor`.",
            example: "model.run_with_hooks(text, fwd_hooks=[scale_hook(\"blocks.2.hook_mlp_out\", 0.5)])"
        ) { interp, args in
            let name = args.value("name")
            let factor = Float(try args.double("factor"))
            let hook = Hook(try namesFilter(name, interp)) { act, _ in act.map { $0 * factor } }
            return .host(HookSpecObject(hook, label: "scale_hook(\(Repr.repr(name)), \(factor))"))
        }
        Builtins.register(
            "add_hook(name, vector)", doc: "A hook that adds `vector` (broadcast like numpy, e.g. a [d_model] steering vector) to the activation at `name`.",
            example: "steer = model.W_U[:, model.to_single_token(\" cat\")]\nmodel.run_with_hooks(text, fwd_hooks=[add_hook(\"blocks.5.hook_resid_post\", 4 * steer)])"
        ) { interp, args in
            let name = args.value("name")
            let vector = try TensorBuiltins.tensorArg(args.value("vector"), "vector").tensor
            let hook = Hook(try namesFilter(name, interp)) { act, _ in try act + vector }
            return .host(HookSpecObject(hook, label: "add_hook(\(Repr.repr(name)))"))
        }
    }

    static func intList(_ v: Value, _ what: String) throws -> [Int] {
        switch v {
        case .int(let i): return [i]
        case .list(let l): return try l.items.map { try $0.asInt(what) }
        case .tuple(let t): return try t.map { try $0.asInt(what) }
        case .range(let r): return Array(stride(from: r.start, to: r.stop, by: r.step))
        default: return try TensorBuiltins.tensorArg(v, what).tensor.toArray().map { Int($0) }
        }
    }

    /// z: [(batch,) pos, head, d_head].
    static func ablate(_ z: Tensor, heads: [Int], positions: [Int]?, mean: Bool, point: HookPoint) throws -> Tensor {
        let out = z.contiguous().copy()
        let batched = z.rank == 4
        let B = batched ? z.shape[0] : 1, P = z.shape[z.rank - 3], H = z.shape[z.rank - 2], D = z.shape[z.rank - 1]
        let pos = try (positions ?? Array(0..<P)).map { p -> Int in
            let q = p < 0 ? p + P : p
            guard q >= 0 && q < P else { throw LoupeError("ablate_heads: position \(p) out of range for \(P) positions at \(point.name)") }
            return q
        }
        let ptr = out.basePointer
        for h in heads {
            let hh = h < 0 ? h + H : h
            guard hh >= 0 && hh < H else { throw LoupeError("ablate_heads: head \(h) out of range for \(H) heads at \(point.name)") }
            for b in 0..<B {
                var meanVec = [Float](repeating: 0, count: D)
                if mean {
                    for p in 0..<P { for d in 0..<D { meanVec[d] += ptr[((b * P + p) * H + hh) * D + d] / Float(P) } }
                }
                for p in pos { for d in 0..<D { ptr[((b * P + p) * H + hh) * D + d] = meanVec[d] } }
            }
        }
        return out
    }

    /// Copies the donor's rows at `positions` (axis 1 of a [batch, pos, ...] activation) and, for
    /// [batch, pos, head, d_head] activations, only the given heads. A donor with a batch of one patches
    /// every prompt of the batch.
    static func patch(_ act: Tensor, from donor: Tensor, positions: [Int]?, heads: [Int]?) throws -> Tensor {
        if positions == nil && heads == nil && donor.shape == act.shape { return donor.copy() }
        guard act.rank >= 2 else { throw LoupeError("patch_hook: expected a [batch, pos, ...] activation, got \(TensorMath.shapeText(act.shape))") }
        let out = act.contiguous().copy()
        let src = donor.contiguous()
        let B = act.shape[0], P = act.shape[1]
        let inner = act.count / max(B * P, 1)
        let pos = (positions ?? Array(0..<P)).map { $0 < 0 ? $0 + P : $0 }
        guard pos.allSatisfy({ $0 >= 0 && $0 < P }) else { throw LoupeError("patch_hook: a position is out of range for \(P) positions") }
        if heads != nil && act.rank != 4 { throw LoupeError("patch_hook: heads= needs a [batch, pos, head, d_head] activation (hook_q/k/v/z)") }
        let H = heads == nil ? 1 : act.shape[2]
        let per = inner / H
        let hs = try (heads ?? [0]).map { h -> Int in
            let x = h < 0 ? h + H : h
            guard x >= 0 && x < H else { throw LoupeError("patch_hook: head \(h) out of range for \(H) heads") }
            return x
        }
        let donorBatch = src.shape[0]
        for b in 0..<B { for p in pos { for h in hs {
            let base = (b * P + p) * inner + h * per
            let from = ((donorBatch == 1 ? 0 : b) * P + p) * inner + h * per
            (out.basePointer + base).update(from: src.basePointer + from, count: heads == nil ? inner : per)
        } } }
        return out
    }
}
