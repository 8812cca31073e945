import LoupeScript

/// The modules `import` can bind. A library registers each under its dotted Python name (`torch`,
/// `torch.nn.functional`, `transformer_lens.utils`); names Loupe deliberately lacks (`pandas`) get a
/// message saying what to use instead.
extension Builtins {
    nonisolated(unsafe) public private(set) static var modules: [String: Value] = [:]
    nonisolated(unsafe) public private(set) static var missingModules: [String: String] = [:]

    /// Makes `import name` (and `from name import x`) bind `module`.
    public static func registerModule(_ name: String, _ module: Value) {
        modules[name] = module
    }

    /// `import name` fails with "Loupe has no module `name`; <insteadText>".
    public static func registerMissingModule(_ name: String, instead: String) {
        missingModules[name] = instead
    }

    /// The module registered as `path`, or an error naming what Loupe has.
    static func module(_ path: String) throws -> Value {
        if let m = modules[path] { return m }
        let top = String(path.split(separator: ".").first ?? "")
        if let instead = missingModules[path] ?? missingModules[top] {
            throw LoupeError("Loupe has no module `\(path)`; \(instead)")
        }
        let known = modules.keys.sorted()
        var hint = Suggest.hint(for: path, in: known).map { $0 + " " } ?? ""
        hint += "Loupe's modules: " + known.filter { !$0.contains(".") }.joined(separator: ", ")
        throw LoupeError("Loupe has no module `\(path)`", hint: hint)
    }
}

/// A module object such as `torch` or `np`: named members (usually builtins), and for the names
/// Loupe does not have, a note saying the Loupe way.
public final class Namespace: HostObject {
    public let typeName = "module"
    public let name: String
    public let doc: String
    public private(set) var members: [String: Value] = [:]
    /// Attribute → the Loupe way, for names Loupe deliberately lacks (`torch.nn` → "…").
    public private(set) var lacking: [String: String] = [:]
    /// Said when an attribute is neither a member nor in `lacking`.
    public let otherwise: String

    public init(name: String, doc: String, otherwise: String = "") {
        self.name = name
        self.doc = doc
        self.otherwise = otherwise
    }

    public func set(_ member: String, _ value: Value) { members[member] = value }

    /// Members that forward to the builtin functions of the same name (`torch.stack` → `stack`).
    /// `renamed` maps a member to a builtin of another name (`np.concatenate` → `cat`).
    public func forward(_ names: [String], renamed: [String: String] = [:]) {
        for n in names { if let b = Builtins.functions[n] { members[n] = .builtin(b) } }
        for (member, builtin) in renamed { if let b = Builtins.functions[builtin] { members[member] = .builtin(b) } }
    }

    public func lack(_ member: String, _ loupeWay: String) { lacking[member] = loupeWay }

    public func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if let v = members[name] { return v }
        if let way = lacking[name] { throw LoupeError("Loupe has no `\(self.name).\(name)`; \(way)") }
        var hint = Suggest.hint(for: name, in: memberNames) ?? ""
        if let b = Builtins.functions[name] {
            hint = "Loupe has the builtin `\(b.signature)`; call it without the prefix"
        } else if !otherwise.isEmpty {
            hint += (hint.isEmpty ? "" : " ") + otherwise
        }
        throw LoupeError("module `\(self.name)` has no attribute `\(name)` in Loupe", hint: hint.isEmpty ? nil : hint)
    }

    public var memberNames: [String] { members.keys.sorted() }
    public func repr() -> String { "<module '\(name)' (Loupe)>" }
    public var help: String {
        var s = "\(name): \(doc)\n"
        for k in memberNames {
            if case .builtin(let b)? = members[k] { s += "  \(name).\(k)  → \(b.signature)\n" } else { s += "  \(name).\(k)\n" }
        }
        return s
    }
}
