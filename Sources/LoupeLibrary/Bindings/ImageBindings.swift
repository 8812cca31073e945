import Foundation
import LoupeFormats
import LoupeImage
import LoupeInterpreter
import LoupeTensor

/// Pictures: `read_image(path)` (JPEG, PNG), the Image value's attributes and methods, and CLIP
/// preprocessing configured by a model folder (`image_processor(path)`, `preprocess(img, config=…)`).
enum ImageBindings {
    static func install() {
        Builtins.register("read_image(path)",
                          doc: "Opens a JPEG or PNG file as an Image with the pixels Pillow's Image.open gives (libjpeg-turbo, libpng).",
                          example: "img = read_image(\"cat.jpg\")\nimg.size  # (640, 480)") { rt, args in
            let given = try args.string("path")
            return .host(try readPicture(given, at: locate(given, rt).path))
        }
        Builtins.register("read_images(folder)",
                          doc: "The JPEG and PNG pictures of a folder as Images, in file-name order (other files are skipped); a picture file gives a list of that one. A relative folder that is not found is looked for under models/, where scripts/fetch-photos.sh puts photos/.",
                          example: "photos = read_images(\"photos\")\n[img.filename for img in photos]") { rt, args in
            let given = try args.string("folder")
            let folder = try locate(given, rt)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir) else {
                throw LoupeError("read_images: no folder \(folder.path), nor \(given) under the models/ folders",
                                 hint: "scripts/fetch-photos.sh puts sample photos in models/photos")
            }
            if !isDir.boolValue { return .list([.host(try readPicture(given, at: folder.path))]) }
            let names = try imageCall { try FileManager.default.contentsOfDirectory(atPath: folder.path) }
            let pictures = names.filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            guard !pictures.isEmpty else { throw LoupeError("read_images: \(folder.path) holds no .jpg, .jpeg or .png file") }
            let prefix = given.hasSuffix("/") ? given : given + "/"
            return .list(try pictures.map { .host(try readPicture(prefix + $0, at: folder.appendingPathComponent($0).path)) })
        }
        Builtins.register("image_from_array(a)",
                          doc: "An Image from a [height, width] (L), [height, width, 3] (RGB) or [height, width, 4] (RGBA) tensor of 0…255 values (Pillow's Image.fromarray).",
                          example: "img = image_from_array(zeros(32, 48, 3))") { _, args in
            let t = try TensorBuiltins.tensorArg(args.value("a"), "a").tensor
            return try imageCall { .host(ImageObject(try Image(tensor: t))) }
        }
        Builtins.register("image_processor(path)",
                          doc: "transformers' CLIPImageProcessor configured by a model folder's preprocessor_config.json (or processor_config.json), or by that file itself.",
                          example: "p = image_processor(\"models/llava-1.5-7b-hf\")\npixel_values = p.preprocess(img)") { rt, args in
            .host(try processor(args.value("path"), rt))
        }
        Builtins.register("preprocess(image, config)",
                          doc: "The pixel_values [3, height, width] a CLIP vision tower takes for one picture: RGB (transparency on white), shortest-edge resize with Pillow's filter, centre crop, rescale, normalise — as transformers' CLIPImageProcessor. config: a model folder, a preprocessor_config.json, or an image_processor().",
                          example: "x = preprocess(img, config=\"models/llava-1.5-7b-hf\")\nx.shape  # (3, 336, 336)") { rt, args in
            let p = try processor(args.value("config"), rt)
            return try preprocessed(args.value("image"), p)
        }
        Builtins.registerMethod(type: "ImageProcessor", "processor.preprocess(image)",
                                doc: "pixel_values [3, height, width] for one picture, as transformers' CLIPImageProcessor gives them.",
                                example: "x = p.preprocess(img)") { _, recv, args in
            try preprocessed(args.value("image"), try host(recv, ImageProcessorObject.self))
        }
        installAttributes()
        installMethods()
        installPIL()
    }

    /// `from PIL import Image` then `Image.open(path)`, `Image.fromarray(a)`, as pasted Pillow code writes them.
    static func installPIL() {
        let image = Namespace(name: "PIL.Image", doc: "Pillow's Image module: Image.open reads a JPEG or PNG, Image.fromarray makes one from a tensor.",
                              otherwise: "Loupe's image functions are read_image, image_from_array and the Image methods (help(\"read_image\"))")
        image.forward([], renamed: ["open": "read_image", "fromarray": "image_from_array"])
        let pil = Namespace(name: "PIL", doc: "Pillow: its Image module.")
        pil.set("Image", .host(image))
        Builtins.registerModule("PIL", .host(pil))
        Builtins.registerModule("PIL.Image", .host(image))
    }

    static func installAttributes() {
        func attr(_ name: String, _ doc: String, _ body: @escaping (ImageObject) -> Value) {
            Builtins.registerAttribute(type: "Image", name: name, doc: doc, example: "img.\(name)") { _, v in
                body(try host(v, ImageObject.self))
            }
        }
        attr("size", "(width, height), as Pillow's img.size.") { .tuple([.int($0.image.width), .int($0.image.height)]) }
        attr("width", "Width in pixels.") { .int($0.image.width) }
        attr("height", "Height in pixels.") { .int($0.image.height) }
        attr("mode", "Pillow's mode: \"L\", \"LA\", \"RGB\", \"RGBA\", \"CMYK\" or \"I;16\".") { .string($0.image.mode.rawValue) }
        attr("format", "\"JPEG\" or \"PNG\" for a picture read from a file, else None.") { $0.format.map { .string($0) } ?? .none }
        attr("filename", "The path the picture was read from, as given (Pillow's img.filename); \"\" for one made in code.") { .string($0.filename) }
    }

    static func installMethods() {
        Builtins.registerMethod(type: "Image", "img.convert(mode: str)",
                                doc: "The picture in another mode (\"L\", \"LA\", \"RGB\", \"RGBA\") with Pillow's formulas; alpha is dropped, not composited.",
                                example: "img.convert(\"L\")") { _, recv, args in
            let img = try host(recv, ImageObject.self)
            let name = try args.string("mode")
            guard let mode = Image.Mode(rawValue: name) else {
                throw LoupeError("convert: unknown mode \"\(name)\"", hint: "use \"L\", \"LA\", \"RGB\" or \"RGBA\"")
            }
            return try imageCall { .host(ImageObject(try img.image.converted(to: mode))) }
        }
        Builtins.registerMethod(type: "Image", "img.resize(size, resample=\"bicubic\")",
                                doc: "The picture resized to size = (width, height) with Pillow's resampling: \"bicubic\" (default), \"bilinear\", \"lanczos\", \"box\", \"hamming\" (or Pillow's numbers 3, 2, 1, 4, 5).",
                                example: "img.resize((224, 224))") { _, recv, args in
            let img = try host(recv, ImageObject.self)
            let size = try Ops.iterate(args.value("size")).map { try $0.asInt("resize: size") }
            guard size.count == 2 else { throw LoupeError("resize: size must be (width, height)") }
            let filter = try resample(args.value("resample"))
            return try imageCall { .host(ImageObject(try img.image.resized(width: size[0], height: size[1], filter: filter))) }
        }
        Builtins.registerMethod(type: "Image", "img.save(path)",
                                doc: "Writes the picture as a PNG file (libpng); returns the path.",
                                example: "img.save(\"cat.png\")") { rt, recv, args in
            let img = try host(recv, ImageObject.self)
            let path = try args.string("path")
            guard path.lowercased().hasSuffix(".png") else {
                throw LoupeError("save: only PNG files can be written", hint: "name the file something.png")
            }
            let url = try FileBuiltins.writeURL(path, rt)
            try imageCall { try Data(try img.image.pngData()).write(to: url) }
            return .string(url.path)
        }
    }

    /// A picture file: `filename` as the code gave it, `path` where it is.
    static func readPicture(_ filename: String, at path: String) throws -> ImageObject {
        try imageCall {
            let header = try Image.readHeader(path)
            return ImageObject(try Image.read(path), format: header.format.rawValue, filename: filename)
        }
    }

    /// Where a picture or folder named in code is: as files resolve, else (a relative path not found
    /// there) under the models/ folders `load` searches, where the set-up puts photos/.
    static func locate(_ path: String, _ rt: Interpreter) throws -> URL {
        let url = FileBuiltins.url(path, rt).standardizedFileURL
        let expanded = (path as NSString).expandingTildeInPath
        if FileManager.default.fileExists(atPath: url.path) || expanded.hasPrefix("/") { return url }
        for root in ModelLoading.modelRoots(scriptDirectory: rt.scriptDirectory) {
            let candidate = root.appendingPathComponent(expanded).standardizedFileURL
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return url
    }

    static func resample(_ v: Value) throws -> ResampleFilter {
        let byNumber: [Int: ResampleFilter] = [1: .lanczos, 2: .bilinear, 3: .bicubic, 4: .box, 5: .hamming]
        if case .string(let s) = v, let f = ResampleFilter(rawValue: s.lowercased()) { return f }
        if case .int(let n) = v, let f = byNumber[n] { return f }
        throw LoupeError("resize: unknown resample \(Repr.repr(v))",
                         hint: "use \"bicubic\", \"bilinear\", \"lanczos\", \"box\" or \"hamming\" (nearest is not supported)")
    }

    static func processor(_ v: Value, _ rt: Interpreter) throws -> ImageProcessorObject {
        if case .host(let h) = v, let p = h as? ImageProcessorObject { return p }
        guard case .string(let path) = v else {
            throw LoupeError("config must be a model folder, a preprocessor_config.json path or an image_processor(), not \(v.typeName)")
        }
        let url = FileBuiltins.url(path, rt).standardizedFileURL
        return try imageCall { ImageProcessorObject(try CLIPImageProcessor(configURL: url), source: url.path) }
    }

    static func preprocessed(_ v: Value, _ p: ImageProcessorObject) throws -> Value {
        let img = try host(v, ImageObject.self, what: "image")
        return try imageCall { .tensor(try p.processor.preprocess(img.image)) }
    }

    static func host<T: HostObject>(_ v: Value, _ type: T.Type, what: String = "receiver") throws -> T {
        if case .host(let h) = v, let t = h as? T { return t }
        throw LoupeError("\(what) must be an \(type == ImageObject.self ? "Image (read_image(path))" : "ImageProcessor"), not \(v.typeName)")
    }

    /// Runs image code, turning its errors (file, image, tensor) into Loupe errors.
    static func imageCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let e as LoupeError { throw e }
        catch let e as FormatError { throw LoupeError(e.description) }
        catch let e as ImageError { throw LoupeError(e.description) }
        catch { throw LoupeError("\(error)") }
    }
}
