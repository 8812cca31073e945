import CKernels

/// Float32 to stored weight bytes: the inverse of `Dequant` for the types a model can be converted to on
/// load, bit-exact with gguf-py's `gguf.quants.quantize` (which follows ggml's reference quantisers):
///   F32   the Float32 patterns, little-endian
///   F16   IEEE half, round to nearest even
///   BF16  the upper 16 bits rounded to nearest even; NaN stays a quiet NaN
///   Q8_0  per block of 32: d = max|x| / 127, q = roundf(x · (1/d)) (0 when d == 0), [d:f16][q:i8 x32]
public enum Quantize {
    /// Whether Q8_0 blocks go through CKernels' AVX-512 quantiser (the same bytes as `q8_0`); tests switch it
    /// (setting true turns it back on only where the CPU has it).
    public static var useKernel: Bool {
        get { loupe_quantize_q8_0_active() != 0 }
        set { loupe_set_quantize_q8_0(newValue ? 1 : 0) }
    }

    /// Types `encode` writes.
    public static let targets: [DType] = [.f32, .f16, .bf16, .q8_0]

    /// Encodes `count` Float32 values as `dtype` into `dst` (`dtype.byteCount(elements: count)` bytes).
    /// Throws for a type `encode` cannot write or a count that is not a whole number of blocks.
    public static func encode(_ dtype: DType, _ src: UnsafePointer<Float>, count: Int,
                              into dst: UnsafeMutableRawPointer) throws {
        guard targets.contains(dtype) else {
            throw TensorError("quantize: cannot convert to \(dtype); the targets are \(targets.map(\.rawValue).joined(separator: ", "))")
        }
        guard count >= 0, count % dtype.blockSize == 0 else {
            throw TensorError("quantize \(dtype): \(count) elements is not a whole number of \(dtype.blockSize)-element blocks")
        }
        encodeUnchecked(dtype, src, count: count, into: dst.assumingMemoryBound(to: UInt8.self))
    }

    /// `encode` without the checks: `dtype` is one of `targets`, `count` a multiple of its block size.
    @inline(__always)
    public static func encodeUnchecked(_ dtype: DType, _ src: UnsafePointer<Float>, count: Int,
                                       into p: UnsafeMutablePointer<UInt8>) {
        switch dtype {
        case .f32:
            UnsafeMutableRawPointer(p).copyMemory(from: src, byteCount: count * 4)
        case .f16:
            for i in 0..<count { putU16(p, 2 * i, f32ToF16(src[i])) }
        case .bf16:
            for i in 0..<count { putU16(p, 2 * i, f32ToBF16(src[i])) }
        case .q8_0:
            let blocks = count / 32
            var b = 0
            while b < blocks {
                // The AVX-512 kernel (the same bytes; 0 blocks when off) up to a block it leaves to this code:
                // non-finite or tiny.
                b += loupe_quantize_q8_0(src + 32 * b, blocks - b, p + 34 * b)
                if b < blocks {
                    q8_0(src + 32 * b, p + 34 * b)
                    b += 1
                }
            }
        default:
            break
        }
    }

    /// Float32 to bfloat16 bits, round to nearest even (gguf-py's and PyTorch's rounding).
    @inline(__always)
    public static func f32ToBF16(_ value: Float) -> UInt16 {
        let n = value.bitPattern
        if n & 0x7fff_ffff > 0x7f80_0000 { return UInt16(truncatingIfNeeded: (n & 0xffff_0000 | 0x0040_0000) >> 16) }
        return UInt16(truncatingIfNeeded: (UInt64(n) + UInt64(0x7fff + ((n >> 16) & 1))) >> 16)
    }

    /// Float32 to IEEE half bits, round to nearest even, on the bits (`Float16(x)` is a libgcc call
    /// without F16C); overflow gives ±infinity, NaN the quiet NaN 0x7e00.
    @inline(__always)
    public static func f32ToF16(_ value: Float) -> UInt16 {
        var f = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (f & 0x8000_0000) >> 16)
        f &= 0x7fff_ffff
        let o: UInt32
        if f >= (127 + 16) << 23 {
            o = f > 0x7f80_0000 ? 0x7e00 : 0x7c00
        } else if f < 113 << 23 {
            // Zero or a half subnormal: adding 0.5 (as a float with the right exponent) rounds the mantissa.
            let magic: UInt32 = ((127 - 15) + (23 - 10) + 1) << 23
            o = (Float(bitPattern: f) + Float(bitPattern: magic)).bitPattern &- magic
        } else {
            let odd = (f >> 13) & 1
            o = (f &+ (UInt32(bitPattern: (15 - 127) << 23) &+ 0xfff) &+ odd) >> 13
        }
        return sign | UInt16(truncatingIfNeeded: o)
    }

    /// One Q8_0 block: 32 values to [d:f16][q:i8 x32]. Rounds half away from zero as C's roundf, the way
    /// gguf-py's np_roundf does: floor(a) + floor(2·(a − floor(a))) for a = |x|, signed back.
    @inline(__always)
    static func q8_0(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>) {
        var amax: Float = 0
        for j in 0..<32 { amax = max(amax, abs(x[j])) }
        let d = amax / 127
        let id: Float = d == 0 ? 0 : 1 / d
        putU16(out, 0, f32ToF16(d))
        guard amax.isFinite else {
            // Non-finite weights (never in a trained model) quantise to 0 rather than trapping.
            for j in 0..<32 { out[2 + j] = 0 }
            return
        }
        // floor and the integer value through 2^23 (exact below it): Swift's checked Float → Int
        // conversion made this loop 30x slower.
        let big: Float = 8_388_608
        for j in 0..<32 {
            let v = x[j] * id
            let a = v.magnitude                              // ≤ 127.00002
            let nearest = (a + big) - big
            let floored = nearest > a ? nearest - 1 : nearest
            let rounded = floored + (2 * (a - floored) >= 1 ? 1 : 0)
            let q = Int32(bitPattern: (rounded + big).bitPattern & 0x7f_ffff)
            out[2 + j] = UInt8(truncatingIfNeeded: v < 0 ? -q : q)
        }
    }

    @inline(__always)
    static func putU16(_ p: UnsafeMutablePointer<UInt8>, _ i: Int, _ v: UInt16) {
        p[i] = UInt8(truncatingIfNeeded: v)
        p[i + 1] = UInt8(truncatingIfNeeded: v >> 8)
    }
}
