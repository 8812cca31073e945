import LoupeTensor

/// Where one tensor's bytes sit in a checkpoint, in the terms every format shares.
public struct TensorInfo: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    /// Stored element type.
    public let dtype: DType
    /// Row-major numpy/PyTorch order (for GGUF the reverse of ggml's ne[]).
    public let shape: [Int]
    /// Absolute byte range in `file`.
    public let byteRange: Range<Int>
    /// Path of the file holding the bytes (a shard, for sharded checkpoints).
    public let file: String

    public init(name: String, dtype: DType, shape: [Int], byteRange: Range<Int>, file: String) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteRange = byteRange
        self.file = file
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: Int { byteRange.count }

    public var description: String { "\(name) \(dtype) \(shape)" }
}

/// A checkpoint's tensors, whatever the file format. Byte views point into memory-mapped files and stay
/// valid as long as the source object is alive.
public protocol WeightSource: AnyObject, Sendable {
    /// Names in file order.
    var tensorNames: [String] { get }
    func info(_ name: String) -> TensorInfo?
    /// The stored bytes of one tensor (no copy).
    func bytes(_ name: String) throws -> UnsafeRawBufferPointer
    /// The tensor as Float32 (dequantised), shaped as numpy/PyTorch would show it.
    func loadFloat32(_ name: String) throws -> Tensor
}

extension WeightSource {
    public func contains(_ name: String) -> Bool { info(name) != nil }

    /// All tensor infos in file order.
    public var tensorInfos: [TensorInfo] { tensorNames.compactMap { info($0) } }
}

/// Turns stored bytes into Float32 with LoupeTensor's dequantiser (bit-exact with gguf-py).
enum FloatDecoding {
    static func decode(_ info: TensorInfo, _ src: UnsafeRawBufferPointer) throws -> Tensor {
        let n = info.elementCount
        guard info.dtype.byteCount(elements: n) == src.count else {
            throw FormatError(.sizeMismatch, file: info.file, item: info.name,
                              "\(src.count) bytes do not hold \(n) \(info.dtype) elements")
        }
        let out = Tensor(zeros: info.shape)
        try decode(info, src, count: n, into: out.storage.pointer)
        return out
    }

    static func decode(_ info: TensorInfo, _ src: UnsafeRawBufferPointer, count n: Int, into dst: UnsafeMutablePointer<Float>) throws {
        do {
            try Dequant.dequantize(info.dtype, src, count: n, into: dst)
        } catch {
            throw FormatError(.sizeMismatch, file: info.file, item: info.name, "\(error)")
        }
    }
}
