import LoupeInterpreter
import LoupeTensor

/// `torch`, `numpy`, `torch.nn.functional` and the standard-library modules as namespaces over Loupe's
/// builtins, so `torch.stack(...)`, `np.linspace(...)` and `F.softmax(...)` typed out of habit run. They are
/// importable (`import numpy as np`) and also bound as globals (`torch`, `np`, `F`) for pasted fragments.
enum NamespaceBindings {
    /// The namespaces TransformerLens code imports, in dependency order (einops and utils use the modules above).
    static func installAll() {
        install()
        EinopsBindings.install()
        UtilsBindings.install()
    }

    /// Builtins that numpy and torch share under the same name.
    static let shared = ["stack", "zeros", "ones", "full", "arange", "linspace", "eye", "where", "matmul", "exp", "log",
                         "sqrt", "abs", "mean", "sum", "std", "var", "max", "min", "argmax", "argmin", "sort", "argsort",
                         "cumsum", "outer", "round", "isnan", "isinf", "einsum", "save", "floor", "ceil", "prod",
                         "sin", "cos", "tanh", "log2", "log10", "allclose", "zeros_like", "ones_like", "maximum", "minimum"]

    static func install() {
        let dtypes: [(String, String)] = [("float32", "float32"), ("float", "float32"), ("float64", "float32"),
                                          ("float16", "float32"), ("bfloat16", "float32"), ("half", "float32"),
                                          ("int64", "int64"), ("long", "int64"), ("int32", "int64"), ("int", "int64"),
                                          ("bool", "bool")]
        let torch = Namespace(name: "torch", doc: "PyTorch's functions under their Loupe names (tensors are float32; no autograd, no devices).",
                              otherwise: "Loupe's tensor functions are builtins: see help(\"tensor\")")
        torch.forward(shared + ["cat", "tensor", "topk", "softmax", "log_softmax", "randn", "rand", "randint", "sigmoid", "relu",
                                "randperm", "normal", "randn_like", "rand_like", "multinomial", "manual_seed", "initial_seed", "Generator",
                                "clamp", "flatten", "reshape", "transpose", "permute", "unsqueeze", "squeeze", "norm",
                                "split", "chunk", "no_grad", "histogram", "diag", "tril", "triu", "gather", "bincount", "diagonal", "empty",
                                "logical_and", "logical_or", "logical_xor", "logical_not"],
                      renamed: ["concat": "cat", "concatenate": "cat", "mm": "matmul", "bmm": "matmul",
                                "inference_mode": "no_grad", "as_tensor": "tensor",
                                "from_numpy": "tensor", "load": "read", "clip": "clamp"])
        for (name, kind) in dtypes { torch.set(name, .string(kind)) }
        torch.set("set_grad_enabled", .builtin(Builtins.function("torch.set_grad_enabled(mode: bool)",
            doc: "Returns None: Loupe has no autograd, so there is nothing to turn on or off.") { _, _ in .none }))
        torch.set("device", .builtin(Builtins.function("torch.device(name: str)",
            doc: "Returns the name: Loupe runs on the CPU and ignores devices.") { _, args in .string(try args.string("name")) }))
        torch.set("allclose", .builtin(allclose))
        torch.set("isclose", .builtin(isclose))
        torch.set("linalg", .host(LinalgBindings.namespace()))
        let random = Namespace(name: "torch.random", doc: "Seeding torch's CPU generator (torch.random.manual_seed is torch.manual_seed).")
        random.forward(["manual_seed", "initial_seed"])
        for ns in [torch, random] { ns.set("seed", .builtin(RandomBuiltins.torchSeed)) }
        torch.set("random", .host(random))
        let cuda = Namespace(name: "torch.cuda", doc: "Loupe runs on the CPU: no CUDA.")
        cuda.set("is_available", .builtin(Builtins.function("torch.cuda.is_available()", doc: "False: Loupe runs on the CPU.") { _, _ in .bool(false) }))
        torch.set("cuda", .host(cuda))
        torch.lack("optim", "Loupe has no autograd or optimisers: it runs models, it does not train them")
        torch.lack("Tensor", "tensors are built with tensor(…), zeros(…), randn(…); check a value with isinstance(x, \"tensor\")")
        torch.lack("autograd", "Loupe has no autograd")

        let functional = Namespace(name: "torch.nn.functional", doc: "torch.nn.functional's activation and loss functions.",
                                   otherwise: "Loupe's tensor functions are builtins: see help(\"tensor\")")
        functional.forward(["softmax", "log_softmax", "relu", "sigmoid", "tanh", "gelu", "silu", "normalize", "one_hot"])
        functional.set("cross_entropy", .builtin(crossEntropy))

        let numpy = Namespace(name: "numpy", doc: "numpy's functions under their Loupe names (arrays are Loupe tensors).",
                              otherwise: "Loupe's tensor functions are builtins: see help(\"tensor\")")
        numpy.forward(shared + ["histogram", "diag", "tril", "triu", "percentile", "quantile", "median"],
                      renamed: ["array": "tensor", "asarray": "tensor", "concatenate": "cat", "clip": "clamp", "load": "read",
                                "dot": "matmul", "amax": "max", "amin": "min"])
        for (name, kind) in dtypes { numpy.set(name, .string(kind)) }
        for name in ["mean", "sum", "std", "var", "max", "min", "argmax", "argmin", "cumsum", "sort", "argsort", "amax", "amin",
                     "concatenate", "stack", "prod", "median", "percentile", "quantile"] {
            if case .builtin(let b)? = numpy.members[name] { numpy.set(name, .builtin(numpyKeywords(b, as: name))) }
        }
        for c in ["pi", "e", "inf", "nan"] { if let v = Builtins.values[c]?.value { numpy.set(c, v) } }
        numpy.set("allclose", .builtin(allclose))
        numpy.set("isclose", .builtin(isclose))
        numpy.lack("linalg", "Loupe has pca(x, k) for principal directions; no general linear algebra (svd, eig)")
        numpy.lack("random", "random tensors come from randn(…), rand(…) and seed(n); the `random` module has Python's random")
        numpy.lack("ndarray", "Loupe's arrays are tensors; check a value with isinstance(x, \"tensor\")")

        let functools = Namespace(name: "functools", doc: "functools.partial.")
        functools.set("partial", .builtin(Partial.builtin))

        let torchNN = Namespace(name: "torch.nn", doc: "Only torch.nn.functional (as `F`) exists in Loupe.",
                                otherwise: "Loupe has no neural-network layers to build or train; models come from load(…), and torch.nn.functional is `F`")
        torchNN.set("functional", .host(functional))
        torch.set("nn", .host(torchNN))

        Builtins.registerModule("torch", .host(torch))
        Builtins.registerModule("torch.nn", .host(torchNN))
        Builtins.registerModule("torch.nn.functional", .host(functional))
        Builtins.registerModule("torch.cuda", .host(cuda))
        Builtins.registerModule("numpy", .host(numpy))
        Builtins.registerModule("functools", .host(functools))
        for name in ["math", "random", "time"] {
            if let v = Builtins.values[name]?.value { Builtins.registerModule(name, v) }
        }
        for (name, value, doc) in [("torch", torch, "PyTorch's functions (torch.stack, torch.softmax, …) as Loupe builtins."),
                                   ("np", numpy, "numpy's functions (np.linspace, np.mean, …) as Loupe builtins."),
                                   ("F", functional, "torch.nn.functional (F.softmax, F.log_softmax, F.cross_entropy).")] {
            Builtins.registerValue(name: name, doc: doc, .host(value))
        }
        let pyplot = Namespace(name: "matplotlib.pyplot", doc: "matplotlib's pyplot functions as Loupe's plotting builtins.",
                               otherwise: "Loupe's plotting builtins follow pyplot's names: see help(\"plot\")")
        pyplot.forward(["plot", "imshow", "subplots", "savefig", "title", "xlabel", "ylabel", "legend", "colorbar", "figure",
                        "hist", "bar", "barh", "scatter", "show", "xlim", "ylim", "tight_layout", "suptitle", "axhline",
                        "axvline", "text", "fill_between", "gca", "gcf", "grid", "xticks", "yticks", "close"])
        Builtins.registerModule("matplotlib.pyplot", .host(pyplot))
        installAnnotations()
        ProgressBindings.install()
        registerMissing()
    }

