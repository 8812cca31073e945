/// One GGUF metadata value. Arrays may nest and may hold strings.
public enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    case array([GGUFValue])

    /// Any integer value that fits in Int (booleans are not integers here).
    public var int: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(v)
        default: return nil
        }
    }

    /// Any numeric value as Double.
    public var double: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        case .uint64(let v): return Double(v)
        default: return int.map(Double.init)
        }
    }

    public var float: Float? { double.map(Float.init) }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var array: [GGUFValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Array of strings, or nil if this is not an array or any element is not a string.
    public var stringArray: [String]? { array.flatMap { everyElement($0, \.string) } }

    public var intArray: [Int]? { array.flatMap { everyElement($0, \.int) } }

    public var floatArray: [Float]? { array.flatMap { everyElement($0, \.float) } }

    /// GGUF's name for the value type (`u32`, `string`, `array[string]` …).
    public var typeName: String {
        switch self {
        case .uint8: return "u8"
        case .int8: return "i8"
        case .uint16: return "u16"
        case .int16: return "i16"
        case .uint32: return "u32"
        case .int32: return "i32"
        case .uint64: return "u64"
        case .int64: return "i64"
        case .float32: return "f32"
        case .float64: return "f64"
        case .bool: return "bool"
        case .string: return "string"
        case .array(let a): return "array[\(a.first?.typeName ?? "")]"
        }
    }

    public var description: String {
        switch self {
        case .uint8(let v): return "\(v)"
        case .int8(let v): return "\(v)"
        case .uint16(let v): return "\(v)"
        case .int16(let v): return "\(v)"
        case .uint32(let v): return "\(v)"
        case .int32(let v): return "\(v)"
        case .uint64(let v): return "\(v)"
        case .int64(let v): return "\(v)"
        case .float32(let v): return "\(v)"
        case .float64(let v): return "\(v)"
        case .bool(let v): return "\(v)"
        case .string(let s): return "\"\(s)\""
        case .array(let a):
            let head = a.prefix(8).map(\.description).joined(separator: ", ")
            return a.count > 8 ? "[\(head), … (\(a.count) items)]" : "[\(head)]"
        }
    }
}
