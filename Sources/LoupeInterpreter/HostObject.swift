import LoupeNotebook

/// An object implemented in Swift that Loupe code can use: models, caches, tables, figures, views.
/// Implement `typeName` and whichever of the rest apply; methods and attributes can also be added from
/// outside with `Builtins.registerMethod(type:…)` / `registerAttribute(type:…)`, which take priority.
public protocol HostObject: AnyObject {
    var typeName: String { get }
    /// `obj.name`; nil when there is no such attribute.
    func attribute(_ name: String, interpreter: Interpreter) throws -> Value?
    /// `obj.name = value`; return false when not settable.
    func setAttribute(_ name: String, _ value: Value, interpreter: Interpreter) throws -> Bool
    /// `obj.name(args)`; nil when there is no such method.
    func callMethod(_ name: String, _ args: Arguments, interpreter: Interpreter) throws -> Value?
    /// Names for tab completion and "did you mean" hints.
    var memberNames: [String] { get }
    /// `obj[key]`; nil when not subscriptable.
    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value?
    func setItem(_ key: Value, _ value: Value, interpreter: Interpreter) throws -> Bool
    /// `obj(args)` for callable objects; nil when not callable.
    func call(_ args: Arguments, interpreter: Interpreter) throws -> Value?
    /// `len(obj)`; nil when it has no length.
    var length: Int? { get }
    /// `for x in obj`; nil when not iterable.
    func iterate() throws -> [Value]?
    /// One-line text form.
    func repr() -> String
    /// A rich output (table, figure, view) when shown as a cell's value; nil falls back to `repr()`.
    func display() -> CellOutput?
    /// `help(obj)` text.
    var help: String { get }
}

public extension HostObject {
    func attribute(_ name: String, interpreter: Interpreter) throws -> Value? { nil }
    func setAttribute(_ name: String, _ value: Value, interpreter: Interpreter) throws -> Bool { false }
    func callMethod(_ name: String, _ args: Arguments, interpreter: Interpreter) throws -> Value? { nil }
    var memberNames: [String] { [] }
    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? { nil }
    func setItem(_ key: Value, _ value: Value, interpreter: Interpreter) throws -> Bool { false }
    func call(_ args: Arguments, interpreter: Interpreter) throws -> Value? { nil }
    var length: Int? { nil }
    func iterate() throws -> [Value]? { nil }
    func repr() -> String { "<\(typeName)>" }
    func display() -> CellOutput? { nil }
    var help: String { "\(typeName): no help yet." }
}

/// A host object that `tensor(x)` / `np.array(x)` can turn into a tensor (an image's pixels).
public protocol TensorConvertible {
    func asTensor() throws -> TensorValue
}

/// A namespace object such as `random` or `math`: attributes are values, usually builtins.
public final class ModuleObject: HostObject {
    public let typeName = "module"
    public let name: String
    public let doc: String
    public var members: [String: Value]

    public init(name: String, doc: String, members: [String: Value] = [:]) {
        self.name = name
        self.doc = doc
        self.members = members
    }

    public func attribute(_ name: String, interpreter: Interpreter) throws -> Value? { members[name] }
    public var memberNames: [String] { members.keys.sorted() }
    public func repr() -> String { "<module \(name)>" }
    public var help: String {
        var s = "\(name): \(doc)\n"
        for k in memberNames {
            if case .builtin(let b)? = members[k] { s += "  \(b.signature)  \(b.summary)\n" } else { s += "  \(k)\n" }
        }
        return s
    }
}
