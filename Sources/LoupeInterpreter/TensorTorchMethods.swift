import LoupeTensor

/// Devices as torch code names them: Loupe runs on the CPU, so "cpu" is accepted everywhere a device
/// is, and any other device is refused with a message rather than ignored.
public enum TensorDevice {
    /// The value `tensor.device` gives; it prints `cpu` as torch's device does.
    static let cpu = Value.string("cpu")

    static func isDeviceName(_ s: String) -> Bool {
        let base = s.lowercased().split(separator: ":").first.map(String.init) ?? ""
        return ["cpu", "cuda", "mps", "meta", "xpu", "hip"].contains(base)
    }

    /// Accepts nil, None and "cpu" (or "cpu:0"); refuses every other device.
    public static func check(_ device: Value?, _ fn: String) throws {
        guard let device = device?.orNil else { return }
        guard case .string(let s) = device, isDeviceName(s) else {
            throw LoupeError("\(fn): device must be \"cpu\" (got \(Repr.repr(device)))")
        }
        if s.lowercased().hasPrefix("cpu") { return }
        throw LoupeError("\(fn): Loupe runs on the CPU, so device \"\(s)\" is not available",
                         hint: "pass device=\"cpu\" or leave device= out (torch.cuda.is_available() is False in Loupe)")
    }
}

/// Tensor methods with torch's names and semantics: gather, diagonal, round(decimals=), device, to().
public enum TensorTorchMethods {
    static func install() {
        installLogical()
        func m(_ header: String, _ doc: String, _ ex: String, _ body: @escaping (TensorValue, BoundArguments) throws -> Value) {
            Builtins.registerMethod(type: "tensor", "tensor.\(header)", doc: doc, example: ex) { _, recv, args in
                try TensorBuiltins.engine { try body(TensorMethods.t(recv), args) }
            }
        }
        Builtins.registerAttribute(type: "tensor", name: "device", doc: "Where the tensor lives: always \"cpu\" (prints `cpu`, as torch's device does).",
                                   example: "zeros(3).device  # 'cpu'") { _, _ in TensorDevice.cpu }
        m("gather(dim, index)", "torch.gather: out[i][j] = x[i][index[i][j]] for dim=1 (likewise for other dims); `index` is an integer tensor of x's rank, no larger than x in the other dimensions; the result has index's shape.",
          "logits.gather(dim=-1, index=answer_tokens)") { x, args in
            let index = try TensorBuiltins.tensorArg(args.value("index"), "index")
            guard index.kind != .float else {
                throw LoupeError("gather: index must be an integer tensor (this one is float32)", hint: "convert it with .long()")
            }
            return TensorMethods.make(try x.tensor.gather(dim: try args.int("dim"), index: index.tensor), x.kind)
        }
        m("diagonal(offset=0, dim1=0, dim2=1)", "torch.diagonal: the elements (i, i + offset) of dimensions dim1 and dim2, which are removed; the diagonal becomes the last dimension (a view).",
          "pattern.diagonal(offset=1, dim1=-1, dim2=-2)") { x, args in
            return TensorMethods.make(try x.tensor.diagonal(offset: try args.int("offset"), dim1: try args.int("dim1"), dim2: try args.int("dim2")), x.kind)
        }
        m("round(decimals=0)", "Each element rounded half to even, to `decimals` decimal places as torch.round does (in float32).",
          "tensor([0.1234, 2.5]).round(decimals=2)  # tensor([0.1200, 2.5000])") { x, args in
            return TensorMethods.make(x.tensor.rounded(decimals: try args.int("decimals")), x.kind)
        }
        m("to(*args, dtype=None, device=None, non_blocking=False, copy=False)",
          "Converts to a dtype (\"float32\", \"int64\", \"bool\" or torch.float32 …); devices are accepted when they are \"cpu\" (x.to(\"cpu\"), x.to(device), x.to(device, dtype)) and refused otherwise.",
          "x.to(\"cpu\", torch.float32)") { x, args in
            var kind = try TensorBuiltins.kindArg(args.value("dtype"))
            try TensorDevice.check(args.optional("device"), "to")
            for a in args.varArgs {
                if case .string(let s) = a, TensorDevice.isDeviceName(s) { try TensorDevice.check(a, "to"); continue }
                if case .tensor(let other) = a { kind = other.kind; continue }
                kind = try TensorBuiltins.kindArg(a)
            }
            guard let kind, kind != x.kind else { return .tensor(x) }
            return TensorMethods.convert(x, kind)
        }
    }

    /// torch.logical_and / logical_or / logical_xor / logical_not: bool tensors (nonzero is true), broadcasting.
    static func installLogical() {
        for (name, op) in [("logical_and", LoupeTensor.BinaryOp.and), ("logical_or", .or), ("logical_xor", .xor)] {
            Builtins.register("\(name)(a, b)", doc: "Elementwise \(op.rawValue) of two tensors (nonzero is true), broadcasting; a bool tensor (torch.\(name)).",
                              example: "\(name)(x > 0, x < 5)") { _, args in
                let a = try TensorBuiltins.tensorArg(args.value("a"), "a"), b = try TensorBuiltins.tensorArg(args.value("b"), "b")
                return TensorMethods.make(try TensorBuiltins.engine { try Tensor.logical(op, a.tensor, b.tensor) }, .bool)
            }
        }
        Builtins.register("logical_not(x)", doc: "Elementwise not (zero is false); a bool tensor (torch.logical_not).", example: "logical_not(x > 0)") { _, args in
            TensorMethods.make(try TensorBuiltins.tensorArg(args.value("x"), "x").tensor.logicalNot(), .bool)
        }
    }

    /// TransformerLens's `utils.get_corner(tensor, n=3)`: the first n positions of every dimension.
    public static let getCorner = Builtins.function("utils.get_corner(tensor, n: int = 3)",
        doc: "The [:n, :n, …] corner of a tensor (every dimension cut to its first n positions), as TransformerLens's utils.get_corner.",
        example: "utils.get_corner(cache[\"pattern\", 0], n=2)") { _, args in
        let x = try TensorBuiltins.tensorArg(args.value("tensor"), "tensor")
        return TensorMethods.make(try TensorBuiltins.engine { try x.tensor.corner(try args.int("n")) }, x.kind)
    }
}
