import Foundation
import LoupeTensor

// safetensors layout (https://github.com/huggingface/safetensors):
//   u64 N (little-endian) | N bytes of UTF-8 JSON header (may be padded with spaces) | data
//   header = { "__metadata__": {string: string}?,
//              NAME: { "dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end] }, … }
//   offsets are relative to the start of the data (8 + N); tensors are row-major (C order).

/// A memory-mapped `.safetensors` file, header checked at open, tensor bytes left in place.
/// Loupe loads F32, F16 and BF16; tensors of other dtypes (I64, U8, F64, …) are validated and listed in
/// `otherTensors`, and asking for their data is an error naming the dtype.
public final class SafetensorsFile: WeightSource, MappedFileReader, @unchecked Sendable {
    public let url: URL
    public let mapped: MappedFile
    /// The `__metadata__` table (string to string).
    public let metadata: [String: String]
    /// Absolute offset of the data section (8 + header length).
    public let dataOffset: Int
    /// Loadable tensors in data order.
    public let tensorNames: [String]
    /// Tensors of dtypes Loupe does not load: name → safetensors dtype.
    public let otherTensors: [String: String]
    /// Every tensor, whatever its dtype, in data order.
    public let allTensorNames: [String]
    private let infos: [String: TensorInfo]
    private let entries: [String: (dtype: String, shape: [Int], byteRange: Range<Int>)]

    /// The JSON header may not exceed this (the safetensors library's own limit).
    public static let maxHeaderBytes = 100_000_000

