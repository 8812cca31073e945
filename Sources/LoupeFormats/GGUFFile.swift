import Foundation
import LoupeTensor

// GGUF v2/v3 layout (little-endian; ggml/docs/gguf.md):
//   u32 magic "GGUF" | u32 version (2 or 3) | u64 tensor_count | u64 metadata_kv_count
//   metadata_kv_count × { string key | u32 value_type | value }
//       string = u64 length + UTF-8 bytes (no NUL)
//       value_type: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string, 9 array, 10 u64, 11 i64, 12 f64
//       array = u32 element_type + u64 count + count values
//   tensor_count × { string name | u32 n_dims | n_dims × u64 ne (fastest-varying first) | u32 ggml_type | u64 offset }
//   padding to `general.alignment` (default 32)
//   tensor data; each tensor at data_start + offset, offsets multiples of the alignment

/// One tensor's entry in a GGUF file.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml's ne[]: fastest-varying dimension first.
    public let ggmlDims: [Int]
    /// ggml type number as stored.
    public let ggmlType: UInt32
    public let dtype: DType
    /// Offset relative to the start of the data section.
    public let offset: Int
    /// Absolute offset in the file.
    public let absoluteOffset: Int
    public let byteCount: Int

    /// numpy/PyTorch order: the reverse of ggml's ne[].
    public var shape: [Int] { ggmlDims.reversed() }
    public var elementCount: Int { ggmlDims.reduce(1, *) }
}

/// A memory-mapped GGUF file: metadata parsed and checked at open, tensor bytes left in place.
public final class GGUFFile: WeightSource, MappedFileReader, @unchecked Sendable {
    public let url: URL
    public let mapped: MappedFile
    public let version: Int
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Absolute offset of the data section.
    public let dataOffset: Int
    private let tensorIndex: [String: Int]

    static let magic: UInt32 = 0x4655_4747  // "GGUF" read as little-endian u32
    static let maxArrayDepth = 8
    static let maxArrayCount = 1 << 24

