import LoupeNotebook
import LoupeInterpreter
import LoupePlot
import LoupeScript
import LoupeTensor

/// Conversions from Loupe values to what LoupePlot takes: numbers, matrices, strings, colours,
/// colour maps, with errors that name the argument and say what was expected.
enum PlotValues {
    static func numbers(_ v: Value, _ what: String) throws -> [Double] {
        switch v {
        case .tensor(let t): return t.tensor.toArray().map(Double.init)
        case .list(let l): return try l.items.map { try $0.asDouble(what) }
        case .tuple(let t): return try t.map { try $0.asDouble(what) }
        case .range(let r): return (0..<r.count).map { Double(r.at($0)) }
        case .int, .float, .bool: return [try v.asDouble(what)]
        default: throw LoupeError("\(what) must be a tensor or a list of numbers, not \(v.typeName)")
        }
    }

    /// A 2-D value as a row-major buffer with its shape: [rows, cols].
    static func matrix(_ v: Value, _ what: String) throws -> (values: [Double], rows: Int, cols: Int) {
        switch v {
        case .tensor(let t):
            let shape = t.tensor.shape
            let flat = t.tensor.toArray().map(Double.init)
            switch shape.count {
            case 0: return (flat, 1, 1)
            case 1: return (flat, 1, shape[0])
            case 2: return (flat, shape[0], shape[1])
            default:
                let nonUnit = shape.filter { $0 != 1 }
                if nonUnit.count <= 2 {
                    let r = nonUnit.count == 2 ? nonUnit[0] : 1, c = nonUnit.last ?? 1
                    return (flat, r, c)
                }
                throw LoupeError("\(what) must be 2-D to show as an image, but its shape is \(shape)",
                                 hint: "pick one slice first, e.g. \(what)[0]")
            }
        case .list(let l):
            if l.items.allSatisfy({ if case .list = $0 { return true }; if case .tuple = $0 { return true }; if case .tensor = $0 { return true }; return false }) {
                let rows = try l.items.map { try numbers($0, what) }
                let cols = rows.map { $0.count }.max() ?? 0
                var flat = [Double](repeating: .nan, count: rows.count * cols)
                for (i, r) in rows.enumerated() { for (j, x) in r.enumerated() { flat[i * cols + j] = x } }
                return (flat, rows.count, cols)
            }
            let row = try numbers(v, what)
            return (row, 1, row.count)
        default:
            let row = try numbers(v, what)
            return (row, 1, row.count)
        }
    }

    /// Columns of a 2-D value (matplotlib plots each column of a 2-D y as its own line).
    static func series(_ v: Value, _ what: String) throws -> [[Double]] {
        if case .tensor(let t) = v, t.tensor.shape.count == 2 {
            let (flat, rows, cols) = try matrix(v, what)
            return (0..<cols).map { c in (0..<rows).map { flat[$0 * cols + c] } }
        }
        return [try numbers(v, what)]
    }

    static func strings(_ v: Value, _ what: String) throws -> [String] {
        switch v {
        case .list(let l): return l.items.map { text($0) }
        case .tuple(let t): return t.map { text($0) }
        case .tensor, .range: return try numbers(v, what).map { TickFormatter.compact($0) }
        case .string(let s): return [s]
        default: throw LoupeError("\(what) must be a list of strings, not \(v.typeName)")
        }
    }

    static func stringGrid(_ v: Value, _ what: String) throws -> [[String]] {
        switch v {
        case .list(let l): return try l.items.map { try strings($0, what) }
        case .tuple(let t): return try t.map { try strings($0, what) }
        default: throw LoupeError("\(what) must be a list of lists of strings, not \(v.typeName)")
        }
    }

    static func boolGrid(_ v: Value, _ what: String) throws -> [[Bool]] {
        if case .tensor = v {
            let (flat, rows, cols) = try matrix(v, what)
            return (0..<rows).map { r in (0..<cols).map { flat[r * cols + $0] != 0 } }
        }
        let rows: [Value]
        switch v {
        case .list(let l): rows = l.items
        case .tuple(let t): rows = t.items
        default: throw LoupeError("\(what) must be a list of lists of booleans or a tensor, not \(v.typeName)")
        }
        return try rows.map { row in
            switch row {
            case .list(let l): return l.items.map { $0.isTruthy }
            case .tuple(let t): return t.map { $0.isTruthy }
            case .tensor: return try numbers(row, what).map { $0 != 0 }
            default: throw LoupeError("\(what) rows must be lists")
            }
        }
    }

    static func text(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return Repr.repr(v)
    }

