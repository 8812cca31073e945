// NumPy .npy (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
//   offset 0   magic "\x93NUMPY" (6 bytes)
//          6   major version (u8): 1, 2 or 3;   7   minor version (u8)
//          8   header length H: u16 LE (version 1) or u32 LE (versions 2 and 3)
//   10 or 12   header: an ASCII (v3: UTF-8) Python dict literal
//                {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//              padded with spaces and ended by "\n" so the data starts at a multiple of 64 (16 in old files)
//   then       the elements, C order (or Fortran order when fortran_order is True), no padding.
// descr is a byte order ('<' little, '|' not applicable, '>' big) then a kind and a byte size:
// f2 f4 f8, i1 i2 i4 i8, u1 u2 u4 u8, b1, all read. Written: version 1.0 with any of those descrs;
// bfloat16, which NumPy lacks, is written as '<f4'. An .npz is a zip archive of .npy files (the archive
// is read by the caller).
import Foundation

public enum NpyFile {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// More elements than this in one array is refused as a corrupt shape (2^34, 64 GiB of Float).
    static let maxElements = 1 << 34

    /// NumPy's type code (kind and byte size) of each element type it has; bfloat16 is not one of them.
    static let typeCodes: [(element: ArrayElement, code: String)] = [
        (.float16, "f2"), (.float32, "f4"), (.float64, "f8"),
        (.int8, "i1"), (.int16, "i2"), (.int32, "i4"), (.int64, "i8"),
        (.uint8, "u1"), (.uint16, "u2"), (.uint32, "u4"), (.uint64, "u8"),
        (.bool, "b1"),
    ]

    /// The descr of each element type: little-endian ('<') where byte order applies, else '|'; bfloat16
    /// as float32.
    static func descr(_ element: ArrayElement) -> String {
        let written = element == .bfloat16 ? ArrayElement.float32 : element
        let code = typeCodes.first { $0.element == written }?.code ?? "f4"
        return (written.byteSize == 1 ? "|" : "<") + code
    }

    /// A version 1.0 file holding `array`.
    public static func encode(_ array: ElementArray) -> [UInt8] {
        let element = array.element == .bfloat16 ? ArrayElement.float32 : array.element
        let shape = array.shape
        let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)"
            : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr(element))', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = magic.count + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var out = magic + [1, 0]
        let length = UInt16(truncatingIfNeeded: header.utf8.count)
        out += [UInt8(length & 0xFF), UInt8(length >> 8)]
        out += Array(header.utf8)
        out += element.encode(array.values)
        return out
    }

    /// Reads a whole .npy file. Errors name `file`, the field, its byte offset and the value found.
    public static func decode(_ bytes: UnsafeRawBufferPointer, file: String) throws -> ElementArray {
        var r = ByteReader(bytes, file: file)
        let found = try r.raw(magic.count, "magic")
        guard found.elementsEqual(magic) else {
            throw FormatError(.badMagic, file: file, offset: 0, "magic is \(Array(found)), expected \\x93NUMPY",
                              hint: "not a .npy file")
        }
        let major = try r.u8("major version")
        _ = try r.u8("minor version")
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try r.u16("header length"))
        case 2, 3: headerLength = Int(try r.u32("header length"))
        default:
            throw FormatError(.unsupportedVersion, file: file, offset: 6, "version \(major) is not 1, 2 or 3")
        }
        let headerStart = r.position
        guard headerLength <= r.remaining else {
            throw FormatError(.truncated, file: file, offset: headerStart - (major == 1 ? 2 : 4),
                              "header length \(headerLength) runs past the end of the \(bytes.count)-byte file")
        }
        let headerBytes = try r.raw(headerLength, "header")
        guard let header = String(validating: headerBytes, as: UTF8.self) else {
            throw FormatError(.invalidUTF8, file: file, offset: headerStart, "header is not text")
        }
        let fields = try NpyHeader(header, file: file, offset: headerStart)
        var count = 1
        for n in fields.shape {
            let (c, o) = count.multipliedReportingOverflow(by: n)
            guard !o, c <= maxElements else {
                throw FormatError(.tooLarge, file: file, offset: headerStart, item: "shape", "shape \(fields.shape) is too large")
            }
            count = c
        }
        let needed = count * fields.element.byteSize
        guard needed <= r.remaining else {
            throw FormatError(.truncated, file: file, offset: r.position, item: "data",
                              "data has \(r.remaining) bytes, shape \(fields.shape) of \(fields.descr) needs \(needed)",
                              hint: "the file is truncated")
        }
        let values = fields.element.decode(try r.raw(needed, "data"), count: count)
        guard fields.fortranOrder, fields.shape.count > 1 else {
            return ElementArray(shape: fields.shape, element: fields.element, values: values)
        }
        return ElementArray(shape: fields.shape, element: fields.element, values: cOrder(values, fortranShape: fields.shape))
    }

    /// Fortran-order (first index fastest) values rearranged into C order (last index fastest).
    static func cOrder(_ values: [Float], fortranShape shape: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for d in 1..<shape.count { fortranStrides[d] = fortranStrides[d - 1] * shape[d - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        for c in 0..<values.count {
            var f = 0
            for d in 0..<shape.count { f += index[d] * fortranStrides[d] }
            out[c] = values[f]
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return out
    }
}

/// The three fields of a .npy header dict.
struct NpyHeader {
    var descr: String
    var element: ArrayElement
    var fortranOrder: Bool
    var shape: [Int]

    init(_ header: String, file: String, offset: Int) throws {
        func fail(_ field: String, _ message: String) -> FormatError {
            FormatError(.invalidValue, file: file, offset: offset, item: field, message)
        }
        guard let descrText = NpyHeader.field(header, "descr") else { throw fail("descr", "missing from the header \(header.debugDescription)") }
        descr = descrText.trimmingCharacters(in: ["'", "\"", " "])
        guard descr.count >= 3, let order = descr.first else { throw fail("descr", "\(descr.debugDescription) is not a dtype") }
        if order == ">" {
            throw FormatError(.unsupportedType, file: file, offset: offset, item: "descr",
                              "big-endian .npy (\(descr)) is not supported", hint: "save it little-endian")
        }
        let code = descr.dropFirst()
        guard let known = NpyFile.typeCodes.first(where: { $0.code == code }) else {
            throw FormatError(.unsupportedType, file: file, offset: offset, item: "descr", "unsupported .npy dtype \(descr)")
        }
        element = known.element
        fortranOrder = NpyHeader.field(header, "fortran_order")?.contains("True") ?? false
        guard let shapeStart = header.range(of: "'shape':")?.upperBound,
              let open = header[shapeStart...].firstIndex(of: "("),
              let close = header[open...].firstIndex(of: ")") else {
            throw fail("shape", "missing from the header \(header.debugDescription)")
        }
        shape = try header[header.index(after: open)..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { text in
                guard let n = Int(text), n >= 0 else { throw fail("shape", "entry \(text.debugDescription) is not a non-negative integer") }
                return n
            }
    }

    /// The text after `'key':` up to the next comma.
    static func field(_ header: String, _ key: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        let rest = header[r.upperBound...]
        return String(rest[..<(rest.firstIndex(of: ",") ?? rest.endIndex)])
    }
}
