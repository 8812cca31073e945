import Foundation
import LoupeTensor

/// Text forms of values: `repr` (what the REPL shows, strings quoted) and `str` (what print shows).
public enum Repr {
    public static func str(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return repr(v)
    }

    /// Containers nested deeper than this print as `[...]`, as a list that contains itself does.
    static let maxDepth = 1000

    public static func repr(_ v: Value) -> String {
        var open: Set<ObjectIdentifier> = []
        return repr(v, &open, depth: 0)
    }

    /// `open`: the lists and dicts being printed around `v` (Python's Py_ReprEnter).
    static func repr(_ v: Value, _ open: inout Set<ObjectIdentifier>, depth: Int) -> String {
        func inner(_ x: Value) -> String { repr(x, &open, depth: depth + 1) }
        switch v {
        case .list(let l):
            let id = ObjectIdentifier(l)
            if depth >= maxDepth || open.contains(id) { return "[...]" }
            open.insert(id)
            defer { open.remove(id) }
            return "[" + l.items.map(inner).joined(separator: ", ") + "]"
        case .tuple(let t):
            if depth >= maxDepth { return "(...)" }
            return t.count == 1 ? "(\(inner(t[0])),)" : "(" + t.map(inner).joined(separator: ", ") + ")"
        case .dict(let d):
            let id = ObjectIdentifier(d)
            if depth >= maxDepth || open.contains(id) { return "{...}" }
            open.insert(id)
            defer { open.remove(id) }
            return "{" + zip(d.keys, d.values).map { "\(inner($0)): \(inner($1))" }.joined(separator: ", ") + "}"
        default: return leafRepr(v)
        }
    }

    static func leafRepr(_ v: Value) -> String {
        switch v {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return float(d)
        case .string(let s): return quote(s)
        case .list, .tuple, .dict: return repr(v)
        case .range(let r): return r.step == 1 ? "range(\(r.start), \(r.stop))" : "range(\(r.start), \(r.stop), \(r.step))"
        case .function(let f): return "<function \(f.signature)>"
        case .builtin(let b): return "<builtin \(b.signature)>"
        case .method(let m): return "<method \(m.receiver.typeName).\(m.name)>"
        case .tensor(let t): return tensor(t)
        case .host(let h): return h.repr()
        case .slice(let s): return "slice(\(s.start.map(String.init) ?? "None"), \(s.stop.map(String.init) ?? "None"), \(s.step.map(String.init) ?? "None"))"
        case .ellipsis: return "..."
        }
    }

    /// Python's float repr: shortest round-tripping digits, always with a `.` or exponent.
    public static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d == d.rounded() && abs(d) < 1e16 { return String(format: "%.1f", d) }
        var s = "\(d)"
        if let e = s.firstIndex(of: "e") {
            // Swift writes 1e-05 like Python; make sure the exponent has a sign and two digits
            let mant = s[..<e], exp = s[s.index(after: e)...]
            var sign = "+", digits = String(exp)
            if digits.hasPrefix("-") { sign = "-"; digits.removeFirst() } else if digits.hasPrefix("+") { digits.removeFirst() }
            if digits.count < 2 { digits = "0" + digits }
            s = "\(mant)e\(sign)\(digits)"
        }
        return s
    }

    static func quote(_ s: String) -> String {
        let q: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(q)
        for c in s.unicodeScalars {
            switch c {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            default:
                if Character(c) == q { out += "\\\(q)" }
                else if c.value < 0x20 { out += String(format: "\\x%02x", c.value) }
                else { out.unicodeScalars.append(c) }
            }
        }
        out.append(q)
        return out
    }

    // MARK: tensors, PyTorch style

    public static func tensor(_ tv: TensorValue) -> String {
        let t = tv.tensor
        let summarize = t.count > 1000
        let values = t.toArray()
        let fmt = elementFormatter(values, kind: tv.kind)
        let width = values.isEmpty ? 0 : (summarize ? sampleValues(t).map { fmt($0).count }.max() ?? 0 : values.map { fmt($0).count }.max() ?? 0)
        func pad(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        func render(_ view: Tensor, _ depth: Int) -> String {
            if view.rank == 0 { return pad(fmt(view.item)) }
            let n = view.shape[0]
            let indices: [Int?] = summarize && n > 6 ? [0, 1, 2, nil, n - 3, n - 2, n - 1] : (0..<n).map { $0 }
            let parts = indices.map { i -> String in
                guard let i = i else { return " ..." }
                return render(TensorMath.select(view, dim: 0, index: i), depth + 1)
            }
            if view.rank == 1 { return "[" + parts.joined(separator: ", ") + "]" }
            let sep = "," + String(repeating: "\n", count: view.rank - 1) + String(repeating: " ", count: 7 + depth + 1)
            return "[" + parts.joined(separator: sep) + "]"
        }
        var body = render(t, 0)
        if t.count == 0 { body = "[]" }
        var extras: [String] = []
        if t.count == 0 && t.rank > 1 { extras.append("size=(\(t.shape.map(String.init).joined(separator: ", ")))") }
        if tv.kind == .int && t.count == 0 { extras.append("dtype=int64") }
        return "tensor(" + body + extras.map { ", " + $0 }.joined() + ")"
    }

    /// One line under a displayed tensor: shape, dtype and value statistics.
    public static func tensorSummary(_ tv: TensorValue) -> String {
        let t = tv.tensor
        var s = "shape (" + t.shape.map(String.init).joined(separator: ", ") + (t.rank == 1 ? ",)" : ")") + " \(tv.kind.rawValue)"
        let vals = t.toArray().filter { $0.isFinite }
        if !vals.isEmpty && tv.kind != .bool {
            let mean = vals.reduce(0.0) { $0 + Double($1) } / Double(vals.count)
            func g(_ x: Double) -> String { String(format: "%.4g", x) }
            s += " · min \(g(Double(vals.min() ?? 0))) · max \(g(Double(vals.max() ?? 0))) · mean \(g(mean))"
        } else if tv.kind == .bool {
            s += " · \(vals.filter { $0 != 0 }.count) true"
        }
        let nonFinite = t.count - vals.count
        if nonFinite > 0 { s += " · \(nonFinite) inf/nan" }
        return s
    }

    static func sampleValues(_ t: Tensor) -> [Float] {
        let v = t.toArray()
        return v.count <= 20 ? v : Array(v.prefix(10) + v.suffix(10))
    }

    static func elementFormatter(_ values: [Float], kind: TensorValue.Kind) -> (Float) -> String {
        switch kind {
        case .bool: return { $0 != 0 ? "True" : "False" }
        case .int: return { $0.exactInt.map(String.init) ?? ($0.isNaN ? "nan" : $0 > 0 ? "inf" : "-inf") }
        case .float:
            let finite = values.filter { $0.isFinite }
            let allIntegral = finite.allSatisfy { $0 == $0.rounded() }
            let maxAbs = finite.map { abs($0) }.max() ?? 0
            let minAbs = finite.filter { $0 != 0 }.map { abs($0) }.min() ?? 1
            let special: (Float) -> String? = { $0.isNaN ? "nan" : $0.isInfinite ? ($0 > 0 ? "inf" : "-inf") : nil }
            if maxAbs >= 1e8 || (minAbs < 1e-4 && !allIntegral) {
                return { special($0) ?? String(format: "%.4e", Double($0)) }
            }
            if allIntegral { return { special($0) ?? String(format: "%.0f.", Double($0)) } }
            return { special($0) ?? String(format: "%.4f", Double($0)) }
        }
    }
}
