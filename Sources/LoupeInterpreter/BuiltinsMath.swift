import Foundation
import LoupeTensor

/// Scalar maths that also works elementwise on tensors (sqrt, exp, log, …), constants, and the `math`
/// module for code written as `math.sqrt(x)`.
enum MathBuiltins {
    static func install() {
        var members: [String: Value] = [:]
        let unary: [(String, String, (Double) -> Double, (Float) -> Float)] = [
            ("sqrt", "Square root.", { sqrt($0) }, { sqrtf($0) }),
            ("exp", "e to the power x.", { Foundation.exp($0) }, { expf($0) }),
            ("log", "Natural logarithm (log(x, base) for another base).", { Foundation.log($0) }, { logf($0) }),
            ("log2", "Base-2 logarithm.", { Foundation.log2($0) }, { log2f($0) }),
            ("log10", "Base-10 logarithm.", { Foundation.log10($0) }, { log10f($0) }),
            ("sin", "Sine (radians).", { Foundation.sin($0) }, { sinf($0) }),
            ("cos", "Cosine (radians).", { Foundation.cos($0) }, { cosf($0) }),
            ("tan", "Tangent (radians).", { Foundation.tan($0) }, { tanf($0) }),
            ("tanh", "Hyperbolic tangent.", { Foundation.tanh($0) }, { tanhf($0) }),
            ("atan", "Arc tangent.", { Foundation.atan($0) }, { atanf($0) }),
        ]
        for (name, doc, f, g) in unary {
            let b = BuiltinFunction(name: name, signature: "\(name)(x)", doc: doc + " Works on numbers and, elementwise, on tensors.",
                                    example: "\(name)(1.0)") { _, args in
                guard args.positional.count >= 1 else { throw LoupeError("\(name)() needs one argument") }
                let x = args.positional[0]
                if case .tensor(let t) = x { return .tensor(TensorValue(t.tensor.map(g), kind: .float)) }
                let d = try x.asDouble("\(name)() argument")
                if (name == "sqrt" && d < 0) { throw LoupeError("math domain error: sqrt of a negative number (\(Repr.float(d)))") }
                if name.hasPrefix("log") && d <= 0 { throw LoupeError("math domain error: \(name) of \(Repr.float(d))") }
                if name == "log", args.positional.count == 2 {
                    let base = try args.positional[1].asDouble("base")
                    return .float(Foundation.log(d) / Foundation.log(base))
                }
                return .float(f(d))
            }
            Builtins.register(name: name, doc: b.doc, signature: b.signature, example: b.example, b.body)
            members[name] = .builtin(b)
        }
        let more: [(String, String, String, BuiltinBody)] = [
            ("floor", "floor(x)", "The largest integer ≤ x (an int).", { _, a in .int(Int(try num(a, "floor").rounded(.down))) }),
            ("ceil", "ceil(x)", "The smallest integer ≥ x (an int).", { _, a in .int(Int(try num(a, "ceil").rounded(.up))) }),
            ("isnan", "isnan(x)", "True if x is NaN.", { _, a in .bool(try num(a, "isnan").isNaN) }),
            ("isinf", "isinf(x)", "True if x is ±infinity.", { _, a in .bool(try num(a, "isinf").isInfinite) }),
            ("pow", "pow(x, y)", "x to the power y (same as x ** y).", { _, a in
                guard a.positional.count == 2 else { throw LoupeError("pow() needs two arguments") }
                return try Ops.binary(.pow, a.positional[0], a.positional[1]) }),
            ("atan2", "atan2(y, x)", "The angle of the point (x, y), in radians.", { _, a in
                guard a.positional.count == 2 else { throw LoupeError("atan2() needs two arguments") }
                return .float(Foundation.atan2(try a.positional[0].asDouble("y"), try a.positional[1].asDouble("x"))) }),
            ("gcd", "gcd(a, b)", "Greatest common divisor.", { _, a in
                guard a.positional.count == 2 else { throw LoupeError("gcd() needs two arguments") }
                var x = abs(try a.positional[0].asInt("a")), y = abs(try a.positional[1].asInt("b"))
                while y != 0 { (x, y) = (y, x % y) }
                return .int(x) }),
            ("prod", "prod(xs)", "The product of the items.", { _, a in
                guard let xs = a.positional.first else { throw LoupeError("prod() needs one argument") }
                var r: Value = .int(1)
                for v in try Ops.iterate(xs) { r = try Ops.binary(.mul, r, v) }
                return r }),
        ]
        for (name, sig, doc, body) in more {
            let b = BuiltinFunction(name: name, signature: sig, doc: doc, example: sig.replacingOccurrences(of: "x", with: "2.5"), body: body)
            Builtins.register(name: name, doc: doc, signature: sig, example: b.example, body)
            members[name] = .builtin(b)
        }
        let constants: [(String, Double, String)] = [("pi", Double.pi, "π = 3.14159…"), ("e", M_E, "Euler's number e = 2.71828…"),
                                                     ("inf", .infinity, "Positive infinity."), ("nan", .nan, "Not a number.")]
        for (name, v, doc) in constants {
            members[name] = .float(v)
            if name != "e" { Builtins.registerValue(name: name, doc: doc, .float(v)) }
        }
        Builtins.registerValue(name: "math", doc: "Python's math module: sqrt, exp, log, floor, ceil, pi, e, inf, …",
                               .host(ModuleObject(name: "math", doc: "Scalar maths (also available as plain builtins).", members: members)))
    }

