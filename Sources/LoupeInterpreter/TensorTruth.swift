import LoupeTensor

/// torch's `t.all()` / `t.any()`: whether every (some) element is non-zero, over the whole tensor or
/// along `dim`, as a bool tensor (0-d without dim), e.g. `torch.isclose(a, b).all()`.
enum TensorTruth {
    static func install() {
        for (name, every) in [("all", true), ("any", false)] {
            Builtins.registerMethod(
                type: "tensor", "tensor.\(name)(dim: int | None = None, keepdim: bool = False)",
                doc: "True where \(every ? "every" : "some") element is non-zero: over the whole tensor (a 0-d bool tensor) or along dim.",
                example: "(arange(3) >= 0).\(name)()"
            ) { _, recv, args in
                let t = try TensorBuiltins.tensorArg(recv, "\(name)").tensor
                let dim = try args.optionalInt("dim")
                let out = try TensorMath.engine {
                    try t.reduceLanes(dim: dim, keepDim: try args.bool("keepdim")) { lane in
                        (every ? lane.allSatisfy { $0 != 0 } : lane.contains { $0 != 0 }) ? 1 : 0
                    }
                }
                return .tensor(TensorValue(out, kind: .bool))
            }
        }
    }
}
