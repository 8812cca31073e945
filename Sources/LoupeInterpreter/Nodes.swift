import LoupeScript

/// The resolved tree the interpreter walks. Each node knows its location for errors; names are already
/// slots. Subclasses override `eval`/`exec` (one virtual call per node, no dictionary lookups).
class ExprNode {
    let loc: SourceLocation
    init(_ loc: SourceLocation) { self.loc = loc }
    func eval(_ f: Frame) throws -> Value { throw LoupeError("internal: unevaluable node").located(loc) }
}

enum Flow { case normal, breakLoop, continueLoop, returned }

class StmtNode {
    let loc: SourceLocation
    init(_ loc: SourceLocation) { self.loc = loc }
    func exec(_ f: Frame) throws -> Flow { .normal }
}

/// Where an assignment writes.
class TargetNode {
    let loc: SourceLocation
    init(_ loc: SourceLocation) { self.loc = loc }
    func assign(_ value: Value, _ f: Frame) throws {}
}

@inline(__always)
func runBlock(_ body: [StmtNode], _ f: Frame) throws -> Flow {
    for s in body {
        let flow = try s.exec(f)
        if flow != .normal { return flow }
    }
    return .normal
}

// MARK: names

final class ConstNode: ExprNode {
    let value: Value
    init(_ value: Value, _ loc: SourceLocation) { self.value = value; super.init(loc) }
    override func eval(_ f: Frame) throws -> Value { value }
}

final class LocalNode: ExprNode {
    let slot: Int, name: String
    init(_ slot: Int, _ name: String, _ loc: SourceLocation) { self.slot = slot; self.name = name; super.init(loc) }
    override func eval(_ f: Frame) throws -> Value {
        if let v = f.slots[slot] { return v }
        throw LoupeError("local variable `\(name)` is used before it is assigned").located(loc)
    }
}

final class EnclosingNode: ExprNode {
    let depth: Int, slot: Int, name: String
    init(_ depth: Int, _ slot: Int, _ name: String, _ loc: SourceLocation) {
        self.depth = depth; self.slot = slot; self.name = name; super.init(loc)
    }
    override func eval(_ f: Frame) throws -> Value {
        if let v = f.ancestor(depth).slots[slot] { return v }
        throw LoupeError("variable `\(name)` of the enclosing function is used before it is assigned").located(loc)
    }
}

final class GlobalNode: ExprNode {
    unowned let rt: Interpreter
    let slot: Int, name: String
    init(_ rt: Interpreter, _ slot: Int, _ name: String, _ loc: SourceLocation) {
        self.rt = rt; self.slot = slot; self.name = name; super.init(loc)
    }
    var cachedBuiltin: Value?
    override func eval(_ f: Frame) throws -> Value {
        if let v = rt.globals.slots[slot] { return v }
        if let b = cachedBuiltin { return b }
        if let b = rt.builtinValue(name) { cachedBuiltin = b; return b }
        throw LoupeError("name `\(name)` is not defined", hint: rt.suggestName(name)).located(loc)
    }
}

final class LocalTarget: TargetNode {
    let slot: Int
    init(_ slot: Int, _ loc: SourceLocation) { self.slot = slot; super.init(loc) }
    override func assign(_ value: Value, _ f: Frame) throws { f.slots[slot] = value }
}

final class EnclosingTarget: TargetNode {
    let depth: Int, slot: Int
    init(_ depth: Int, _ slot: Int, _ loc: SourceLocation) { self.depth = depth; self.slot = slot; super.init(loc) }
    override func assign(_ value: Value, _ f: Frame) throws { f.ancestor(depth).slots[slot] = value }
}

final class GlobalTarget: TargetNode {
    unowned let rt: Interpreter
    let slot: Int
    init(_ rt: Interpreter, _ slot: Int, _ loc: SourceLocation) { self.rt = rt; self.slot = slot; super.init(loc) }
    override func assign(_ value: Value, _ f: Frame) throws { rt.globals.slots[slot] = value }
}

