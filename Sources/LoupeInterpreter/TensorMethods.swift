import Foundation
import LoupeTensor

/// Methods and attributes of tensors, named as in PyTorch.
public enum TensorMethods {
    static func t(_ v: Value) -> TensorValue {
        if case .tensor(let x) = v { return x }
        return TensorValue(Tensor(scalar: 0))
    }

    static func make(_ x: Tensor, _ kind: TensorValue.Kind) -> Value { .tensor(TensorValue(x, kind: kind)) }

    static func install() {
        func m(_ header: String, _ doc: String, _ ex: String, _ body: @escaping (Interpreter, TensorValue, BoundArguments) throws -> Value) {
            Builtins.registerMethod(type: "tensor", "tensor.\(header)", doc: doc, example: ex) { rt, recv, args in
                try TensorBuiltins.engine { try body(rt, t(recv), args) }
            }
        }
        func attr(_ name: String, _ doc: String, _ ex: String, _ body: @escaping (TensorValue) throws -> Value) {
            Builtins.registerAttribute(type: "tensor", name: name, doc: doc, example: ex) { _, recv in
                try TensorBuiltins.engine { try body(t(recv)) }
            }
        }
        attr("shape", "The size of each dimension, as a tuple.", "zeros(2, 3).shape  # (2, 3)") { .tuple($0.tensor.shape.map { .int($0) }) }
        attr("ndim", "The number of dimensions.", "zeros(2, 3).ndim  # 2") { .int($0.tensor.rank) }
        attr("dtype", "The element type: \"float32\", \"int64\" or \"bool\" (storage is always float32).", "arange(3).dtype  # 'int64'") { .string($0.kind.rawValue) }
        attr("T", "The transpose (dimensions reversed), a view.", "zeros(2, 3).T.shape  # (3, 2)") { x in
            make(try TensorMath.permute(x.tensor, Array((0..<x.tensor.rank).reversed())), x.kind)
        }
        m("numel()", "The number of elements.", "zeros(2, 3).numel()  # 6") { _, x, _ in .int(x.tensor.count) }
        m("size(dim=None)", "The shape as a tuple, or the size of one dimension.", "zeros(2, 3).size(-1)  # 3") { _, x, args in
            if let d = try TensorBuiltins.dimArg(args.value("dim")) { return .int(x.tensor.shape[try TensorMath.normDim(d, x.tensor.rank)]) }
            return .tuple(x.tensor.shape.map { .int($0) })
        }
        m("dim()", "The number of dimensions (same as ndim).", "zeros(2, 3).dim()  # 2") { _, x, _ in .int(x.tensor.rank) }
        m("item()", "The value of a one-element tensor as a Python number (int for int64, bool for bool tensors).", "tensor([2.5]).item()  # 2.5") { _, x, _ in
            guard x.tensor.count == 1 else {
                throw LoupeError("item() needs a tensor with exactly one element, this one has shape \(TensorMath.shapeText(x.tensor.shape))")
            }
            let v = x.tensor.contiguous().basePointer[0]
            switch x.kind {
            case .float: return .float(Double(v))
            case .int: return Value.fromIntElement(v)
            case .bool: return .bool(v != 0)
            }
        }
        m("tolist()", "Nested lists of Python numbers.", "arange(3).tolist()  # [0, 1, 2]") { _, x, _ in toList(x) }
        m("to_list()", "Same as tolist().", "arange(3).to_list()  # [0, 1, 2]") { _, x, _ in toList(x) }
        m("clone()", "An independent copy.", "y = x.clone()") { _, x, _ in make(x.tensor.copy(), x.kind) }
        for name in ["detach", "cpu", "numpy", "contiguous", "cuda"] {
            m("\(name)()", "Returns the tensor itself (there is no autograd or GPU here); kept so PyTorch code reads the same.", "x.\(name)()") { _, x, _ in
                name == "contiguous" ? make(x.tensor.contiguous(), x.kind) : .tensor(x)
            }
        }
        m("is_contiguous()", "Whether the elements are laid out row-major with no gaps, as torch's is_contiguous (a transposed view is not).",
          "zeros(2, 3).T.is_contiguous()  # False") { _, x, _ in .bool(x.tensor.isContiguous) }
        m("float()", "A float32 copy.", "arange(3).float()") { _, x, _ in convert(x, .float) }
        m("int()", "An int64 copy (truncating).", "tensor([1.7]).int()  # tensor([1])") { _, x, _ in convert(x, .int) }
        m("long()", "An int64 copy (truncating).", "tensor([1.7]).long()") { _, x, _ in convert(x, .int) }
        m("bool()", "A bool copy (nonzero is True).", "tensor([0, 2]).bool()") { _, x, _ in convert(x, .bool) }

        // shape
        m("flatten(start_dim=0, end_dim=-1)", "The dimensions start_dim..end_dim merged into one.", "zeros(2, 3).flatten().shape  # (6,)") { _, x, args in
            let r = x.tensor.rank
            if r == 0 { return make(TensorMath.reshape(x.tensor, [1]), x.kind) }
            let s = try TensorMath.normDim(try args.int("start_dim"), r), e = try TensorMath.normDim(try args.int("end_dim"), r)
            guard s <= e else { throw LoupeError("flatten: start_dim must not come after end_dim") }
            let shape = Array(x.tensor.shape[..<s]) + [x.tensor.shape[s...e].reduce(1, *)] + Array(x.tensor.shape[(e + 1)...])
            return make(TensorMath.reshape(x.tensor, shape), x.kind)
        }
        for name in ["reshape", "view"] {
            m("\(name)(*shape)", "The same elements in a new shape; one size may be -1.", "arange(6).\(name)(2, -1).shape  # (2, 3)") { _, x, args in
                let shape = try TensorMath.resolveShape(try TensorBuiltins.shapeArgs(args.varArgs, name, allowMinusOne: true), count: x.tensor.count, from: x.tensor.shape)
                return make(TensorMath.reshape(x.tensor, shape), x.kind)
            }
        }
        m("transpose(dim0=0, dim1=1)", "Swaps two dimensions (a view).", "zeros(2, 3, 4).transpose(0, 2).shape  # (4, 3, 2)") { _, x, args in
            return make(try TensorMath.transpose(x.tensor, try args.int("dim0"), try args.int("dim1")), x.kind)
        }
        m("permute(*order, dims=None)", "Reorders the dimensions (a view).", "zeros(2, 3, 4).permute(2, 0, 1).shape  # (4, 2, 3)") { _, x, args in
            let dims = try TensorBuiltins.shapeArgs(args.varArgs.isEmpty ? [args.isGiven("dims") ? args.value("dims") : .tuple([])] : args.varArgs, "permute", allowMinusOne: true)
            return make(try TensorMath.permute(x.tensor, try dims.map { try TensorMath.normDim($0, x.tensor.rank) }), x.kind)
        }
        m("unsqueeze(dim)", "Inserts a dimension of size 1 at `dim`.", "zeros(3).unsqueeze(0).shape  # (1, 3)") { _, x, args in
            return make(try TensorMath.unsqueeze(x.tensor, try args.int("dim")), x.kind)
        }
        m("squeeze(dim=None)", "Removes dimensions of size 1 (only `dim` if given).", "zeros(1, 3, 1).squeeze().shape  # (3,)") { _, x, args in
            return make(try TensorMath.squeeze(x.tensor, try TensorBuiltins.dimArg(args.value("dim"))), x.kind)
        }
        m("expand(*shape)", "A broadcast view to a larger shape (-1 keeps a size).", "zeros(1, 3).expand(4, 3).shape  # (4, 3)") { _, x, args in
            var shape = try TensorBuiltins.shapeArgs(args.varArgs, "expand", allowMinusOne: true)
            let pad = shape.count - x.tensor.rank
            for i in shape.indices where shape[i] == -1 && i >= pad { shape[i] = x.tensor.shape[i - pad] }
            return make(try TensorMath.expand(x.tensor, to: shape), x.kind)
        }
        m("split(split_size_or_sections, dim=0)", "Pieces of `size` along `dim` (the last may be smaller), or pieces of the given sizes. Returns a tuple.",
          "a, b = arange(6).split(3)") { _, x, args in
            let d = try TensorBuiltins.dimArg(args.value("dim")) ?? 0
            let sizes = args.value("split_size_or_sections")
            let parts: [Tensor]
            switch sizes {
            case .list, .tuple: parts = try x.tensor.split(sizes: try Ops.iterate(sizes).map { try $0.asInt("size") }, dim: d)
            case let v: parts = try x.tensor.split(size: try v.asInt("split size"), dim: d)
            }
            return .tuple(parts.map { make($0, x.kind) })
        }
        m("chunk(chunks, dim=0)", "Splits into `chunks` nearly equal pieces.", "arange(6).chunk(2)") { _, x, args in
            return .tuple(try x.tensor.chunk(try args.int("chunks"), dim: try TensorBuiltins.dimArg(args.value("dim")) ?? 0).map { make($0, x.kind) })
        }

        // reductions
        func reduction(_ name: String, _ op: ReduceOp, _ doc: String, _ ex: String) {
            m("\(name)(dim=None, keepdim=False)", doc, ex) { _, x, args in
                let dim = try TensorBuiltins.dimArg(args.value("dim"))
                let keep = try args.bool("keepdim")
                if dim == nil && x.tensor.count == 0 { throw LoupeError("\(name)() of an empty tensor") }
                let r = try x.tensor.reduce(op, dim: dim, keepDim: keep)
                let kind: TensorValue.Kind
                switch op {
                case .argmax, .argmin: kind = .int
                case .mean: kind = .float
                case .sum, .prod: kind = x.kind == .float ? .float : .int
                default: kind = x.kind
                }
                if (op == .max || op == .min), dim != nil {
                    let idx = try x.tensor.reduce(op == .max ? .argmax : .argmin, dim: dim, keepDim: keep)
                    return named(name, make(r, kind), make(idx, .int))
                }
                return make(r, kind)
            }
        }
        reduction("sum", .sum, "The sum over all elements, or along `dim`.", "ones(2, 3).sum(dim=1)  # tensor([3., 3.])")
        reduction("mean", .mean, "The mean over all elements, or along `dim`.", "arange(4).float().mean()  # tensor(1.5000)")
        reduction("prod", .prod, "The product over all elements, or along `dim`.", "tensor([2, 3]).prod()  # tensor(6)")
        reduction("max", .max, "The maximum; along `dim` returns (values, indices) like torch.max (unpack it or use .values / .indices).", "vals, idx = x.max(dim=-1)")
        reduction("min", .min, "The minimum; along `dim` returns (values, indices) like torch.min (unpack it or use .values / .indices).", "vals, idx = x.min(dim=0)")
        reduction("argmax", .argmax, "Index of the maximum (first one), over the flattened tensor or along `dim`.", "tensor([1, 5, 2]).argmax()  # tensor(1)")
        reduction("argmin", .argmin, "Index of the minimum (first one), over the flattened tensor or along `dim`.", "tensor([1, 5, 2]).argmin()  # tensor(0)")
        for (name, isStd) in [("var", false), ("std", true)] {
            m("\(name)(dim=None, keepdim=False, unbiased=True, correction=None)", "The \(isStd ? "standard deviation" : "variance") (Bessel-corrected like torch unless unbiased=False or correction=0).",
              "tensor([1.0, 2.0, 3.0, 4.0]).\(name)()") { _, x, args in
                var correction = try args.bool("unbiased") ? 1 : 0
                if let c = try args.optionalInt("correction") { correction = c }
                let dim = try TensorBuiltins.dimArg(args.value("dim"))
                let keep = try args.bool("keepdim")
                return make(isStd ? try x.tensor.std(dim: dim, correction: correction, keepDim: keep)
                                  : try x.tensor.variance(dim: dim, correction: correction, keepDim: keep), .float)
            }
        }
        m("norm(dim=None, keepdim=False, p=2)", "The Euclidean (L2) norm over all elements or along `dim`.", "tensor([3.0, 4.0]).norm()  # tensor(5.)") { _, x, args in
            let sq = x.tensor.map { $0 * $0 }
            return make(try sq.sum(dim: try TensorBuiltins.dimArg(args.value("dim")), keepDim: try args.bool("keepdim")).map { sqrtf($0) }, .float)
        }
        m("cumsum(dim)", "Running sums along `dim`.", "arange(4).cumsum(0)  # tensor([0, 1, 3, 6])") { _, x, args in
            return make(try x.tensor.cumsum(dim: try args.int("dim")), x.kind)
        }
        m("softmax(dim=-1)", "exp(x) / sum(exp(x)) along `dim` (numerically stable).", "x.softmax(dim=-1)") { _, x, args in
            return make(try x.tensor.softmax(dim: try TensorBuiltins.dimArg(args.value("dim")) ?? -1), .float)
        }
        m("log_softmax(dim=-1)", "log(softmax(x)) along `dim`, computed stably.", "x.log_softmax(dim=-1)") { _, x, args in
            return make(try x.tensor.logSoftmax(dim: try TensorBuiltins.dimArg(args.value("dim")) ?? -1), .float)
        }
        m("topk(k, dim=-1, largest=True, sorted=True)", "The k largest (or smallest) values along `dim` and their indices, as a tuple (values, indices).",
          "values, indices = x.topk(5)") { _, x, args in
            let k = try args.int("k")
            let dim = try TensorBuiltins.dimArg(args.value("dim")) ?? -1
            if x.tensor.rank > 0 {
                let n = x.tensor.shape[try TensorMath.normDim(dim, x.tensor.rank)]
                if k > n || k < 0 { throw LoupeError("topk: k=\(k) is out of range for a dimension of size \(n)") }
            }
            let r = try x.tensor.topk(k, dim: dim, largest: try args.bool("largest"))
            return named("topk", make(r.values, x.kind), make(r.indices, .int))
        }
        m("sort(dim=-1, descending=False)", "Sorted values and the indices that sort, as a tuple (values, indices).", "values, order = x.sort(descending=True)") { _, x, args in
            let r = try x.tensor.sorted(dim: try TensorBuiltins.dimArg(args.value("dim")) ?? -1, descending: try args.bool("descending"))
            return named("sort", make(r.values, x.kind), make(r.indices, .int))
        }
        m("argsort(dim=-1, descending=False)", "The indices that sort along `dim`.", "x.argsort(descending=True)") { _, x, args in
            return make(try x.tensor.sorted(dim: try TensorBuiltins.dimArg(args.value("dim")) ?? -1, descending: try args.bool("descending")).indices, .int)
        }
        m("histogram(bins=10, min=None, max=None, density=False, range=None)",
          "Counts in `bins` equal-width bins over [min, max] (the data range by default), or in the bins between the given edges (a list/tensor), as a tuple (counts, edges). density=True divides by count × bin width, like numpy.",
          "counts, edges = randn(1000).histogram(bins=20, density=True)") { _, x, args in
            let density = try args.bool("density")
            var edges: [Double]
            let vals = x.tensor.toArray()
            let binsValue = args.value("bins")
            switch binsValue {
            case .list, .tuple, .tensor:
                edges = try TensorBuiltins.tensorArg(binsValue, "bins").tensor.toArray().map(Double.init)
                guard edges.count >= 2, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw LoupeError("histogram: bin edges must be at least two increasing values")
                }
            case let b:
                let bins = try b.asInt("bins")
                guard bins > 0 else { throw LoupeError("histogram: bins must be positive (got \(bins))") }
                var lo = vals.map(Double.init).min() ?? 0, hi = vals.map(Double.init).max() ?? 1
                if let l = try args.optionalDouble("min") { lo = l }
                if let h = try args.optionalDouble("max") { hi = h }
                if let r = args.optional("range") { let p = try Ops.iterate(r); if p.count == 2 { lo = try p[0].asDouble("range"); hi = try p[1].asDouble("range") } }
                if lo == hi { lo -= 0.5; hi += 0.5 }
                guard lo < hi else { throw LoupeError("histogram: min must be below max") }
                edges = (0...bins).map { lo + (hi - lo) * Double($0) / Double(bins) }
            }
            let n = edges.count - 1
            var counts = [Float](repeating: 0, count: n)
            let uniform = zip(edges, edges.dropFirst()).map { $1 - $0 }
            for v in vals {
                let d = Double(v)
                guard d >= edges[0] && d <= edges[n] else { continue }
                // binary search for the bin; the last bin includes its right edge (numpy)
                var lo = 0, hi = n
                while hi - lo > 1 { let mid = (lo + hi) / 2; if d >= edges[mid] { lo = mid } else { hi = mid } }
                counts[lo] += 1
            }
            let total = counts.reduce(0, +)
            if density {
                for i in 0..<n { counts[i] = total > 0 ? Float(Double(counts[i]) / (Double(total) * uniform[i])) : 0 }
            }
            return .tuple([make(Tensor(shape: [n], data: counts), density ? .float : .int), make(Tensor(shape: [n + 1], data: edges.map { Float($0) }), .float)])
        }
        m("repeat(*sizes)", "Tiles the tensor: each dimension repeated the given number of times (torch.Tensor.repeat).",
          "tensor([1, 2]).repeat(2)  # tensor([1, 2, 1, 2])") { _, x, args in
            let reps = try TensorBuiltins.shapeArgs(args.varArgs, "repeat")
            guard reps.count >= x.tensor.rank else { throw LoupeError("repeat: give at least \(x.tensor.rank) sizes for a tensor of shape \(TensorMath.shapeText(x.tensor.shape))") }
            var t = x.tensor
            while t.rank < reps.count { t = try TensorMath.unsqueeze(t, 0) }
            for (d, r) in reps.enumerated() where r != 1 {
                t = try TensorMath.cat([Tensor](repeating: t, count: max(r, 0)), dim: d)
            }
            return make(t.contiguous(), x.kind)
        }