    /// |a − b| ≤ atol + rtol·|b| elementwise (broadcasting), as torch and numpy define closeness.
    static func closeness(_ args: BoundArguments) throws -> Tensor {
        let a = try TensorBuiltins.tensorArg(args.value("a"), "a").tensor, b = try TensorBuiltins.tensorArg(args.value("b"), "b").tensor
        let rtol = Float(try args.double("rtol")), atol = Float(try args.double("atol"))
        return try EinopsBindings.engine { try Tensor.zip(a, b) { x, y in abs(x - y) <= atol + rtol * abs(y) ? 1 : 0 } }
    }

    static let isclose = Builtins.function("isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08)",
        doc: "Elementwise |a − b| ≤ atol + rtol·|b| (a bool tensor), as torch.isclose / np.isclose.",
        example: "torch.isclose(tensor([1.0, 2.0]), tensor([1.0, 2.1]))") { _, args in
        .tensor(try closeness(args), kind: .bool)
    }

    static let allclose = Builtins.function("allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08)",
        doc: "True when every element is close: |a − b| ≤ atol + rtol·|b|, as torch.allclose / np.allclose.",
        example: "torch.allclose(model.blocks[0].attn.W_Q, model.W_Q[0])") { _, args in
        .bool(try closeness(args).toArray().allSatisfy { $0 == 1 })
    }

