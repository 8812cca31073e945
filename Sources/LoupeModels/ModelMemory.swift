import Foundation
import LoupeTensor

/// What a model's weights occupy: bytes mapped from the checkpoint (the page cache holds them, shared
/// and reclaimable) and bytes the process owns (converted matrices, norms, biases), per stored type.
public struct WeightMemory: Sendable, Equatable {
    public var mapped: [DType: Int] = [:]
    public var owned: [DType: Int] = [:]
    /// The per-model scratch the forward pass reuses (F32).
    public var scratch: Int = 0
    /// Matrices packed for prompt products (F32, or bf16 for GPT-2's [in, out] weights with bf16 products; made by
    /// the first prompt pass that uses each; `PackedWeights`).
    public var packed: Int = 0

    public var mappedBytes: Int { mapped.values.reduce(0, +) }
    public var ownedBytes: Int { owned.values.reduce(0, +) + scratch + packed }
}

extension HookedTransformer {
    /// The bytes behind the weights, mapped vs owned, per dtype (tied matrices counted once).
    public func memory() -> WeightMemory {
        var m = WeightMemory()
        let w = refactored?.weights ?? weights
        var seen = Set<ObjectIdentifier>()
        func add(_ matrix: WeightMatrix?) {
            guard let matrix, seen.insert(ObjectIdentifier(matrix)).inserted else { return }
            m.packed += matrix.packedBytes
            if matrix.isMapped {
                m.mapped[matrix.dtype, default: 0] += matrix.bytes.count
            } else {
                m.owned[matrix.dtype, default: 0] += matrix.bytes.count
            }
        }
        func add(_ t: Tensor?) {
            guard let t else { return }
            m.owned[.f32, default: 0] += t.count * 4
        }
        add(w.embed)
        add(w.unembed)
        add(w.posEmbed)
        add(w.lnFinalW)
        add(w.lnFinalB)
        for l in w.layers {
            for matrix in [l.qkv, l.q, l.k, l.v, l.o, l.gate, l.up, l.down] { add(matrix) }
            for t in [l.ln1W, l.ln1B, l.ln2W, l.ln2B, l.qkvB, l.oB, l.upB, l.downB] { add(t) }
        }
        m.packed += w.fusedPacks.bytes
        m.scratch = scratch.threads * scratch.floatsEach * 4
        return m
    }
}
