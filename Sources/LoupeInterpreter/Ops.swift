import Foundation
import LoupeScript
import LoupeTensor

/// Operators on values: Python semantics for scalars and containers, numpy broadcasting for tensors.
public enum Ops {
    static func unary(_ op: UnaryOp, _ v: Value) throws -> Value {
        switch (op, v) {
        case (.not, _): return .bool(!v.isTruthy)
        case (.neg, .int(let i)):
            if i == Int.min { throw LoupeError("integer overflow") }
            return .int(-i)
        case (.neg, .float(let d)): return .float(-d)
        case (.neg, .bool(let b)): return .int(b ? -1 : 0)
        case (.pos, .int), (.pos, .float): return v
        case (.pos, .bool(let b)): return .int(b ? 1 : 0)
        case (.invert, .int(let i)): return .int(~i)
        case (.neg, .tensor(let t)): return .tensor(TensorValue(TensorMath.map(t.tensor) { -$0 }, kind: t.kind == .bool ? .int : t.kind))
        case (.pos, .tensor): return v
        case (.invert, .tensor(let t)) where t.kind == .bool:
            return .tensor(TensorValue(TensorMath.map(t.tensor) { $0 == 0 ? 1 : 0 }, kind: .bool))
        default:
            throw LoupeError("bad operand type for unary `\(op.rawValue)`: \(v.typeName)")
        }
    }

