import Foundation

/// A parsed JSON document (config.json, tokenizer.json, safetensors headers …). Objects keep their keys
/// in file order; integers that fit in Int stay exact.
public enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Parses UTF-8 JSON text strictly (RFC 8259, duplicate keys rejected). `file` names the source in
    /// errors; `baseOffset` is where `bytes` start in that file.
    public static func parse(_ bytes: UnsafeRawBufferPointer, file: String, baseOffset: Int = 0) throws -> JSONValue {
        try parse(bytes, file: file, baseOffset: baseOffset, options: .strict)
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, file: String, baseOffset: Int = 0,
                             options: JSONReadOptions) throws -> JSONValue {
        var p = JSONParser(bytes, file: file, baseOffset: baseOffset, options: options)
        return try p.parseDocument()
    }

    public static func parse(_ data: Data, file: String) throws -> JSONValue {
        try parse(data, file: file, options: .strict)
    }

    public static func parse(_ data: Data, file: String, options: JSONReadOptions) throws -> JSONValue {
        try data.withUnsafeBytes { try parse($0, file: file, options: options) }
    }

    public static func parse(_ text: String, file: String = "<string>") throws -> JSONValue {
        try parse(text, file: file, options: .strict)
    }

    public static func parse(_ text: String, file: String = "<string>", options: JSONReadOptions) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse(UnsafeRawBufferPointer($0), file: file, options: options) }
    }

    /// Reads and parses a JSON file.
    public static func load(_ url: URL) throws -> JSONValue {
        try load(url, options: .strict)
    }

    public static func load(_ url: URL, options: JSONReadOptions) throws -> JSONValue {
        let mapped = try MappedFile(url: url)
        return try parse(mapped.buffer, file: url.path, options: options)
    }

    // MARK: accessors

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    public var isNull: Bool { self == .null }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// An integer, or a double with an exact integer value.
    public var int: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d): return d.rounded() == d && abs(d) < 9.2e18 ? Int(d) : nil
        default: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var object: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var stringArray: [String]? { array.flatMap { everyElement($0, \.string) } }

    public var intArray: [Int]? { array.flatMap { everyElement($0, \.int) } }

    /// JSON's name for the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Compact JSON text (doubles keep their fraction, so the text reads back as the same value).
    public var description: String { serialized(.compact) }
}

/// A JSON object: a dictionary that remembers key order. Read with `JSONReadOptions.keepsDuplicateKeys`,
/// `keys`/`items` hold every pair as the file spells it and `values` the last value of each key.
public struct JSONObject: Sendable, Equatable {
    /// Keys in file order.
    public let keys: [String]
    /// Values in file order, one per key.
    public let items: [JSONValue]
    /// Lookup by key.
    public let values: [String: JSONValue]

    init(keys: [String], items: [JSONValue], values: [String: JSONValue]) {
        self.keys = keys
        self.items = items
        self.values = values
    }

    public init(keys: [String], values: [String: JSONValue]) {
        self.init(keys: keys, items: keys.map { values[$0] ?? .null }, values: values)
    }

    /// Pairs in order; a repeated key stays at its first place with its last value.
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.init(uniquing: pairs.map { ($0.key, $0.value) })
    }

    /// Pairs in order; a repeated key stays at its first place with its last value.
    public init(uniquing pairs: [(String, JSONValue)]) {
        var keys: [String] = []
        var values: [String: JSONValue] = [:]
        for (k, v) in pairs where values.updateValue(v, forKey: k) == nil { keys.append(k) }
        self.init(keys: keys, values: values)
    }

    public subscript(key: String) -> JSONValue? { values[key] }
    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Key/value pairs in file order.
    public var entries: [(key: String, value: JSONValue)] { zip(keys, items).map { ($0, $1) } }
}

/// Literals for documents built in code: `.array(["a", 1, true])`.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
                     ExpressibleByArrayLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

/// Every item converted by `convert` (a typed array accessor such as `stringArray`), or nil when any
/// item does not convert.
func everyElement<Item, Element>(_ items: [Item], _ convert: (Item) -> Element?) -> [Element]? {
    var out: [Element] = []
    out.reserveCapacity(items.count)
    for item in items {
        guard let element = convert(item) else { return nil }
        out.append(element)
    }
    return out
}
