import Foundation

/// Python's format-spec mini-language (`{x:>10.3f}`, `{n:,}`, `{p:.1%}`) and `%` formatting.
enum Format {
    struct Spec {
        var fill: Character = " "
        var align: Character? = nil
        var sign: Character = "-"
        var zero = false
        var width = 0
        var grouping: Character? = nil
        var precision: Int? = nil
        var type: Character? = nil
    }

    static func parse(_ s: String) throws -> Spec {
        var spec = Spec()
        var c = Array(s)
        var i = 0
        if c.count >= 2, "<>^=".contains(c[1]) { spec.fill = c[0]; spec.align = c[1]; i = 2 }
        else if let f = c.first, "<>^=".contains(f) { spec.align = f; i = 1 }
        if i < c.count, "+- ".contains(c[i]) { spec.sign = c[i]; i += 1 }
        if i < c.count, c[i] == "#" { i += 1 }
        if i < c.count, c[i] == "0" { spec.zero = true; i += 1 }
        var w = ""
        while i < c.count, c[i].isNumber { w.append(c[i]); i += 1 }
        spec.width = Int(w) ?? 0
        if i < c.count, c[i] == "," || c[i] == "_" { spec.grouping = c[i]; i += 1 }
        if i < c.count, c[i] == "." {
            i += 1
            var p = ""
            while i < c.count, c[i].isNumber { p.append(c[i]); i += 1 }
            guard let pv = Int(p) else { throw LoupeError("bad format spec `\(s)`: precision missing after `.`") }
            spec.precision = pv
        }
        if i < c.count { spec.type = c[i]; i += 1 }
        if i != c.count { c = Array(c[i...]); throw LoupeError("bad format spec `\(s)`") }
        return spec
    }

    static func format(_ v: Value, spec text: String) throws -> String {
        if text.isEmpty {
            // torch formats a 0-d tensor as its item: f"L{layer}" with layer = tensor(9) is "L9".
            if case .tensor(let t) = v, t.tensor.rank == 0 {
                let x = t.tensor.contiguous().item
                return Repr.str(t.kind == .float ? .float(Double(x)) : Value.fromIntElement(x))
            }
            return Repr.str(v)
        }
        let spec = try parse(text)
        var body: String
        var numeric = false
        var value = v
        if case .tensor(let t) = v, t.tensor.count == 1 {
            let x = t.tensor.contiguous().item
            value = t.kind == .float ? .float(Double(x)) : Value.fromIntElement(x)
        }
        switch (spec.type, value) {
        case (nil, .string(let s)), ("s", .string(let s)):
            body = spec.precision.map { String(s.prefix($0)) } ?? s
        case ("s", _):
            body = Repr.str(value)
        case (let t, .int(let i)) where t == nil || t == "d" || t == "n":
            numeric = true
            body = group(String(abs(i)), spec.grouping)
            body = signed(body, negative: i < 0, spec.sign)
        case (let t, .bool(let b)) where t == nil:
            body = b ? "True" : "False"
        case ("x", .int(let i)), ("X", .int(let i)), ("o", .int(let i)), ("b", .int(let i)):
            numeric = true
            let radix = spec.type == "o" ? 8 : spec.type == "b" ? 2 : 16
            var s = String(abs(i), radix: radix)
            if spec.type == "X" { s = s.uppercased() }
            body = signed(s, negative: i < 0, spec.sign)
        case (let t, _) where Ops.number(value) != nil:
            numeric = true
            let d = Ops.number(value) ?? 0
            let p = spec.precision ?? 6
            switch t {
            case "f", "F": body = String(format: "%.\(p)f", abs(d))
            case "e", "E": body = pyExponent(String(format: "%.\(p)e", abs(d)))
            case "g", "G": body = pyExponent(String(format: "%.\(max(p, 1))g", abs(d)))
            case "%": body = String(format: "%.\(p)f", abs(d) * 100) + "%"
            case nil:
                if let prec = spec.precision { body = pyExponent(String(format: "%.\(max(prec, 1))g", abs(d))) }
                else { body = Repr.float(abs(d)) }
            default: throw LoupeError("unknown format code `\(t.map(String.init) ?? "")` for a number")
            }
            if t == "E" || t == "G" { body = body.uppercased() }
            if d.isNaN { body = "nan" } else if d.isInfinite { body = "inf" }
            if let g = spec.grouping {
                let parts = body.split(separator: ".", maxSplits: 1).map(String.init)
                body = group(parts[0], g) + (parts.count > 1 ? "." + parts[1] : "")
            }
            body = signed(body, negative: d < 0 || (d == 0 && d.sign == .minus && t != nil), spec.sign)
        default:
            if spec.type != nil {
                throw LoupeError("format code `\(spec.type.map(String.init) ?? "")` does not apply to \(value.typeName)")
            }
            body = Repr.str(value)
        }
        return pad(body, spec, numeric: numeric)
    }

    static func pyExponent(_ s: String) -> String { s }

    static func signed(_ s: String, negative: Bool, _ sign: Character) -> String {
        if negative { return "-" + s }
        if sign == "+" { return "+" + s }
        if sign == " " { return " " + s }
        return s
    }

    static func group(_ digits: String, _ sep: Character?) -> String {
        guard let sep = sep else { return digits }
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(sep) }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func pad(_ body: String, _ spec: Spec, numeric: Bool) -> String {
        let n = body.count
        guard spec.width > n else { return body }
        let gap = spec.width - n
        var align = spec.align ?? (numeric ? ">" : "<")
        var fill = spec.fill
        if spec.zero && spec.align == nil && numeric { align = "="; fill = "0" }
        switch align {
        case "<": return body + String(repeating: fill, count: gap)
        case "^":
            let left = gap / 2
            return String(repeating: fill, count: left) + body + String(repeating: fill, count: gap - left)
        case "=":
            if let f = body.first, "+- ".contains(f) {
                return String(f) + String(repeating: fill, count: gap) + body.dropFirst()
            }
            return String(repeating: fill, count: gap) + body
        default: return String(repeating: fill, count: gap) + body
        }
    }

    /// `"%d items, %.2f" % (n, x)`.
    static func percent(_ fmt: String, _ args: Value) throws -> String {
        var items: [Value]
        if case .tuple(let t) = args { items = t.items } else { items = [args] }
        var out = ""
        let c = Array(fmt)
        var i = 0
        var k = 0
        while i < c.count {
            if c[i] != "%" { out.append(c[i]); i += 1; continue }
            i += 1
            guard i < c.count else { throw LoupeError("incomplete format: `%` at the end") }
            if c[i] == "%" { out.append("%"); i += 1; continue }
            var spec = ""
            while i < c.count, "-+ 0123456789.".contains(c[i]) { spec.append(c[i]); i += 1 }
            guard i < c.count else { throw LoupeError("incomplete format") }
            let type = c[i]
            i += 1
            guard k < items.count else { throw LoupeError("not enough arguments for format string") }
            let v = items[k]
            k += 1
            var pySpec = spec
            if pySpec.hasPrefix("-") { pySpec = "<" + pySpec.dropFirst() }
            switch type {
            case "s": out += try format(.string(Repr.str(v)), spec: pySpec)
            case "r": out += try format(.string(Repr.repr(v)), spec: pySpec)
            case "d", "i": out += try format(.int(try v.asInt("%d argument")), spec: pySpec + "d")
            default: out += try format(v, spec: pySpec + String(type))
            }
        }
        if k < items.count { throw LoupeError("not all arguments converted during string formatting") }
        return out
    }
}
