import Foundation
import LoupeTensor

/// Tensor constructors and the functional forms PyTorch users type (`cat`, `stack`, `softmax`, …).
public enum TensorBuiltins {
    /// Runs tensor-library code, turning its errors into Loupe errors.
    static func engine<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TensorError { throw LoupeError(e.message) }
    }

    public static func tensorArg(_ v: Value?, _ what: String) throws -> TensorValue {
        guard let v = v else { throw LoupeError("missing tensor argument `\(what)`") }
        if case .tensor(let t) = v { return t }
        if case .list = v { return try fromNested(v) }
        if case .tuple = v { return try fromNested(v) }
        if Ops.number(v) != nil { return try TensorMath.asTensor(v) }
        throw LoupeError("\(what) must be a tensor, not \(v.typeName)")
    }

    /// `zeros(2, 3)`, `zeros((2, 3))`, `zeros([2, 3])`.
    static func shapeArgs(_ values: [Value], _ fn: String, allowMinusOne: Bool = false) throws -> [Int] {
        var shape: [Int]
        if values.count == 1, case .tuple(let t) = values[0] { shape = try t.map { try $0.asInt("\(fn) size") } }
        else if values.count == 1, case .list(let l) = values[0] { shape = try l.items.map { try $0.asInt("\(fn) size") } }
        else { shape = try values.map { try $0.asInt("\(fn) size") } }
        var total = 1
        for d in shape where d > 0 {
            let (p, o) = total.multipliedReportingOverflow(by: d)
            if o || p > 1 << 31 { throw LoupeError("\(fn): shape \(TensorMath.shapeText(shape)) is too large (more than 2^31 elements)") }
            total = p
        }
        if shape.contains(where: { $0 < (allowMinusOne ? -1 : 0) }) { throw LoupeError("\(fn): negative size in shape \(TensorMath.shapeText(shape))") }
        return shape
    }

    static func dimArg(_ v: Value?) throws -> Int? {
        guard let v = v?.orNil else { return nil }
        return try v.asInt("dim")
    }

    static func kindArg(_ v: Value?) throws -> TensorValue.Kind? {
        guard let v = v?.orNil else { return nil }
        var name = ""
        switch v {
        case .string(let s): name = s
        case .builtin(let b): name = b.name
        default: throw LoupeError("dtype must be \"float32\", \"int64\" or \"bool\"")
        }
        switch name.lowercased() {
        case "float", "float32", "float64", "double", "f32", "half", "float16", "bfloat16": return .float
        case "int", "int64", "int32", "long", "i64": return .int
        case "bool": return .bool
        default: throw LoupeError("unknown dtype `\(name)`", hint: "use \"float32\", \"int64\" or \"bool\"")
        }
    }

    /// Nested lists/tuples of numbers (or tensors) to a tensor; ints-only data gives an int tensor.
    /// A host object that is `TensorConvertible` (an image) gives its own tensor.
    static func fromNested(_ v: Value) throws -> TensorValue {
        if case .host(let h) = v, let convertible = h as? TensorConvertible { return try convertible.asTensor() }
        var data: [Float] = []
        var shape: [Int]? = nil
        var allInt = true, allBool = true
        func walk(_ x: Value, _ depth: Int, _ path: [Int]) throws -> [Int] {
            switch x {
            case .list, .tuple:
                let items = try Ops.iterate(x)
                var inner: [Int]? = nil
                for it in items {
                    let s = try walk(it, depth + 1, path)
                    if let i = inner, i != s { throw LoupeError("tensor(): ragged nested list (rows of different lengths)") }
                    inner = s
                }
                return [items.count] + (inner ?? [])
            case .tensor(let t):
                data.append(contentsOf: t.tensor.toArray())
                if t.kind == .float { allInt = false }
                if t.kind != .bool { allBool = false }
                return t.tensor.shape
            case .bool(let b): data.append(b ? 1 : 0); return []
            case .int(let i): data.append(Float(i)); allBool = false; return []
            case .float(let d): data.append(Float(d)); allInt = false; allBool = false; return []
            default: throw LoupeError("tensor() needs numbers, not \(x.typeName)")
            }
        }
        shape = try walk(v, 0, [])
        let s = shape ?? []
        guard s.reduce(1, *) == data.count else { throw LoupeError("tensor(): ragged nested list") }
        let kind: TensorValue.Kind = data.isEmpty ? .float : (allBool ? .bool : (allInt ? .int : .float))
        return TensorValue(Tensor(shape: s, data: data), kind: kind)
    }

    static func make(_ t: Tensor, _ kind: TensorValue.Kind = .float) -> Value { .tensor(TensorValue(t, kind: kind)) }

    /// `t` as the given dtype (`dflt` when None): int64 truncates, bool is nonzero.
    static func typed(_ t: Tensor, _ dtype: Value, _ dflt: TensorValue.Kind) throws -> Value {
        switch try kindArg(dtype) ?? dflt {
        case .float: return make(t, .float)
        case .int: return make(t.map { $0.rounded(.towardZero) }, .int)
        case .bool: return make(t.map { $0 != 0 ? 1 : 0 }, .bool)
        }
    }

    /// Registers a tensor builtin whose engine errors become Loupe errors; one declaring `device=` accepts
    /// "cpu" (torch's spelling) and refuses other devices.
    static func register(_ header: String, _ doc: String, _ ex: String, _ body: @escaping DeclaredBody) {
        let name = String(header.prefix { $0 != "(" })
        let hasDevice = header.contains("device=None")
        Builtins.register(header, doc: doc, example: ex) { rt, args in
            if hasDevice { try TensorDevice.check(args.optional("device"), name) }
            return try engine { try body(rt, args) }
        }
    }

    static func install() {
        let reg = register
        reg("tensor(data, dtype=None, device=None)", "A tensor from a number or nested lists. Integer data gives an int64 tensor, booleans a bool tensor; dtype=\"float32\"/\"int64\"/\"bool\" overrides.",
            "tensor([[1.0, 2.0], [3.0, 4.0]]).shape  # (2, 2)") { _, args in
            let t = try fromNested(args.value("data"))
            let kind = try kindArg(args.value("dtype")) ?? t.kind
            return make(kind == .int ? TensorMath.map(t.tensor) { $0.rounded(.towardZero) } : t.tensor, kind)
        }
        for (name, fill) in [("zeros", Float(0)), ("ones", Float(1))] {
            reg("\(name)(*shape, dtype=\"float32\", device=None)", "A tensor of \(name) with the given shape.", "\(name)(2, 3).shape  # (2, 3)") { _, args in
                let shape = try shapeArgs(args.varArgs, name)
                let t = try Tensor.full(shape, fill)
                return make(t, try kindArg(args.value("dtype")) ?? .float)
            }
        }
        reg("empty(*shape, dtype=\"float32\", device=None)", "torch.empty: a tensor of the given shape (Loupe fills it with zeros rather than leaving it uninitialised).",
            "empty(2, 3).shape  # (2, 3)") { _, args in
            return make(try Tensor.full(try shapeArgs(args.varArgs, "empty"), 0), try kindArg(args.value("dtype")) ?? .float)
        }
        reg("full(shape, value, dtype=None, device=None)", "A tensor of the given shape filled with `value`.", "full((2, 2), 7)") { _, args in
            let v = args.value("value")
            let kind: TensorValue.Kind = (try kindArg(args.value("dtype"))) ?? ((Ops.intLike(v) != nil) ? .int : .float)
            return make(try Tensor.full(try shapeArgs([args.value("shape")], "full"), Float(try v.asDouble("value"))), kind)
        }
        for (name, src) in [("zeros_like", Float(0)), ("ones_like", Float(1))] {
            reg("\(name)(t, dtype=None, device=None)", "A tensor of \(src == 0 ? "zeros" : "ones") with the shape (and dtype, unless given) of `t`.", "\(name)(zeros(3))") { _, args in
                let t = try tensorArg(args.value("t"), "t")
                return make(try Tensor.full(t.tensor.shape, src), try kindArg(args.value("dtype")) ?? t.kind)
            }
        }
        reg("arange(start, stop=None, step=1, dtype=None, device=None)", "arange(stop) or arange(start, stop, step=1): evenly spaced values in [start, stop). Integer arguments give an int64 tensor.",
            "arange(5)  # tensor([0, 1, 2, 3, 4])") { _, args in
            var start = args.value("start"), stop = args.value("stop")
            let step = args.optional("step") ?? .int(1)
            if args.optional("stop") == nil { stop = start; start = .int(0) }
            let allInt = [start, stop, step].allSatisfy { Ops.intLike($0) != nil }
            let t = try Tensor.arange(try start.asDouble("start"), try stop.asDouble("stop"), step: try step.asDouble("step"))
            return try typed(t, args.value("dtype"), allInt ? .int : .float)
        }
        reg("linspace(start, stop, steps, dtype=None, device=None)", "`steps` evenly spaced values from start to stop inclusive.", "linspace(0, 1, 5)") { _, args in
            return try typed(try Tensor.linspace(try args.double("start"), try args.double("stop"), count: try args.int("steps")), args.value("dtype"), .float)
        }
        reg("eye(n, dtype=None, device=None)", "The n×n identity matrix.", "eye(3)") { _, args in
            return try typed(try Tensor.eye(try args.int("n")), args.value("dtype"), .float)
        }
        RandomBuiltins.install()
        reg("cat(tensors, dim=0)", "Joins tensors along an existing dimension.", "cat([zeros(2, 3), ones(1, 3)]).shape  # (3, 3)") { _, args in
            let ts = try Ops.iterate(args.value("tensors")).map { try tensorArg($0, "tensors") }
            guard !ts.isEmpty else { throw LoupeError("cat() needs at least one tensor") }
            return make(try Tensor.cat(ts.map(\.tensor), dim: try dimArg(args.value("dim")) ?? 0), commonKind(ts))
        }
        reg("stack(tensors, dim=0)", "Joins same-shaped tensors along a new dimension.", "stack([zeros(3), ones(3)]).shape  # (2, 3)") { _, args in
            let ts = try Ops.iterate(args.value("tensors")).map { try tensorArg($0, "tensors") }
            guard !ts.isEmpty else { throw LoupeError("stack() needs at least one tensor") }
            return make(try Tensor.stack(ts.map(\.tensor), dim: try dimArg(args.value("dim")) ?? 0), commonKind(ts))
        }
        reg("where(cond, a, b)", "Elementwise: a where cond is true, else b (broadcasting).", "where(x > 0, x, 0)") { _, args in
            let c = try tensorArg(args.value("cond"), "cond"), x = try tensorArg(args.value("a"), "a"), y = try tensorArg(args.value("b"), "b")
            return make(try Tensor.where(c.tensor, x.tensor, y.tensor), x.kind == y.kind ? x.kind : .float)
        }
        reg("matmul(a, b)", "Matrix product (same as a @ b), batched and broadcasting like torch.matmul.", "matmul(eye(2), ones(2, 3))") { _, args in
            return try TensorMath.binary(.matmul, args.value("a"), args.value("b"))
        }
        // functional forms of the common methods: softmax(x, dim=-1), topk(x, k), argmax(x, dim) …
        for name in ["softmax", "log_softmax", "topk", "argmax", "argmin", "mean", "var", "std", "histogram", "flatten", "reshape",
                     "transpose", "permute", "unsqueeze", "squeeze", "exp", "log", "sqrt", "sigmoid", "relu", "tanh", "clamp",
                     "sort", "argsort", "cumsum", "norm", "outer", "split", "chunk", "repeat", "gather", "diagonal"] where Builtins.functions[name] == nil {
            guard let member = Builtins.member("tensor", name), let method = member.declared else { continue }
            Builtins.register(functionalHeader(method), aliases: method.aliases, doc: member.doc + " (Functional form of tensor.\(name).)",
                              example: member.example.replacingOccurrences(of: "x.\(name)(", with: "\(name)(x, ")) { rt, args in
                let recv: Value = .tensor(try tensorArg(args.value("t"), "t"))
                let keywords = CoreBuiltins.givenKeywords(args).filter { $0.0 != "t" }
                return try rt.callMethod(recv, name, Arguments(args.varArgs, keywords: keywords + args.varKeywords))
            }
        }
    }

    /// `softmax(t, dim=-1)` from the method's `tensor.softmax(dim=-1)`: the tensor becomes the first parameter.
    static func functionalHeader(_ method: Signature) -> String {
        let parameters = method.text.dropFirst(method.callee.count + 1).dropLast()
        return "\(method.name)(t\(parameters.isEmpty ? "" : ", \(parameters)"))"
    }

    static func commonKind(_ ts: [TensorValue]) -> TensorValue.Kind {
        if ts.allSatisfy({ $0.kind == .bool }) { return .bool }
        return ts.allSatisfy({ $0.kind != .float }) ? .int : .float
    }
}
