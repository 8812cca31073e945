/// K-quant blocks (256 elements, "super-blocks" of 16 or 8 sub-blocks), as ggml-common.h lays them out:
///   Q2_K [scales:u8 x16 (lo 4 bits scale, hi 4 bits min)][qs:u8 x64 (2-bit)][d:f16][dmin:f16]       84 B
///        x = (d*sc) * q - (dmin*mn), sub-block of 16
///   Q3_K [hmask:u8 x32][qs:u8 x64 (2-bit)][scales: 12 B, 16 x 6-bit][d:f16]                          110 B
///        x = (d*(sc-32)) * (q2 - 4*(1-hbit)), sub-block of 16
///   Q4_K [d:f16][dmin:f16][scales: 12 B, 8 x 6-bit scale + 8 x 6-bit min][qs:u8 x128 (4-bit)]        144 B
///        x = (d*sc) * q - (dmin*mn), sub-block of 32
///   Q5_K [d:f16][dmin:f16][scales: 12 B as Q4_K][qh:u8 x32][qs:u8 x128]                             176 B
///   Q6_K [ql:u8 x128][qh:u8 x64][scales:i8 x16][d:f16]                                              210 B
///        x = (d*sc) * (q6 - 32), sub-block of 16
/// Index patterns follow gguf-py's numpy reshapes (quoted per type) so results are bit-exact.
extension Dequant {
    /// Q4_K/Q5_K 6-bit scale and min of sub-block `j` (0..<8) from the 12 packed bytes:
    ///   0..3: EEAAAAAA (sc 0..3 low 6, sc 4..7 high 2)   4..7: eeaaaaaa (mn 0..3, mn 4..7 high 2)
    ///   8..11: eeeeEEEE (sc 4..7 low 4, mn 4..7 low 4)
    @inline(__always)
    static func scaleMinK4(_ s: UnsafePointer<UInt8>, _ j: Int) -> (sc: UInt8, mn: UInt8) {
        if j < 4 {
            return (s[j] & 0x3F, s[j + 4] & 0x3F)
        }
        let sc = (s[j + 4] & 0x0F) | ((s[j - 4] >> 2) & 0x30)
        let mn = (s[j + 4] >> 4) | ((s[j] >> 2) & 0x30)
        return (sc, mn)
    }

    /// qs.reshape(-1,1,32) >> [0,2,4,6]: element g*128 + k*32 + l = (qs[g*32+l] >> 2k) & 3.
    @inline(__always)
    static func q2_K(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        let scales = b, qs = b + 16
        let d = HalfFloat.f16(b, 80)
        let dmin = HalfFloat.f16(b, 82)
        for g in 0..<2 {
            for k in 0..<4 {
                for l in 0..<32 {
                    let i = g * 128 + k * 32 + l
                    let sc = scales[i >> 4]
                    let dl = d * Float(sc & 0x0F)
                    let ml = dmin * Float(sc >> 4)
                    let q = Float((qs[g * 32 + l] >> UInt8(2 * k)) & 3)
                    y[i] = dl * q - ml
                }
            }
        }
    }

    /// Scales: 16 x 6 bits; low 4 bits in bytes 0..7 (nibble i/8), high 2 bits in bytes 8..11 (pair i/4).
    /// q2 like Q2_K; hbit j*32+l = (hmask[l] >> j) & 1.
    @inline(__always)
    static func q3_K(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        let hmask = b, qs = b + 32, s = b + 96
        let d = HalfFloat.f16(b, 108)
        for g in 0..<2 {
            for k in 0..<4 {
                for l in 0..<32 {
                    let i = g * 128 + k * 32 + l
                    let sb = i >> 4
                    let lo = (s[sb & 7] >> UInt8(4 * (sb >> 3))) & 0x0F
                    let hi = (s[8 + (sb & 3)] >> UInt8(2 * (sb >> 2))) & 0x03
                    let dl = d * Float(Int(lo | (hi << 4)) - 32)
                    let q2 = Int((qs[g * 32 + l] >> UInt8(2 * k)) & 3)
                    let h = Int((hmask[l] >> UInt8(i >> 5)) & 1)
                    y[i] = dl * Float(q2 - ((h ^ 1) << 2))
                }
            }
        }
    }

    /// qs.reshape(-1,1,32) >> [0,4]: element g*64 + k*32 + l = (qs[g*32+l] >> 4k) & 15, sub-block g*2+k.
    @inline(__always)
    static func q4_K(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        scaleMinK(b, y, qs: b + 16, qh: nil)
    }

    /// Low 4 bits as Q4_K; 5th bit of element j*32+l = (qh[l] >> j) & 1.
    @inline(__always)
    static func q5_K(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        scaleMinK(b, y, qs: b + 48, qh: b + 16)
    }

    /// The Q4_K/Q5_K super-block: d, dmin, 6-bit scales and mins at byte 4, 4-bit quants `qs` and (Q5_K)
    /// their 5th bits `qh`. Element j*32+l of sub-block j = d·sc_j·q − dmin·mn_j.
    @inline(__always)
    static func scaleMinK(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>, qs: UnsafePointer<UInt8>,
                          qh: UnsafePointer<UInt8>?) {
        let d = HalfFloat.f16(b, 0)
        let dmin = HalfFloat.f16(b, 2)
        let s = b + 4
        for g in 0..<4 {
            for k in 0..<2 {
                let j = g * 2 + k
                let (sc, mn) = scaleMinK4(s, j)
                let dj = d * Float(sc)
                let mj = dmin * Float(mn)
                for l in 0..<32 {
                    let lo = (qs[g * 32 + l] >> UInt8(4 * k)) & 0x0F
                    let hi = qh.map { ($0[l] >> UInt8(j)) & 1 } ?? 0
                    y[j * 32 + l] = dj * Float(lo | (hi << 4)) - mj
                }
            }
        }
    }

    /// ql.reshape(-1,1,64) >> [0,4]: element g*128 + k*64 + l = (ql[g*64+l] >> 4k) & 15;
    /// qh.reshape(-1,1,32) >> [0,2,4,6]: element g*128 + k*32 + l = (qh[g*32+l] >> 2k) & 3.
    @inline(__always)
    static func q6_K(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
        let ql = b, qh = b + 128, sc = b + 192
        let d = HalfFloat.f16(b, 208)
        for g in 0..<2 {
            for l in 0..<128 {
                let i = g * 128 + l
                let lo = (ql[g * 64 + (l & 63)] >> UInt8(4 * (l >> 6))) & 0x0F
                let hi = (qh[g * 32 + (l & 31)] >> UInt8(2 * (l >> 5))) & 0x03
                let q = Int(lo | (hi << 4)) - 32
                let dl = d * Float(Int8(bitPattern: sc[i >> 4]))
                y[i] = dl * Float(q)
            }
        }
    }
}
