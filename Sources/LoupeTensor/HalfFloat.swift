/// IEEE half and bfloat16 conversions used by dequantisation and the F16/BF16 kernels.
/// Both are exact widenings (every half and bfloat16 value is representable as Float32).
public enum HalfFloat {
    /// IEEE binary16 bits to Float32 (exact, NaN payloads kept and quieted as the hardware widens them).
    /// Done on the bits: without F16C enabled, `Float(Float16)` becomes a libgcc call (__extendhfsf2)
    /// that cost a seventh of a generation step.
    @inline(__always)
    public static func f16ToF32(_ bits: UInt16) -> Float {
        let h = UInt32(bits)
        let sign = (h & 0x8000) << 16
        let exponent = (h >> 10) & 0x1f
        let mantissa = h & 0x3ff
        if _fastPath(exponent != 0 && exponent != 0x1f) {
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
        if exponent == 0x1f {
            return Float(bitPattern: sign | 0x7f80_0000 | (mantissa == 0 ? 0 : 0x0040_0000) | (mantissa << 13))
        }
        let magnitude = Float(mantissa) * 0x1p-24 // zero or subnormal: mantissa · 2⁻²⁴, exact
        return sign == 0 ? magnitude : -magnitude
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
