/// Reusable buffers for one-token matvecs: x prepared once per matvec in the lane order the row
/// kernels read weights in, so the kernels need no shuffles and no integer/float conversions (those
/// generic SIMD conversions don't inline in Swift; bit tricks on 128-bit lanes do, on any x86-64/arm64).
/// Create one per inference thread, sized for the widest input.
public final class MatVecScratch: @unchecked Sendable {
    public let maxCols: Int
    /// x rounded to 8-bit levels per block of 32 (values −127…127, stored as Int16), permuted:
    ///   xNib, nibble layout (Q4_0/Q4_1): [b*32 + n*8 + i] = xq[b*32 + (2i, 2i+16, 2i+1, 2i+17)[n]]
    ///   xPair, pair layout (Q8_0, K-quants): [b*32 + h*16 + n*8 + i] = xq[b*32 + 16h + 2i + n]
    let xNib: UnsafeMutablePointer<Int16>
    let xPair: UnsafeMutablePointer<Int16>
    ///   xBytes, byte layout (the VNNI kernels of quant_dot.c): [i] = xq[i] in natural order
    let xBytes: UnsafeMutablePointer<Int8>
    let xsum16: UnsafeMutablePointer<Float> // [cols/16] Σ xq over 16 elements (byte layout; integers)
    let xd: UnsafeMutablePointer<Float>     // [cols/32] block scale max|x| / 127
    let xsum: UnsafeMutablePointer<Float>   // [cols/32] Σ x over the block (exact floats, for min terms)
    /// x as floats, evens then odds per group of 8 (for F16/BF16 rows): [8g + i] = x[8g + 2i], [8g+4+i] = x[8g+2i+1].
    let xf: UnsafeMutablePointer<Float>

    public init(maxCols: Int) {
        self.maxCols = maxCols
        let n = max(32, (maxCols + 31) / 32 * 32)
        xNib = .allocate(capacity: n)
        xPair = .allocate(capacity: n)
        xBytes = .allocate(capacity: n)
        xsum16 = .allocate(capacity: n / 16)
        xd = .allocate(capacity: n / 32)
        xsum = .allocate(capacity: n / 32)
        xf = .allocate(capacity: n)
    }

    deinit { xNib.deallocate(); xPair.deallocate(); xBytes.deallocate(); xsum16.deallocate(); xd.deallocate(); xsum.deallocate(); xf.deallocate() }

    enum Layout { case nibbles, pairs, bytes }

    /// Quantises x[cols] (cols a multiple of 32) into `xNib`, `xPair` or `xBytes` (+ `xsum16`), and
    /// `xd`/`xsum` (identical for all layouts).
    func quantize(_ x: UnsafePointer<Float>, cols: Int, layout: Layout) {
        for b in 0..<(cols / 32) {
            let xb = x + b * 32
            var amax: Float = 0, sum: Float = 0
            for e in 0..<32 { let v = xb[e]; amax = Swift.max(amax, v < 0 ? -v : v); sum += v }
            let d = amax / 127
            let id: Float = d == 0 ? 0 : 1 / d
            xd[b] = d
            xsum[b] = sum
            let o = (layout == .nibbles ? xNib : xPair) + b * 32
            // Round half to even by adding 1.5·2^23 (|x·id| ≤ 127): the integer sits in the low mantissa bits.
            @inline(__always) func q(_ e: Int) -> Int16 {
                Int16(truncatingIfNeeded: Int32(bitPattern: (xb[e] * id + 12582912.0).bitPattern) &- 0x4B40_0000)
            }
            switch layout {
            case .nibbles:
                for i in 0..<8 {
                    o[i] = q(2 * i); o[8 + i] = q(2 * i + 16); o[16 + i] = q(2 * i + 1); o[24 + i] = q(2 * i + 17)
                }
            case .bytes:
                let ob = xBytes + b * 32
                for half in 0..<2 {
                    var s16: Int16 = 0
                    for e in (16 * half)..<(16 * half + 16) { let v = q(e); ob[e] = Int8(truncatingIfNeeded: v); s16 &+= v }
                    xsum16[2 * b + half] = Float(s16)
                }
            case .pairs:
                for h in 0..<2 { for i in 0..<8 {
                    o[16 * h + i] = q(16 * h + 2 * i)
                    o[16 * h + 8 + i] = q(16 * h + 2 * i + 1)
                } }
            }
        }
    }

    /// Copies x into `xf` as evens/odds per group of 8 (the tail beyond a multiple of 8 is read from x).
    func deinterleave(_ x: UnsafePointer<Float>, cols: Int) {
        for g in 0..<(cols / 8) {
            for i in 0..<4 {
                xf[8 * g + i] = x[8 * g + 2 * i]
                xf[8 * g + 4 + i] = x[8 * g + 2 * i + 1]
            }
        }
    }
}