    public init(mapped: MappedFile) throws {
        let url = mapped.url
        self.url = url
        self.mapped = mapped
        var r = ByteReader(mapped.buffer, file: url.path)

        let magic = try r.u32("magic")
        guard magic == GGUFFile.magic else {
            let shown = String(format: "0x%08x", magic)
            throw r.error(.badMagic, at: 0, "magic is \(shown), expected \"GGUF\"", hint: "this is not a GGUF file")
        }
        let version = try r.u32("version")
        guard version == 2 || version == 3 else {
            let hint = (2...3).contains(version.byteSwapped) ? "big-endian GGUF files are not supported"
                : version == 1 ? "GGUF v1 is obsolete; re-convert the model with a current llama.cpp" : nil
            throw r.error(.unsupportedVersion, at: 4, "GGUF version \(version); Loupe reads versions 2 and 3", hint: hint)
        }
        self.version = Int(version)
        // Minimum bytes per tensor info: name length 8 + n_dims 4 + type 4 + offset 8.
        let tensorCount = try r.count("tensor count", minBytesEach: 24)
        // Minimum bytes per key/value: key length 8 + value type 4 + one byte of value.
        let kvCount = try r.count("metadata key/value count", minBytesEach: 13)

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        metadata.reserveCapacity(kvCount)
        keys.reserveCapacity(kvCount)
        var alignmentKeyAt: Int?
        for i in 0..<kvCount {
            let keyAt = r.position
            let keyLength = try r.count("length of metadata key #\(i)", minBytesEach: 1)
            let key = try r.utf8(keyLength, "metadata key #\(i)")
            if metadata[key] != nil {
                throw r.error(.duplicate, at: keyAt, item: key, "metadata key appears twice")
            }
            let type = try r.u32("value type of '\(key)'")
            let value = try GGUFFile.readValue(&r, type: type, key: key, depth: 0)
            metadata[key] = value
            keys.append(key)
            if key == "general.alignment" { alignmentKeyAt = keyAt }
        }
        self.metadata = metadata
        self.metadataKeys = keys

        var alignment = 32
        if let a = metadata["general.alignment"] {
            guard case .uint32(let v) = a, v > 0, v & (v - 1) == 0 else {
                throw r.error(.invalidValue, at: alignmentKeyAt, item: "general.alignment",
                              "alignment must be a u32 power of two, found \(a.typeName) \(a)")
            }
            alignment = Int(v)
        }
        self.alignment = alignment

        var infos: [(name: String, dims: [Int], type: UInt32, offset: UInt64, at: Int)] = []
        infos.reserveCapacity(tensorCount)
        var seen = Set<String>()
        for i in 0..<tensorCount {
            let at = r.position
            let nameLength = try r.count("length of tensor name #\(i)", minBytesEach: 1)
            let name = try r.utf8(nameLength, "tensor name #\(i)")
            guard seen.insert(name).inserted else {
                throw r.error(.duplicate, at: at, item: name, "tensor name appears twice")
            }
            let nDimsAt = r.position
            let nDims = try r.u32("dimension count of tensor '\(name)'")
            guard nDims <= 4 else {
                throw r.error(.invalidValue, at: nDimsAt, item: name, "tensor has \(nDims) dimensions; GGUF allows at most 4")
            }
            var dims: [Int] = []
            for d in 0..<Int(nDims) {
                let dimAt = r.position
                let ne = try r.u64("ne[\(d)] of tensor '\(name)'")
                guard ne <= UInt64(Int64.max) else {
                    throw r.error(.invalidValue, at: dimAt, item: name,
                                  "ne[\(d)] is \(ne) (\(Int64(bitPattern: ne)) as signed); dimensions must be non-negative")
                }
                dims.append(Int(ne))
            }
            let type = try r.u32("ggml type of tensor '\(name)'")
            let offset = try r.u64("data offset of tensor '\(name)'")
            infos.append((name, dims, type, offset, at))
        }

        // The data section starts at the next multiple of the alignment (it may be absent with no tensors).
        let (padded, overflow) = r.position.addingReportingOverflow(alignment - 1)
        let dataOffset = overflow ? Int.max : padded / alignment * alignment
        self.dataOffset = dataOffset
        let dataSize = max(mapped.count - dataOffset, 0)

        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(infos.count)
        var index: [String: Int] = [:]
        for t in infos {
            guard let dtype = GGMLType.dtype(t.type) else {
                let known = GGMLType.name(t.type).map { " (\($0))" } ?? " (unknown)"
                throw r.error(.unsupportedType, at: t.at, item: t.name,
                              "ggml type \(t.type)\(known) is not supported; Loupe loads F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K…Q6_K",
                              hint: "re-quantize the model to a supported type")
            }
            var elements = 1
            for d in t.dims {
                let (p, o) = elements.multipliedReportingOverflow(by: d)
                guard !o else {
                    throw r.error(.invalidValue, at: t.at, item: t.name, "shape \(t.dims.reversed() as [Int]) overflows the element count")
                }
                elements = p
            }
            if let first = t.dims.first, first % dtype.blockSize != 0 {
                throw r.error(.sizeMismatch, at: t.at, item: t.name,
                              "row length \(first) is not a multiple of the \(dtype) block size \(dtype.blockSize)")
            }
            guard let bytes = dtype.byteCount(elements: elements) else {
                throw r.error(.invalidValue, at: t.at, item: t.name, "shape \(t.dims.reversed() as [Int]) of \(dtype) overflows the byte count")
            }
            guard t.offset % UInt64(alignment) == 0 else {
                throw r.error(.misaligned, at: t.at, item: t.name,
                              "data offset \(t.offset) is not a multiple of the alignment \(alignment)")
            }
            guard t.offset <= UInt64(dataSize), bytes <= dataSize - Int(t.offset) else {
                throw r.error(.outOfRange, at: t.at, item: t.name,
                              "data [\(t.offset), \(t.offset) + \(bytes)) runs past the end of the \(dataSize)-byte data section (file is \(mapped.count) bytes)",
                              hint: "the file is truncated")
            }
            index[t.name] = tensors.count
            tensors.append(GGUFTensorInfo(name: t.name, ggmlDims: t.dims, ggmlType: t.type, dtype: dtype,
                                          offset: Int(t.offset), absoluteOffset: dataOffset + Int(t.offset), byteCount: bytes))
        }
        // No two tensors may share bytes.
        let byStart = tensors.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
        for (a, b) in zip(byStart, byStart.dropFirst()) where a.offset + a.byteCount > b.offset {
            throw FormatError(.overlap, file: url.path, offset: b.absoluteOffset, item: b.name,
                              "tensor data overlaps tensor '\(a.name)' [\(a.offset), \(a.offset + a.byteCount)) of the data section")
        }
        self.tensors = tensors
        self.tensorIndex = index
    }

