import Foundation
import LoupeScript

public typealias BuiltinBody = (Interpreter, Arguments) throws -> Value
public typealias MethodBody = (Interpreter, Value, Arguments) throws -> Value
public typealias AttributeBody = (Interpreter, Value) throws -> Value
/// The body of a builtin declared with a `Signature`: its arguments arrive bound by name.
public typealias DeclaredBody = (Interpreter, BoundArguments) throws -> Value
public typealias DeclaredMethodBody = (Interpreter, Value, BoundArguments) throws -> Value

/// A function implemented in Swift, declared by its Python header (`Signature`).
public final class BuiltinFunction {
    public let declared: Signature
    public let doc: String
    public let example: String
    public let body: BuiltinBody

    public init(_ declared: Signature, doc: String, example: String, body: @escaping DeclaredBody) {
        self.declared = declared
        self.doc = doc
        self.example = example
        self.body = { interp, args in try body(interp, try declared.bind(args)) }
    }

    public var name: String { declared.name }
    /// The header as help shows it.
    public var signature: String { declared.text }
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
    /// The declared parameters of a method (nil for an attribute).
    public var declared: Signature? = nil
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
/// (see Sources/LoupeInterpreter/README.md); every interpreter sees the same table.
public enum Builtins {
    nonisolated(unsafe) public private(set) static var functions: [String: BuiltinFunction] = [:]
    /// Non-function globals such as `pi` or the `random` module, with their doc strings.
    nonisolated(unsafe) public private(set) static var values: [String: (value: Value, doc: String)] = [:]
    nonisolated(unsafe) public private(set) static var members: [String: [String: MemberDef]] = [:]
    nonisolated(unsafe) static var installed = false
    nonisolated(unsafe) static var libraryInstalled = false
    /// What the language itself defines (before any library), for the coverage test.
    nonisolated(unsafe) public private(set) static var languageFunctions: Set<String> = []
    nonisolated(unsafe) public private(set) static var languageMembers: Set<String> = []
    static let lock = NSLock()

    /// Declares a global function once: `header` is its Python header (see `Signature`), from which
    /// binding, help and error messages derive. `aliases` maps other keyword spellings to parameters.
    public static func register(_ header: String, aliases: [String: String] = [:], doc: String, example: String = "",
                                _ body: @escaping DeclaredBody) {
        let declared = parse(header, aliases: aliases)
        functions[declared.name] = BuiltinFunction(declared, doc: doc, example: example, body: body)
    }

    /// Declares `x.name(args)` for values whose `typeName` is `type`; `header` reads `model.to_tokens(…)`.
    public static func registerMethod(type: String, _ header: String, aliases: [String: String] = [:], doc: String,
                                      example: String = "", _ body: @escaping DeclaredMethodBody) {
        let declared = parse(header, aliases: aliases)
        var def = MemberDef(name: declared.name, signature: declared.text, doc: doc, example: example,
                            method: { interp, receiver, args in try body(interp, receiver, try declared.bind(args)) },
                            attribute: nil)
        def.declared = declared
        members[type, default: [:]][declared.name] = def
    }

    /// A builtin function value declared with `header`, for module members (`time.time`) and the like.
    public static func function(_ header: String, aliases: [String: String] = [:], doc: String, example: String = "",
                                _ body: @escaping DeclaredBody) -> BuiltinFunction {
        BuiltinFunction(parse(header, aliases: aliases), doc: doc, example: example, body: body)
    }

    /// Headers are part of the program, not input: one that does not parse is a programming error that
    /// every test run meets at start-up.
    private static func parse(_ header: String, aliases: [String: String]) -> Signature {
        do { return try Signature(header, aliases: aliases) } catch { preconditionFailure("\(error)") }
    }

    /// Adds a global value (a constant or a module object).
    public static func registerValue(name: String, doc: String, _ value: Value) {
        values[name] = (value, doc)
    }

    /// Adds `x.name` (a computed attribute, like `t.shape`) for values whose `typeName` is `type`.
    public static func registerAttribute(type: String, name: String, doc: String, example: String = "",
                                         _ body: @escaping AttributeBody) {
        members[type, default: [:]][name] = MemberDef(name: name, signature: "\(type).\(name)", doc: doc,
                                                      example: example, method: nil, attribute: body)
    }

    public static func member(_ type: String, _ name: String) -> MemberDef? { members[type]?[name] }

    /// Installs the language's own builtins once. Every `Interpreter` does this when it is created.
    static func installLanguage() {
        lock.lock()
        defer { lock.unlock() }
        installLanguageLocked()
    }

    private static func installLanguageLocked() {
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
        TensorTorchMethods.install()
        TensorBuiltins.install()
        TensorTruth.install()
        HelpBuiltins.install()
        languageFunctions = Set(functions.keys)
        languageMembers = Set(members.flatMap { type, m in m.keys.map { "\(type).\($0)" } })
    }

    /// Installs a library of builtins on top of the language's, once per process (later calls do
    /// nothing). Interpreters created afterwards see it; the `loupe` executable calls this at start-up.
    public static func installLibrary(_ install: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        installLanguageLocked()
        if libraryInstalled { return }
        libraryInstalled = true
        install()
    }
}
