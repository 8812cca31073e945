import CKernels

/// One position through a half-precision matrix stored [k, n] (GPT-2's Conv1D weights as the checkpoint
/// holds them): y[c] = Σ_i x[i]·W[i, c], weights widened exactly, f32 fused multiply-adds (CKernels'
/// matvec_half.c). Each thread sums its own range of rows over the whole output row, reading the matrix in
/// stored order; the caller adds the threads' partial rows.
public enum HalfMatVec {
    /// Whether the AVX-512 kernel is used (tests switch it; setting true turns it back on only where the CPU has it).
    public static var isActive: Bool {
        get { loupe_matvec_half_active() != 0 }
        set { loupe_set_matvec_half(newValue ? 1 : 0) }
    }

    /// Whether `dtype` is one the kernel reads (BF16, F16).
    public static func reads(_ dtype: DType) -> Bool { dtype == .bf16 || dtype == .f16 }

    /// acc[n] = Σ_{i in rows} x[i]·W[i, 0..<n]; `w` [k, ldw] stored halves of `dtype` (BF16 or F16), `x` [k].
    /// False (nothing written) when the kernel is not active or `dtype` is not a half type.
    public static func rows(_ w: UnsafePointer<UInt16>, ldw: Int, dtype: DType, rows: Range<Int>, n: Int,
                            x: UnsafePointer<Float>, acc: UnsafeMutablePointer<Float>) -> Bool {
        guard reads(dtype) else { return false }
        return loupe_matvec_half_rows(w, ldw, dtype == .bf16 ? 1 : 0, rows.lowerBound, rows.upperBound, n, x, acc) != 0
    }
}
