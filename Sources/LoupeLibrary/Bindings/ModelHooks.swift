import LoupeNotebook
import LoupeInterpreter
import LoupeModels

/// TransformerLens's hook management on the model: `model.hook_dict`, `model.add_hook`,
/// `model.reset_hooks`, and `model.hooks(...)` (not available: it explains what to use instead).
extension ModelBindings {
    static func installHookMethods() {
        Builtins.registerAttribute(
            type: "Model", name: "hook_dict",
            doc: "Every hook point by name: a dict name -> HookPoint (hook.name, hook.layer()), as TransformerLens's model.hook_dict.",
            example: "model.hook_dict[\"blocks.0.attn.hook_pattern\"].layer()"
        ) { _, recv in
            let m = try model(recv)
            return .dict(DictBox(m.model.hookNames.map { ($0, Value.host(HookPointObject(name: $0))) }))
        }
        Builtins.registerMethod(
            type: "Model", "model.add_hook(name, hook, dir: str = \"fwd\", is_permanent: bool = False)",
            doc: """
            Adds a forward hook that stays on the model for every later run (model(x), run_with_cache, run_with_hooks,
            generate and the analyses that run the model) until model.reset_hooks(), as TransformerLens's add_hook. name is a hook name, a pattern with * or
            a function name -> bool; hook is fn(activation, hook) or a prebuilt hook (ablate_heads…). is_permanent=True
            survives reset_hooks() unless including_permanent=True. Backward hooks (dir="bwd") do not exist in Loupe.
            """,
            example: "model.add_hook(\"blocks.0.attn.hook_pattern\", lambda p, hook: print(hook.name, p.shape))\nmodel.reset_hooks()"
        ) { interp, recv, args in
            let m = try model(recv)
            guard try args.string("dir") == "fwd" else {
                throw LoupeError("add_hook: Loupe has no backward pass, so only dir=\"fwd\" hooks exist")
            }
            let name = args.value("name"), fn = args.value("hook")
            let hooks: [Hook]
            if case .host(let spec as HookSpecObject) = fn { hooks = [spec.hook] }
            else { hooks = try HookBindings.hooks(.list([.tuple([name, fn])]), interp) }
            for h in hooks { m.persistentHooks.append((h, Repr.repr(name), try args.bool("is_permanent"))) }
            return .none
        }
        Builtins.registerMethod(
            type: "Model", "model.reset_hooks(including_permanent: bool = False)",
            doc: "Removes the hooks added with model.add_hook (the permanent ones too with including_permanent=True).",
            example: "model.reset_hooks()"
        ) { _, recv, args in
            let m = try model(recv)
            let all = try args.bool("including_permanent")
            m.persistentHooks.removeAll { all || !$0.permanent }
            return .none
        }
        Builtins.registerMethod(
            type: "Model", "model.hooks(fwd_hooks=[], bwd_hooks=[], reset_hooks_end: bool = True, clear_contexts: bool = False)",
            doc: "TransformerLens's `with model.hooks(fwd_hooks=...):` context is not available in Loupe: it raises an error naming run_with_hooks(input, fwd_hooks=...) and model.add_hook/reset_hooks, which do the same.",
            example: "logits = model.run_with_hooks(\"Hi\", fwd_hooks=[(\"blocks.0.hook_resid_post\", lambda x, hook: x * 0.5)])"
        ) { _, _, _ in
            throw LoupeError("model.hooks(...) as a `with` context is not available in Loupe; use model.run_with_hooks(input, fwd_hooks=[...]) for one run, or model.add_hook(name, fn) ... model.reset_hooks() around several")
        }
    }
}