        // elementwise maths
        let unaries: [(String, String, (Float) -> Float)] = [
            ("exp", "e to the power of each element.", { expf($0) }),
            ("log", "Natural logarithm of each element.", { logf($0) }),
            ("sqrt", "Square root of each element.", { sqrtf($0) }),
            ("abs", "Absolute value of each element.", { abs($0) }),
            ("tanh", "Hyperbolic tangent of each element.", { tanhf($0) }),
            ("sin", "Sine of each element.", { sinf($0) }),
            ("cos", "Cosine of each element.", { cosf($0) }),
            ("sigmoid", "1 / (1 + exp(-x)) of each element.", { 1 / (1 + expf(-$0)) }),
            ("relu", "max(x, 0) of each element.", { max($0, 0) }),
            ("neg", "The negation of each element.", { -$0 }),
            ("floor", "Each element rounded down.", { $0.rounded(.down) }),
            ("ceil", "Each element rounded up.", { $0.rounded(.up) }),
        ]
        for (name, doc, f) in unaries {
            m("\(name)()", doc, "x.\(name)()") { _, x, _ in
                let keepsKind = ["abs", "neg", "floor", "ceil", "relu"].contains(name)
                return make(x.tensor.map(f), keepsKind ? x.kind : .float)
            }
        }
        m("pow(exponent)", "Each element raised to `exponent`.", "x.pow(2)") { _, x, args in
            return try TensorMath.binary(.pow, .tensor(x), args.value("exponent"))
        }
        m("clamp(min=None, max=None)", "Each element limited to [min, max].", "x.clamp(min=0)") { _, x, args in
            let lo = try args.optionalDouble("min").map { Float($0) } ?? -.infinity
            let hi = try args.optionalDouble("max").map { Float($0) } ?? .infinity
            return make(x.tensor.map { min(max($0, lo), hi) }, x.kind)
        }
        m("masked_fill(mask, value)", "A copy with `value` wherever `mask` is true (broadcasting).", "scores.masked_fill(mask, -1e9)") { _, x, args in
            let mask = try TensorBuiltins.tensorArg(args.value("mask"), "mask")
            let v = Float(try args.double("value"))
            return make(try Tensor.where(mask.tensor, Tensor(scalar: v), x.tensor), x.kind)
        }
        m("matmul(other)", "Matrix product (same as x @ other).", "x.matmul(w)") { _, x, args in
            return try TensorMath.binary(.matmul, .tensor(x), args.value("other"))
        }
        m("dot(other)", "Dot product of two 1-d tensors.", "tensor([1.0, 2.0]).dot(tensor([3.0, 4.0]))  # tensor(11.)") { _, x, args in
            let y = try TensorBuiltins.tensorArg(args.value("other"), "other")
            guard x.tensor.rank == 1, y.tensor.rank == 1, x.tensor.count == y.tensor.count else {
                throw LoupeError("dot() needs two 1-d tensors of the same length (got \(TensorMath.shapeText(x.tensor.shape)) and \(TensorMath.shapeText(y.tensor.shape)))")
            }
            return make(try TensorMath.matmul(x.tensor, y.tensor), .float)
        }
        m("outer(other)", "Outer product of two 1-d tensors.", "arange(3).outer(arange(2)).shape  # (3, 2)") { _, x, args in
            let y = try TensorBuiltins.tensorArg(args.value("other"), "other")
            return make(try TensorMath.zipWith(try TensorMath.unsqueeze(x.tensor, 1), try TensorMath.unsqueeze(y.tensor, 0), *),
                        x.kind == .float || y.kind == .float ? .float : .int)
        }
    }

    /// (values, indices) as torch returns them: unpackable, indexable, and with `.values` / `.indices`.
    static func named(_ op: String, _ values: Value, _ indices: Value) -> Value {
        .host(NamedTuple(typeName: "return_types.\(op)", names: ["values", "indices"], items: [values, indices]))
    }

    static func convert(_ x: TensorValue, _ kind: TensorValue.Kind) -> Value {
        switch kind {
        case .float: return make(x.tensor.copy(), .float)
        case .int: return make(x.tensor.map { $0.rounded(.towardZero) }, .int)
        case .bool: return make(x.tensor.map { $0 != 0 ? 1 : 0 }, .bool)
        }
    }

    static func scalar(_ v: Float, _ kind: TensorValue.Kind) -> Value {
        switch kind {
        case .float: return .float(Double(v))
        case .int: return Value.fromIntElement(v)
        case .bool: return .bool(v != 0)
        }
    }

    public static func toList(_ x: TensorValue) -> Value {
        let vals = x.tensor.toArray()
        let shape = x.tensor.shape
        if shape.isEmpty { return scalar(vals.first ?? 0, x.kind) }
        var i = 0
        func build(_ d: Int) -> Value {
            if d == shape.count - 1 {
                var items: [Value] = []
                items.reserveCapacity(shape[d])
                for _ in 0..<shape[d] { items.append(scalar(vals[i], x.kind)); i += 1 }
                return .list(items)
            }
            return .list((0..<shape[d]).map { _ in build(d + 1) })
        }
        return build(0)
    }
}
