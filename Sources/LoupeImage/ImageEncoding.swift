import CImageCodecs
import LoupeTensor

extension Image {
    /// The picture as a PNG file (libpng), for reports and figures. CMYK is stored as RGB and I;16 as L,
    /// as Pillow converts them for display.
    public func pngData() throws -> [UInt8] {
        let shown: Image
        switch mode {
        case .CMYK: shown = try converted(to: .RGB)
        case .I16: shown = try converted(to: .L)
        default: shown = self
        }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var error = [CChar](repeating: 0, count: 256)
        let status = shown.pixels.withUnsafeBufferPointer { p in
            loupe_png_encode(p.baseAddress, Int32(width), Int32(height), Int32(shown.mode.bytesPerPixel),
                             &out, &size, &error, error.count)
        }
        defer { loupe_free(out) }
        guard status == 0, let out else {
            throw ImageError("cannot encode a PNG: " + String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// `np.array(img)`: [height, width] for L and I;16, else [height, width, bands], sample values as floats.
    public func tensor() -> Tensor {
        let bands = mode.bands
        var data = [Float](repeating: 0, count: width * height * bands)
        if mode == .I16 {
            for i in 0..<(width * height) { data[i] = Float(Int(pixels[2 * i]) | Int(pixels[2 * i + 1]) << 8) }
        } else {
            for i in 0..<pixels.count { data[i] = Float(pixels[i]) }
        }
        return Tensor(shape: bands == 1 ? [height, width] : [height, width, bands], data: data)
    }

    /// `Image.fromarray(a)` for a [height, width] (L), [height, width, 3] (RGB) or [height, width, 4]
    /// (RGBA) tensor of values 0…255, rounded and clipped.
    public init(tensor t: Tensor) throws {
        let s = t.shape
        let mode: Mode
        switch s.count == 2 ? 1 : (s.count == 3 ? s[2] : 0) {
        case 1: mode = .L
        case 2: mode = .LA
        case 3: mode = .RGB
        case 4: mode = .RGBA
        default: throw ImageError("an image needs a [height, width] or [height, width, 1…4] tensor, not \(s)")
        }
        let h = s[0], w = s[1]
        try Image.checkSize(width: w, height: h, bytesPerPixel: mode.bytesPerPixel, file: "tensor")
        let values = t.toArray()
        let bytes = values.map { v -> UInt8 in v.isNaN ? 0 : UInt8(max(0, min(255, v.rounded()))) }
        self.init(width: w, height: h, mode: mode, pixels: bytes)
    }
}
