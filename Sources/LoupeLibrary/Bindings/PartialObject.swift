import LoupeInterpreter

/// `functools.partial(fn, *args, **kwargs)`: a callable that prepends `args` and adds `kwargs` (call-site
/// keywords win), usable wherever a function is, e.g. as a hook.
final class Partial: HostObject {
    let typeName = "partial"
    private(set) var function: Value
    private(set) var args: [Value]
    private(set) var keywords: [(String, Value)]

    init(function: Value, args: [Value], keywords: [(String, Value)]) {
        self.function = function
        self.args = args
        self.keywords = keywords
    }

    deinit {  // `p = partial(f, p)` in a loop nests: freed without deep recursion
        DeepRelease.release(&function)
        DeepRelease.release(&args)
        var keywordValues = keywords.map(\.1)
        keywords = []
        DeepRelease.release(&keywordValues)
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
