import CKernels

/// Stored weights decoded straight to bf16 by CKernels' AVX-512 decoders (`quant_bf16.c`), for the panels of
/// bf16 prompt products: bit-identical to `BF16Products.round` of `decodeUnchecked`'s Float32 values, without
/// the f32 stage. F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 and every K-quant (Q2_K to Q6_K); none for F32.
extension Dequant {
    /// The decoders run here (AVX512_BF16 and F16C) and are switched on.
    public static var decodesToBF16: Bool { loupe_quant_bf16_active() != 0 }

    /// Switches the decoders off (the f32 stage and `BF16Products.round` then do the work) or back on; for tests
    /// and timings.
    public static func setBF16Decoders(_ on: Bool) { loupe_set_quant_bf16(on ? 1 : 0) }

    /// `dtype` decodes straight to bf16 on this machine.
    public static func hasBF16Decoder(_ dtype: DType) -> Bool { bf16Code(dtype) != nil && decodesToBF16 }

    /// Decodes `count` elements of `dtype` at `p` (whole blocks; any count for F16/BF16) into bf16 `dst`.
    /// False, with nothing written, when `hasBF16Decoder(dtype)` is false. Sizes are the caller's to check.
    @inline(__always)
    public static func decodeBF16Unchecked(_ dtype: DType, _ p: UnsafePointer<UInt8>, count: Int,
                                           into dst: UnsafeMutablePointer<UInt16>) -> Bool {
        guard let code = bf16Code(dtype) else { return false }
        return loupe_decode_bf16(code, p, count, dst) != 0
    }

    /// The decoder's type code (`LOUPE_QB_*`).
    @inline(__always)
    static func bf16Code(_ dtype: DType) -> Int32? {
        switch dtype {
        case .f16: return LOUPE_QB_F16
        case .bf16: return LOUPE_QB_BF16
        case .q8_0: return LOUPE_QB_Q8_0
        case .q4_0: return LOUPE_QB_Q4_0
        case .q4_1: return LOUPE_QB_Q4_1
        case .q5_0: return LOUPE_QB_Q5_0
        case .q5_1: return LOUPE_QB_Q5_1
        case .q4_K: return LOUPE_QB_Q4_K
        case .q5_K: return LOUPE_QB_Q5_K
        case .q6_K: return LOUPE_QB_Q6_K
        case .q2_K: return LOUPE_QB_Q2_K
        case .q3_K: return LOUPE_QB_Q3_K
        case .f32: return nil
        }
    }
}