    /// A numpy spelling of a builtin: numpy's `axis=` and `keepdims=` become Loupe's `dim=` and `keepdim=`.
    static func numpyKeywords(_ builtin: BuiltinFunction, as name: String) -> BuiltinFunction {
        Builtins.function("np.\(name)(*args, **kwargs)",
                          doc: "\(builtin.signature) with numpy's keywords (axis= for dim=, keepdims= for keepdim=). \(builtin.doc)") { rt, args in
            let renamed = ["axis": "dim", "keepdims": "keepdim"]
            let keywords = args.varKeywords.map { (renamed[$0.0] ?? $0.0, $0.1) }
            return try rt.call(.builtin(builtin), Arguments(args.varArgs, keywords: keywords))
        }
    }

    /// `F.cross_entropy(logits [N, C], target [N])`: the mean of −log softmax(logits)[target].
    static let crossEntropy = Builtins.function("F.cross_entropy(input, target, reduction: str = \"mean\")",
        doc: "Cross-entropy of logits [N, C] (or [C]) against class indices [N] (or one index): mean, sum or none over N.",
        example: "F.cross_entropy(logits[:-1], tokens[1:])") { rt, args in
        let logits = try rt.callMethod(args.value("input"), "log_softmax", Arguments(keywords: [("dim", .int(-1))]))
        guard case .tensor(let lp) = logits else { throw LoupeError("cross_entropy: input must be a tensor") }
        let rows = lp.tensor.rank == 1 ? try lp.tensor.unsqueezed(0) : lp.tensor   // [N, C]
        guard rows.rank == 2 else { throw LoupeError("cross_entropy: input must be [N, C] or [C], not \(lp.tensor.shape)") }
        let targets: [Int]
        switch args.value("target") {
        case .tensor(let t): targets = try t.tensor.toArray().map { try Value.float(Double($0)).asInt("cross_entropy target") }
        case let v: targets = try (try? Ops.iterate(v))?.map { try $0.asInt("cross_entropy target") } ?? [v.asInt("cross_entropy target")]
        }
        guard targets.count == rows.shape[0] else {
            throw LoupeError("cross_entropy: \(rows.shape[0]) rows of logits but \(targets.count) targets")
        }
        var losses: [Double] = []
        for (i, t) in targets.enumerated() {
            guard t >= 0 && t < rows.shape[1] else { throw LoupeError("cross_entropy: target \(t) out of range for \(rows.shape[1]) classes") }
            losses.append(-Double(rows[i, t]))
        }
        switch try args.string("reduction") {
        case "mean": return .tensor(Tensor(scalar: Float(losses.reduce(0, +) / Double(max(losses.count, 1)))))
        case "sum": return .tensor(Tensor(scalar: Float(losses.reduce(0, +))))
        case "none": return .tensor(Tensor(shape: [losses.count], data: losses.map { Float($0) }))
        case let r: throw LoupeError("cross_entropy: reduction must be \"mean\", \"sum\" or \"none\", not \"\(r)\"")
        }
    }

