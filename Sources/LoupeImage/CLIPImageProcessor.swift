import Foundation
import LoupeFormats
import LoupeTensor

/// transformers' `CLIPImageProcessor` with its PIL backend (the one used without torchvision), as a
/// model folder's `preprocessor_config.json` configures it: RGB (transparency composited onto white),
/// resize of the shortest edge with Pillow's filter, centre crop, rescale, normalise, channels first.
/// `preprocess(image)` gives the model's `pixel_values` for one picture. // [3, crop height, crop width]
public struct CLIPImageProcessor: Sendable, Equatable {
    public enum Size: Sendable, Equatable {
        case shortestEdge(Int)
        case exact(height: Int, width: Int)
    }

    public var doConvertRGB = true
    public var doResize = true
    public var size: Size = .shortestEdge(224)
    public var resample: ResampleFilter = .bicubic
    public var doCenterCrop = true
    public var cropHeight = 224, cropWidth = 224
    public var doRescale = true
    public var rescaleFactor = 1.0 / 255.0
    public var doNormalize = true
    public var imageMean: [Double] = [0.48145466, 0.4578275, 0.40821073]   // OPENAI_CLIP_MEAN
    public var imageStd: [Double] = [0.26862954, 0.26130258, 0.27577711]    // OPENAI_CLIP_STD

    public init() {}

