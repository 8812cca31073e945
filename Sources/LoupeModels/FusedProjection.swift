import Foundation
import LoupeTensor

/// Matrices that read the same input (Llama's q | k | v, gate | up) packed as ONE [Σ outDim, inDim] matrix
/// for prompt products: one product and one thread hand-off instead of two or three, and a wider output
/// for oneDNN's kernels than the narrow k and v alone. Made at the first prompt pass, within the packing
/// budget (`PackedWeights.budgetBytes`). A group with a bf16-product member, or a member whose own packing
/// was refused, is not fused; its matrices are then applied one by one.
final class FusedPacks: @unchecked Sendable {
    private struct Entry {
        let members: [WeightMatrix]
        let packed: PackedWeights?
    }

    private let lock = NSLock()
    /// By slot (a layer's group); an entry whose members are no longer the layer's is replaced.
    private var entries: [Int: Entry] = [:]
    /// When false every matrix is applied on its own (tests compare both ways).
    var enabled = true

    /// The fused packed matrix of `ms` for a product on `rows` rows, or nil (apply them one by one).
    func packed(slot: Int, _ ms: [WeightMatrix], rows: Int) -> PackedWeights? {
        guard enabled, rows >= 2, ms.count >= 2 else { return nil }
        let inDim = ms[0].inDim
        for m in ms {
            if m.inDim != inDim || m.usesBF16Products(rows: rows) { return nil }
            if case .refused = m.packState { return nil }
        }
        lock.lock()
        defer { lock.unlock() }
        if let e = entries[slot], e.members.count == ms.count, zip(e.members, ms).allSatisfy({ $0 === $1 }) {
            return e.packed
        }
        entries[slot] = nil                                            // frees a stale group's copy first
        let outDim = ms.reduce(0) { $0 + $1.outDim }
        let dense = UnsafeMutablePointer<Float>.allocate(capacity: outDim * inDim)   // [Σ outDim, inDim]
        defer { dense.deallocate() }
        var row = 0
        for m in ms {
            let t = m.dequantizedOutIn()                               // [outDim, inDim]
            (dense + row * inDim).update(from: t.basePointer, count: m.outDim * inDim)
            row += m.outDim
        }
        let p = PackedWeights(dense, ldW: inDim, outDim: outDim, inDim: inDim, layout: .outIn)
        entries[slot] = Entry(members: ms, packed: p)
        return p
    }

    /// Bytes of the fused packed copies.
    var bytes: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.values.reduce(0) { $0 + ($1.packed?.bytes ?? 0) }
    }
}

extension ForwardPass {
    /// Slots of a layer's fused groups in `FusedPacks`.
    enum FusedGroup: Int { case qkv = 0, gateUp = 1 }

    /// outs[i] [rows, ms[i].outDim] = x [rows, inDim] · ms[i]ᵀ for matrices reading the same x: one product
    /// on the group's fused packed matrix when there is one (each thread splits its own rows into `outs`
    /// right after computing them, then runs `then(r0, n)` on them), else one `project` per matrix and
    /// `then(0, rows)`.
    func projectFused(_ group: FusedGroup, layer l: Int, _ ms: [WeightMatrix], _ x: UnsafePointer<Float>, ldX: Int,
                      outs: [UnsafeMutablePointer<Float>], then: ((Int, Int) -> Void)? = nil) {
        if ldX == ms[0].inDim, let buffer = fusedOut,
           let packed = w.fusedPacks.packed(slot: 2 * l + group.rawValue, ms, rows: rows), buffer.count >= rows * packed.outDim {
            let out = buffer.p, total = packed.outDim, widths = ms.map(\.outDim)   // out: [rows, Σ outDim]
            packed.apply(x, rows: rows, out: out, accumulate: false, threads: scratch.threads, fallback: { r0, rn in
                var col = 0
                for m in ms {
                    m.applyUnpacked(x + r0 * ldX, ldX: ldX, rows: rn, out: out + r0 * total + col, ldOut: total, bias: nil,
                                    accumulate: false, scratch: ScratchPool(threads: 1, floatsEach: m.scratchFloats))
                    col += m.outDim
                }
            }, epilogue: { r0, rn in
                Kernels.splitColumns(out, rows: r0, rn, widths: widths, into: outs)
                then?(r0, rn)
            })
            return
        }
        for (m, o) in zip(ms, outs) { project(m, x, ldX: ldX, out: o, ldOut: m.outDim) }
        then?(0, rows)
    }

    /// A stored fused matrix (GPT-2's c_attn): fused [rows, Σ widths] = x · W + bias, split by columns into
    /// outs, then `then(r0, n)`; on packed weights each thread splits its own rows right after computing them.
    func projectSplit(_ m: WeightMatrix, _ x: UnsafePointer<Float>, ldX: Int, bias: UnsafePointer<Float>?,
                      fused: UnsafeMutablePointer<Float>, widths: [Int], outs: [UnsafeMutablePointer<Float>],
                      then: ((Int, Int) -> Void)? = nil) {
        let split: (Int, Int) -> Void = { r0, rn in
            Kernels.splitColumns(fused, rows: r0, rn, widths: widths, into: outs)
            then?(r0, rn)
        }
        if m.applyPacked(x, ldX: ldX, rows: rows, out: fused, ldOut: m.outDim, bias: bias, accumulate: false,
                         scratch: scratch, then: split) {
            return
        }
        project(m, x, ldX: ldX, out: fused, ldOut: m.outDim, bias: bias)
        split(0, rows)
    }
}
