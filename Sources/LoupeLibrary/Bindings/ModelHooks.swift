import LoupeNotebook
import LoupeInterpreter
import LoupeModels

/// TransformerLens's hook management on the model: `model.hook_dict`, `model.add_hook`,
/// `model.reset_hooks`, and the `with model.hooks(...)` context.
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
            doc: """
            A context for `with`, as TransformerLens's model.hooks: `with model.hooks(fwd_hooks=[(name, fn)]) as m:` adds the
            hooks to every run inside the block (as model.add_hook) and removes them when it ends (reset_hooks_end=False
            keeps them). Backward hooks do not exist in Loupe.
            """,
            example: "with model.hooks(fwd_hooks=[(\"blocks.0.hook_resid_post\", lambda x, hook: x * 0.5)]):\n    logits = model(\"Hi\")"
        ) { interp, recv, args in
            let m = try model(recv)
            if case .list(let l) = args.value("bwd_hooks"), !l.items.isEmpty {
                throw LoupeError("model.hooks: Loupe has no backward pass, so bwd_hooks must be empty")
            }
            return .host(HookContextObject(model: m, hooks: try HookBindings.hooks(args.value("fwd_hooks"), interp),
                                           resetAtEnd: try args.bool("reset_hooks_end")))
        }
        Builtins.registerMethod(type: "HookContext", "context.__enter__()",
                                doc: "Adds the context's hooks to the model; `with ... as m` binds the model. `with` calls it.",
                                example: "with model.hooks(fwd_hooks=[(\"hook_embed\", lambda x, hook: x)]) as m:\n    m(\"Hi\")") { _, recv, _ in
            guard case .host(let c as HookContextObject) = recv else { throw LoupeError("expected a HookContext, not \(recv.typeName)") }
            return c.enter()
        }
        Builtins.registerMethod(type: "HookContext", "context.__exit__()",
                                doc: "Removes the context's hooks from the model (unless reset_hooks_end=False). `with` calls it when its block ends or fails.",
                                example: "with model.hooks(fwd_hooks=[(\"hook_embed\", lambda x, hook: x)]):\n    model(\"Hi\")") { _, recv, _ in
            guard case .host(let c as HookContextObject) = recv else { throw LoupeError("expected a HookContext, not \(recv.typeName)") }
            c.exit()
            return .none
        }
    }
}

/// `model.hooks(...)`: hooks on the model for the body of a `with` block.
final class HookContextObject: HostObject {
    let typeName = "HookContext"
    let model: ModelObject
    let hooks: [Hook]
    let resetAtEnd: Bool
    /// How many persistent hooks the model had before this context added its own.
    private var before = 0

    init(model: ModelObject, hooks: [Hook], resetAtEnd: Bool) {
        self.model = model
        self.hooks = hooks
        self.resetAtEnd = resetAtEnd
    }

    func repr() -> String { "<HookContext of \(hooks.count) hooks>" }
    var help: String { "HookContext: use as `with model.hooks(fwd_hooks=[...]):`; the hooks apply inside the block." }

    func enter() -> Value {
        before = model.persistentHooks.count
        model.persistentHooks += hooks.map { ($0, "hooks()", false) }
        return .host(model)
    }

    func exit() {
        guard resetAtEnd, model.persistentHooks.count >= before else { return }
        model.persistentHooks.removeSubrange(before...)
    }
}
