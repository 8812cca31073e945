import Foundation
import LoupeTensor

/// str, int, float, bool, list, tuple, dict.
enum ConversionBuiltins {
    static func install() {
        Builtins.register(name: "str", doc: "The text form of a value (what print shows).", signature: "str(x=\"\")",
                          example: "str(3) + \"px\"  # '3px'") { _, args in
            let a = try args.bind("str", ["x"])
            return .string(a[0].map(Repr.str) ?? "")
        }
        Builtins.register(name: "int", doc: "Converts a number (truncating toward zero), a numeric string, or a one-element tensor to an int. `base` parses strings in that base.",
                          signature: "int(x=0, base=10)", example: "int(\"42\") + int(3.9)  # 45") { _, args in
            let a = try args.bind("int", ["x", "base"])
            switch a[0] ?? .int(0) {
            case .int(let i): return .int(i)
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d):
                guard d.isFinite, abs(d) < 9.2e18 else { throw LoupeError("cannot convert \(Repr.float(d)) to an int") }
                return .int(Int(d))
            case .string(let s):
                let base = try a[1]?.asInt("base") ?? 10
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
        Builtins.register(name: "float", doc: "Converts a number, a numeric string (\"inf\", \"nan\" too) or a one-element tensor to a float.",
                          signature: "float(x=0.0)", example: "float(\"2.5\") * 2  # 5.0") { _, args in
            let a = try args.bind("float", ["x"])
            switch a[0] ?? .float(0) {
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
        Builtins.register(name: "bool", doc: "Truthiness: False for 0, 0.0, \"\", empty containers and None.",
                          signature: "bool(x=False)", example: "bool([])  # False") { _, args in
            let a = try args.bind("bool", ["x"])
            return .bool(a[0]?.isTruthy ?? false)
        }
        Builtins.register(name: "list", doc: "A new list of the items of an iterable (a tensor gives its rows; use t.tolist() for numbers).",
                          signature: "list(xs=[])", example: "list(\"abc\")  # ['a', 'b', 'c']") { _, args in
            let a = try args.bind("list", ["xs"])
            return .list(try a[0].map { try Ops.iterate($0) } ?? [])
        }
        Builtins.register(name: "tuple", doc: "A tuple of the items of an iterable.", signature: "tuple(xs=())",
                          example: "tuple([1, 2])  # (1, 2)") { _, args in
            let a = try args.bind("tuple", ["xs"])
            return .tuple(try a[0].map { try Ops.iterate($0) } ?? [])
        }
        Builtins.register(name: "dict", doc: "A new dict from (key, value) pairs or another dict, plus keyword arguments.",
                          signature: "dict(pairs=[], **kw)", example: "dict(a=1, b=2)  # {'a': 1, 'b': 2}") { _, args in
            let d = DictBox()
            if let src = args.positional.first {
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
            for (k, v) in args.keywords { try d.set(.string(k), v) }
            return .dict(d)
        }
    }
}
