/// numpy basic indexing: one entry per dimension consumed (`at`, `range`), plus `newAxis` and one `ellipsis`.
public enum TensorIndex: Sendable, Equatable {
    /// A single position (negative counts from the end); removes the dimension.
    case at(Int)
    /// start:stop:step with Python slice semantics (nil = default; negative steps allowed).
    case range(Int?, Int?, Int?)
    /// Inserts a size-1 dimension (`None` / `np.newaxis`).
    case newAxis
    /// Stands for as many full ranges as needed (`...`).
    case ellipsis

    /// `:`
    public static let all = TensorIndex.range(nil, nil, nil)
}

extension Tensor {
    /// Python's `slice.indices`: (start, step, length) of start:stop:step over a dimension of size n.
    static func sliceBounds(_ start: Int?, _ stop: Int?, _ step: Int?, size n: Int) throws -> (start: Int, step: Int, count: Int) {
        let st = step ?? 1
        guard st != 0 else { throw TensorError("index: slice step cannot be zero") }
        func clamp(_ v: Int?, _ dflt: Int) -> Int {
            guard var x = v else { return dflt }
            if x < 0 {
                x += n
                if x < 0 { x = st < 0 ? -1 : 0 }
            } else if x >= n {
                x = st < 0 ? n - 1 : n
            }
            return x
        }
        let lo = clamp(start, st < 0 ? n - 1 : 0)
        let hi = clamp(stop, st < 0 ? -1 : n)
        let len: Int
        if st < 0 { len = hi < lo ? (lo - hi - 1) / (-st) + 1 : 0 } else { len = lo < hi ? (hi - lo - 1) / st + 1 : 0 }
        return (lo, st, len)
    }

    /// numpy basic indexing as a view sharing storage.
    public func index(_ items: [TensorIndex]) throws -> Tensor {
        let ellipses = items.filter { $0 == .ellipsis }.count
        guard ellipses <= 1 else { throw TensorError("index: an index can only have a single ellipsis ('...')") }
        let consuming = items.filter { if case .at = $0 { return true }; if case .range = $0 { return true }; return false }.count
        guard consuming <= rank else {
            throw TensorError("index: too many indices for tensor of rank \(rank) (shape \(shape)): \(consuming) were given")
        }
        var expandedItems: [TensorIndex] = []
        for it in items {
            if it == .ellipsis {
                expandedItems += Array(repeating: .all, count: rank - consuming)
            } else {
                expandedItems.append(it)
            }
        }
        if ellipses == 0 { expandedItems += Array(repeating: .all, count: rank - consuming) }

        var newShape: [Int] = [], newStrides: [Int] = []
        var off = offset
        var d = 0
        for it in expandedItems {
            switch it {
            case .at(let i):
                let n = shape[d]
                let j = i < 0 ? i + n : i
                guard j >= 0, j < n else {
                    throw TensorError("index: index \(i) is out of bounds for dimension \(d) with size \(n)")
                }
                off += j * strides[d]
                d += 1
            case .range(let a, let b, let c):
                let (start, step, len) = try Tensor.sliceBounds(a, b, c, size: shape[d])
                if len > 0 { off += start * strides[d] }
                newShape.append(len)
                newStrides.append(strides[d] * step)
                d += 1
            case .newAxis:
                newShape.append(1)
                newStrides.append(0)
            case .ellipsis:
                break
            }
        }
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: off)
    }

    /// `self[items] = value` with value broadcast to the indexed view's shape (numpy semantics).
    public func assign(_ items: [TensorIndex], _ value: Tensor) throws {
        let view = try index(items)
        var v = value
        while v.rank > view.rank, v.shape.first == 1 { v = try v.squeezed(0) }  // numpy drops leading 1s
        let src0: Tensor
        do { src0 = try v.expanded(to: view.shape) } catch {
            throw TensorError("assign: cannot broadcast a value of shape \(value.shape) into the indexed shape \(view.shape)")
        }
        // A source sharing storage with the destination is copied first so overlapping views read old values.
        let src = value.storage === storage ? src0.copy() : src0
        var offsets: [Int] = []
        offsets.reserveCapacity(view.count)
        src.forEachOffset { offsets.append($0) }
        var i = 0
        let sp = src.storage.pointer, dp = storage.pointer
        view.forEachOffset { off in dp[off] = sp[offsets[i]]; i += 1 }
    }

    /// `self[items] = scalar`.
    public func assign(_ items: [TensorIndex], _ value: Float) throws {
        let view = try index(items)
        let dp = storage.pointer
        view.forEachOffset { dp[$0] = value }
    }

    /// Elements at `indices` along `dim` (numpy `take` / torch `index_select`); a copy.
    /// Negative indices count from the end.
    public func take(_ indices: [Int], dim: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "take")
        let n = shape[d]
        let idx = try indices.map { i -> Int in
            let j = i < 0 ? i + n : i
            guard j >= 0, j < n else { throw TensorError("take: index \(i) is out of bounds for dimension \(dim) with size \(n)") }
            return j
        }
        var outShape = shape
        outShape[d] = idx.count
        let out = Tensor(zeros: outShape)
        for (k, j) in idx.enumerated() {
            try out.assign(Array(repeating: .all, count: d) + [.at(k)], try index(Array(repeating: .all, count: d) + [.at(j)]))
        }
        return out
    }
}
