/// A tuple whose items also have names, like PyTorch's `torch.return_types.topk(values=…, indices=…)`:
/// unpacks and indexes like a tuple, and `.values` / `.indices` read the named items.
public final class NamedTuple: HostObject {
    public let typeName: String
    public let names: [String]
    public let items: [Value]

    public init(typeName: String, names: [String], items: [Value]) {
        self.typeName = typeName
        self.names = names
        self.items = items
    }

    public func attribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        names.firstIndex(of: name).map { items[$0] }
    }
    public var memberNames: [String] { names }
    public func getItem(_ key: Value, interpreter: Interpreter) throws -> Value? {
        try Indexing.getItem(.tuple(items), key, interpreter)
    }
    public var length: Int? { items.count }
    public func iterate() throws -> [Value]? { items }
    public func repr() -> String {
        "\(typeName)(" + zip(names, items).map { "\($0)=\(Repr.repr($1))" }.joined(separator: ", ") + ")"
    }
    public var help: String { "\(typeName): a tuple (\(names.joined(separator: ", "))); unpack it or use .\(names.first ?? "")" }
}
