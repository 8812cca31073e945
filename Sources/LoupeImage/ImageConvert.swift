/// Mode conversions with Pillow's integer formulas (libImaging/Convert.c), alpha premultiplication for
/// resizing, and compositing onto white (libImaging/AlphaComposite.c), which is how transformers turns
/// a picture with transparency into RGB.
extension Image {
    /// `img.convert(mode)`.
    public func converted(to target: Mode) throws -> Image {
        if target == mode { return self }
        let n = width * height, src = pixels, ob = target.bytesPerPixel
        var out = [UInt8](repeating: 0, count: n * ob)
        // one source pixel → (grey or r, g, b, alpha)
        let read: (Int) -> (UInt8, UInt8, UInt8, UInt8)
        switch mode {
        case .L: read = { i in (src[i], src[i], src[i], 255) }
        case .LA: read = { i in (src[2 * i], src[2 * i], src[2 * i], src[2 * i + 1]) }
        case .RGB: read = { i in (src[3 * i], src[3 * i + 1], src[3 * i + 2], 255) }
        case .RGBA: read = { i in (src[4 * i], src[4 * i + 1], src[4 * i + 2], src[4 * i + 3]) }
        case .I16:
            // values over 255 saturate (Pillow's I16_RGB / I16L_L)
            read = { i in
                let v = Int(src[2 * i]) | Int(src[2 * i + 1]) << 8
                let g = UInt8(min(v, 255))
                return (g, g, g, 255)
            }
        case .CMYK:
            read = { i in
                let nk = 255 - Int(src[4 * i + 3])
                func ink(_ v: UInt8) -> UInt8 { clip8(nk - mulDiv255(Int(v), nk)) }
                return (ink(src[4 * i]), ink(src[4 * i + 1]), ink(src[4 * i + 2]), 255)
            }
        }
        let greySource = mode == .L || mode == .LA || mode == .I16
        switch target {
        case .L, .LA:
            for i in 0..<n {
                let (r, g, b, a) = read(i)
                let l = greySource ? r : luma(r, g, b)
                out[i * ob] = l
                if target == .LA { out[i * ob + 1] = a }
            }
        case .RGB, .RGBA:
            for i in 0..<n {
                let (r, g, b, a) = read(i)
                out[i * ob] = r; out[i * ob + 1] = g; out[i * ob + 2] = b
                if target == .RGBA { out[i * ob + 3] = a }
            }
        case .CMYK, .I16:
            throw ImageError("convert: converting \(mode.rawValue) to \(target.rawValue) is not supported (use \"L\", \"LA\", \"RGB\" or \"RGBA\")")
        }
        return Image(width: width, height: height, mode: target, pixels: out)
    }

    /// RGB, with any transparency composited onto a white background: transformers' `convert_to_rgb`
    /// (`Image.alpha_composite(white, img.convert("RGBA")).convert("RGB")` for images with alpha).
    public func flattenedOnWhite() throws -> Image {
        guard mode.hasAlpha else { return try converted(to: .RGB) }
        let rgba = try converted(to: .RGBA)
        let n = width * height
        var out = [UInt8](repeating: 0, count: n * 3)
        let p = rgba.pixels
        for i in 0..<n {
            let a = UInt32(p[4 * i + 3])
            if a == 0 {
                out[3 * i] = 255; out[3 * i + 1] = 255; out[3 * i + 2] = 255
                continue
            }
            // AlphaComposite.c with the destination opaque white, 7 extra bits of precision
            let outA255 = a * 255
            let coef1 = a * 255 * 255 * 128 / outA255
            let coef2 = 255 * 128 - coef1
            for ch in 0..<3 {
                let t = UInt32(p[4 * i + ch]) * coef1 + 255 * coef2 + (0x80 << 7)
                out[3 * i + ch] = UInt8(truncatingIfNeeded: (((t >> 8) + t) >> 8) >> 7)
            }
        }
        return Image(width: width, height: height, mode: .RGB, pixels: out)
    }

    /// RGBA→RGBa / LA→La: colour times alpha / 255, rounded (Pillow's MULDIV255).
    func premultiplied() -> Image {
        let c = mode.bytesPerPixel
        var out = pixels
        for i in 0..<(width * height) {
            let a = Int(out[i * c + c - 1])
            for ch in 0..<(c - 1) { out[i * c + ch] = UInt8(mulDiv255(Int(out[i * c + ch]), a)) }
        }
        return Image(width: width, height: height, mode: mode, pixels: out)
    }

    /// RGBa→RGBA / La→LA: colour × 255 / alpha, truncated and clipped; alpha 0 and 255 unchanged.
    func unpremultiplied() -> Image {
        let c = mode.bytesPerPixel
        var out = pixels
        for i in 0..<(width * height) {
            let a = Int(out[i * c + c - 1])
            if a == 0 || a == 255 { continue }
            for ch in 0..<(c - 1) { out[i * c + ch] = clip8(255 * Int(out[i * c + ch]) / a) }
        }
        return Image(width: width, height: height, mode: mode, pixels: out)
    }
}

/// ITU-R 601-2 luma in 16-bit fixed point (Pillow's L24).
@inline(__always) func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    let sum: Int = Int(r) * 19595 + Int(g) * 38470 + Int(b) * 7471 + 0x8000
    return UInt8(sum >> 16)
}

/// a × b / 255 rounded, Pillow's MULDIV255.
@inline(__always) func mulDiv255(_ a: Int, _ b: Int) -> Int {
    let t = a * b + 128
    return ((t >> 8) + t) >> 8
}

/// Pillow's CLIP8.
@inline(__always) func clip8(_ v: Int) -> UInt8 { v <= 0 ? 0 : (v < 256 ? UInt8(v) : 255) }
