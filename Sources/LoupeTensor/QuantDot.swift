/// Row · x dot products on stored blocks for `QuantMatVec` (32-element formats and plain floats).
///
/// Written for what Swift compiles well at the default x86-64/arm64 baseline: 128-bit SIMD lanes,
/// bitwise ops, `&*`/`&+`, and `unsafeBitCast` between same-size vectors. Generic SIMD conversions
/// (`SIMD16<Float>(intVector)`, `truncatingIfNeeded:`) are avoided: they compile to out-of-line
/// per-lane calls. Instead:
///   - bytes widen to 16-bit lanes for free by loading them as `SIMD8<UInt16>` and masking/shifting;
///   - 16-bit products (|w·x| ≤ 128·127, at most two summed) widen to 32-bit by bit-casting to
///     `SIMD4<Int32>` and adding the sign-extended low and high halves;
///   - Int32 → Float uses the 1.5·2^23 trick (exact for |v| < 2^22).
/// x is pre-quantised and permuted to match (see `MatVecScratch`).
enum QuantDot {
    /// IEEE half to Float for finite values (normal and subnormal) without F16C: the magnitude bits
    /// shifted into a Float exponent field, rebased by 2^112. Inf/NaN scales never occur in valid blocks.
    @inline(__always)
    static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        let h = UInt32(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        let mag = Float(bitPattern: (h & 0x7FFF) << 13) * 0x1p112
        return (h & 0x8000) != 0 ? -mag : mag
    }

    /// Vector form of `half` for four halves held in the low 16 bits of each lane.
    @inline(__always)
    static func halves(_ h: SIMD4<UInt32>) -> SIMD4<Float> {
        let mag = unsafeBitCast((h & 0x7FFF) &<< 13, to: SIMD4<Float>.self) * 0x1p112
        return unsafeBitCast(unsafeBitCast(mag, to: SIMD4<UInt32>.self) | ((h & 0x8000) &<< 16), to: SIMD4<Float>.self)
    }

    @inline(__always)
    static func i32ToFloat(_ v: SIMD4<Int32>) -> SIMD4<Float> {
        unsafeBitCast(v &+ 0x4B40_0000, to: SIMD4<Float>.self) - 12582912.0
    }

    /// Pairwise widening sum: lane j = p[2j] + p[2j+1] as Int32.
    @inline(__always)
    static func widenSum(_ p: SIMD8<Int16>) -> SIMD4<Int32> {
        let v = unsafeBitCast(p, to: SIMD4<Int32>.self)
        return ((v &<< 16) &>> 16) &+ (v &>> 16)
    }

    @inline(__always)
    static func i16(_ v: SIMD8<UInt16>) -> SIMD8<Int16> { unsafeBitCast(v, to: SIMD8<Int16>.self) }

    /// 8 lanes of x in pair layout.
    @inline(__always)
    static func xvec(_ s: MatVecScratch, _ at: Int) -> SIMD8<Int16> {
        UnsafeRawPointer(s.xPair + at).loadUnaligned(as: SIMD8<Int16>.self)
    }

    /// 8 lanes of x in nibble layout.
    @inline(__always)
    static func xvecN(_ s: MatVecScratch, _ at: Int) -> SIMD8<Int16> {
        UnsafeRawPointer(s.xNib + at).loadUnaligned(as: SIMD8<Int16>.self)
    }

    /// Σ nibble·xq over one 32-element block of 16 packed bytes, nibble layout; `bias` is subtracted
    /// from every nibble (8 for Q4_0, 0 for Q4_1). Four products of ≤ 15·127 fit in Int16.
    @inline(__always)
    static func nibbleBlockDot(_ qs: UnsafeRawPointer, _ s: MatVecScratch, _ b: Int, bias: Int16) -> SIMD4<Int32> {
        let v = qs.loadUnaligned(as: SIMD8<UInt16>.self)
        let x = b * 32
        let p = (i16(v & 0xF) &- bias) &* xvecN(s, x)
            &+ (i16((v &>> 4) & 0xF) &- bias) &* xvecN(s, x + 8)
            &+ (i16((v &>> 8) & 0xF) &- bias) &* xvecN(s, x + 16)
            &+ (i16(v &>> 12) &- bias) &* xvecN(s, x + 24)
        return widenSum(p)
    }

    /// Q4_1 block (20 B): d, m, 16 bytes of nibbles. w·x = d·xd·Σq·xq + m·Σx.
    @inline(__always)
    static func q4_1(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD4<Float>()
        var minSum: Float = 0
        for b in 0..<(cols / 32) {
            let blk = w + b * 20
            acc += i32ToFloat(nibbleBlockDot(blk + 4, s, b, bias: 0)) * (half(blk, 0) * s.xd[b])
            minSum += half(blk, 2) * s.xsum[b]
        }
        return acc.sum() + minSum
    }

