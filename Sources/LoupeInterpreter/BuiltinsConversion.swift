import Foundation
import LoupeTensor

/// str, int, float, bool, list, tuple, dict.
enum ConversionBuiltins {
    static func install() {
        Builtins.register("str(x=\"\")", doc: "The text form of a value (what print shows).",
                          example: "str(3) + \"px\"  # '3px'") { _, args in
            .string(Repr.str(args.value("x")))
        }
        Builtins.register("int(x=0, base=10)",
                          doc: "Converts a number (truncating toward zero), a numeric string, or a one-element tensor to an int. `base` parses strings in that base.",
                          example: "int(\"42\") + int(3.9)  # 45") { _, args in
            switch args.value("x") {
            case .int(let i): return .int(i)
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d):
                guard d.isFinite, abs(d) < 9.2e18 else { throw LoupeError("cannot convert \(Repr.float(d)) to an int") }
                return .int(Int(d))
            case .string(let s):
                let base = try args.int("base")
                let t = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
                guard let i = Int(t, radix: base) else { throw LoupeError("invalid literal for int() with base \(base): \(Repr.quote(s))") }
                return .int(i)
            case .tensor(let t):
                guard t.tensor.count == 1 else { throw LoupeError("only one-element tensors convert to int (shape \(TensorMath.shapeText(t.tensor.shape)))") }
                guard let i = t.tensor.contiguous().item.exactInt else { throw LoupeError("cannot convert \(t.tensor.contiguous().item) to an int") }
                return .int(i)
            case let v: throw LoupeError("int() cannot convert \(v.typeName)")
            }
        }
        Builtins.register("float(x=0.0)", doc: "Converts a number, a numeric string (\"inf\", \"nan\" too) or a one-element tensor to a float.",
                          example: "float(\"2.5\") * 2  # 5.0") { _, args in
            switch args.value("x") {
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces).lowercased()
                if let d = Double(t) { return .float(d) }
                if t == "inf" || t == "+inf" { return .float(.infinity) }
                if t == "-inf" { return .float(-.infinity) }
                if t == "nan" { return .float(.nan) }
                throw LoupeError("could not convert string to float: \(Repr.quote(s))")
            case .tensor(let t):
                guard t.tensor.count == 1 else { throw LoupeError("only one-element tensors convert to float (shape \(TensorMath.shapeText(t.tensor.shape)))") }
                return .float(Double(t.tensor.item))
            case let v: return .float(try v.asDouble("float() argument"))
            }
        }
        Builtins.register("bool(x=False)", doc: "Truthiness: False for 0, 0.0, \"\", empty containers and None.",
                          example: "bool([])  # False") { _, args in
            .bool(args.value("x").isTruthy)
        }
        Builtins.register("list(xs=[])", doc: "A new list of the items of an iterable (a tensor gives its rows; use t.tolist() for numbers).",
                          example: "list(\"abc\")  # ['a', 'b', 'c']") { _, args in
            .list(try Ops.iterate(args.value("xs")))
        }
        Builtins.register("tuple(xs=())", doc: "A tuple of the items of an iterable.", example: "tuple([1, 2])  # (1, 2)") { _, args in
            .tuple(try Ops.iterate(args.value("xs")))
        }
        Builtins.register("dict(pairs=[], /, **kw)", doc: "A new dict from (key, value) pairs or another dict, plus keyword arguments.",
                          example: "dict(a=1, b=2)  # {'a': 1, 'b': 2}") { _, args in
            let d = DictBox()
            if args.isGiven("pairs") {
                let src = args.value("pairs")
                if case .dict(let other) = src {
                    for (k, v) in zip(other.keys, other.values) { try d.set(k, v) }
                } else {
                    for pair in try Ops.iterate(src) {
                        let kv = try Ops.iterate(pair)
                        guard kv.count == 2 else { throw LoupeError("dict() needs (key, value) pairs; got an item of length \(kv.count)") }
                        try d.set(kv[0], kv[1])
                    }
                }
            }
            for (k, v) in args.varKeywords { try d.set(.string(k), v) }
            return .dict(d)
        }
    }
}
