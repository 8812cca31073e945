import Foundation
import LoupeInterpreter
import LoupeNotebook

/// `tqdm(iterable)`: the items, and one progress line (`desc: n items`) where progress lines are shown.
/// Loupe's `for` takes the items at once, so the line is written as the loop starts; notebook cells
/// keep their outputs free of progress lines, as the runner's own progress goes to the terminal.
enum ProgressBindings {
    static func install() {
        let tqdm = Builtins.function("tqdm(iterable=None, desc: str | None = None, total: int | None = None, **kwargs)",
            doc: "Returns the items of iterable; outside notebooks writes one progress line `desc: n items`. Other tqdm keywords (leave, position, disable) are accepted and ignored.",
            example: "for prompt in tqdm(prompts, desc=\"prompts\"):\n    logits = model(prompt)") { rt, args in
            let iterable = args.value("iterable")
            if case .none = iterable { return .list([]) }
            let items = try Ops.iterate(iterable)
            let disabled = args.varKeywords.first { $0.0 == "disable" }?.1.isTruthy ?? false
            if !disabled && !(rt.sink is CellSink) {
                rt.emit(.stream("\(try args.optionalString("desc") ?? "tqdm"): \(items.count) items\n"))
            }
            return .list(items)
        }
        let trange = Builtins.function("trange(*args, desc: str | None = None)",
            doc: "tqdm(range(*args)).", example: "for i in trange(10):\n    pass") { rt, args in
            let r = try rt.call(.builtin(try builtin("range")), Arguments(args.varArgs))
            let desc: [(String, Value)] = args.isGiven("desc") ? [("desc", args.value("desc"))] : []
            return try rt.call(.builtin(tqdm), Arguments([r], keywords: desc))
        }
        let module = Namespace(name: "tqdm", doc: "Progress lines over loops.")
        module.set("tqdm", .builtin(tqdm))
        module.set("trange", .builtin(trange))
        for name in ["tqdm", "tqdm.auto", "tqdm.notebook"] { Builtins.registerModule(name, .host(module)) }
    }

    static func builtin(_ name: String) throws -> BuiltinFunction {
        guard let b = Builtins.functions[name] else { throw LoupeError("internal: no builtin `\(name)`") }
        return b
    }
}