    static func num(_ a: Arguments, _ fn: String) throws -> Double {
        guard let x = a.positional.first else { throw LoupeError("\(fn)() needs one argument") }
        return try x.asDouble("\(fn)() argument")
    }
}

/// `random`: Python's random module, seeded (random.seed(n) makes runs repeatable).
enum RandomModule {
    static func install() {
        var members: [String: Value] = [:]
        func fn(_ name: String, _ sig: String, _ doc: String, _ ex: String, _ body: @escaping BuiltinBody) {
            members[name] = .builtin(BuiltinFunction(name: "random.\(name)", signature: "random.\(sig)", doc: doc, example: ex, body: body))
        }
        fn("seed", "seed(n)", "Seeds the generator so the following draws repeat.", "random.seed(0)") { rt, args in
            let a = try args.bind("seed", ["n"], required: 1)
            rt.pyRandom = Xoshiro256(seed: UInt64(bitPattern: Int64(try (a[0] ?? .none).asInt("seed"))))
            return .none
        }
        fn("random", "random()", "A float in [0, 1).", "random.random()") { rt, _ in
            .float(Double(rt.pyRandom.next() >> 11) * 0x1.0p-53)
        }
        fn("uniform", "uniform(a, b)", "A float in [a, b].", "random.uniform(-1, 1)") { rt, args in
            let a = try args.bind("uniform", ["a", "b"], required: 2)
            let lo = try (a[0] ?? .none).asDouble("a"), hi = try (a[1] ?? .none).asDouble("b")
            return .float(lo + (hi - lo) * Double(rt.pyRandom.next() >> 11) * 0x1.0p-53)
        }
        fn("gauss", "gauss(mu=0, sigma=1)", "A normally distributed float.", "random.gauss(0, 1)") { rt, args in
            let a = try args.bind("gauss", ["mu", "sigma"])
            let mu = try a[0]?.asDouble("mu") ?? 0, sigma = try a[1]?.asDouble("sigma") ?? 1
            let u1 = max(Double(rt.pyRandom.next() >> 11) * 0x1.0p-53, 1e-300), u2 = Double(rt.pyRandom.next() >> 11) * 0x1.0p-53
            return .float(mu + sigma * sqrt(-2 * Foundation.log(u1)) * Foundation.cos(2 * Double.pi * u2))
        }
        fn("randint", "randint(a, b)", "An int in [a, b], both ends included (Python's random.randint).", "random.randint(1, 6)") { rt, args in
            let a = try args.bind("randint", ["a", "b"], required: 2)
            let lo = try (a[0] ?? .none).asInt("a"), hi = try (a[1] ?? .none).asInt("b")
            guard hi >= lo else { throw LoupeError("random.randint: empty range [\(lo), \(hi)]") }
            return .int(lo + Int(rt.pyRandom.next() % UInt64(hi - lo + 1)))
        }
        fn("choice", "choice(xs)", "One random item.", "random.choice([\"a\", \"b\"])") { rt, args in
            let a = try args.bind("choice", ["xs"], required: 1)
            let items = try Ops.iterate(a[0] ?? .none)
            guard !items.isEmpty else { throw LoupeError("random.choice from an empty sequence") }
            return items[Int(rt.pyRandom.next() % UInt64(items.count))]
        }
        fn("sample", "sample(xs, k)", "`k` distinct random items.", "random.sample(range(100), 5)") { rt, args in
            let a = try args.bind("sample", ["xs", "k"], required: 2)
            var items = try Ops.iterate(a[0] ?? .none)
            let k = try (a[1] ?? .none).asInt("k")
            guard k >= 0 && k <= items.count else { throw LoupeError("random.sample: k=\(k) is larger than the population (\(items.count))") }
            for i in 0..<k { items.swapAt(i, i + Int(rt.pyRandom.next() % UInt64(items.count - i))) }
            return .list(Array(items.prefix(k)))
        }
        fn("shuffle", "shuffle(xs)", "Shuffles a list in place.", "random.shuffle(xs)") { rt, args in
            let a = try args.bind("shuffle", ["xs"], required: 1)
            guard case .list(let l)? = a[0] else { throw LoupeError("random.shuffle needs a list") }
            if l.items.count > 1 {
                for i in stride(from: l.items.count - 1, to: 0, by: -1) { l.items.swapAt(i, Int(rt.pyRandom.next() % UInt64(i + 1))) }
            }
            return .none
        }
        Builtins.registerValue(name: "random", doc: "Python's random module, seeded: random.seed, random, randint, choice, sample, shuffle, uniform, gauss.",
                               .host(ModuleObject(name: "random", doc: "Seeded random numbers (random.seed(n) to repeat a run).", members: members)))
    }
}
