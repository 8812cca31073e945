import Foundation
import LoupeTensor

/// `torch.Generator`: one torch CPU generator (mt19937), shared by every value that refers to it.
public final class GeneratorObject: HostObject {
    public let typeName = "Generator"
    public let generator: TorchGenerator
    public init(_ generator: TorchGenerator) { self.generator = generator }
    public func repr() -> String { "<torch.Generator (seed \(generator.initialSeed))>" }
    public var help: String {
        "torch.Generator: torch's CPU generator (mt19937); pass it as generator= to randn, rand, randint, randperm, normal, normal_, uniform_."
    }
}

/// Random tensors drawn as torch's CPU generator draws them: the same seed gives torch's float32 values.
public enum RandomBuiltins {
    /// `torch.seed()`: reseeds the default generator from the system's entropy and returns the seed (a
    /// member of `torch` only: the global `seed(n)` is Loupe's).
    public static let torchSeed = Builtins.function("torch.seed()", doc: "Seeds torch's CPU generator from the system's entropy and returns the seed (torch.seed); the numbers that follow differ from run to run.",
                                                    example: "s = torch.seed()") { rt, _ in
        let s = freshSeed()
        rt.torchGenerator.manualSeed(s)
        return .int(Int(s))
    }

    static let source = "The numbers are torch's CPU generator's: after torch.manual_seed(s) they equal torch's."

    /// The generator a call draws from: `generator=` when given, else the interpreter's default.
    static func generator(_ args: BoundArguments, _ rt: Interpreter, _ fn: String) throws -> TorchGenerator {
        guard let v = args.optional("generator") else { return rt.torchGenerator }
        if case .host(let h) = v, let g = h as? GeneratorObject { return g.generator }
        throw LoupeError("\(fn): generator must be a torch.Generator, not \(v.typeName)", hint: "make one with torch.Generator().manual_seed(0)")
    }

    static func seedArg(_ v: Value, _ fn: String) throws -> UInt64 {
        UInt64(bitPattern: Int64(try v.asInt("\(fn) seed")))
    }

    /// A seed from the system's entropy, as torch.seed() takes one.
    static func freshSeed() -> UInt64 {
        var system = SystemRandomNumberGenerator()
        return system.next() >> 1
    }

    static func floatTensor(_ v: Value, _ fn: String) throws -> TensorValue {
        let t = try TensorBuiltins.tensorArg(v, fn)
        guard t.kind == .float else {
            throw LoupeError("\(fn) fills float tensors; this one is \(t.kind.rawValue) (torch refuses it too)", hint: "convert first: x.float()")
        }
        return t
    }

