/// torch/numpy indexing: one entry per dimension consumed (`at`, `range`, `indices`), plus `newAxis` and one `ellipsis`.
public enum TensorIndex: Sendable, Equatable {
    /// A single position (negative counts from the end); removes the dimension.
    case at(Int)
    /// start:stop:step with Python slice semantics (nil = default; negative steps allowed).
    case range(Int?, Int?, Int?)
    /// Inserts a size-1 dimension (`None` / `np.newaxis`).
    case newAxis
    /// Stands for as many full ranges as needed (`...`).
    case ellipsis
    /// Integer positions along one dimension (advanced indexing), row-major in an index tensor of
    /// `shape` (nil: a 1-d list). The dimension is replaced by the index's dimensions; several such
    /// items broadcast together (see `TensorAdvancedIndex.swift`).
    case indices([Int], shape: [Int]? = nil)

    /// `:`
    public static let all = TensorIndex.range(nil, nil, nil)
}

extension Tensor {
    /// Python's `slice.indices`: (start, step, length) of start:stop:step over a dimension of size n.
    public static func sliceBounds(_ start: Int?, _ stop: Int?, _ step: Int?, size n: Int) throws -> (start: Int, step: Int, count: Int) {
        let st = step ?? 1
        guard st != 0 else { throw TensorError("slice step cannot be zero") }
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

    /// torch indexing. Basic items (`at`, `range`, `newAxis`, `ellipsis`) give a view sharing storage;
    /// with `indices` items the result is a copy (torch's advanced indexing).
    /// [2, 3, 4][.at(1), .range(nil, nil, -1)] -> [3, 4]; [2, 3, 4][.newAxis, .ellipsis, .indices([0, 0])] -> [1, 2, 3, 2].
    public func index(_ items: [TensorIndex]) throws -> Tensor {
        let (view, gathered) = try indexedView(items)
        if gathered.isEmpty { return view }
        if gathered.count == 1, gathered[0].shape.count == 1 { return view.taking(gathered[0].positions, dim: gathered[0].dim) }
        return try view.advancedIndex(gathered)
    }

    /// The view for `items`; each `indices` item leaves its dimension whole in the view and is
    /// returned as (dimension in the view, index shape, normalised positions) for the caller to pick from.
    func indexedView(_ items: [TensorIndex]) throws -> (view: Tensor, gathered: [AdvancedIndex]) {
        let consuming = items.filter { $0 != .newAxis && $0 != .ellipsis }.count
        guard consuming <= rank else {
            throw TensorError("too many indices for a tensor of shape \(shape): \(consuming) given")
        }
        guard items.filter({ $0 == .ellipsis }).count <= 1 else {
            throw TensorError("an index can only have a single ellipsis ('...')")
        }
        var parts: [TensorIndex] = []
        for it in items {
            if it == .ellipsis { parts += Array(repeating: .all, count: rank - consuming) } else { parts.append(it) }
        }
        var newShape: [Int] = [], newStrides: [Int] = []
        var off = offset
        var d = 0
        var gathered: [AdvancedIndex] = []
        for it in parts {
            switch it {
            case .at(let i):
                off += try Tensor.position(i, size: shape[d], "dim \(d)") * strides[d]
                d += 1
            case .range(let a, let b, let c):
                let (start, step, len) = try Tensor.sliceBounds(a, b, c, size: shape[d])
                if len > 0 { off += start * strides[d] }
                newShape.append(len)
                newStrides.append(strides[d] * step)
                d += 1
            case .indices(let list, let indexShape):
                let n = shape[d]
                let positions = try list.map { try Tensor.position($0, size: n, "tensor dim \(d)") }
                gathered.append(AdvancedIndex(dim: newShape.count, shape: indexShape ?? [list.count], positions: positions))
                newShape.append(n)
                newStrides.append(strides[d])
                d += 1
            case .newAxis:
                newShape.append(1)
                newStrides.append(0)
            case .ellipsis:
                break
            }
        }
        while d < rank { newShape.append(shape[d]); newStrides.append(strides[d]); d += 1 }
        return (Tensor(storage: storage, shape: newShape, strides: newStrides, offset: off), gathered)
    }

    /// A possibly negative position in a dimension of size n, checked.
    static func position(_ i: Int, size n: Int, _ what: String) throws -> Int {
        let j = i < 0 ? i + n : i
        guard j >= 0, j < n else { throw TensorError("\(what) index \(i) is out of range (length \(n))") }
        return j
    }

    /// `self[items] = value` with value broadcast to the indexed shape. With `dropLeadingOnes` (numpy)
    /// extra leading size-1 dimensions of `value` are ignored; without it (torch) they are an error.
    /// An `indices` item writes each listed position in turn (a repeated position keeps the last).
    public func assign(_ items: [TensorIndex], _ value: Tensor, dropLeadingOnes: Bool = true) throws {
        let (view, gathered) = try indexedView(items)
        var v = value
        if gathered.isEmpty {
            if dropLeadingOnes { while v.rank > view.rank, v.shape.first == 1 { v = try v.squeezed(0) } }
            return try view.write(v)
        }
        let layout = try AdvancedLayout(view.shape, gathered)
        if dropLeadingOnes { while v.rank > layout.resultShape.count, v.shape.first == 1 { v = try v.squeezed(0) } }
        try view.advancedAssign(layout, try v.expanded(to: layout.resultShape))
    }

    /// `self[items] = scalar`.
    public func assign(_ items: [TensorIndex], _ value: Float) throws {
        let (view, gathered) = try indexedView(items)
        guard gathered.isEmpty else { return try assign(items, Tensor(scalar: value)) }
        let dp = storage.pointer
        view.forEachOffset { dp[$0] = value }
    }
}