    /// `typing` and `jaxtyping` names, for annotations: Loupe reads annotations and ignores them, so these
    /// names only need to exist. Each is bound to its own qualified name as a string.
    static func installAnnotations() {
        let modules: [(String, [String])] = [
            ("typing", ["List", "Dict", "Tuple", "Optional", "Union", "Callable", "Any", "Literal", "Sequence", "Iterable", "Set"]),
            ("jaxtyping", ["Float", "Int", "Bool", "Shaped", "Array"]),
        ]
        for (module, names) in modules {
            let ns = Namespace(name: module, doc: "Names for type annotations, which Loupe reads and ignores.")
            for n in names { ns.set(n, .string("\(module).\(n)")) }
            Builtins.registerModule(module, .host(ns))
        }
    }

    /// Modules Loupe does not have, with what to use instead.
    static func registerMissing() {
        let missing: [(String, String)] = [
            ("pandas", "tables are built in: table(...), read_csv(...)"),
            ("matplotlib", "plotting is built in: plot(...), imshow(...), subplots(...), savefig(...) (and `import matplotlib.pyplot as plt`)"),
            ("plotly", "Loupe has plotly.express (px.imshow, px.line, px.scatter); other plots are built in: imshow(...), plot(...), scatter(...), bar(...); interactive views: attention_patterns(...)"),
            ("seaborn", "plotting is built in: plot(...), imshow(...), hist(...)"),
            ("sklearn", "Loupe has pca(...) and tsne(...) built in"),
            ("transformers", "models load with load(\"gpt2\") (or HookedTransformer.from_pretrained) from Hugging Face folders"),
            ("datasets", "read text with read(\"file.txt\") / read(\"file.jsonl\")"),
            ("IPython", "a cell's last value is shown; display(x) shows rich values"),
            ("os", "paths are relative to the script; read(...) and save(...) take them"),
            ("sys", "Loupe scripts have no sys module"),
            ("pickle", "save(path, value) writes .npy, .npz, .safetensors, .json"),
            ("torch.optim", "Loupe has no autograd or optimisers: it runs models, it does not train them"),
            ("torch.utils", "batch prompts with a list: model(prompts) or run_with_cache(prompts)"),
            ("copy", "copy values with x.clone() (tensors), list(x) or dict(x)"),
            ("itertools", "use range(...), zip(...), enumerate(...) and comprehensions"),
            ("pathlib", "paths are strings relative to the script; read(...) and save(...) take them"),
            ("dataclasses", "use dicts or named tuples"),
            ("neel_plotly", "plotting is built in: imshow(...), plot(...), scatter(...)"),
            ("transformer_lens.patching", "activation patching sweeps are built in: patching_sweep(...), ablation_sweep(...) (see help(\"patching_sweep\"))"),
        ]
        for (name, instead) in missing { Builtins.registerMissingModule(name, instead: instead) }
    }
}
