import Foundation
import LoupeImage
import LoupeInterpreter
import LoupeNotebook
import LoupeTensor

/// A picture in Loupe code (Pillow's `Image`): `<image 640×480 RGB>` as text, the picture itself in a
/// report (an SVG wrapping the PNG), pixels through `tensor(img)` / `np.array(img)`.
final class ImageObject: HostObject, TensorConvertible {
    let typeName = "Image"
    let image: Image
    /// "JPEG" or "PNG" for a picture read from a file (Pillow's `img.format`).
    let format: String?
    /// The path it was read from, as given (Pillow's `img.filename`); "" for a picture made in code.
    let filename: String

    init(_ image: Image, format: String? = nil, filename: String = "") {
        self.image = image
        self.format = format
        self.filename = filename
    }

    func repr() -> String { image.summary }

    func asTensor() throws -> TensorValue { TensorValue(image.tensor(), kind: .int) }

    /// Shown as a figure: in a report the picture, in a terminal the saved file.
    func display() -> CellOutput? {
        guard let svg = try? ImageObject.svg(image) else { return .value(repr()) }
        return .figure(svg: svg, name: "image-\(image.width)x\(image.height)-\(image.mode.rawValue)")
    }

    /// Pictures wider than this are shown scaled down (the PNG keeps its pixels up to `maxEmbedded`).
    static let maxShownWidth = 768
    /// Larger pictures are resized (Pillow's bicubic) before being embedded, to keep reports small.
    static let maxEmbedded = 1536

    /// The PNG bytes embedded for a picture.
    static func embeddedPNG(_ image: Image) throws -> [UInt8] {
        var shown = image
        let longest = max(image.width, image.height)
        if longest > maxEmbedded {
            let scale = Double(maxEmbedded) / Double(longest)
            shown = try image.resized(width: max(1, Int((Double(image.width) * scale).rounded())),
                                      height: max(1, Int((Double(image.height) * scale).rounded())))
        }
        return try shown.pngData()
    }

    /// An SVG document showing the picture at its size (at most `maxShownWidth` wide).
    static func svg(_ image: Image) throws -> String {
        let data = Data(try embeddedPNG(image)).base64EncodedString()
        let w = min(image.width, maxShownWidth)
        let h = Int((Double(image.height) * Double(w) / Double(image.width)).rounded())
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
            + "width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(image.width) \(image.height)\">"
            + "<title>\(image.width)×\(image.height) \(image.mode.rawValue)</title>"
            + "<image width=\"\(image.width)\" height=\"\(image.height)\" preserveAspectRatio=\"none\" "
            + "xlink:href=\"data:image/png;base64,\(data)\"/></svg>"
    }

    var memberNames: [String] { ["size", "width", "height", "mode", "format", "filename", "convert", "resize", "save"] }

    var help: String {
        """
        Image: a picture (Pillow's Image). img.size (width, height), img.width, img.height, img.mode ("RGB", "L", …),
        img.format, img.filename; img.convert("RGB"), img.resize((w, h)) (bicubic, Pillow's numbers), img.save("x.png");
        tensor(img) / np.array(img) gives the pixels [height, width, channels]; imshow(img) draws it.
        """
    }
}

extension Library {
    /// What a terminal shows for a value whose display is a picture: its one line (`<image 451×300 RGB>`),
    /// where a report shows the picture itself; nil for every other value.
    public static func terminalText(_ value: Value) -> String? {
        if case .host(let h as ImageObject) = value { return h.repr() }
        return nil
    }
}

/// An image processor configured by a model folder: `processor.preprocess(img)` gives pixel_values.
final class ImageProcessorObject: HostObject {
    let typeName = "ImageProcessor"
    let processor: CLIPImageProcessor
    let source: String

    init(_ processor: CLIPImageProcessor, source: String) {
        self.processor = processor
        self.source = source
    }

    func repr() -> String {
        let size: String
        switch processor.size {
        case .shortestEdge(let e): size = "shortest edge \(e)"
        case .exact(let h, let w): size = "\(w)×\(h)"
        }
        return "<ImageProcessor CLIP: \(size), \(processor.resample.rawValue), crop \(processor.cropWidth)×\(processor.cropHeight) (\(source))>"
    }

    var memberNames: [String] { ["preprocess"] }
    var help: String { "ImageProcessor: transformers' CLIPImageProcessor from \(source); p.preprocess(img) → pixel_values [3, H, W]." }
}
