import Foundation
import LoupeInterpreter
import LoupeNotebook

/// `functools.partial(fn, *args, **kwargs)`: a callable that prepends `args` and adds `kwargs` (call-site
/// keywords win), usable wherever a function is, e.g. as a hook.
final class Partial: HostObject {
    let typeName = "partial"
    let function: Value
    let args: [Value]
    let keywords: [(String, Value)]

    init(function: Value, args: [Value], keywords: [(String, Value)]) {
        self.function = function
        self.args = args
        self.keywords = keywords
    }

    static let builtin = Builtins.function("partial(func, *args, **kwargs)",
        doc: "A new callable: func with the first arguments and some keywords fixed (functools.partial).",
        example: "def ablate(z, hook, head):\n    z[:, head] = 0\n    return z\nhook = partial(ablate, head=3)") { _, args in
        let f = args.value("func")
        switch f {
        case .function, .builtin, .method, .host: break
        default: throw LoupeError("partial: func must be callable, not \(f.typeName)")
        }
        return .host(Partial(function: f, args: args.varArgs, keywords: args.varKeywords))
    }

    func call(_ given: Arguments, interpreter: Interpreter) throws -> Value? {
        let overridden = Set(given.keywords.map(\.0))
        let keywords = self.keywords.filter { !overridden.contains($0.0) } + given.keywords
        return try interpreter.call(function, Arguments(args + given.positional, keywords: keywords))
    }

    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "func": return function
        case "args": return .tuple(args)
        case "keywords": return .dict(DictBox(keywords))
        default: return nil
        }
    }

    var memberNames: [String] { ["func", "args", "keywords"] }
    func repr() -> String {
        let parts = [Repr.repr(function)] + args.map(Repr.repr) + keywords.map { "\($0.0)=\(Repr.repr($0.1))" }
        return "functools.partial(\(parts.joined(separator: ", ")))"
    }
}

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
