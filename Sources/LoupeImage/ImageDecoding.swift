import CImageCodecs
import Foundation
import LoupeFormats

/// Reading JPEG and PNG files through libjpeg-turbo and libpng (CImageCodecs), with Pillow's
/// settings, so the pixels equal `np.array(PIL.Image.open(path))`. The format comes from the first
/// bytes, not the file name.
extension Image {
    /// The kinds of file `read` understands.
    public enum FileFormat: String, Sendable { case jpeg = "JPEG", png = "PNG" }

    /// The size and mode a file would decode to, read from its header alone.
    public struct Header: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var mode: Mode
        public var format: FileFormat
        /// Progressive JPEG or interlaced PNG.
        public var progressive: Bool
    }

    public static func read(_ path: String) throws -> Image {
        try decode(load(path), file: path)
    }

    public static func readHeader(_ path: String) throws -> Header {
        try header(load(path), file: path).0
    }

    static func load(_ path: String) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FormatError(.notFound, file: path, "no such file")
        }
        guard !isDir.boolValue else { throw FormatError(.unreadable, file: path, "is a folder, not an image") }
        return [UInt8](try RegularFile.read(path))  // a FIFO or device is refused, not waited on
    }

    public static func sniff(_ bytes: [UInt8]) -> FileFormat? {
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        if bytes.count >= 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    /// Decodes a JPEG or PNG held in memory; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> Image {
        let (head, info) = try header(bytes, file: file)
        let count = head.width * head.height * head.mode.bytesPerPixel
        var pixels = [UInt8](repeating: 0, count: count)
        var out = info
        let status = bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                head.format == .jpeg
                    ? loupe_jpeg_decode(src.baseAddress, src.count, dst.baseAddress, dst.count, &out)
                    : loupe_png_decode(src.baseAddress, src.count, dst.baseAddress, dst.count, &out)
            }
        }
        guard status == 0 else { throw decodeError(head.format, out, file: file) }
        return Image(width: head.width, height: head.height, mode: head.mode, pixels: pixels)
    }

    static func header(_ bytes: [UInt8], file: String) throws -> (Header, loupe_image_info) {
        guard let format = sniff(bytes) else {
            let what = bytes.isEmpty ? "the file is empty" : "not a JPEG or PNG image (its first bytes are "
                + bytes.prefix(8).map { String(format: "%02X", $0) }.joined(separator: " ") + ")"
            throw FormatError(.badMagic, file: file, what)
        }
        var info = loupe_image_info()
        let status = bytes.withUnsafeBufferPointer { src in
            format == .jpeg ? loupe_jpeg_info(src.baseAddress, src.count, &info)
                            : loupe_png_info(src.baseAddress, src.count, &info)
        }
        guard status == 0 else { throw decodeError(format, info, file: file) }
        let mode: Mode
        switch Int(info.color) {
        case Int(LOUPE_GRAY.rawValue): mode = .L
        case Int(LOUPE_GRAY_ALPHA.rawValue): mode = .LA
        case Int(LOUPE_RGB.rawValue): mode = .RGB
        case Int(LOUPE_RGBA.rawValue): mode = .RGBA
        case Int(LOUPE_CMYK.rawValue): mode = .CMYK
        case Int(LOUPE_GRAY16.rawValue): mode = .I16
        default: throw FormatError(.unsupportedType, file: file, "\(format.rawValue) colour type \(info.color) is not supported")
        }
        let width = Int(info.width), height = Int(info.height)
        try checkSize(width: width, height: height, bytesPerPixel: mode.bytesPerPixel, file: file)
        return (Header(width: width, height: height, mode: mode, format: format, progressive: info.progressive != 0), info)
    }

    static func decodeError(_ format: FileFormat, _ info: loupe_image_info, file: String) -> FormatError {
        var copy = info
        let message = withUnsafeBytes(of: &copy.error) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let kind: FormatError.Kind = message.contains("truncated") ? .truncated : .invalidValue
        return FormatError(kind, file: file, "cannot decode this \(format.rawValue): \(message.isEmpty ? "unknown error" : message)")
    }
}
