import Foundation
import LoupeTensor

/// How one tensor was split across model-parallel shards (fairscale's column/row-parallel layers).
public enum ShardSplit: Sendable, Equatable {
    /// Every shard holds the whole tensor (norms); the first shard's copy is used.
    case replicated
    /// The shards hold consecutive slices along this dimension.
    case concatenated(dim: Int)
}

/// Model-parallel shards (Meta's `consolidated.00.pth` … `.NN.pth`) seen as one checkpoint. Every shard
/// must hold the same names with the same dtype; `split` says how each was divided, given its name and
/// the first shard's shape. A replicated tensor is the first shard's mapped bytes; a concatenated one is
/// joined once, on first use, into memory owned here (kept in its stored dtype).
public final class JoinedShards: WeightSource, @unchecked Sendable {
    public let shards: [WeightSource]
    /// The directory, for messages.
    public let origin: String
    public let tensorNames: [String]
    private let infos: [String: TensorInfo]
    private let splits: [String: ShardSplit]
    private var joined: [String: UnsafeMutableRawBufferPointer] = [:]
    private let lock = NSLock()

    public init(shards: [WeightSource], origin: String, split: (String, [Int]) throws -> ShardSplit) throws {
        guard let first = shards.first else {
            throw FormatError(.notFound, file: origin, "no shards to join")
        }
        self.shards = shards
        self.origin = origin
        var infos: [String: TensorInfo] = [:]
        var splits: [String: ShardSplit] = [:]
        let firstNames = Set(first.tensorNames)
        for (s, shard) in shards.enumerated().dropFirst() {
            if let extra = shard.tensorNames.first(where: { !firstNames.contains($0) }) {
                throw FormatError(.invalidValue, file: shard.info(extra)?.file ?? origin, item: extra,
                                  "this shard holds a tensor that shard 0 does not (shard \(s) of \(shards.count))")
            }
        }
        for name in first.tensorNames {
            guard let base = first.info(name) else { continue }
            let parts = try shards.map { shard -> TensorInfo in
                guard let i = shard.info(name) else {
                    throw FormatError(.noSuchTensor, file: origin, item: name, "missing from one of the \(shards.count) shards")
                }
                guard i.dtype == base.dtype, i.shape.count == base.shape.count else {
                    throw FormatError(.sizeMismatch, file: i.file, item: name,
                                      "\(i.dtype) \(i.shape) here but \(base.dtype) \(base.shape) in \(base.file)")
                }
                return i
            }
            let how = try split(name, base.shape)
            var shape = base.shape
            switch how {
            case .replicated:
                for p in parts where p.shape != base.shape {
                    throw FormatError(.sizeMismatch, file: p.file, item: name,
                                      "a replicated tensor is \(p.shape) here but \(base.shape) in \(base.file)")
                }
            case .concatenated(let dim):
                guard dim >= 0, dim < shape.count else {
                    throw FormatError(.invalidValue, file: origin, item: name, "cannot join \(shape) along dimension \(dim)")
                }
                shape[dim] = 0
                for p in parts {
                    for d in 0..<shape.count where d != dim && p.shape[d] != base.shape[d] {
                        throw FormatError(.sizeMismatch, file: p.file, item: name,
                                          "shard slices \(p.shape) and \(base.shape) differ outside the joined dimension \(dim)")
                    }
                    shape[dim] += p.shape[dim]
                }
            }
            let bytes = base.dtype.byteCount(elements: shape.reduce(1, *)) ?? 0
            infos[name] = how == .replicated ? base
                : TensorInfo(name: name, dtype: base.dtype, shape: shape, byteRange: 0..<bytes, file: origin)
            splits[name] = how
        }
        tensorNames = first.tensorNames.filter { infos[$0] != nil }
        self.infos = infos
        self.splits = splits
    }

    deinit { for (_, b) in joined { b.deallocate() } }

    public func info(_ name: String) -> TensorInfo? { infos[name] }

    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let info = infos[name], let how = splits[name] else {
            throw FormatError(.noSuchTensor, file: origin, item: name, "no tensor of this name in the shards (\(infos.count) tensors)")
        }
        guard case .concatenated(let dim) = how else { return try shards[0].bytes(name) }
        lock.lock()
        defer { lock.unlock() }
        if let done = joined[name] { return UnsafeRawBufferPointer(rebasing: done[0..<info.byteCount]) }
        if info.byteCount == 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
        // Row-major: the joined tensor is `outer` blocks; each shard contributes a run of
        // shape[dim..] elements to every block.
        let outer = info.shape[..<dim].reduce(1, *)
        let elementBytes = info.dtype.byteCount(elements: 1) ?? 1
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: max(info.byteCount, 1), alignment: 64)
        var column = 0
        for shard in shards {
            let src = try shard.bytes(name)
            let run = src.count / max(outer, 1)
            let width = info.shape[dim...].reduce(1, *) * elementBytes
            for o in 0..<outer {
                out.baseAddress!.advanced(by: o * width + column)
                    .copyMemory(from: src.baseAddress!.advanced(by: o * run), byteCount: run)
            }
            column += run
        }
        joined[name] = out
        return UnsafeRawBufferPointer(rebasing: out[0..<info.byteCount])
    }

    public func loadFloat32(_ name: String) throws -> Tensor {
        guard let info = infos[name] else {
            throw FormatError(.noSuchTensor, file: origin, item: name, "no tensor of this name in the shards (\(infos.count) tensors)")
        }
        return try FloatDecoding.decode(info, try bytes(name))
    }
}
