/// IEEE half and bfloat16 conversions used by dequantisation and the F16/BF16 kernels.
/// Both are exact widenings (every half and bfloat16 value is representable as Float32).
public enum HalfFloat {
    /// IEEE binary16 bits to Float32 (exact, NaN payloads kept as the hardware widens them).
    @inline(__always)
    public static func f16ToF32(_ bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }

    /// bfloat16 bits to Float32: the upper half of the Float32 pattern.
    @inline(__always)
    public static func bf16ToF32(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Float32 to IEEE binary16 bits, round to nearest even.
    @inline(__always)
    public static func f32ToF16(_ value: Float) -> UInt16 {
        Float16(value).bitPattern
    }

    /// Little-endian u16 at byte `i`.
    @inline(__always)
    static func u16(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt16 {
        UInt16(p[i]) | (UInt16(p[i + 1]) << 8)
    }

    /// Little-endian f16 at byte `i`, widened.
    @inline(__always)
    static func f16(_ p: UnsafePointer<UInt8>, _ i: Int) -> Float {
        f16ToF32(u16(p, i))
    }
}
