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
            Builtins.register(name == "log" ? "log(x, base=None)" : "\(name)(x)", doc: doc + " Works on numbers and, elementwise, on tensors.",
                              example: "\(name)(1.0)") { _, args in
                let x = args.value("x")
                if case .tensor(let t) = x { return .tensor(TensorValue(t.tensor.map(g), kind: .float)) }
                let d = try x.asDouble("\(name)() argument")
                if (name == "sqrt" && d < 0) { throw LoupeError("math domain error: sqrt of a negative number (\(Repr.float(d)))") }
                if name.hasPrefix("log") && d <= 0 { throw LoupeError("math domain error: \(name) of \(Repr.float(d))") }
                if name == "log", args.isGiven("base") {
                    return .float(Foundation.log(d) / Foundation.log(try args.double("base")))
                }
                return .float(f(d))
            }
            members[name] = Builtins.functions[name].map(Value.builtin)
        }
        let more: [(String, String, DeclaredBody)] = [
            ("floor(x)", "The largest integer ≤ x (an int).", { _, a in .int(Int(try a.double("x").rounded(.down))) }),
            ("ceil(x)", "The smallest integer ≥ x (an int).", { _, a in .int(Int(try a.double("x").rounded(.up))) }),
            ("isnan(x)", "True if x is NaN.", { _, a in .bool(try a.double("x").isNaN) }),
            ("isinf(x)", "True if x is ±infinity.", { _, a in .bool(try a.double("x").isInfinite) }),
            ("pow(x, y)", "x to the power y (same as x ** y).", { _, a in try Ops.binary(.pow, a.value("x"), a.value("y")) }),
            ("atan2(y, x)", "The angle of the point (x, y), in radians.", { _, a in
                .float(Foundation.atan2(try a.double("y"), try a.double("x"))) }),
            ("gcd(a, b)", "Greatest common divisor.", { _, a in
                var x = abs(try a.int("a")), y = abs(try a.int("b"))
                while y != 0 { (x, y) = (y, x % y) }
                return .int(x) }),
            ("prod(xs)", "The product of the items.", { _, a in
                var r: Value = .int(1)
                for v in try Ops.iterate(a.value("xs")) { r = try Ops.binary(.mul, r, v) }
                return r }),
        ]
        for (header, doc, body) in more {
            Builtins.register(header, doc: doc, example: header.replacingOccurrences(of: "x", with: "2.5"), body)
            let name = String(header.prefix { $0 != "(" })
            members[name] = Builtins.functions[name].map(Value.builtin)
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
}

/// `random`: Python's random module, seeded (random.seed(n) makes runs repeatable).
enum RandomModule {
    static func install() {
        var members: [String: Value] = [:]
        func fn(_ header: String, _ doc: String, _ ex: String, _ body: @escaping DeclaredBody) {
            let function = Builtins.function("random.\(header)", doc: doc, example: ex, body)
            members[function.name] = .builtin(function)
        }
        fn("seed(n)", "Seeds the generator so the following draws repeat.", "random.seed(0)") { rt, args in
            rt.pyRandom = Xoshiro256(seed: UInt64(bitPattern: Int64(try args.int("n"))))
            return .none
        }
        fn("random()", "A float in [0, 1).", "random.random()") { rt, _ in
            .float(Double(rt.pyRandom.next() >> 11) * 0x1.0p-53)
        }
        fn("uniform(a, b)", "A float in [a, b].", "random.uniform(-1, 1)") { rt, args in
            let lo = try args.double("a"), hi = try args.double("b")
            return .float(lo + (hi - lo) * Double(rt.pyRandom.next() >> 11) * 0x1.0p-53)
        }
        fn("gauss(mu=0, sigma=1)", "A normally distributed float.", "random.gauss(0, 1)") { rt, args in
            let mu = try args.double("mu"), sigma = try args.double("sigma")
            let u1 = max(Double(rt.pyRandom.next() >> 11) * 0x1.0p-53, 1e-300), u2 = Double(rt.pyRandom.next() >> 11) * 0x1.0p-53
            return .float(mu + sigma * sqrt(-2 * Foundation.log(u1)) * Foundation.cos(2 * Double.pi * u2))
        }
        fn("randint(a, b)", "An int in [a, b], both ends included (Python's random.randint).", "random.randint(1, 6)") { rt, args in
            let lo = try args.int("a"), hi = try args.int("b")
            guard hi >= lo else { throw LoupeError("random.randint: empty range [\(lo), \(hi)]") }
            return .int(lo + Int(rt.pyRandom.next() % UInt64(hi - lo + 1)))
        }
        fn("choice(xs)", "One random item.", "random.choice([\"a\", \"b\"])") { rt, args in
            let items = try Ops.iterate(args.value("xs"))
            guard !items.isEmpty else { throw LoupeError("random.choice from an empty sequence") }
            return items[Int(rt.pyRandom.next() % UInt64(items.count))]
        }
        fn("sample(xs, k)", "`k` distinct random items.", "random.sample(range(100), 5)") { rt, args in
            var items = try Ops.iterate(args.value("xs"))
            let k = try args.int("k")
            guard k >= 0 && k <= items.count else { throw LoupeError("random.sample: k=\(k) is larger than the population (\(items.count))") }
            for i in 0..<k { items.swapAt(i, i + Int(rt.pyRandom.next() % UInt64(items.count - i))) }
            return .list(Array(items.prefix(k)))
        }
        fn("shuffle(xs)", "Shuffles a list in place.", "random.shuffle(xs)") { rt, args in
            guard case .list(let l) = args.value("xs") else { throw LoupeError("random.shuffle needs a list") }
            if l.items.count > 1 {
                for i in stride(from: l.items.count - 1, to: 0, by: -1) { l.items.swapAt(i, Int(rt.pyRandom.next() % UInt64(i + 1))) }
            }
            return .none
        }
        Builtins.registerValue(name: "random", doc: "Python's random module, seeded: random.seed, random, randint, choice, sample, shuffle, uniform, gauss.",
                               .host(ModuleObject(name: "random", doc: "Seeded random numbers (random.seed(n) to repeat a run).", members: members)))
    }
}
