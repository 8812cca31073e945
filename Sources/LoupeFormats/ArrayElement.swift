import LoupeTensor

/// The element types of array files (NumPy .npy, safetensors), as Loupe holds them: in Float storage,
/// tagged as float, integer or boolean data. Elements are little-endian on disk.
public enum ArrayElement: String, Sendable, Equatable, CaseIterable {
    case float16, bfloat16, float32, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case bool

    /// What the values mean once widened to Float.
    public enum Kind: Sendable, Equatable { case float, int, bool }

    public var kind: Kind {
        switch self {
        case .float16, .bfloat16, .float32, .float64: return .float
        case .bool: return .bool
        default: return .int
        }
    }

    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    /// `count` elements from `bytes` (which must hold at least `count * byteSize`) widened to Float;
    /// a boolean is 1 for any non-zero byte.
    public func decode(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        precondition(count >= 0 && count <= bytes.count / byteSize, "caller checks the byte count")
        let size = byteSize
        func load<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: i * size, as: T.self))
        }
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch self {
            case .float16: for i in 0..<count { out[i] = HalfFloat.f16ToF32(load(i, UInt16.self)) }
            case .bfloat16: for i in 0..<count { out[i] = HalfFloat.bf16ToF32(load(i, UInt16.self)) }
            case .float32: for i in 0..<count { out[i] = Float(bitPattern: load(i, UInt32.self)) }
            case .float64: for i in 0..<count { out[i] = Float(Double(bitPattern: load(i, UInt64.self))) }
            case .int8: for i in 0..<count { out[i] = Float(load(i, Int8.self)) }
            case .int16: for i in 0..<count { out[i] = Float(load(i, Int16.self)) }
            case .int32: for i in 0..<count { out[i] = Float(load(i, Int32.self)) }
            case .int64: for i in 0..<count { out[i] = Float(load(i, Int64.self)) }
            case .uint8: for i in 0..<count { out[i] = Float(load(i, UInt8.self)) }
            case .uint16: for i in 0..<count { out[i] = Float(load(i, UInt16.self)) }
            case .uint32: for i in 0..<count { out[i] = Float(load(i, UInt32.self)) }
            case .uint64: for i in 0..<count { out[i] = Float(load(i, UInt64.self)) }
            case .bool: for i in 0..<count { out[i] = load(i, UInt8.self) != 0 ? 1 : 0 }
            }
            initialized = count
        }
    }

    /// `values` as little-endian elements of this type. Integers are truncated toward zero and clamped
    /// to the type's range (NaN becomes 0); a boolean is 1 for any non-zero value.
    public func encode(_ values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * byteSize)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func int<T: FixedWidthInteger>(_ v: Float, _: T.Type) -> T {
            if v.isNaN { return 0 }
            if v >= Float(T.max) { return T.max }
            if v <= Float(T.min) { return T.min }
            return T(v)
        }
        for v in values {
            switch self {
            case .float16: put(HalfFloat.f32ToF16(v))
            case .bfloat16: put(ArrayElement.bfloat16Bits(v))
            case .float32: put(v.bitPattern)
            case .float64: put(Double(v).bitPattern)
            case .int8: put(int(v, Int8.self))
            case .int16: put(int(v, Int16.self))
            case .int32: put(int(v, Int32.self))
            case .int64: put(int(v, Int64.self))
            case .uint8: put(int(v, UInt8.self))
            case .uint16: put(int(v, UInt16.self))
            case .uint32: put(int(v, UInt32.self))
            case .uint64: put(int(v, UInt64.self))
            case .bool: out.append(v != 0 ? 1 : 0)
            }
        }
        return out
    }

    /// bfloat16 is the top half of a float32, rounded to nearest even; NaN stays a (quiet) NaN.
    static func bfloat16Bits(_ v: Float) -> UInt16 {
        let bits = v.bitPattern
        if v.isNaN { return UInt16(bits >> 16) | 0x0040 }
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }
}

/// An array as array files hold it: shape, element type and the values in C order (row-major).
public struct ElementArray: Sendable, Equatable {
    public var shape: [Int]
    public var element: ArrayElement
    /// Row-major values widened to Float.
    public var values: [Float]

    public init(shape: [Int], element: ArrayElement, values: [Float]) {
        self.shape = shape
        self.element = element
        self.values = values
    }
}
