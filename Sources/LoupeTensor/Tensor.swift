import Foundation

/// Reference-counted Float32 buffer that tensors view. Views share one storage (numpy semantics):
/// writing through a view writes the base.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Zero-filled, 64-byte aligned.
    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
        self.pointer = raw.assumingMemoryBound(to: Float.self)
    }

    /// Uninitialised, 64-byte aligned: for a buffer its creator overwrites in full before anyone reads it.
    public init(uninitializedCount count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

/// An n-dimensional Float32 array with shape, strides (in elements) and an offset into shared storage.
/// Rank 0 is a scalar. Strides may be any integers (negative steps are allowed for views).
public struct Tensor: @unchecked Sendable {
    public let storage: TensorStorage
    public let shape: [Int]
    public let strides: [Int]
    public let offset: Int

    public init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A new zero-filled contiguous tensor.
    public init(zeros shape: [Int]) {
        let n = shape.reduce(1, *)
        self.init(storage: TensorStorage(count: n), shape: shape, strides: Tensor.contiguousStrides(shape), offset: 0)
    }

    /// A new contiguous tensor holding `data` (row-major). `data.count` must equal the shape's product.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "Tensor(shape:data:): \(data.count) values for shape \(shape)")
        self.init(zeros: shape)
        data.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { storage.pointer.update(from: base, count: data.count) }
        }
    }

    /// A rank-0 tensor.
    public init(scalar: Float) { self.init(shape: [], data: [scalar]) }

    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = acc
            acc *= shape[i]
        }
        return strides
    }

    public var rank: Int { shape.count }
    public var count: Int { shape.reduce(1, *) }

    /// Row-major with no gaps (a view may still start at a non-zero offset).
    public var isContiguous: Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// Pointer to the first element; valid only for contiguous tensors while `self` is alive.
    public var basePointer: UnsafeMutablePointer<Float> { storage.pointer + offset }

    /// Self if contiguous, otherwise a contiguous copy.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let out = Tensor(zeros: shape)
        let dst = out.storage.pointer
        var i = 0
        forEachOffset { off in dst[i] = storage.pointer[off]; i += 1 }
        return out
    }

    /// An independent contiguous copy.
    public func copy() -> Tensor {
        let out = Tensor(zeros: shape)
        let dst = out.storage.pointer
        var i = 0
        forEachOffset { off in dst[i] = storage.pointer[off]; i += 1 }
        return out
    }

    /// Elements in row-major order.
    public func toArray() -> [Float] {
        let c = contiguous()
        return Array(UnsafeBufferPointer(start: c.basePointer, count: c.count))
    }

    /// Calls `body` with the storage offset of every element in row-major order.
    @inline(__always)
    public func forEachOffset(_ body: (Int) -> Void) {
        let n = count
        if n == 0 { return }
        if rank == 0 { body(offset); return }
        var index = [Int](repeating: 0, count: rank)
        var off = offset
        let last = rank - 1
        for _ in 0..<n {
            body(off)
            var d = last
            while d >= 0 {
                index[d] += 1
                off += strides[d]
                if index[d] < shape[d] { break }
                off -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Element at a full multi-index (no negative indices here; see the indexing API for those).
    public subscript(_ index: [Int]) -> Float {
        get { storage.pointer[flatOffset(index)] }
        nonmutating set { storage.pointer[flatOffset(index)] = newValue }
    }

    public subscript(_ index: Int...) -> Float {
        get { self[index] }
        nonmutating set { self[index] = newValue }
    }

    @inline(__always)
    func flatOffset(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index rank \(index.count) != tensor rank \(rank)")
        var off = offset
        for d in 0..<rank {
            precondition(index[d] >= 0 && index[d] < shape[d], "index \(index[d]) out of range for dim \(d) of size \(shape[d])")
            off += index[d] * strides[d]
        }
        return off
    }

    /// The single value of a one-element tensor.
    public var item: Float { storage.pointer[offset] }
}
