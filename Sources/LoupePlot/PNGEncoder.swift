// A small PNG writer for rasters embedded in SVG. Layout (PNG spec, ISO/IEC 15948):
//   signature 89 50 4E 47 0D 0A 1A 0A
//   chunks: length (u32 BE) | type (4 ASCII) | data | CRC-32 (u32 BE, over type + data)
//   IHDR: width, height (u32 BE), bit depth 8, colour type (3 indexed / 6 RGBA), 0, 0, 0 (no interlace)
//   PLTE (+ tRNS) for indexed images; IDAT: zlib stream of rows, each prefixed by filter type 0 (None)
//   IEND.
// Whole-pixel upscaling repeats columns and rows; repeated rows compress to almost nothing.

enum PNGEncoder {
    static func indexed(width: Int, height: Int, indices: [UInt8], palette: [(UInt8, UInt8, UInt8)],
                        transparentIndex: Int?, scaleX: Int = 1, scaleY: Int = 1) -> [UInt8] {
        let (w, h, raw) = scaled(width: width, height: height, bytesPerPixel: 1, pixels: indices, sx: scaleX, sy: scaleY)
        var out = signature
        out += chunk("IHDR", ihdr(w, h, colorType: 3))
        var plte: [UInt8] = []
        for (r, g, b) in palette.prefix(256) { plte += [r, g, b] }
        out += chunk("PLTE", plte)
        if let t = transparentIndex, t < palette.count {
            var trns = [UInt8](repeating: 255, count: t + 1)
            trns[t] = 0
            out += chunk("tRNS", trns)
        }
        out += chunk("IDAT", Deflate.zlib(raw))
        out += chunk("IEND", [])
        return out
    }

    static func rgba(width: Int, height: Int, pixels: [UInt8], scaleX: Int = 1, scaleY: Int = 1) -> [UInt8] {
        let (w, h, raw) = scaled(width: width, height: height, bytesPerPixel: 4, pixels: pixels, sx: scaleX, sy: scaleY)
        var out = signature
        out += chunk("IHDR", ihdr(w, h, colorType: 6))
        out += chunk("IDAT", Deflate.zlib(raw))
        out += chunk("IEND", [])
        return out
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Filtered scanlines (filter byte 0 then the row), upscaled by sx × sy.
    static func scaled(width: Int, height: Int, bytesPerPixel bpp: Int, pixels: [UInt8], sx: Int, sy: Int) -> (Int, Int, [UInt8]) {
        let w = width * sx, h = height * sy
        var raw: [UInt8] = []
        raw.reserveCapacity((w * bpp + 1) * h)
        var line = [UInt8](repeating: 0, count: w * bpp)
        for i in 0..<height {
            for j in 0..<width {
                for k in 0..<sx { for c in 0..<bpp { line[(j * sx + k) * bpp + c] = pixels[(i * width + j) * bpp + c] } }
            }
            for _ in 0..<sy { raw.append(0); raw += line }
        }
        return (w, h, raw)
    }

    static func ihdr(_ w: Int, _ h: Int, colorType: UInt8) -> [UInt8] {
        be32(UInt32(w)) + be32(UInt32(h)) + [8, colorType, 0, 0, 0]
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let t = Array(type.utf8)
        return be32(UInt32(data.count)) + t + data + be32(CRC32.checksum(t + data))
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}

enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFFFFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFFFFFF
    }
}

enum Adler32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            let end = min(i + 5552, bytes.count)
            while i < end { a += UInt32(bytes[i]); b += a; i += 1 }
            a %= 65521; b %= 65521
        }
        return b << 16 | a
    }
}
