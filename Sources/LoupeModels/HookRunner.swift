import Foundation
import LoupeTensor

/// Dispatches hook points during one forward pass: copies activations into the cache, calls user
/// hooks and writes their replacements back into the pass's buffers.
final class HookRunner {
    let registry: HookRegistry
    /// Drop the leading batch dimension (one prompt, TransformerLens's single-string behaviour).
    let dropBatch: Bool
    private var keep: [Bool]
    private var hooks: [[HookFunction]]
    private(set) var active: [Bool]
    var cache: [String: Tensor] = [:]
    /// Threads a large activation's copy into the cache is split across (the pass's thread count).
    var copyThreads = 1
    var order: [String] = []

    init(registry: HookRegistry, cacheIDs: [Int], hooks userHooks: [(Int, HookFunction)], dropBatch: Bool) {
        self.registry = registry
        self.dropBatch = dropBatch
        var keep = [Bool](repeating: false, count: registry.count)
        var hooks = [[HookFunction]](repeating: [], count: registry.count)
        for id in cacheIDs { keep[id] = true }
        for (id, f) in userHooks { hooks[id].append(f) }
        self.keep = keep
        self.hooks = hooks
        active = (0..<registry.count).map { keep[$0] || !hooks[$0].isEmpty }
    }

    @inline(__always)
    func isActive(_ id: Int) -> Bool { active[id] }

    /// Whether a user hook function runs at `id` (it may replace the activation).
    func hasHookFunction(_ id: Int) -> Bool { !hooks[id].isEmpty }

    /// A fresh cache tensor of `shape` (with the batch dimension) for a kernel to write the activation at `id`
    /// into directly, when the point is only cached (no hook function may replace it); nil otherwise, and
    /// the kernel writes the pass's own buffer and `fire` copies it. Hand it to `adopt` once written.
    func inPlaceTarget(_ id: Int, _ shape: [Int]) -> Tensor? {
        guard keep[id], hooks[id].isEmpty, registry.points[id] != nil else { return nil }
        let outShape = dropBatch ? Array(shape.dropFirst()) : shape
        return Tensor(storage: TensorStorage(uninitializedCount: shape.reduce(1, *)), shape: outShape,
                      strides: Tensor.contiguousStrides(outShape), offset: 0)
    }

    /// Caches a tensor from `inPlaceTarget(id, _)` that its kernel has written in full (the hook point fires
    /// without a copy).
    func adopt(_ id: Int, _ value: Tensor) {
        guard let point = registry.points[id] else { return }
        if cache[point.name] == nil { order.append(point.name) }
        cache[point.name] = value
    }

    /// `shape` includes the batch dimension; `ptr` holds the contiguous activation.
    func fire(_ id: Int, _ ptr: UnsafeMutablePointer<Float>, _ shape: [Int]) throws {
        guard active[id], let point = registry.points[id] else { return }
        let outShape = dropBatch ? Array(shape.dropFirst()) : shape
        let n = shape.reduce(1, *)
        var value = Tensor(storage: TensorStorage(uninitializedCount: n), shape: outShape,
                           strides: Tensor.contiguousStrides(outShape), offset: 0)
        HookRunner.copy(ptr, to: value.storage.pointer, count: n, threads: copyThreads)
        for f in hooks[id] {
            let input = hooks[id].count > 1 || keep[id] ? value.copy() : value
            guard let r = try f(input, point) else { continue }
            guard r.shape == outShape else {
                throw ModelError(.badHookResult, "hook on \(point.name) returned shape \(r.shape); expected \(outShape)")
            }
            value = r.contiguous()
            ptr.update(from: value.basePointer, count: n)
        }
        if keep[id] {
            if cache[point.name] == nil { order.append(point.name) }
            cache[point.name] = value.isContiguous && value.offset == 0 ? value : value.copy()
        }
    }

    /// dst[0..<n] = src[0..<n], in `threads` parts on the pool when there are at least 64 Ki floats a part.
    static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count n: Int, threads: Int) {
        let parts = min(threads, n >> 16)
        if parts < 2 {
            dst.update(from: src, count: n)
            return
        }
        ParallelFor.run(parts) { t in
            let a = n * t / parts, b = n * (t + 1) / parts
            (dst + a).update(from: src + a, count: b - a)
        }
    }
}