    static func number(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func intLike(_ v: Value) -> Int? {
        switch v {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value {
        if case .host(let h as HostOperand) = a, let r = try h.binary(op, b, reflected: false) { return r }
        if case .host(let h as HostOperand) = b, let r = try h.binary(op, a, reflected: true) { return r }
        // tensors (either side)
        if case .tensor = a { return try TensorMath.binary(op, a, b) }
        if case .tensor = b { return try TensorMath.binary(op, a, b) }
        if let x = intLike(a), let y = intLike(b) { return try intOp(op, x, y) }
        if let x = number(a), let y = number(b) { return try floatOp(op, x, y) }
        switch (op, a, b) {
        case (.add, .string(let x), .string(let y)): return .string(x + y)
        case (.mul, .string(let s), _), (.mul, _, .string(let s)):
            guard let n = intLike(a) ?? intLike(b) else { break }
            try checkRepeat(s.utf8.count, n)
            return .string(String(repeating: s, count: max(0, n)))
        case (.mod, .string(let fmt), _): return .string(try Format.percent(fmt, b))
        case (.add, .list(let x), .list(let y)): return .list(x.items + y.items)
        case (.add, .tuple(let x), .tuple(let y)): return .tuple(x.items + y.items)
        case (.mul, .list(let l), _), (.mul, _, .list(let l)):
            guard let n = intLike(a) ?? intLike(b) else { break }
            try checkRepeat(l.items.count, n)
            return .list(Array([[Value]](repeating: l.items, count: max(0, n)).joined()))
        case (.mul, .tuple(let l), _), (.mul, _, .tuple(let l)):
            guard let n = intLike(a) ?? intLike(b) else { break }
            try checkRepeat(l.count, n)
            return .tuple(Array([[Value]](repeating: l.items, count: max(0, n)).joined()))
        case (.bitOr, .dict(let x), .dict(let y)):
            let d = x.copy()
            for (k, v) in zip(y.keys, y.values) { try d.set(k, v) }
            return .dict(d)
        default: break
        }
        throw LoupeError("unsupported operand types for `\(op.rawValue)`: \(a.typeName) and \(b.typeName)",
                         hint: hint(op, a, b))
    }

    static func checkRepeat(_ size: Int, _ n: Int) throws {
        let (p, o) = size.multipliedReportingOverflow(by: max(n, 0))
        if o || p > 1 << 30 { throw LoupeError("repetition too large (\(size) × \(n) items)") }
    }

    static func opName(_ op: BinaryOp) -> String {
        switch op {
        case .add: return "add"; case .sub: return "sub"; case .mul: return "mul"; case .div: return "truediv"
        case .floorDiv: return "floordiv"; case .mod: return "mod"; case .pow: return "pow"; case .matmul: return "matmul"
        case .bitAnd: return "and"; case .bitOr: return "or"; case .bitXor: return "xor"; case .shl: return "lshift"
        case .shr: return "rshift"
        }
    }

    static func hint(_ op: BinaryOp, _ a: Value, _ b: Value) -> String? {
        if op == .add, case .string = a, number(b) != nil { return "convert the number with str(…) or use an f-string" }
        if op == .add, number(a) != nil, case .string = b { return "convert the string with int(…)/float(…), or the number with str(…)" }
        if case .list = a, number(b) != nil { return "lists don't broadcast; use tensor(list) for elementwise maths" }
        return nil
    }

    static func intOp(_ op: BinaryOp, _ x: Int, _ y: Int) throws -> Value {
        switch op {
        case .add: let (r, o) = x.addingReportingOverflow(y); if o { throw overflow() }; return .int(r)
        case .sub: let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow() }; return .int(r)
        case .mul: let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow() }; return .int(r)
        case .div:
            if y == 0 { throw LoupeError("division by zero") }
            return .float(Double(x) / Double(y))
        case .floorDiv:
            if y == 0 { throw LoupeError("integer division by zero") }
            let q = x / y
            return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
        case .mod:
            if y == 0 { throw LoupeError("integer modulo by zero") }
            let r = x % y
            return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case .pow:
            if y < 0 { return .float(pow(Double(x), Double(y))) }
            var result = 1, base = x, e = y
            while e > 0 {
                if e & 1 == 1 { let (r, o) = result.multipliedReportingOverflow(by: base); if o { throw overflow() }; result = r }
                e >>= 1
                if e > 0 { let (b2, o) = base.multipliedReportingOverflow(by: base); if o { throw overflow() }; base = b2 }
            }
            return .int(result)
        case .bitAnd: return .int(x & y)
        case .bitOr: return .int(x | y)
        case .bitXor: return .int(x ^ y)
        case .shl: return .int(y >= 64 ? 0 : x << y)
        case .shr: return .int(y >= 64 ? (x < 0 ? -1 : 0) : x >> y)
        case .matmul: throw LoupeError("`@` needs tensors, not int and int")
        }
    }

    static func overflow() -> LoupeError { LoupeError("integer overflow (Loupe ints are 64-bit)", hint: "use a float") }

    static func floatOp(_ op: BinaryOp, _ x: Double, _ y: Double) throws -> Value {
        switch op {
        case .add: return .float(x + y)
        case .sub: return .float(x - y)
        case .mul: return .float(x * y)
        case .div:
            if y == 0 { throw LoupeError("float division by zero") }
            return .float(x / y)
        case .floorDiv:
            if y == 0 { throw LoupeError("float floor division by zero") }
            return .float((x / y).rounded(.down))
        case .mod:
            if y == 0 { throw LoupeError("float modulo by zero") }
            let r = fmod(x, y)
            return .float(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case .pow: return .float(pow(x, y))
        default: throw LoupeError("unsupported operand types for `\(op.rawValue)`: float")
        }
    }

    /// `a op= b`: lists extend in place (Python), everything else rebinds.
    static func inPlace(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value {
        if op == .add, case .list(let l) = a {
            l.items.append(contentsOf: try iterate(b))
            return a
        }
        return try binary(op, a, b)
    }

    // MARK: comparison

    static func compare(_ op: CompareOp, _ a: Value, _ b: Value) throws -> Value {
        switch op {
        case .eq: if case .tensor = a { return try TensorMath.compare(op, a, b) }; if case .tensor = b { return try TensorMath.compare(op, a, b) }
            return .bool(equal(a, b))
        case .ne: if case .tensor = a { return try TensorMath.compare(op, a, b) }; if case .tensor = b { return try TensorMath.compare(op, a, b) }
            return .bool(!equal(a, b))
        case .isIn: return .bool(try contains(b, a))
        case .notIn: return .bool(!(try contains(b, a)))
        case .isSame: return .bool(identical(a, b))
        case .isNot: return .bool(!identical(a, b))
        case .lt, .le, .gt, .ge:
            if case .tensor = a { return try TensorMath.compare(op, a, b) }
            if case .tensor = b { return try TensorMath.compare(op, a, b) }
            let c = try order(a, b)
            switch op {
            case .lt: return .bool(c < 0)
            case .le: return .bool(c <= 0)
            case .gt: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        }
    }

    static func identical(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.list(let x), .list(let y)): return x === y
        case (.dict(let x), .dict(let y)): return x === y
        case (.tensor(let x), .tensor(let y)): return x === y
        case (.host(let x), .host(let y)): return x === y
        case (.function(let x), .function(let y)): return x === y
        case (.bool(let x), .bool(let y)): return x == y
        default: return equal(a, b)
        }
    }

    /// Python's `==`, without recursion: containers nested any depth compare with an explicit stack,
    /// and a pair of containers met again while being compared (lists that contain themselves) counts
    /// as equal rather than looping.
    static func equal(_ a: Value, _ b: Value) -> Bool {
        var pending: [(Value, Value)] = [(a, b)]
        var comparing: Set<[ObjectIdentifier]> = []
        while let (x, y) = pending.popLast() {
            if let p = number(x), let q = number(y) {
                if p != q { return false }
                continue
            }
            switch (x, y) {
            case (.list(let l), .list(let m)):
                if l === m { continue }
                guard l.items.count == m.items.count else { return false }
                if comparing.insert([ObjectIdentifier(l), ObjectIdentifier(m)]).inserted {
                    pending.append(contentsOf: zip(l.items, m.items).reversed())
                }
            case (.tuple(let l), .tuple(let m)):
                guard l.count == m.count else { return false }
                pending.append(contentsOf: zip(l, m).reversed())
            case (.dict(let l), .dict(let m)):
                if l === m { continue }
                guard l.count == m.count else { return false }
                if comparing.insert([ObjectIdentifier(l), ObjectIdentifier(m)]).inserted {
                    for (k, v) in zip(l.keys, l.values).reversed() {
                        guard let w = try? m.get(k) else { return false }
                        pending.append((v, w))
                    }
                }
            default:
                if !equalLeaf(x, y) { return false }
            }
        }
        return true
    }

    /// `==` for values that hold no other values.
    private static func equalLeaf(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none), (.ellipsis, .ellipsis): return true
        case (.string(let x), .string(let y)): return x == y
        case (.range(let x), .range(let y)): return x.start == y.start && x.stop == y.stop && x.step == y.step
        case (.function(let x), .function(let y)): return x === y
        case (.builtin(let x), .builtin(let y)): return x === y
        case (.host(let x), .host(let y)): return x === y
        case (.tensor(let x), .tensor(let y)):
            return x === y || (x.tensor.shape == y.tensor.shape && x.tensor.toArray() == y.tensor.toArray())
        default: return false
        }
    }