    /// Element sizes of every dtype in the safetensors spec that has a whole number of bytes.
    static let elementBytes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
        "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4,
        "I64": 8, "U64": 8, "F64": 8,
    ]

    public init(mapped: MappedFile) throws {
        let url = mapped.url
        self.url = url
        self.mapped = mapped
        let path = url.path
        var r = ByteReader(mapped.buffer, file: path)
        let headerLength = try r.u64("header length")
        guard headerLength <= UInt64(r.remaining) else {
            throw FormatError(.truncated, file: path, offset: 0,
                              "header length \(headerLength) runs past the end of the \(mapped.count)-byte file",
                              hint: "the file is truncated or not a safetensors file")
        }
        guard headerLength <= UInt64(SafetensorsFile.maxHeaderBytes) else {
            throw FormatError(.tooLarge, file: path, offset: 0,
                              "header length \(headerLength) exceeds the \(SafetensorsFile.maxHeaderBytes)-byte limit")
        }
        let headerBytes = try r.raw(Int(headerLength), "JSON header")
        let header: JSONValue
        do {
            header = try JSONValue.parse(headerBytes, file: path, baseOffset: 8)
        } catch var e as FormatError {
            e.message = "JSON header: " + e.message
            e.hint = e.hint ?? "the file is corrupt or not a safetensors file"
            throw e
        }
        guard case .object(let entries) = header else {
            throw FormatError(.invalidValue, file: path, offset: 8, "the header is a JSON \(header.typeName), expected an object")
        }
        dataOffset = 8 + Int(headerLength)
        let dataSize = mapped.count - dataOffset

        var metadata: [String: String] = [:]
        var infos: [String: TensorInfo] = [:]
        var others: [String: String] = [:]
        var all: [String: (dtype: String, shape: [Int], byteRange: Range<Int>)] = [:]
        var spans: [(name: String, begin: Int, end: Int)] = []
        for (name, entry) in entries.entries {
            if name == "__metadata__" {
                guard case .object(let m) = entry else {
                    throw FormatError(.invalidValue, file: path, item: name, "is a \(entry.typeName), expected an object of strings")
                }
                for (k, v) in m.entries {
                    guard let s = v.string else {
                        throw FormatError(.invalidValue, file: path, item: "__metadata__.\(k)", "is a \(v.typeName), expected a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            func bad(_ kind: FormatError.Kind, _ message: String, hint: String? = nil) -> FormatError {
                FormatError(kind, file: path, item: name, message, hint: hint)
            }
            guard case .object(let t) = entry else { throw bad(.invalidValue, "entry is a \(entry.typeName), expected an object") }
            guard let dtypeName = t["dtype"]?.string else { throw bad(.invalidValue, "missing string field \"dtype\"") }
            guard let shapeValues = t["shape"]?.array else { throw bad(.invalidValue, "missing array field \"shape\"") }
            guard let offsets = t["data_offsets"]?.array, offsets.count == 2,
                  let begin = offsets[0].int, let end = offsets[1].int else {
                throw bad(.invalidValue, "\"data_offsets\" must be two integers [begin, end]")
            }
            guard let size = SafetensorsFile.elementBytes[dtypeName] else {
                throw bad(.unsupportedType, "unknown dtype \"\(dtypeName)\"",
                          hint: "Loupe loads F32, F16 and BF16 safetensors")
            }
            var shape: [Int] = []
            var elements = 1
            for (d, v) in shapeValues.enumerated() {
                guard case .int(let n) = v, n >= 0 else {
                    throw bad(.invalidValue, "shape[\(d)] is \(v), expected a non-negative integer")
                }
                let (p, o) = elements.multipliedReportingOverflow(by: n)
                guard !o else { throw bad(.invalidValue, "shape \(shapeValues.map(\.description)) overflows the element count") }
                elements = p
                shape.append(n)
            }
            let (bytes, o) = elements.multipliedReportingOverflow(by: size)
            guard !o else { throw bad(.invalidValue, "shape \(shape) of \(dtypeName) overflows the byte count") }
            guard begin >= 0, begin <= end else { throw bad(.invalidValue, "data_offsets [\(begin), \(end)] are not an increasing pair") }
            guard end <= dataSize else {
                throw bad(.outOfRange, "data_offsets [\(begin), \(end)] run past the end of the \(dataSize)-byte data section",
                          hint: "the file is truncated")
            }
            guard end - begin == bytes else {
                throw bad(.sizeMismatch, "shape \(shape) of \(dtypeName) needs \(bytes) bytes but data_offsets [\(begin), \(end)] hold \(end - begin)")
            }
            spans.append((name, begin, end))
            all[name] = (dtypeName, shape, (dataOffset + begin)..<(dataOffset + end))
            let dtype: DType?
            switch dtypeName {
            case "F32": dtype = .f32
            case "F16": dtype = .f16
            case "BF16": dtype = .bf16
            default: dtype = nil
            }
            if let dtype {
                infos[name] = TensorInfo(name: name, dtype: dtype, shape: shape,
                                         byteRange: (dataOffset + begin)..<(dataOffset + end), file: path)
            } else {
                others[name] = dtypeName
            }
        }
        spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        // With empty tensors left out, any overlap shows up between neighbours in begin order.
        let filled = spans.filter { $0.end > $0.begin }
        for (a, b) in zip(filled, filled.dropFirst()) where a.end > b.begin {
            throw FormatError(.overlap, file: path, offset: dataOffset + b.begin, item: b.name,
                              "data_offsets [\(b.begin), \(b.end)] overlap tensor '\(a.name)' [\(a.begin), \(a.end)]")
        }
        self.metadata = metadata
        self.infos = infos
        self.otherTensors = others
        self.tensorNames = spans.map(\.name).filter { infos[$0] != nil }
        self.allTensorNames = spans.map(\.name)
        self.entries = all
    }

    /// The element type of each safetensors dtype Loupe can widen to Float (not the F8 formats).
    public static let elementTypes: [String: ArrayElement] = [
        "F16": .float16, "BF16": .bfloat16, "F32": .float32, "F64": .float64,
        "I8": .int8, "I16": .int16, "I32": .int32, "I64": .int64,
        "U8": .uint8, "U16": .uint16, "U32": .uint32, "U64": .uint64, "BOOL": .bool,
    ]

    /// A tensor of any integer, float or boolean dtype, its values widened to Float.
    public func elementArray(_ name: String) throws -> ElementArray {
        guard let entry = entries[name] else {
            throw FormatError(.noSuchTensor, file: url.path, item: name, "no tensor of this name in the file (\(entries.count) tensors)")
        }
        guard let element = SafetensorsFile.elementTypes[entry.dtype] else {
            throw FormatError(.unsupportedType, file: url.path, item: name, "tensor has unsupported dtype \(entry.dtype)")
        }
        let count = entry.shape.reduce(1, *)
        let values = element.decode(UnsafeRawBufferPointer(rebasing: mapped.buffer[entry.byteRange]), count: count)
        return ElementArray(shape: entry.shape, element: element, values: values)
    }

    public func info(_ name: String) -> TensorInfo? { infos[name] }

    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let info = try require(name)
        return UnsafeRawBufferPointer(rebasing: mapped.buffer[info.byteRange])
    }

    public func loadFloat32(_ name: String) throws -> Tensor {
        let info = try require(name)
        return try FloatDecoding.decode(info, UnsafeRawBufferPointer(rebasing: mapped.buffer[info.byteRange]))
    }

    private func require(_ name: String) throws -> TensorInfo {
        if let info = infos[name] { return info }
        if let dtype = otherTensors[name] {
            throw FormatError(.unsupportedType, file: url.path, item: name, "tensor has dtype \(dtype); Loupe loads F32, F16 and BF16",
                              hint: "convert the checkpoint's floating-point weights, or ignore this tensor")
        }
        throw FormatError(.noSuchTensor, file: url.path, item: name, "no tensor of this name in the file (\(infos.count) tensors)")
    }
}
