import Foundation

/// Dequantisation of stored weight bytes to Float32, bit-exact with gguf-py's `gguf.quants.dequantize`.
///
/// Block layouts (little-endian, ggml's `block_*` structs; `d`, `m` are IEEE halves):
///   Q8_0 [d:f16][qs:i8 x32]                       x = qs * d
///   Q4_0 [d:f16][qs:u8 x16]                        x = (nibble - 8) * d      low nibbles are x[0..<16]
///   Q4_1 [d:f16][m:f16][qs:u8 x16]                 x = nibble * d + m
///   Q5_0 [d:f16][qh:u32][qs:u8 x16]                x = ((nibble | bit<<4) - 16) * d   bit j of qh is x[j]'s 5th bit
///   Q5_1 [d:f16][m:f16][qh:u32][qs:u8 x16]         x = (nibble | bit<<4) * d + m
/// K-quants (256 per block) are in DequantK.swift. Every float operation is done in Float32 in the same
/// order as gguf-py's numpy code (separate multiply and add, never fused), so results match to the bit.
public enum Dequant {
    /// Decodes `count` elements of `dtype` from `src` into `into[0..<count]`.
    /// Throws if `count` is not a whole number of blocks or `src` holds fewer bytes than needed.
    public static func dequantize(_ dtype: DType, _ src: UnsafeRawBufferPointer, count: Int,
                                  into dst: UnsafeMutablePointer<Float>) throws {
        guard count >= 0, count % dtype.blockSize == 0 else {
            throw TensorError("dequantize \(dtype): \(count) elements is not a whole number of \(dtype.blockSize)-element blocks")
        }
        guard let need = dtype.byteCount(elements: count) else {
            throw TensorError("dequantize \(dtype): byte size of \(count) elements overflows")
        }
        guard src.count >= need else {
            throw TensorError("dequantize \(dtype): truncated input, \(count) elements need \(need) bytes but only \(src.count) are present")
        }
        if count == 0 { return }
        guard let raw = src.baseAddress else { throw TensorError("dequantize \(dtype): empty source buffer") }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        decodeUnchecked(dtype, p, count: count, into: dst)
    }

    /// Decodes `rows` rows of `rowLength` elements each (row-major, rows stored back to back).
    /// `rowLength` must be a multiple of the block size (GGUF requires it of every row).
    public static func dequantizeRows(_ dtype: DType, _ src: UnsafeRawBufferPointer, rowLength: Int, rows: Int,
                                      into dst: UnsafeMutablePointer<Float>) throws {
        guard rowLength >= 0, rows >= 0, rowLength % dtype.blockSize == 0 else {
            throw TensorError("dequantizeRows \(dtype): row length \(rowLength) is not a multiple of the block size \(dtype.blockSize)")
        }
        let (n, overflow) = rowLength.multipliedReportingOverflow(by: rows)
        guard !overflow else { throw TensorError("dequantizeRows \(dtype): \(rows) x \(rowLength) overflows") }
        try dequantize(dtype, src, count: n, into: dst)
    }

    /// Like `dequantize` but assumes the caller checked sizes (used by the matvec kernels on
    /// validated weights). `count` must be a multiple of the block size.
    @inline(__always)
    public static func decodeUnchecked(_ dtype: DType, _ p: UnsafePointer<UInt8>, count: Int,
                                       into dst: UnsafeMutablePointer<Float>) {
        let blocks = count / dtype.blockSize
        let bb = dtype.blockBytes
        switch dtype {
        case .f32:
            // Little-endian hosts only (x86-64, arm64): the stored bytes are the Float32 patterns.
            UnsafeMutableRawPointer(dst).copyMemory(from: p, byteCount: count * 4)
        case .f16: widenF16(p, count: count, into: dst)
        case .bf16: widenBF16(p, count: count, into: dst)
        case .q8_0: for b in 0..<blocks { q8_0(p + b * bb, dst + b * 32) }
        case .q4_0: for b in 0..<blocks { q4_0(p + b * bb, dst + b * 32) }
        case .q4_1: for b in 0..<blocks { q4_1(p + b * bb, dst + b * 32) }
        case .q5_0: for b in 0..<blocks { q5_0(p + b * bb, dst + b * 32) }
        case .q5_1: for b in 0..<blocks { q5_1(p + b * bb, dst + b * 32) }
        case .q2_K: for b in 0..<blocks { q2_K(p + b * bb, dst + b * 256) }
        case .q3_K: for b in 0..<blocks { q3_K(p + b * bb, dst + b * 256) }
        case .q4_K: for b in 0..<blocks { q4_K(p + b * bb, dst + b * 256) }
        case .q5_K: for b in 0..<blocks { q5_K(p + b * bb, dst + b * 256) }
        case .q6_K: for b in 0..<blocks { q6_K(p + b * bb, dst + b * 256) }
        }
    }

