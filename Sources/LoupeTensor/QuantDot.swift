/// Row · x dot products on stored blocks for `QuantMatVec` (32-element formats and plain floats).
/// Integer products are formed in 16-bit lanes (|w·x| ≤ 128·127 fits) and summed in pairs into
/// 32-bit lanes, then scaled into a Float accumulator; one horizontal sum per row.
/// `s` holds x quantised per block of 32 (xq, xd, xsum); see `MatVecScratch`.
enum QuantDot {
    /// IEEE half to Float for finite values (normal and subnormal) without F16C: the magnitude bits
    /// shifted into a Float exponent field, rebased by 2^112. Inf/NaN scales never occur in valid blocks.
    @inline(__always)
    static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        let h = UInt32(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        let mag = Float(bitPattern: (h & 0x7FFF) << 13) * 0x1p112
        return (h & 0x8000) != 0 ? -mag : mag
    }

    /// 16 packed bytes -> 32 nibbles as Int16: low nibbles are elements 0..<16, high ones 16..<32.
    @inline(__always)
    static func nibbles(_ p: UnsafeRawPointer) -> SIMD32<Int16> {
        let v = p.loadUnaligned(as: SIMD16<UInt8>.self)
        return SIMD32<Int16>(lowHalf: SIMD16<Int16>(truncatingIfNeeded: v & 0x0F),
                             highHalf: SIMD16<Int16>(truncatingIfNeeded: v &>> 4))
    }

    /// Quantised x block b as Int16 lanes.
    @inline(__always)
    static func xq(_ s: MatVecScratch, _ b: Int) -> SIMD32<Int16> {
        SIMD32<Int16>(truncatingIfNeeded: UnsafeRawPointer(s.xq + b * 32).loadUnaligned(as: SIMD32<Int8>.self))
    }

    /// Lane i = a[i]·b[i] + a[i+16]·b[i+16] in Int32.
    @inline(__always)
    static func madd(_ a: SIMD32<Int16>, _ b: SIMD32<Int16>) -> SIMD16<Int32> {
        let p = a &* b
        return SIMD16<Int32>(truncatingIfNeeded: p.lowHalf) &+ SIMD16<Int32>(truncatingIfNeeded: p.highHalf)
    }

    /// Q4_1 block (20 B): d, m, 16 bytes of nibbles. w·x = d·xd·Σq·xq + m·Σx.
    @inline(__always)
    static func q4_1(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD16<Float>()
        var minSum: Float = 0
        for b in 0..<(cols / 32) {
            let blk = w + b * 20
            let d = half(blk, 0), m = half(blk, 2)
            acc += SIMD16<Float>(madd(nibbles(blk + 4), xq(s, b))) * (d * s.xd[b])
            minSum += m * s.xsum[b]
        }
        return acc.sum() + minSum
    }

    /// Q4_0 block (18 B): d, 16 bytes of nibbles (value nibble − 8).
    @inline(__always)
    static func q4_0(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD16<Float>()
        for b in 0..<(cols / 32) {
            let blk = w + b * 18
            let q = nibbles(blk + 2) &- 8
            acc += SIMD16<Float>(madd(q, xq(s, b))) * (half(blk, 0) * s.xd[b])
        }
        return acc.sum()
    }

    /// Q8_0 block (34 B): d, 32 signed bytes.
    @inline(__always)
    static func q8_0(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD16<Float>()
        for b in 0..<(cols / 32) {
            let blk = w + b * 34
            let q = SIMD32<Int16>(truncatingIfNeeded: (blk + 2).loadUnaligned(as: SIMD32<Int8>.self))
            acc += SIMD16<Float>(madd(q, xq(s, b))) * (half(blk, 0) * s.xd[b])
        }
        return acc.sum()
    }

    // MARK: plain floats (x used as is)

    @inline(__always)
    static func f32(_ w: UnsafeRawPointer, cols: Int, _ x: UnsafePointer<Float>) -> Float {
        Kernels.dot(w.assumingMemoryBound(to: Float.self), x, count: cols)
    }

    /// 16 halves -> Floats (finite values exact; see `half`).
    @inline(__always)
    static func halves(_ p: UnsafeRawPointer) -> SIMD16<Float> {
        let h = SIMD16<UInt32>(truncatingIfNeeded: p.loadUnaligned(as: SIMD16<UInt16>.self))
        let mag = unsafeBitCast((h & 0x7FFF) &<< 13, to: SIMD16<Float>.self) * 0x1p112
        return unsafeBitCast(unsafeBitCast(mag, to: SIMD16<UInt32>.self) | ((h & 0x8000) &<< 16), to: SIMD16<Float>.self)
    }

    @inline(__always)
    static func f16(_ w: UnsafeRawPointer, cols: Int, _ x: UnsafePointer<Float>) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= cols {
            acc += halves(w + 2 * i) * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var sum = acc.sum()
        while i < cols { sum += half(w, 2 * i) * x[i]; i += 1 }
        return sum
    }

    @inline(__always)
    static func bf16(_ w: UnsafeRawPointer, cols: Int, _ x: UnsafePointer<Float>) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= cols {
            let h = SIMD16<UInt32>(truncatingIfNeeded: (w + 2 * i).loadUnaligned(as: SIMD16<UInt16>.self))
            acc += unsafeBitCast(h &<< 16, to: SIMD16<Float>.self) * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var sum = acc.sum()
        while i < cols {
            sum += Float(bitPattern: UInt32(w.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16) * x[i]
            i += 1
        }
        return sum
    }
}