    /// From a model folder (its `preprocessor_config.json`, else `processor_config.json`) or a config file.
    public init(configURL url: URL) throws {
        var file = url
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
            let candidates = ["preprocessor_config.json", "processor_config.json"].map { url.appendingPathComponent($0) }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
                throw FormatError(.notFound, file: url.path, "no preprocessor_config.json or processor_config.json in this folder")
            }
            file = found
        }
        var json = try JSONValue.load(file)
        // processor_config.json may hold the image processor's settings under "image_processor"
        if let inner = json["image_processor"], inner.object != nil { json = inner }
        try self.init(json: json, file: file.path)
    }

    public init(json: JSONValue, file: String) throws {
        guard json.object != nil else { throw FormatError(.invalidJSON, file: file, "the preprocessor config must be a JSON object") }
        func bool(_ key: String, _ current: Bool) throws -> Bool {
            guard let v = json[key], !v.isNull else { return current }
            guard let b = v.bool else { throw FormatError(.invalidValue, file: file, item: key, "must be true or false, not \(v)") }
            return b
        }
        func number(_ key: String) throws -> Double? {
            guard let v = json[key], !v.isNull else { return nil }
            guard let d = v.double else { throw FormatError(.invalidValue, file: file, item: key, "must be a number, not \(v)") }
            return d
        }
        func triple(_ key: String) throws -> [Double]? {
            guard let v = json[key], !v.isNull else { return nil }
            if let d = v.double { return [d, d, d] }
            guard let a = v.array, a.count == 3, a.allSatisfy({ $0.double != nil }) else {
                throw FormatError(.invalidValue, file: file, item: key, "must be a number or 3 numbers (one per channel), not \(v)")
            }
            return a.compactMap(\.double)
        }
        func positive(_ v: JSONValue?, _ key: String) throws -> Int {
            guard let n = v?.int, n > 0 else {
                throw FormatError(.invalidValue, file: file, item: key, "must be a positive integer, not \(v.map { "\($0)" } ?? "missing")")
            }
            return n
        }
        if let t = json["image_processor_type"]?.string, !t.hasPrefix("CLIPImageProcessor") {
            throw FormatError(.unsupportedType, file: file, item: "image_processor_type",
                              "is \(t); only CLIPImageProcessor's preprocessing is implemented")
        }
        doConvertRGB = try bool("do_convert_rgb", doConvertRGB)
        doResize = try bool("do_resize", doResize)
        doCenterCrop = try bool("do_center_crop", doCenterCrop)
        doRescale = try bool("do_rescale", doRescale)
        doNormalize = try bool("do_normalize", doNormalize)
        if let s = json["size"], !s.isNull {
            if s.int != nil { size = .shortestEdge(try positive(s, "size")) }
            else if let e = s["shortest_edge"] {
                if let l = s["longest_edge"], !l.isNull {
                    throw FormatError(.unsupportedType, file: file, item: "size", "shortest_edge with longest_edge is not supported")
                }
                size = .shortestEdge(try positive(e, "size.shortest_edge"))
            } else if s["height"] != nil || s["width"] != nil {
                size = .exact(height: try positive(s["height"], "size.height"), width: try positive(s["width"], "size.width"))
            } else {
                throw FormatError(.invalidValue, file: file, item: "size", "must be an integer, {\"shortest_edge\": n} or {\"height\": h, \"width\": w}, not \(s)")
            }
        }
        if let c = json["crop_size"], !c.isNull {
            if c.int != nil { cropHeight = try positive(c, "crop_size"); cropWidth = cropHeight }
            else { cropHeight = try positive(c["height"], "crop_size.height"); cropWidth = try positive(c["width"], "crop_size.width") }
        }
        if let r = json["resample"], !r.isNull {
            // PIL.Image.Resampling's numbers
            let filters: [Int: ResampleFilter] = [1: .lanczos, 2: .bilinear, 3: .bicubic, 4: .box, 5: .hamming]
            guard let n = r.int, let f = filters[n] else {
                throw FormatError(.unsupportedType, file: file, item: "resample",
                                  "is \(r); supported: 1 (LANCZOS), 2 (BILINEAR), 3 (BICUBIC), 4 (BOX), 5 (HAMMING)")
            }
            resample = f
        }
        if let f = try number("rescale_factor") { rescaleFactor = f }
        if let m = try triple("image_mean") { imageMean = m }
        if let s = try triple("image_std") {
            guard s.allSatisfy({ $0 != 0 }) else { throw FormatError(.invalidValue, file: file, item: "image_std", "must not contain 0") }
            imageStd = s
        }
    }

    /// transformers' `get_resize_output_image_size(default_to_square=False)`: the shortest edge becomes
    /// `edge`, the other keeps the aspect ratio, truncated. Returns (height, width).
    public static func shortestEdgeSize(height: Int, width: Int, edge: Int) -> (Int, Int) {
        let (short, long) = width <= height ? (width, height) : (height, width)
        let newLong = Int(Double(edge * long) / Double(short))
        return width <= height ? (newLong, edge) : (edge, newLong)
    }

    /// The picture after conversion, resize and crop, before rescaling: what the model sees, as 8 bits.
    public func preparedImage(_ image: Image) throws -> Image {
        var img = image
        if doConvertRGB { img = try img.flattenedOnWhite() }
        guard img.mode == .RGB else {
            throw ImageError("preprocess: the image is \(img.mode.rawValue); with do_convert_rgb false it must already be RGB")
        }
        if doResize {
            let (h, w): (Int, Int)
            switch size {
            case .shortestEdge(let e): (h, w) = CLIPImageProcessor.shortestEdgeSize(height: img.height, width: img.width, edge: e)
            case .exact(let eh, let ew): (h, w) = (eh, ew)
            }
            img = try img.resized(width: w, height: h, filter: resample)
        }
        if doCenterCrop { img = CLIPImageProcessor.centerCrop(img, height: cropHeight, width: cropWidth) }
        return img
    }

    /// `pixel_values[0]` for one picture. // [3, height, width]
    public func preprocess(_ image: Image) throws -> Tensor {
        let img = try preparedImage(image)
        let h = img.height, w = img.width, plane = h * w
        var data = [Float](repeating: 0, count: 3 * plane)
        let mean = imageMean.map { Float($0) }, std = imageStd.map { Float($0) }
        for i in 0..<plane {
            for c in 0..<3 {
                let u = Double(img.pixels[3 * i + c])
                // rescale in double then float32 (transformers' rescale), normalise in float32
                var v = doRescale ? Float(u * rescaleFactor) : Float(u)
                if doNormalize { v = (v - mean[c]) / std[c] }
                data[c * plane + i] = v
            }
        }
        return Tensor(shape: [3, h, w], data: data)
    }

    /// transformers' `center_crop`: top = (H - h) // 2, left = (W - w) // 2; a smaller image is first
    /// padded with zeros, ceil((h - H) / 2) above and ceil((w - W) / 2) to the left.
    static func centerCrop(_ img: Image, height ch: Int, width cw: Int) -> Image {
        if ch == img.height && cw == img.width { return img }
        func floorDiv(_ a: Int, _ b: Int) -> Int { Int((Double(a) / Double(b)).rounded(.down)) }
        let padTop = ch > img.height ? (ch - img.height + 1) / 2 : 0
        let padLeft = cw > img.width ? (cw - img.width + 1) / 2 : 0
        let top = floorDiv(img.height - ch, 2) + padTop, left = floorDiv(img.width - cw, 2) + padLeft
        let c = img.mode.bytesPerPixel
        var out = [UInt8](repeating: 0, count: ch * cw * c)
        for y in 0..<ch {
            let sy = y + top - padTop
            guard sy >= 0, sy < img.height else { continue }
            for x in 0..<cw {
                let sx = x + left - padLeft
                guard sx >= 0, sx < img.width else { continue }
                for k in 0..<c { out[(y * cw + x) * c + k] = img.pixels[(sy * img.width + sx) * c + k] }
            }
        }
        return Image(width: cw, height: ch, mode: img.mode, pixels: out)
    }
}