final class UnpackTarget: TargetNode {
    let targets: [TargetNode]
    let starIndex: Int?
    init(_ targets: [TargetNode], starIndex: Int?, _ loc: SourceLocation) {
        self.targets = targets; self.starIndex = starIndex; super.init(loc)
    }
    override func assign(_ value: Value, _ f: Frame) throws {
        let items: [Value]
        do { items = try Ops.iterate(value) } catch let e as LoupeError {
            throw LoupeError("cannot unpack \(value.typeName) into \(targets.count) names").located(e.location ?? loc)
        }
        if let s = starIndex {
            let after = targets.count - s - 1
            guard items.count >= targets.count - 1 else {
                throw LoupeError("not enough values to unpack (expected at least \(targets.count - 1), got \(items.count))").located(loc)
            }
            for i in 0..<s { try targets[i].assign(items[i], f) }
            try targets[s].assign(.list(Array(items[s..<(items.count - after)])), f)
            for j in 0..<after { try targets[s + 1 + j].assign(items[items.count - after + j], f) }
            return
        }
        guard items.count == targets.count else {
            let more = items.count > targets.count ? "too many" : "not enough"
            throw LoupeError("\(more) values to unpack (expected \(targets.count), got \(items.count))").located(loc)
        }
        for (t, v) in zip(targets, items) { try t.assign(v, f) }
    }
}

/// `x[i] = v`: writes the place the subscript `x[i]` reads.
final class IndexTarget: TargetNode {
    let place: IndexNode
    init(_ place: IndexNode) { self.place = place; super.init(place.loc) }
    override func assign(_ value: Value, _ f: Frame) throws {
        let obj = try place.object.eval(f)
        let key = try place.index.eval(f)
        do { try Indexing.setItem(obj, key, value, place.rt) } catch let e as LoupeError { throw e.located(loc) }
    }
}

/// `x.name = v`: writes the attribute `x.name` reads.
final class AttributeTarget: TargetNode {
    let place: AttributeNode
    init(_ place: AttributeNode) { self.place = place; super.init(place.loc) }
    override func assign(_ value: Value, _ f: Frame) throws {
        let obj = try place.object.eval(f)
        if case .host(let h) = obj, try h.setAttribute(place.name, value, interpreter: place.rt) { return }
        throw LoupeError("cannot set attribute `\(place.name)` on \(obj.typeName)").located(loc)
    }
}

// MARK: index expressions

/// A compiled subscript: one key, or a tuple of keys/slices (`t[0, :, -1]`).
final class IndexSpec {
    enum Part { case expr(ExprNode), slice(ExprNode?, ExprNode?, ExprNode?) }
    let parts: [Part]
    let isTuple: Bool
    init(_ parts: [Part], isTuple: Bool) { self.parts = parts; self.isTuple = isTuple }

    @inline(__always)
    func evalPart(_ p: Part, _ f: Frame) throws -> Value {
        switch p {
        case .expr(let e): return try e.eval(f)
        case .slice(let a, let b, let c):
            return .slice(SliceValue(start: try a.map { try sliceInt(try $0.eval(f)) } ?? nil,
                                     stop: try b.map { try sliceInt(try $0.eval(f)) } ?? nil,
                                     step: try c.map { try sliceInt(try $0.eval(f)) } ?? nil))
        }
    }

    func sliceInt(_ v: Value) throws -> Int? {
        if case .none = v { return nil }
        return try v.asInt("slice index")
    }

    func eval(_ f: Frame) throws -> Value {
        if !isTuple, parts.count == 1 { return try evalPart(parts[0], f) }
        return .tuple(try parts.map { try evalPart($0, f) })
    }
}

final class IndexNode: ExprNode {
    unowned let rt: Interpreter
    let object: ExprNode
    let index: IndexSpec
    init(_ rt: Interpreter, _ object: ExprNode, _ index: IndexSpec, _ loc: SourceLocation) {
        self.rt = rt; self.object = object; self.index = index; super.init(loc)
    }
    override func eval(_ f: Frame) throws -> Value {
        let obj = try object.eval(f)
        let key = try index.eval(f)
        if case .list(let l) = obj, case .int(let i) = key {
            let j = i < 0 ? i + l.items.count : i
            if j >= 0 && j < l.items.count { return l.items[j] }
        }
        do { return try Indexing.getItem(obj, key, rt) } catch let e as LoupeError { throw e.located(loc) } catch { throw LoupeError.wrap(error).located(loc) }
    }
}

final class AttributeNode: ExprNode {
    unowned let rt: Interpreter
    let object: ExprNode
    let name: String
    init(_ rt: Interpreter, _ object: ExprNode, _ name: String, _ loc: SourceLocation) {
        self.rt = rt; self.object = object; self.name = name; super.init(loc)
    }
    override func eval(_ f: Frame) throws -> Value {
        let obj = try object.eval(f)
        do { return try rt.getAttribute(obj, name) } catch let e as LoupeError { throw e.located(loc) }
    }
}
