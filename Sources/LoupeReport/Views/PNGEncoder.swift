import Foundation

/// A minimal PNG writer (8-bit palette images, no filtering, stored deflate blocks) for the raster
/// inside static view fallbacks. Uncompressed is fine: fallbacks are pooled down to under a hundred
/// pixels a side, one byte per pixel.
enum PNGEncoder {
    /// `indices` is [height, width] palette indices, row-major; `palette` at most 256 colours.
    static func encode(width: Int, height: Int, indices: [UInt8], palette: [(UInt8, UInt8, UInt8)]) -> Data {
        precondition(indices.count == width * height, "PNGEncoder: \(indices.count) pixels, expected \(width * height)")
        var raw = [UInt8]()
        raw.reserveCapacity(height * (width + 1))
        for y in 0..<height {
            raw.append(0)  // filter type None
            raw.append(contentsOf: indices[(y * width)..<((y + 1) * width)])
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = [UInt8]()
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 3, 0, 0, 0]  // bit depth 8, colour type palette, deflate, no filter, no interlace
        png += chunk("IHDR", header)
        png += chunk("PLTE", palette.flatMap { [$0.0, $0.1, $0.2] })
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return png
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final: UInt8 = offset + length >= data.count ? 1 : 0
            out.append(final)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + bigEndian((b << 16) | a)
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> Data {
        let typeBytes = Array(type.utf8)
        var d = Data(bigEndian(UInt32(body.count)))
        d += typeBytes + body
        d += bigEndian(crc32(typeBytes + body))
        return d
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFFFFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFFFFFF
    }
}
