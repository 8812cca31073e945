/// Row · x dot products for K-quant super-blocks (256 elements = 8 x-blocks of 32), pair layout
/// (see `MatVecScratch`): a 16-byte load as `SIMD8<UInt16>` gives elements 2i (low byte) and 2i+1
/// (high byte) of a 16-element half. Element orders match `Dequant` (DequantK.swift).
extension QuantDot {
    /// Σ over 32 unsigned 4/5-bit values of one sub-block given as two halves of (lo-byte, hi-byte) lanes.
    @inline(__always)
    static func pairsDot(_ e0: SIMD8<Int16>, _ o0: SIMD8<Int16>, _ e1: SIMD8<Int16>, _ o1: SIMD8<Int16>,
                         _ s: MatVecScratch, _ xb: Int) -> SIMD4<Int32> {
        let at = xb * 32
        return widenSum(e0 &* xvec(s, at) &+ o0 &* xvec(s, at + 8))
            &+ widenSum(e1 &* xvec(s, at + 16) &+ o1 &* xvec(s, at + 24))
    }

    /// Q4_K (144 B): d, dmin, 12 B scales/mins, 128 B nibbles; sub-block j = 2g + k reads nibble k of
    /// bytes qs[32g ..< 32g+32]. w·x = Σ_j d·sc_j·xd·Σq·xq − dmin·mn_j·Σx.
    @inline(__always)
    static func q4_K(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        scaleMinK(w, cols: cols, s, blockBytes: 144, quantsAt: 16, fifthBits: false)
    }

    /// Q5_K (176 B): as Q4_K with 32 B qh before the nibbles; the 5th bit of element 32j + l is bit j of qh[l].
    @inline(__always)
    static func q5_K(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        scaleMinK(w, cols: cols, s, blockBytes: 176, quantsAt: 48, fifthBits: true)
    }

    /// The Q4_K/Q5_K super-block: d, dmin, 12 B of 6-bit scales and mins, (Q5_K) 32 B of 5th bits at
    /// byte 16, and 128 B of nibbles at `quantsAt`. Without 5th bits they read as zero.
    @inline(__always)
    static func scaleMinK(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch, blockBytes: Int, quantsAt: Int,
                          fifthBits: Bool) -> Float {
        var acc = SIMD4<Float>()
        var minSum: Float = 0
        for sb in 0..<(cols / 256) {
            let blk = w + sb * blockBytes
            let d = half(blk, 0), dmin = half(blk, 2)
            let sc = (blk + 4).assumingMemoryBound(to: UInt8.self)
            let h0 = fifthBits ? (blk + 16).loadUnaligned(as: SIMD8<UInt16>.self) : .zero
            let h1 = fifthBits ? (blk + 32).loadUnaligned(as: SIMD8<UInt16>.self) : .zero
            for g in 0..<4 {
                let v0 = (blk + quantsAt + 32 * g).loadUnaligned(as: SIMD8<UInt16>.self)
                let v1 = (blk + quantsAt + 16 + 32 * g).loadUnaligned(as: SIMD8<UInt16>.self)
                let j0 = UInt16(2 * g), j1 = UInt16(2 * g + 1)
                // 5th bits of sub-block j: bit j of the low byte (even element) and bit 8+j (odd).
                @inline(__always) func hb(_ h: SIMD8<UInt16>, _ j: UInt16, _ odd: Bool) -> SIMD8<UInt16> {
                    ((h &>> (odd ? j + 8 : j)) & 1) &<< 4
                }
                let xb = sb * 8 + 2 * g
                let lo = pairsDot(i16((v0 & 0xF) | hb(h0, j0, false)), i16(((v0 &>> 8) & 0xF) | hb(h0, j0, true)),
                                  i16((v1 & 0xF) | hb(h1, j0, false)), i16(((v1 &>> 8) & 0xF) | hb(h1, j0, true)), s, xb)
                let hi = pairsDot(i16(((v0 &>> 4) & 0xF) | hb(h0, j1, false)), i16((v0 &>> 12) | hb(h0, j1, true)),
                                  i16(((v1 &>> 4) & 0xF) | hb(h1, j1, false)), i16((v1 &>> 12) | hb(h1, j1, true)), s, xb + 1)
                let (s0, m0) = Dequant.scaleMinK4(sc, 2 * g)
                let (s1, m1) = Dequant.scaleMinK4(sc, 2 * g + 1)
                acc += i32ToFloat(lo) * (d * Float(s0) * s.xd[xb])
                acc += i32ToFloat(hi) * (d * Float(s1) * s.xd[xb + 1])
                minSum += dmin * (Float(m0) * s.xsum[xb] + Float(m1) * s.xsum[xb + 1])
            }
        }
        return acc.sum() - minSum
    }

    /// Q6_K (210 B): ql 128, qh 64, 16 signed scales (one per 16 elements), d. Chunk c = 4g + k
    /// (elements 32c ..< 32c+32): low 4 bits from ql[64g + 32(k&1) + l] >> 4(k>>1), high 2 bits from
    /// qh[32g + l] >> 2k; value − 32. Half h of a chunk has scale 2c + h.
    @inline(__always)
    static func q6_K(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD4<Float>()
        for sb in 0..<(cols / 256) {
            let blk = w + sb * 210
            let d = half(blk, 208)
            let scales = (blk + 192).assumingMemoryBound(to: Int8.self)
            for g in 0..<2 {
                for k in 0..<4 {
                    let c = 4 * g + k
                    let xb = sb * 8 + c
                    let ls = UInt16(4 * (k >> 1)), hs = UInt16(2 * k)
                    let dx = d * s.xd[xb]
                    for h in 0..<2 {
                        let ql = (blk + 64 * g + 32 * (k & 1) + 16 * h).loadUnaligned(as: SIMD8<UInt16>.self)
                        let qh = (blk + 128 + 32 * g + 16 * h).loadUnaligned(as: SIMD8<UInt16>.self)
                        let even = i16(((ql &>> ls) & 0xF) | (((qh &>> hs) & 3) &<< 4)) &- 32
                        let odd = i16(((ql &>> (ls + 8)) & 0xF) | (((qh &>> (hs + 8)) & 3) &<< 4)) &- 32
                        let at = xb * 32 + 16 * h
                        // Scale in float: a 32-bit vector multiply has no SSE2 instruction.
                        acc += i32ToFloat(widenSum(even &* xvec(s, at) &+ odd &* xvec(s, at + 8))) * (dx * Float(scales[2 * c + h]))
                    }
                }
            }
        }
        return acc.sum()
    }
}
