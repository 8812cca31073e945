import LoupeScript

/// The locals of one function activation. Names are resolved to slot numbers at compile time, so a
/// local read is an array index, not a dictionary lookup. `parent` is the frame the function was
/// defined in (closures read enclosing locals through it).
final class Frame {
    var slots: ContiguousArray<Value?>
    let parent: Frame?
    var returnValue: Value = .none

    init(size: Int, parent: Frame?) {
        slots = ContiguousArray(repeating: nil, count: size)
        self.parent = parent
    }

    deinit {
        DeepRelease.release(&slots)
        DeepRelease.release(&returnValue)
    }

    @inline(__always)
    func ancestor(_ depth: Int) -> Frame {
        var f = self
        for _ in 0..<depth { if let p = f.parent { f = p } }
        return f
    }
}

/// Module-level variables: a growable slot array plus the name table (REPL cells add names).
final class Globals {
    var slots: ContiguousArray<Value?> = []
    var index: [String: Int] = [:]
    var names: [String] = []

    deinit { DeepRelease.release(&slots) }

    func slot(for name: String) -> Int {
        if let i = index[name] { return i }
        let i = slots.count
        index[name] = i
        names.append(name)
        slots.append(nil)
        return i
    }

    func value(_ name: String) -> Value? {
        guard let i = index[name] else { return nil }
        return slots[i]
    }

    var definedNames: [String] { names.filter { index[$0].map { slots[$0] != nil } ?? false } }
}

/// A parameter list compiled to slots.
struct ParamSpec {
    var names: [String]
    var defaults: [ExprNode?]       // per normal parameter
    var varArgsSlot: Int?
    var varKeywordsSlot: Int?
    var normalCount: Int
    /// Normal parameters before `*args` (the rest are keyword-only).
    var positionalCount: Int
}

/// A user function or lambda.
public final class FunctionValue {
    public let name: String
    let params: ParamSpec
    /// Evaluated when `def` ran, like Python.
    var defaultValues: [Value?]
    let body: [StmtNode]
    let frameSize: Int
    let closure: Frame?
    let location: SourceLocation
    let doc: String?

    init(name: String, params: ParamSpec, defaultValues: [Value?], body: [StmtNode], frameSize: Int,
         closure: Frame?, location: SourceLocation, doc: String?) {
        self.name = name
        self.params = params
        self.defaultValues = defaultValues
        self.body = body
        self.frameSize = frameSize
        self.closure = closure
        self.location = location
        self.doc = doc
    }

    deinit { DeepRelease.release(&defaultValues) }

    public var signature: String {
        var parts: [String] = []
        for (i, n) in params.names.prefix(params.normalCount).enumerated() {
            parts.append(params.defaults[i] != nil ? "\(n)=…" : n)
        }
        if params.varArgsSlot != nil { parts.append("*args") }
        if params.varKeywordsSlot != nil { parts.append("**kwargs") }
        return "\(name)(\(parts.joined(separator: ", ")))"
    }
}