    /// Q4_0 block (18 B): d, 16 bytes of nibbles (value nibble − 8).
    @inline(__always)
    static func q4_0(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD4<Float>()
        for b in 0..<(cols / 32) {
            let blk = w + b * 18
            acc += i32ToFloat(nibbleBlockDot(blk + 2, s, b, bias: 8)) * (half(blk, 0) * s.xd[b])
        }
        return acc.sum()
    }

    /// Σ over 16 signed bytes (pair layout half `h` of block `b`): low bytes pair with x[2i], high with x[2i+1].
    @inline(__always)
    static func signedBytesDot(_ q: UnsafeRawPointer, _ s: MatVecScratch, _ at: Int) -> SIMD4<Int32> {
        let v = i16(q.loadUnaligned(as: SIMD8<UInt16>.self))
        let lo = (v &<< 8) &>> 8, hi = v &>> 8
        return widenSum(lo &* xvec(s, at) &+ hi &* xvec(s, at + 8))
    }

    /// Q8_0 block (34 B): d, 32 signed bytes.
    @inline(__always)
    static func q8_0(_ w: UnsafeRawPointer, cols: Int, _ s: MatVecScratch) -> Float {
        var acc = SIMD4<Float>()
        for b in 0..<(cols / 32) {
            let blk = w + b * 34
            let isum = signedBytesDot(blk + 2, s, b * 32) &+ signedBytesDot(blk + 18, s, b * 32 + 16)
            acc += i32ToFloat(isum) * (half(blk, 0) * s.xd[b])
        }
        return acc.sum()
    }

    // MARK: plain floats (x used unquantised)

    @inline(__always)
    static func f32(_ w: UnsafeRawPointer, cols: Int, _ x: UnsafePointer<Float>) -> Float {
        var acc = SIMD4<Float>(), acc2 = SIMD4<Float>()
        var i = 0
        let xr = UnsafeRawPointer(x)
        while i + 8 <= cols {
            acc += w.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self) * xr.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
            acc2 += w.loadUnaligned(fromByteOffset: 4 * i + 16, as: SIMD4<Float>.self) * xr.loadUnaligned(fromByteOffset: 4 * i + 16, as: SIMD4<Float>.self)
            i += 8
        }
        var sum = (acc + acc2).sum()
        while i < cols { sum += w.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) * x[i]; i += 1 }
        return sum
    }

    /// IEEE halves: `halves` widens a lane's low or high 16 bits.
    @inline(__always)
    static func f16(_ w: UnsafeRawPointer, cols: Int, _ x: UnsafePointer<Float>, _ s: MatVecScratch) -> Float {
        sixteenBit(w, cols: cols, x, s, even: { halves($0 & 0xFFFF) }, odd: { halves($0 &>> 16) },
                   element: { half(w, 2 * $0) })
    }

    /// bfloat16: the upper half of a Float, so widening is a shift into place.
    @inline(__always)
    static func bf16(_ w: UnsafeRawPointer, cols: Int, _ x: UnsafePointer<Float>, _ s: MatVecScratch) -> Float {
        sixteenBit(w, cols: cols, x, s, even: { unsafeBitCast($0 &<< 16, to: SIMD4<Float>.self) },
                   odd: { unsafeBitCast($0 & 0xFFFF_0000, to: SIMD4<Float>.self) },
                   element: { Float(bitPattern: UInt32(w.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16) })
    }

    /// 8 16-bit floats per step: even elements in the low 16 bits of each 32-bit lane, odd in the high
    /// (x deinterleaved to match); `even`/`odd` widen them, `element` widens one of the tail.
    @inline(__always)
    static func sixteenBit(_ w: UnsafeRawPointer, cols: Int, _ x: UnsafePointer<Float>, _ s: MatVecScratch,
                           even: (SIMD4<UInt32>) -> SIMD4<Float>, odd: (SIMD4<UInt32>) -> SIMD4<Float>,
                           element: (Int) -> Float) -> Float {
        var acc = SIMD4<Float>()
        var i = 0
        let xf = UnsafeRawPointer(s.xf)
        while i + 8 <= cols {
            let v = w.loadUnaligned(fromByteOffset: 2 * i, as: SIMD4<UInt32>.self)
            acc += even(v) * xf.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
            acc += odd(v) * xf.loadUnaligned(fromByteOffset: 4 * i + 16, as: SIMD4<Float>.self)
            i += 8
        }
        var sum = acc.sum()
        while i < cols { sum += element(i) * x[i]; i += 1 }
        return sum
    }
}
