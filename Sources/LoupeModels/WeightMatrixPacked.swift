import Foundation
import LoupeTensor

extension WeightMatrix {
    /// The matrix packed for prompt products (two or more rows), made on first use while the process's
    /// packing budget lasts (`PackedWeights.budgetBytes`); nil for bf16-product matrices, and when packing
    /// was refused. Quantized and half-precision matrices are dequantised once to pack them.
    func packedForPrompts(rows: Int) -> PackedWeights? {
        if rows < 2 || usesBF16Products(rows: rows) { return nil }
        WeightMatrix.packLock.lock()
        defer { WeightMatrix.packLock.unlock() }
        switch packState {
        case .packed(let p): return p
        case .refused: return nil
        case .untried: break
        }
        let p: PackedWeights?
        if isF32InPlace {
            p = PackedWeights(bytes.baseAddress!.assumingMemoryBound(to: Float.self), ldW: layout == .outIn ? inDim : outDim,
                              outDim: outDim, inDim: inDim, layout: layout)
        } else {
            let dense = dequantizedOutIn()                                   // [outDim, inDim], freed after packing
            p = PackedWeights(dense.basePointer, ldW: inDim, outDim: outDim, inDim: inDim, layout: .outIn)
        }
        packState = p.map { .packed($0) } ?? .refused
        return p
    }

    /// out[n, outDim] (+)= x[n, inDim] · Wᵀ (+ bias) through the packed matrix; false (nothing written)
    /// when there is none or the strides are not dense. Each thread adds the bias to its own rows, then runs
    /// `then(r0, rows)` on them (e.g. splitting a fused output).
    func applyPacked(_ x: UnsafePointer<Float>, ldX: Int, rows n: Int, out: UnsafeMutablePointer<Float>, ldOut: Int,
                     bias: UnsafePointer<Float>?, accumulate: Bool, scratch: ScratchPool,
                     then: ((Int, Int) -> Void)? = nil) -> Bool {
        guard ldX == inDim, ldOut == outDim, let packed = packedForPrompts(rows: n) else { return false }
        let o = outDim
        packed.apply(x, rows: n, out: out, accumulate: accumulate, threads: scratch.threads, fallback: { r0, rn in
            self.applyUnpacked(x + r0 * ldX, ldX: ldX, rows: rn, out: out + r0 * ldOut, ldOut: ldOut, bias: nil,
                               accumulate: accumulate, scratch: ScratchPool(threads: 1, floatsEach: self.scratchFloats))
        }, epilogue: bias == nil && then == nil ? nil : { r0, rn in
            if let bias { for r in r0..<(r0 + rn) { Kernels.add(out + r * o, bias, out + r * o, count: o) } }
            then?(r0, rn)
        })
        return true
    }

    /// Bytes of the packed copy (0 when there is none).
    var packedBytes: Int {
        if case .packed(let p) = packState { return p.bytes }
        return 0
    }
}
