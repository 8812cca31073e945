import Foundation
import LoupeScript

public typealias BuiltinBody = (Interpreter, Arguments) throws -> Value
public typealias MethodBody = (Interpreter, Value, Arguments) throws -> Value
public typealias AttributeBody = (Interpreter, Value) throws -> Value

/// A function implemented in Swift.
public final class BuiltinFunction {
    public let name: String
    public let signature: String
    public let doc: String
    public let example: String
    public let body: BuiltinBody

    public init(name: String, signature: String, doc: String, example: String, body: @escaping BuiltinBody) {
        self.name = name
        self.signature = signature
        self.doc = doc
        self.example = example
        self.body = body
    }

    public var summary: String { String(doc.split(separator: "\n").first ?? "") }
    public var helpText: String {
        var s = "\(signature)\n    \(doc.replacingOccurrences(of: "\n", with: "\n    "))"
        if !example.isEmpty { s += "\n  Example:\n    \(example.replacingOccurrences(of: "\n", with: "\n    "))" }
        return s
    }
}

/// A method or attribute on a value type (`str`, `list`, `dict`, `tensor`, or a host object's typeName).
public struct MemberDef {
    public let name: String
    public let signature: String
    public let doc: String
    public let example: String
    public let method: MethodBody?
    public let attribute: AttributeBody?

    public var helpText: String {
        var s = "\(signature)\n    \(doc.replacingOccurrences(of: "\n", with: "\n    "))"
        if !example.isEmpty { s += "\n  Example:\n    \(example.replacingOccurrences(of: "\n", with: "\n    "))" }
        return s
    }
}

/// The global table of builtin functions and of methods/attributes per type. Bindings add to it
/// (see Sources/LoupeRuntime/README.md); every interpreter sees the same table.
public enum Builtins {
    nonisolated(unsafe) public private(set) static var functions: [String: BuiltinFunction] = [:]
    /// Non-function globals such as `pi` or the `random` module, with their doc strings.
    nonisolated(unsafe) public private(set) static var values: [String: (value: Value, doc: String)] = [:]
    nonisolated(unsafe) public private(set) static var members: [String: [String: MemberDef]] = [:]
    nonisolated(unsafe) static var installed = false
    /// What the language itself defines (before bindings), for the coverage test.
    nonisolated(unsafe) static var languageFunctions: Set<String> = []
    nonisolated(unsafe) static var languageMembers: Set<String> = []
    static let lock = NSLock()

    /// Adds a global function. `signature` reads like Python's (`len(x)`); `doc` says what it does and
    /// `example` shows a use (both required: a test checks every builtin has them).
    public static func register(name: String, doc: String, signature: String, example: String = "",
                                _ body: @escaping BuiltinBody) {
        functions[name] = BuiltinFunction(name: name, signature: signature, doc: doc, example: example, body: body)
    }

    /// Adds a global value (a constant or a module object).
    public static func registerValue(name: String, doc: String, _ value: Value) {
        values[name] = (value, doc)
    }

    /// Adds `x.name(args)` for values whose `typeName` is `type`.
    public static func registerMethod(type: String, name: String, doc: String, signature: String,
                                      example: String = "", _ body: @escaping MethodBody) {
        members[type, default: [:]][name] = MemberDef(name: name, signature: signature, doc: doc, example: example,
                                                      method: body, attribute: nil)
    }

    /// Adds `x.name` (a computed attribute, like `t.shape`) for values whose `typeName` is `type`.
    public static func registerAttribute(type: String, name: String, doc: String, example: String = "",
                                         _ body: @escaping AttributeBody) {
        members[type, default: [:]][name] = MemberDef(name: name, signature: "\(type).\(name)", doc: doc,
                                                      example: example, method: nil, attribute: body)
    }

    public static func member(_ type: String, _ name: String) -> MemberDef? { members[type]?[name] }

    /// Installs the language's own builtins and every binding once.
    static func installAll() {
        lock.lock()
        defer { lock.unlock() }
        if installed { return }
        installed = true
        CoreBuiltins.install()
        ConversionBuiltins.install()
        StringMethods.install()
        ListMethods.install()
        DictMethods.install()
        MathBuiltins.install()
        RandomModule.install()
        TensorMethods.install()
        TensorBuiltins.install()
        FileBuiltins.install()
        HelpBuiltins.install()
        languageFunctions = Set(functions.keys)
        languageMembers = Set(members.flatMap { type, m in m.keys.map { "\(type).\($0)" } })
        Bindings.installAll()
    }
}
