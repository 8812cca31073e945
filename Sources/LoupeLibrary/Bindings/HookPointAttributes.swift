import LoupeInterpreter
import LoupeModels

/// Hook points as attributes, as TransformerLens's modules have them: `model.hook_embed`,
/// `model.blocks[l].hook_resid_pre`, `model.blocks[l].attn.hook_z`, `model.ln_final.hook_scale`; each has
/// `.name`, `.layer()`, `.add_hook(fn)` and `.remove_hooks()`, and goes wherever a hook name goes.
enum HookPointAttributes {
    /// The hook point `path.name` of the model, nil when the model has no such point.
    static func point(_ m: ModelObject, path: String?, _ name: String) -> Value? {
        guard name.hasPrefix("hook_") else { return nil }
        let full = path.map { "\($0).\(name)" } ?? name
        guard m.model.hookNames.contains(full) else { return nil }
        return .host(HookPointObject(name: full, model: m))
    }

    /// Hook names directly under `path` ("blocks.3.attn" → ["hook_q", …]), for completion.
    static func names(_ m: ModelObject, under path: String?) -> [String] {
        let prefix = path.map { "\($0)." } ?? ""
        return m.model.hookNames.compactMap { n in
            guard n.hasPrefix(prefix) else { return nil }
            let rest = String(n.dropFirst(prefix.count))
            return rest.hasPrefix("hook_") && !rest.contains(".") ? rest : nil
        }
    }

    static func install() {
        for name in ["hook_embed", "hook_pos_embed"] {
            Builtins.registerAttribute(type: "Model", name: name, doc: "The hook point \(name) (add_hook, remove_hooks, or as a hook name).",
                                       example: "model.\(name).name") { _, recv in
                let m = try ModelBindings.model(recv)
                guard let p = point(m, path: nil, name) else { throw LoupeError("\(m.name) has no hook point \(name)") }
                return p
            }
        }
        Builtins.registerMethod(
            type: "HookPoint", "hook.add_hook(hook, dir: str = \"fwd\", is_permanent: bool = False)",
            doc: "Adds a forward hook fn(activation, hook) at this point for every later run, as model.add_hook(hook.name, fn) (TransformerLens's HookPoint.add_hook).",
            example: "model.blocks[0].attn.hook_z.add_hook(lambda z, hook: None)\nmodel.reset_hooks()"
        ) { interp, recv, args in
            let p = try owned(recv, "add_hook")
            return try interp.callMethod(.host(p.model!), "add_hook",
                                         Arguments([.string(p.name), args.value("hook")],
                                                   keywords: [("dir", args.value("dir")), ("is_permanent", args.value("is_permanent"))]))
        }
        Builtins.registerMethod(
            type: "HookPoint", "hook.remove_hooks(dir: str = \"fwd\", including_permanent: bool = False)",
            doc: "Removes the hooks added at this point (permanent ones too with including_permanent=True).",
            example: "model.blocks[0].attn.hook_z.remove_hooks()"
        ) { _, recv, args in
            let p = try owned(recv, "remove_hooks")
            guard try args.string("dir") != "bwd" else { throw LoupeError("remove_hooks: Loupe has no backward pass, so only dir=\"fwd\" hooks exist") }
            let all = try args.bool("including_permanent"), label = Repr.repr(.string(p.name))
            p.model!.persistentHooks.removeAll { $0.label == label && (all || !$0.permanent) }
            return .none
        }
    }

    static func owned(_ recv: Value, _ what: String) throws -> HookPointObject {
        guard case .host(let p as HookPointObject) = recv else { throw LoupeError("expected a HookPoint, not \(recv.typeName)") }
        guard p.model != nil else {
            throw LoupeError("\(what): this HookPoint was handed to a hook function; reach it from the model (model.blocks[l].attn.hook_z.\(what)) or use model.\(what == "add_hook" ? "add_hook(name, fn)" : "reset_hooks()")")
        }
        return p
    }
}