    private static func readValue(_ r: inout ByteReader, type: UInt32, key: String, depth: Int) throws -> GGUFValue {
        switch type {
        case 0: return .uint8(try r.u8(key))
        case 1: return .int8(try r.i8(key))
        case 2: return .uint16(try r.u16(key))
        case 3: return .int16(try r.i16(key))
        case 4: return .uint32(try r.u32(key))
        case 5: return .int32(try r.i32(key))
        case 6: return .float32(try r.f32(key))
        case 7: return .bool(try r.bool(key))
        case 8:
            let n = try r.count("string length of '\(key)'", minBytesEach: 1)
            return .string(try r.utf8(n, "string value of '\(key)'"))
        case 9:
            guard depth < maxArrayDepth else {
                throw r.error(.invalidValue, item: key, "arrays nested more than \(maxArrayDepth) deep")
            }
            let typeAt = r.position
            let elementType = try r.u32("array element type of '\(key)'")
            guard let minBytes = minValueBytes(elementType) else {
                throw r.error(.unsupportedType, at: typeAt, item: key, "unknown array element type \(elementType)")
            }
            let countAt = r.position
            let n = try r.count("array length of '\(key)'", minBytesEach: minBytes)
            // Each element becomes a GGUFValue of ~24 bytes; cap the blow-up (real vocabularies are < 1M).
            guard n <= maxArrayCount else {
                throw r.error(.tooLarge, at: countAt, item: key, "array of \(n) values exceeds Loupe's limit of \(maxArrayCount)")
            }
            var items: [GGUFValue] = []
            items.reserveCapacity(n)
            for _ in 0..<n {
                items.append(try readValue(&r, type: elementType, key: key, depth: depth + 1))
            }
            return .array(items)
        case 10: return .uint64(try r.u64(key))
        case 11: return .int64(try r.i64(key))
        case 12: return .float64(try r.f64(key))
        default:
            throw r.error(.unsupportedType, at: r.position - 4, item: key, "unknown metadata value type \(type)")
        }
    }

    /// Smallest encoding of one value of a type, or nil for an unknown type.
    private static func minValueBytes(_ type: UInt32) -> Int? {
        switch type {
        case 0, 1, 7: return 1
        case 2, 3: return 2
        case 4, 5, 6: return 4
        case 8, 10, 11, 12: return 8
        case 9: return 12
        default: return nil
        }
    }

    // MARK: metadata

    public subscript(key: String) -> GGUFValue? { metadata[key] }

    /// `general.architecture`, e.g. "llama".
    public var architecture: String? { metadata["general.architecture"]?.string }

    /// `<architecture>.<suffix>`, e.g. `archValue("context_length")`.
    public func archValue(_ suffix: String) -> GGUFValue? {
        guard let a = architecture else { return nil }
        return metadata["\(a).\(suffix)"]
    }

    public func tensor(_ name: String) -> GGUFTensorInfo? { tensorIndex[name].map { tensors[$0] } }

    // MARK: WeightSource

    public var tensorNames: [String] { tensors.map(\.name) }

    public func info(_ name: String) -> TensorInfo? {
        guard let t = tensor(name) else { return nil }
        return TensorInfo(name: t.name, dtype: t.dtype, shape: t.shape,
                          byteRange: t.absoluteOffset..<(t.absoluteOffset + t.byteCount), file: url.path)
    }

    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let info = info(name) else { throw noSuchTensor(name) }
        return UnsafeRawBufferPointer(rebasing: mapped.buffer[info.byteRange])
    }

    public func loadFloat32(_ name: String) throws -> Tensor {
        guard let info = info(name) else { throw noSuchTensor(name) }
        return try FloatDecoding.decode(info, UnsafeRawBufferPointer(rebasing: mapped.buffer[info.byteRange]))
    }

    private func noSuchTensor(_ name: String) -> FormatError {
        FormatError(.noSuchTensor, file: url.path, item: name, "no tensor of this name in the GGUF file (\(tensors.count) tensors)")
    }
}