    // MARK: half precision, 8 at a time (little-endian hosts, as `.f32` above)

    /// bfloat16 → F32: each value is the upper half of its Float32 pattern.
    @inline(__always)
    static func widenBF16(_ p: UnsafePointer<UInt8>, count: Int, into dst: UnsafeMutablePointer<Float>) {
        let src = UnsafeRawPointer(p), out = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 <= count {
            let h = src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self)
            out.storeBytes(of: SIMD8<UInt32>(truncatingIfNeeded: h) &<< 16, toByteOffset: 4 * i, as: SIMD8<UInt32>.self)
            i += 8
        }
        while i < count { dst[i] = HalfFloat.bf16ToF32(HalfFloat.u16(p, 2 * i)); i += 1 }
    }

    /// IEEE half → F32: 8 at a time by rebiasing the exponent (sign | (e+112)<<23 | m<<13), then zeros,
    /// subnormals, infinities and NaNs are redone one by one through `HalfFloat.f16ToF32`.
    @inline(__always)
    static func widenF16(_ p: UnsafePointer<UInt8>, count: Int, into dst: UnsafeMutablePointer<Float>) {
        let src = UnsafeRawPointer(p), out = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 <= count {
            let h = SIMD8<UInt32>(truncatingIfNeeded: src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self))
            let bits = ((h & 0x8000) &<< 16) | (((h & 0x7fff) &<< 13) &+ (112 << 23))
            out.storeBytes(of: bits, toByteOffset: 4 * i, as: SIMD8<UInt32>.self)
            for j in 0..<8 {
                let e = (h[j] >> 10) & 0x1f
                if _slowPath(e == 0 || e == 0x1f) { dst[i + j] = HalfFloat.f16(p, 2 * (i + j)) }
            }
            i += 8
        }
        while i < count { dst[i] = HalfFloat.f16(p, 2 * i); i += 1 }
    }

    // MARK: 32-element blocks

    @inline(__always)
    static func q8_0(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        let d = HalfFloat.f16(b, 0)
        for j in 0..<32 { y[j] = Float(Int8(bitPattern: b[2 + j])) * d }
    }

    @inline(__always)
    static func q4_0(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        let d = HalfFloat.f16(b, 0)
        let qs = b + 2
        for j in 0..<16 {
            y[j] = d * Float(Int(qs[j] & 0x0F) - 8)
            y[j + 16] = d * Float(Int(qs[j] >> 4) - 8)
        }
    }

    @inline(__always)
    static func q4_1(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        let d = HalfFloat.f16(b, 0)
        let m = HalfFloat.f16(b, 2)
        let qs = b + 4
        for j in 0..<16 {
            y[j] = d * Float(qs[j] & 0x0F) + m
            y[j + 16] = d * Float(qs[j] >> 4) + m
        }
    }

    @inline(__always)
    static func q5_0(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        let d = HalfFloat.f16(b, 0)
        fiveBitValues(b, highBitsAt: 2) { i, q in y[i] = d * Float(q - 16) }
    }

    @inline(__always)
    static func q5_1(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        let d = HalfFloat.f16(b, 0)
        let m = HalfFloat.f16(b, 2)
        fiveBitValues(b, highBitsAt: 4) { i, q in y[i] = d * Float(q) + m }
    }

    /// The 32 five-bit values of a Q5_0/Q5_1 block, passed as (element, value): the 5th bits are the 32-bit
    /// little-endian word at `highBitsAt` (bit i for element i), the low nibbles the 16 bytes after it
    /// (element j low, j + 16 high).
    @inline(__always)
    static func fiveBitValues(_ b: UnsafePointer<UInt8>, highBitsAt at: Int, _ value: (Int, Int) -> Void) {
        let qh = UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
        let qs = b + at + 4
        for j in 0..<16 {
            let h0 = Int((qh >> UInt32(j)) & 1) << 4
            let h1 = Int((qh >> UInt32(j + 16)) & 1) << 4
            value(j, Int(qs[j] & 0x0F) | h0)
            value(j + 16, Int(qs[j] >> 4) | h1)
        }
    }
}
