/// Row · x dot products for K-quant super-blocks (256 elements = 8 x-blocks of 32).
/// Element orders match `Dequant` (DequantK.swift); see it for the byte layouts.
extension QuantDot {
    /// Q4_K (144 B): d, dmin, 12 B scales/mins, 128 B nibbles; sub-block j = 2g + k uses
    /// bytes qs[32g ..< 32g+32] (low nibble k = 0, high k = 1). w·x = Σ_j d·sc_j·xd·Σq·xq − dmin·mn_j·Σx.
    @inline(__always)
    static func q4_K(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD16<Float>()
        var minSum: Float = 0
        for sb in 0..<(cols / 256) {
            let blk = w + sb * 144
            let d = half(blk, 0), dmin = half(blk, 2)
            let sc = (blk + 4).assumingMemoryBound(to: UInt8.self)
            for g in 0..<4 {
                let v = (blk + 16 + 32 * g).loadUnaligned(as: SIMD32<UInt8>.self)
                let lo = SIMD32<Int16>(truncatingIfNeeded: v & 0x0F)
                let hi = SIMD32<Int16>(truncatingIfNeeded: v &>> 4)
                let xb = sb * 8 + 2 * g
                let (s0, m0) = Dequant.scaleMinK4(sc, 2 * g)
                let (s1, m1) = Dequant.scaleMinK4(sc, 2 * g + 1)
                acc += SIMD16<Float>(madd(lo, xq(s, xb))) * (d * Float(s0) * s.xd[xb])
                acc += SIMD16<Float>(madd(hi, xq(s, xb + 1))) * (d * Float(s1) * s.xd[xb + 1])
                minSum += dmin * (Float(m0) * s.xsum[xb] + Float(m1) * s.xsum[xb + 1])
            }
        }
        return acc.sum() - minSum
    }

    /// Q5_K (176 B): as Q4_K plus a 5th bit of element 32j + l at bit j of qh[l].
    @inline(__always)
    static func q5_K(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD16<Float>()
        var minSum: Float = 0
        for sb in 0..<(cols / 256) {
            let blk = w + sb * 176
            let d = half(blk, 0), dmin = half(blk, 2)
            let sc = (blk + 4).assumingMemoryBound(to: UInt8.self)
            let qh = (blk + 16).loadUnaligned(as: SIMD32<UInt8>.self)
            for g in 0..<4 {
                let v = (blk + 48 + 32 * g).loadUnaligned(as: SIMD32<UInt8>.self)
                let j0 = UInt8(2 * g), j1 = UInt8(2 * g + 1)
                let lo = SIMD32<Int16>(truncatingIfNeeded: (v & 0x0F) | (((qh &>> j0) & 1) &<< 4))
                let hi = SIMD32<Int16>(truncatingIfNeeded: (v &>> 4) | (((qh &>> j1) & 1) &<< 4))
                let xb = sb * 8 + 2 * g
                let (s0, m0) = Dequant.scaleMinK4(sc, 2 * g)
                let (s1, m1) = Dequant.scaleMinK4(sc, 2 * g + 1)
                acc += SIMD16<Float>(madd(lo, xq(s, xb))) * (d * Float(s0) * s.xd[xb])
                acc += SIMD16<Float>(madd(hi, xq(s, xb + 1))) * (d * Float(s1) * s.xd[xb + 1])
                minSum += dmin * (Float(m0) * s.xsum[xb] + Float(m1) * s.xsum[xb + 1])
            }
        }
        return acc.sum() - minSum
    }

    /// Q6_K (210 B): ql 128, qh 64, 16 signed scales (one per 16 elements), d. Chunk c = 4g + k
    /// (elements 32c ..< 32c+32): low 4 bits from ql[64g + 32(k&1) + l] >> 4(k>>1), high 2 bits from
    /// qh[32g + l] >> 2k; value − 32. The two halves of a chunk have separate scales.
    @inline(__always)
    static func q6_K(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD16<Float>()
        for sb in 0..<(cols / 256) {
            let blk = w + sb * 210
            let d = half(blk, 208)
            let scales = (blk + 192).assumingMemoryBound(to: Int8.self)
            for g in 0..<2 {
                let qh = (blk + 128 + 32 * g).loadUnaligned(as: SIMD32<UInt8>.self)
                for k in 0..<4 {
                    let ql = (blk + 64 * g + 32 * (k & 1)).loadUnaligned(as: SIMD32<UInt8>.self)
                    let lo4 = (ql &>> UInt8(4 * (k >> 1))) & 0x0F
                    let hi2 = (qh &>> UInt8(2 * k)) & 0x03
                    let q = SIMD32<Int16>(truncatingIfNeeded: lo4 | (hi2 &<< 4)) &- 32
                    let c = 4 * g + k
                    let xb = sb * 8 + c
                    let p = q &* xq(s, xb)
                    let sum = SIMD16<Int32>(truncatingIfNeeded: p.lowHalf) &* Int32(scales[2 * c])
                        &+ SIMD16<Int32>(truncatingIfNeeded: p.highHalf) &* Int32(scales[2 * c + 1])
                    acc += SIMD16<Float>(sum) * (d * s.xd[xb])
                }
            }
        }
        return acc.sum()
    }
}
