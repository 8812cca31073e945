import LoupeFormats

/// A picture as Pillow holds one after opening a file: a mode and rows of interleaved 8-bit samples
/// (16-bit for mode I;16). Palettes arrive expanded and transparency keys as an alpha channel, so the
/// pixels equal what Pillow's `convert("RGB")`/`convert("RGBA")` would give.
public struct Image: Sendable, Equatable {
    /// Pillow's mode names.
    public enum Mode: String, Sendable, CaseIterable {
        case L, LA, RGB, RGBA, CMYK
        /// 16-bit greyscale (a 16-bit grey PNG), two bytes a pixel, native byte order.
        case I16 = "I;16"

        /// Bytes a pixel.
        public var bytesPerPixel: Int {
            switch self {
            case .L: 1
            case .LA, .I16: 2
            case .RGB: 3
            case .RGBA, .CMYK: 4
            }
        }
        /// Values a pixel (what `np.array(img)` has in its last axis).
        public var bands: Int { self == .I16 ? 1 : bytesPerPixel }
        public var hasAlpha: Bool { self == .LA || self == .RGBA }
    }

    public let width: Int
    public let height: Int
    public let mode: Mode
    /// [height, width, bytesPerPixel] row-major
    public let pixels: [UInt8]

    public init(width: Int, height: Int, mode: Mode, pixels: [UInt8]) {
        precondition(pixels.count == width * height * mode.bytesPerPixel,
                     "Image: \(pixels.count) bytes for \(width)×\(height) \(mode.rawValue)")
        self.width = width
        self.height = height
        self.mode = mode
        self.pixels = pixels
    }

    /// Pillow's decompression-bomb limit (2 × `Image.MAX_IMAGE_PIXELS`): larger images are refused
    /// from the header, before any pixel memory is allocated.
    public static let maxPixels = 2 * 89_478_485

    /// `<image 640×480 RGB>`
    public var summary: String { "<image \(width)×\(height) \(mode.rawValue)>" }

    /// Sample `band` of pixel (x, y), 0…255 (0…65535 for I;16).
    public func value(x: Int, y: Int, band: Int) -> Int {
        let o = (y * width + x) * mode.bytesPerPixel
        if mode == .I16 { return Int(pixels[o]) | Int(pixels[o + 1]) << 8 }
        return Int(pixels[o + band])
    }

    /// Checks a size read from a header before anything is allocated for it.
    static func checkSize(width: Int, height: Int, bytesPerPixel: Int, file: String) throws {
        guard width > 0, height > 0 else {
            throw FormatError(.invalidValue, file: file, "the image is \(width)×\(height): it has no pixels")
        }
        let pixels = width.multipliedReportingOverflow(by: height)
        guard !pixels.overflow, pixels.partialValue <= maxPixels else {
            let bytes = Double(width) * Double(height) * Double(bytesPerPixel)
            throw FormatError(.tooLarge, file: file,
                              "the image is \(width)×\(height), which would need \(formatBytes(bytes)) to decode; "
                              + "images over \(maxPixels) pixels are refused (Pillow's decompression-bomb limit)")
        }
    }

    static func formatBytes(_ b: Double) -> String {
        if b >= 1e9 { return String(format: "%.1f GB", b / 1e9) }
        if b >= 1e6 { return String(format: "%.1f MB", b / 1e6) }
        return "\(Int(b)) bytes"
    }
}