    static func color(_ v: Value, _ what: String) throws -> Color {
        switch v {
        case .string(let s):
            guard let c = Color(s) else {
                throw LoupeError("\(what): unknown colour \"\(s)\"",
                                 hint: "use a name (\"gold\", \"tab:blue\", \"C0\", \"k\"), \"#rrggbb\", a grey level \"0.7\" or (r, g, b) in 0...1")
            }
            return c
        case .list, .tuple, .tensor:
            let n = try numbers(v, what)
            guard n.count == 3 || n.count == 4 else { throw LoupeError("\(what): a colour tuple needs 3 or 4 numbers in 0...1") }
            return Color(r: n[0], g: n[1], b: n[2], a: n.count == 4 ? n[3] : 1)
        case .float(let d): return Color(r: d, g: d, b: d)
        default: throw LoupeError("\(what) must be a colour (a name, \"#rrggbb\" or (r, g, b)), not \(v.typeName)")
        }
    }

    /// A list of colours, or nil when `v` is a single colour.
    static func colorList(_ v: Value, _ what: String) throws -> [Color]? {
        let items: [Value]
        switch v {
        case .list(let l): items = l.items
        case .tuple(let t): items = t.items
        default: return nil
        }
        if items.isEmpty { return [] }
        if case .string = items[0] { return try items.map { try color($0, what) } }
        if case .list = items[0] { return try items.map { try color($0, what) } }
        if case .tuple = items[0] { return try items.map { try color($0, what) } }
        return nil
    }

    static func colorGrid(_ v: Value, _ what: String) throws -> [[Color]] {
        let rows: [Value]
        switch v {
        case .list(let l): rows = l.items
        case .tuple(let t): rows = t.items
        default: throw LoupeError("\(what) must be a list of lists of colours")
        }
        return try rows.map { try colorList($0, what) ?? [color($0, what)] }
    }

    static func cmap(_ v: Value?, _ what: String = "cmap") throws -> Colormap {
        guard let v = v?.orNil else { return .viridis }
        if case .host(let h) = v, let m = h as? MappableObject { return m.mappable.cmap }
        let name = try v.asString(what)
        guard let c = Colormap.named(name) else {
            throw LoupeError("unknown colour map \"\(name)\"", hint: Suggest.hint(for: name, in: Colormap.names)
                             ?? "choose one of: \(Colormap.names.joined(separator: ", ")) (add _r to reverse)")
        }
        return c
    }

    static func lineStyle(_ v: Value?) throws -> LineStyle? {
        guard let v = v?.orNil else { return nil }
        let s = try v.asString("linestyle")
        guard let ls = LineStyle.named(s) else { throw LoupeError("unknown line style \"\(s)\"", hint: "use \"-\", \"--\", \":\", \"-.\" or \"none\"") }
        return ls
    }

    static func marker(_ v: Value?) throws -> Marker? {
        guard let v = v?.orNil else { return nil }
        let s = try v.asString("marker")
        guard let m = Marker.named(s) else {
            throw LoupeError("unknown marker \"\(s)\"", hint: "use one of: " + Marker.allCases.map { $0.rawValue }.filter { !$0.isEmpty }.joined(separator: " "))
        }
        return m
    }

    static func pair(_ v: Value?, _ what: String) throws -> (Double?, Double?)? {
        guard let v = v?.orNil else { return nil }
        let items: [Value]
        switch v {
        case .list(let l): items = l.items
        case .tuple(let t): items = t.items
        case .tensor: items = try numbers(v, what).map { .float($0) }
        default: throw LoupeError("\(what) must be a pair (low, high)")
        }
        guard items.count == 2 else { throw LoupeError("\(what) must have two values (low, high), not \(items.count)") }
        return (try items[0].orNil.map { try $0.asDouble(what) }, try items[1].orNil.map { try $0.asDouble(what) })
    }

    static func scale(_ v: Value?, _ what: String) throws -> Scale? {
        guard let v = v?.orNil else { return nil }
        let s = try v.asString(what)
        guard let sc = Scale(rawValue: s) else { throw LoupeError("\(what) must be \"linear\" or \"log\", not \"\(s)\"") }
        return sc
    }

    static func side(_ v: Value?, _ what: String, default d: Side) throws -> Side {
        guard let v = v?.orNil else { return d }
        let s = try v.asString(what)
        guard let side = Side(rawValue: s) else { throw LoupeError("\(what) must be \"left\", \"right\", \"top\" or \"bottom\"") }
        return side
    }

    static func double(_ v: Value?, _ what: String) throws -> Double? { try v?.orNil.map { try $0.asDouble(what) } }
    static func string(_ v: Value?, _ what: String) throws -> String? { v?.orNil.map { text($0) } }
    static func bool(_ v: Value?, _ what: String) throws -> Bool? { try v?.orNil.map { try $0.asBool(what) } }

    static func tensor(_ xs: [Double]) -> Value { .tensor(Tensor(shape: [xs.count], data: xs.map(Float.init))) }
}
