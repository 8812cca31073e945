import Foundation

/// Resizing as Pillow's `Image.resize` does it (libImaging/Resample.c, `ImagingResample`): a separable
/// convolution whose filter support widens by the scale factor when shrinking (antialiasing), the
/// horizontal pass first, then the vertical one, each rounding and clipping to 8 bits. Coefficients are
/// computed in double, normalised to sum 1, then turned into fixed point with 22 fractional bits
/// (PRECISION_BITS = 32 - 8 - 2); sums start at one half and are shifted back down.
/// Images with alpha are resized premultiplied (RGBA→RGBa→resize→RGBA), as Pillow does.
public enum ResampleFilter: String, Sendable, CaseIterable {
    case box, bilinear, hamming, bicubic, lanczos

    /// Half-width of the kernel at scale 1.
    var support: Double {
        switch self {
        case .box: 0.5
        case .bilinear, .hamming: 1
        case .bicubic: 2
        case .lanczos: 3
        }
    }

    func weight(_ x: Double) -> Double {
        switch self {
        case .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let x = abs(x)
            return x < 1 ? 1 - x : 0
        case .hamming:
            let x = abs(x)
            if x == 0 { return 1 }
            if x >= 1 { return 0 }
            let px = x * Double.pi
            // Pillow writes the window's constants as C floats
            return sin(px) / px * (Double(Float(0.54)) + Double(Float(0.46)) * cos(px))
        case .bicubic:
            // Keys' cubic convolution with a = -0.5
            let a = -0.5, x = abs(x)
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        case .lanczos:
            func sinc(_ x: Double) -> Double { x == 0 ? 1 : sin(x * Double.pi) / (x * Double.pi) }
            return -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0
        }
    }
}

/// Fixed-point kernels of one pass: for output i, `count[i]` weights from input `first[i]` on.
struct ResampleKernels {
    static let precisionBits = 32 - 8 - 2
    var first: [Int]     // [outSize]
    var count: [Int]     // [outSize]
    var weights: [Int]   // [outSize, width]
    var width: Int

    /// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for the whole input range.
    init(inSize: Int, outSize: Int, filter: ResampleFilter) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        width = Int(support.rounded(.up)) * 2 + 1
        first = [Int](repeating: 0, count: outSize)
        count = [Int](repeating: 0, count: outSize)
        weights = [Int](repeating: 0, count: outSize * width)
        var k = [Double](repeating: 0, count: width)
        let one = Double(1 << ResampleKernels.precisionBits)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let ss = 1 / filterScale
            // C's (int) cast truncates toward zero
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), inSize) - xmin
            var total = 0.0
            for x in 0..<xmax {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * ss)
                k[x] = w
                total += w
            }
            for x in 0..<xmax {
                if total != 0 { k[x] /= total }
                let v = k[x] * one
                weights[xx * width + x] = v < 0 ? Int(-0.5 + v) : Int(0.5 + v)
            }
            first[xx] = xmin
            count[xx] = max(xmax, 0)
        }
    }

    /// `clip8`: the sum (with its half already added) shifted down and clamped to 0…255.
    @inline(__always) static func clip8(_ sum: Int) -> UInt8 {
        let v = sum >> precisionBits
        return v < 0 ? 0 : (v > 255 ? 255 : UInt8(v))
    }
}

extension Image {
    /// `img.resize((width, height), resample)` with Pillow's numbers.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResampleFilter = .bicubic) throws -> Image {
        guard newWidth > 0, newHeight > 0 else {
            throw ImageError("resize: the size must be positive, not \(newWidth)×\(newHeight)")
        }
        guard newWidth.multipliedReportingOverflow(by: newHeight).partialValue <= Image.maxPixels,
              !newWidth.multipliedReportingOverflow(by: newHeight).overflow else {
            throw ImageError("resize: \(newWidth)×\(newHeight) is over the \(Image.maxPixels)-pixel limit")
        }
        guard mode != .I16 else {
            throw ImageError("resize: mode I;16 is not supported; convert(\"L\") or convert(\"RGB\") first")
        }
        if newWidth == width && newHeight == height { return self }
        if mode.hasAlpha {
            return premultiplied().resampled(width: newWidth, height: newHeight, filter: filter).unpremultiplied()
        }
        return resampled(width: newWidth, height: newHeight, filter: filter)
    }

    /// The two passes over every byte of the pixels (alpha, if any, already premultiplied).
    func resampled(width newWidth: Int, height newHeight: Int, filter: ResampleFilter) -> Image {
        let c = mode.bytesPerPixel
        let vertical = ResampleKernels(inSize: height, outSize: newHeight, filter: filter)
        var source = pixels, sourceWidth = width, rowOffset = 0
        if newWidth != width {
            // only the rows the vertical pass reads
            let firstRow = vertical.first[0]
            let lastRow = vertical.first[newHeight - 1] + vertical.count[newHeight - 1]
            let horizontal = ResampleKernels(inSize: width, outSize: newWidth, filter: filter)
            source = Image.resampleRows(pixels, width: width, rows: firstRow..<lastRow, channels: c,
                                        kernels: horizontal, outWidth: newWidth)
            sourceWidth = newWidth
            rowOffset = firstRow
        }
        if newHeight == height {
            return Image(width: newWidth, height: newHeight, mode: mode, pixels: source)
        }
        let out = Image.resampleColumns(source, width: sourceWidth, rowOffset: rowOffset, channels: c,
                                        kernels: vertical, outHeight: newHeight)
        return Image(width: newWidth, height: newHeight, mode: mode, pixels: out)
    }

    /// The horizontal pass over `rows` of an interleaved image. // [rows.count, outWidth, channels]
    static func resampleRows(_ src: [UInt8], width: Int, rows: Range<Int>, channels c: Int,
                             kernels: ResampleKernels, outWidth: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rows.count * outWidth * c)
        let half = 1 << (ResampleKernels.precisionBits - 1)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                kernels.weights.withUnsafeBufferPointer { w in
                    for (r, y) in rows.enumerated() {
                        let rowBase = y * width * c
                        for xx in 0..<outWidth {
                            let xmin = kernels.first[xx], n = kernels.count[xx], kb = xx * kernels.width
                            for ch in 0..<c {
                                var sum = half
                                for x in 0..<n { sum += Int(s[rowBase + (x + xmin) * c + ch]) * w[kb + x] }
                                o[(r * outWidth + xx) * c + ch] = ResampleKernels.clip8(sum)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The vertical pass; input row `first[i] - rowOffset` is kernel row `first[i]`. // [outHeight, width, channels]
    static func resampleColumns(_ src: [UInt8], width: Int, rowOffset: Int, channels c: Int,
                                kernels: ResampleKernels, outHeight: Int) -> [UInt8] {
        let rowBytes = width * c
        var out = [UInt8](repeating: 0, count: outHeight * rowBytes)
        let half = 1 << (ResampleKernels.precisionBits - 1)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                kernels.weights.withUnsafeBufferPointer { w in
                    for yy in 0..<outHeight {
                        let ymin = kernels.first[yy] - rowOffset, n = kernels.count[yy], kb = yy * kernels.width
                        for i in 0..<rowBytes {
                            var sum = half
                            for y in 0..<n { sum += Int(s[(y + ymin) * rowBytes + i]) * w[kb + y] }
                            o[yy * rowBytes + i] = ResampleKernels.clip8(sum)
                        }
                    }
                }
            }
        }
        return out
    }
}

/// A misuse of an image operation (bad size, unsupported mode), with what to do instead.
public struct ImageError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