    static func install() {
        let reg = TensorBuiltins.register
        let shape = TensorBuiltins.shapeArgs, typed = TensorBuiltins.typed
        /// `randn(2, 3)`, `randn((2, 3))` or `randn(size=(2, 3))`.
        func sizeArgs(_ args: BoundArguments, _ fn: String) throws -> [Int] {
            if let size = args.optional("size") {
                guard args.varArgs.isEmpty else { throw LoupeError("\(fn): give the shape either positionally or as size=, not both") }
                return try shape([size], fn, false)
            }
            return try shape(args.varArgs, fn, false)
        }
        reg("randn(*shape, size=None, generator=None, dtype=None, device=None)",
            "Normally distributed values (mean 0, std 1), torch.randn. \(source)", "torch.manual_seed(0)\nx = torch.randn(2, 3)") { rt, args in
            try typed(Tensor.torchRandn(try sizeArgs(args, "randn"), using: try generator(args, rt, "randn")), args.value("dtype"), .float)
        }
        reg("rand(*shape, size=None, generator=None, dtype=None, device=None)",
            "Uniform values in [0, 1), torch.rand. \(source)", "rand(3)") { rt, args in
            try typed(Tensor.torchRand(try sizeArgs(args, "rand"), using: try generator(args, rt, "rand")), args.value("dtype"), .float)
        }
        reg("randint(low, high=None, size=None, generator=None, dtype=None, device=None)",
            "Random integers in [low, high) as an int64 tensor, torch.randint; randint(high, size) starts at 0. \(source)",
            "torch.randint(0, 10, (2, 3))") { rt, args in
            var sizeV = args.isGiven("size") ? args.value("size") : nil
            var low = 0, high = try args.int("low")
            if sizeV == nil, case .tuple = args.value("high") { sizeV = args.value("high") }      // randint(high, size)
            else if args.optional("high") != nil { low = high; high = try args.int("high") }     // randint(low, high, size)
            guard let size = sizeV else { throw LoupeError("randint(low, high, size) needs a size, e.g. (3,)") }
            let t = try Tensor.torchRandint(Int64(low), Int64(high), try shape([size], "randint", false), using: try generator(args, rt, "randint"))
            return try typed(t, args.value("dtype"), .int)
        }
        reg("randperm(n, generator=None, dtype=None, device=None)", "A random permutation of 0..n-1 (int64 tensor), torch.randperm. \(source)",
            "randperm(5)") { rt, args in
            try typed(try Tensor.torchRandperm(try args.int("n"), using: try generator(args, rt, "randperm")), args.value("dtype"), .int)
        }
        reg("normal(mean=0.0, std=1.0, size=None, generator=None, dtype=None, device=None)",
            "Normal values with a float mean and std in the given size, torch.normal(mean, std, size). \(source)",
            "torch.normal(2.0, 3.0, size=(4,))") { rt, args in
            guard let size = args.optional("size") else {
                throw LoupeError("normal(mean, std, size): Loupe takes float mean and std with a size", hint: "torch.normal(0.0, 1.0, size=(3,))")
            }
            let std = try args.double("std")
            guard std >= 0 else { throw LoupeError("normal expects std >= 0.0, but found std \(std)") }
            let t = Tensor.torchRandn(try shape([size], "normal", false), mean: try args.double("mean"), std: std,
                                      using: try generator(args, rt, "normal"))
            return try typed(t, args.value("dtype"), .float)
        }
        reg("randn_like(t, generator=None, dtype=None, device=None)", "torch.randn_like: randn in t's shape. \(source)", "randn_like(zeros(2, 3))") { rt, args in
            let t = try TensorBuiltins.tensorArg(args.value("t"), "t")
            return try typed(Tensor.torchRandn(t.tensor.shape, using: try generator(args, rt, "randn_like")), args.value("dtype"), .float)
        }
        reg("rand_like(t, generator=None, dtype=None, device=None)", "torch.rand_like: rand in t's shape. \(source)", "rand_like(zeros(2, 3))") { rt, args in
            let t = try TensorBuiltins.tensorArg(args.value("t"), "t")
            return try typed(Tensor.torchRand(t.tensor.shape, using: try generator(args, rt, "rand_like")), args.value("dtype"), .float)
        }
        reg("multinomial(input, num_samples, replacement=False, *, generator=None)",
            "Indices drawn from the rows of `input` (weights ≥ 0, [categories] or [rows, categories]) as an int64 tensor, torch.multinomial. \(source)",
            "torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 2)") { rt, args in
            let probs = try TensorBuiltins.tensorArg(args.value("input"), "input")
            let t = try Tensor.torchMultinomial(probs.tensor, try args.int("num_samples"), replacement: try args.bool("replacement"),
                                                using: try generator(args, rt, "multinomial"))
            return TensorBuiltins.make(t, .int)
        }
        reg("seed(n)", "Seeds torch's CPU generator (behind randn/rand/randint/randperm) and the `random` module. \(source)", "seed(42)") { rt, args in
            rt.reseed(try seedArg(args.value("n"), "seed"))
            return .none
        }
        installTorchSeeding()
        installMethods()
    }

