import Foundation
import LoupeTensor

// A PyTorch checkpoint as torch.save writes it (PyTorch ≥ 1.6): a ZIP archive (ZipDirectory) of stored
// entries under one top folder PREFIX (the file's stem, or "archive"):
//   PREFIX/data.pkl     the pickled object (TorchPickle): here a dict name → tensor
//   PREFIX/data/KEY     each storage's raw bytes, little-endian, in its storage type
//   PREFIX/version, PREFIX/byteorder, PREFIX/.data/serialization_id, …   (small text entries)
// A tensor is a view of a storage: element offset, size and stride; several may share a storage.
// The older format (a bare pickle followed by storages, before PyTorch 1.6) is refused.

/// A memory-mapped `.pth` / `.bin` state dict; tensor bytes stay in place in the mapping.
/// F32, F16 and BF16 tensors load; others are listed in `otherTensors` and refused by name.
public final class PyTorchFile: WeightSource, MappedFileReader, @unchecked Sendable {
    public let url: URL
    public let mapped: MappedFile
    /// Loadable tensors in the state dict's order.
    public let tensorNames: [String]
    /// Tensors of storage types Loupe does not load: name → storage class ("LongStorage").
    public let otherTensors: [String: String]
    private let infos: [String: TensorInfo]

    static let dtypes: [String: DType] = ["BFloat16Storage": .bf16, "HalfStorage": .f16, "FloatStorage": .f32]

    public init(mapped: MappedFile) throws {
        url = mapped.url
        self.mapped = mapped
        let path = url.path
        let bytes = mapped.buffer
        if bytes.count >= 2, bytes[0] == 0x80, bytes[1] <= 5 {
            throw FormatError(.unsupportedFormat, file: path, offset: 0,
                              "a bare pickle: PyTorch's legacy (pre-1.6) checkpoint format is not read",
                              hint: "re-save it with a current torch.save, or convert to safetensors")
        }
        guard ZipDirectory.looksLikeZip(bytes) else {
            throw FormatError(.badMagic, file: path, offset: 0, "not a PyTorch checkpoint (no ZIP signature)")
        }
        let zip = try ZipDirectory(bytes, file: path)
        let pickles = zip.entries.filter { $0.name.hasSuffix("/data.pkl") || $0.name == "data.pkl" }
        guard pickles.count == 1, let pickle = pickles.first else {
            throw FormatError(.invalidValue, file: path, offset: 0,
                              "expected one data.pkl in the archive, found \(pickles.count)",
                              hint: "not a torch.save archive")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if let order = zip.entry(prefix + "byteorder") {
            let text = String(decoding: try zip.data(order), as: UTF8.self)
            guard text == "little" else {
                throw FormatError(.unsupportedFormat, file: path, item: order.name, "storages are \(text)-endian; Loupe reads little-endian ones")
            }
        }
        var names: [String] = []
        var infos: [String: TensorInfo] = [:]
        var others: [String: String] = [:]
        do {
            try TorchPickleReader.read(try zip.data(pickle), file: path) { root in
                guard case .dict(let dict) = root else {
                    throw FormatError(.invalidValue, file: path, item: pickle.name, "the pickle holds a \(root.typeName), expected a state dict")
                }
                for (key, value) in dict.entries {
                    guard case .string(let name) = key else {
                        throw FormatError(.invalidValue, file: path, item: pickle.name, "a state-dict key is a \(key.typeName), expected a string")
                    }
                    guard infos[name] == nil, others[name] == nil else {
                        throw FormatError(.duplicate, file: path, item: name, "the state dict holds this name twice")
                    }
                    guard case .tensor(let t) = value else {
                        throw FormatError(.invalidValue, file: path, item: name, "is a \(value.typeName), expected a tensor",
                                          hint: "give a plain state dict (torch.save(model.state_dict(), …))")
                    }
                    let range = try PyTorchFile.byteRange(t, name: name, zip: zip, prefix: prefix, file: path)
                    if let dtype = PyTorchFile.dtypes[t.storage.type] {
                        infos[name] = TensorInfo(name: name, dtype: dtype, shape: t.shape, byteRange: range, file: path)
                        names.append(name)
                    } else {
                        others[name] = t.storage.type
                    }
                }
            }
        } catch var e as FormatError {
            e.item = e.item ?? pickle.name
            throw e
        }
        tensorNames = names
        self.infos = infos
        otherTensors = others
    }

    /// Where a tensor's elements lie in the file: inside its storage entry, contiguous, no overflow.
    static func byteRange(_ t: TorchTensorRef, name: String, zip: ZipDirectory, prefix: String, file: String) throws -> Range<Int> {
        func bad(_ kind: FormatError.Kind, _ message: String) -> FormatError {
            FormatError(kind, file: file, item: name, message)
        }
        let entryName = prefix + "data/" + t.storage.key
        guard let entry = zip.entry(entryName) else {
            throw bad(.noSuchTensor, "its storage '\(t.storage.key)' has no archive entry \(entryName)")
        }
        let stored = try zip.dataRange(entry)
        let size = TorchPickleReader.storageElementBytes[t.storage.type] ?? 1
        let (storageBytes, o1) = t.storage.count.multipliedReportingOverflow(by: size)
        guard !o1, storageBytes <= stored.count else {
            throw bad(.truncated, "storage '\(t.storage.key)' declares \(t.storage.count) \(t.storage.type) elements "
                      + "but its archive entry holds \(stored.count) bytes")
        }
        var count = 1
        for n in t.shape {
            guard n >= 0 else { throw bad(.invalidValue, "size \(t.shape) has a negative dimension") }
            let (p, o) = count.multipliedReportingOverflow(by: n)
            guard !o else { throw bad(.invalidValue, "size \(t.shape) overflows the element count") }
            count = p
        }
        if count > 0 {
            var expected = 1
            for d in stride(from: t.shape.count - 1, through: 0, by: -1) {
                if t.shape[d] != 1, t.stride[d] != expected {
                    throw bad(.unsupportedFormat, "a non-contiguous view (size \(t.shape), stride \(t.stride)); "
                              + "save tensors with .contiguous()")
                }
                expected *= t.shape[d]
            }
        }
        let (end, o2) = t.offset.addingReportingOverflow(count)
        guard t.offset >= 0, !o2, end <= t.storage.count else {
            throw bad(.outOfRange, "elements [\(t.offset), \(t.offset) + \(count)) run past its storage '\(t.storage.key)' "
                      + "of \(t.storage.count) elements")
        }
        let start = stored.lowerBound + t.offset * size
        return start..<(start + count * size)
    }

    public func info(_ name: String) -> TensorInfo? { infos[name] }

    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapped.buffer[try require(name).byteRange])
    }

    public func loadFloat32(_ name: String) throws -> Tensor {
        let info = try require(name)
        return try FloatDecoding.decode(info, UnsafeRawBufferPointer(rebasing: mapped.buffer[info.byteRange]))
    }

    private func require(_ name: String) throws -> TensorInfo {
        if let info = infos[name] { return info }
        if let type = otherTensors[name] {
            throw FormatError(.unsupportedType, file: url.path, item: name, "tensor is a \(type); Loupe loads float, half and bfloat16")
        }
        throw FormatError(.noSuchTensor, file: url.path, item: name, "no tensor of this name in the state dict (\(infos.count) tensors)")
    }
}