    /// -1, 0, 1 for orderable values (numbers, strings, lists/tuples lexicographically).
    static func order(_ a: Value, _ b: Value) throws -> Int {
        if let x = number(a), let y = number(b) { return x < y ? -1 : (x > y ? 1 : 0) }
        switch (a, b) {
        case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.tuple(let x), .tuple(let y)): return try orderSeq(x.items, y.items)
        case (.list(let x), .list(let y)): return try orderSeq(x.items, y.items)
        case (.tensor(let t), _) where t.tensor.count == 1: return try order(.float(Double(t.tensor.item)), b)
        case (_, .tensor(let t)) where t.tensor.count == 1: return try order(a, .float(Double(t.tensor.item)))
        default:
            throw LoupeError("cannot compare \(a.typeName) with \(b.typeName) by order")
        }
    }

    static func orderSeq(_ x: [Value], _ y: [Value]) throws -> Int {
        for (p, q) in zip(x, y) {
            let c = try order(p, q)
            if c != 0 { return c }
        }
        return x.count < y.count ? -1 : (x.count > y.count ? 1 : 0)
    }

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let sub) = item else { throw LoupeError("`in <str>` needs a string on the left, not \(item.typeName)") }
            return sub.isEmpty || s.contains(sub)
        case .list(let l): return l.items.contains { equal($0, item) }
        case .tuple(let t): return t.contains { equal($0, item) }
        case .dict(let d): return try d.contains(item)
        case .range(let r):
            guard let i = intLike(item) else { return false }
            if r.step > 0 { return i >= r.start && i < r.stop && (i - r.start) % r.step == 0 }
            return i <= r.start && i > r.stop && (r.start - i) % (-r.step) == 0
        case .tensor(let t):
            guard let x = number(item) else { return false }
            return t.tensor.toArray().contains(Float(x))
        case .host(let h):
            if let items = try h.iterate() { return items.contains { equal($0, item) } }
            fallthrough
        default:
            throw LoupeError("`in` needs a container on the right, not \(container.typeName)")
        }
    }

    // MARK: iteration

    public static func iterate(_ v: Value) throws -> [Value] {
        switch v {
        case .list(let l): return l.items
        case .tuple(let t): return t.items
        case .range(let r):
            if r.count > 1 << 28 { throw LoupeError("range of \(r.count) numbers is too large to turn into a list", hint: "loop over it with `for` instead") }
            return (0..<r.count).map { .int(r.at($0)) }
        case .string(let s): return s.map { .string(String($0)) }
        case .dict(let d): return d.keys
        case .tensor(let t):
            let x = t.tensor
            if x.rank == 0 { throw LoupeError("cannot iterate over a 0-d tensor") }
            return (0..<x.shape[0]).map { i in .tensor(TensorValue(TensorMath.select(x, dim: 0, index: i), kind: t.kind)) }
        case .host(let h):
            if let items = try h.iterate() { return items }
            throw LoupeError("\(h.typeName) is not iterable")
        default:
            throw LoupeError("\(v.typeName) is not iterable")
        }
    }
}