    /// `torch.manual_seed`, `torch.initial_seed`, `torch.Generator` (reached through the `torch` namespace).
    static func installTorchSeeding() {
        Builtins.register("manual_seed(seed)", doc: "torch.manual_seed: seeds torch's CPU generator (randn, rand, randint, randperm, normal_, uniform_; not the `random` module) and returns it. \(source)",
                          example: "torch.manual_seed(0)") { rt, args in
            rt.torchGenerator.manualSeed(try seedArg(args.value("seed"), "manual_seed"))
            return .host(GeneratorObject(rt.torchGenerator))
        }
        Builtins.register("initial_seed()", doc: "torch.initial_seed: the seed of the default generator's stream (67280421310721 until seeded: Loupe starts where torch.Generator() does, torch itself from a random seed).",
                          example: "torch.initial_seed()") { rt, _ in
            .int(Int(Int64(bitPattern: rt.torchGenerator.initialSeed)))
        }
        Builtins.register("Generator(device=\"cpu\")", doc: "torch.Generator: a CPU generator of its own, seeded 67280421310721 as torch's; g.manual_seed(s) seeds it and returns it. \(source)",
                          example: "g = torch.Generator().manual_seed(0)\nx = torch.randn(3, generator=g)") { _, args in
            try TensorDevice.check(args.optional("device"), "Generator")
            return .host(GeneratorObject(TorchGenerator()))
        }
    }

    static func installMethods() {
        func gen(_ header: String, _ doc: String, _ ex: String, _ body: @escaping (GeneratorObject, BoundArguments) throws -> Value) {
            Builtins.registerMethod(type: "Generator", "Generator.\(header)", doc: doc, example: ex) { _, recv, args in
                guard case .host(let h) = recv, let g = h as? GeneratorObject else { throw LoupeError("not a torch.Generator") }
                return try body(g, args)
            }
        }
        gen("manual_seed(seed)", "Seeds this generator and returns it (torch.Generator.manual_seed).", "g = torch.Generator().manual_seed(0)") { g, args in
            g.generator.manualSeed(try seedArg(args.value("seed"), "manual_seed"))
            return .host(g)
        }
        gen("initial_seed()", "The seed of this generator's stream.", "g.initial_seed()") { g, _ in
            .int(Int(Int64(bitPattern: g.generator.initialSeed)))
        }
        gen("seed()", "Seeds this generator from the system's entropy and returns the seed (torch.Generator.seed).", "g.seed()") { g, _ in
            let s = freshSeed()
            g.generator.manualSeed(s)
            return .int(Int(s))
        }

        func inPlace(_ header: String, _ doc: String, _ ex: String, _ body: @escaping (Tensor, BoundArguments, TorchGenerator) throws -> Void) {
            let name = String(header.prefix { $0 != "(" })
            Builtins.registerMethod(type: "tensor", "tensor.\(header)", doc: doc, example: ex) { rt, recv, args in
                let t = try floatTensor(recv, name)
                let g = try generator(args, rt, name)
                try TensorBuiltins.engine { try body(t.tensor, args, g) }
                return recv
            }
        }
        inPlace("normal_(mean=0.0, std=1.0, *, generator=None)", "Fills the tensor in place with normal values and returns it (torch's normal_). \(source)",
                "w = torch.empty(3, 4).normal_(0.0, 0.02)") { t, args, g in
            let std = try args.double("std")
            guard std >= 0 else { throw LoupeError("normal_ expects std >= 0.0, but found std \(std)") }
            t.fillNormal(mean: try args.double("mean"), std: std, using: g)
        }
        inPlace("uniform_(low=0.0, high=1.0, *, generator=None)",
                "Fills the tensor in place with uniform values in [low, high) and returns it (torch's uniform_(from, to)). \(source)",
                "w = torch.empty(3).uniform_(-1, 1)") { t, args, g in
            let a = try args.double("low"), b = try args.double("high")
            guard a <= b else { throw LoupeError("uniform_ expects to return a [from, to) range, but found from=\(a) > to=\(b)") }
            t.fillUniform(from: a, to: b, using: g)
        }
    }
}
