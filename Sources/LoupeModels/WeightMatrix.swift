import Dispatch
import Foundation
import LoupeFormats
import LoupeTensor

/// A 2-D weight kept in its stored type (usually memory-mapped), applied as a linear map.
///
/// Trade-off (measured in the final report): quantized and half-precision matrices are never
/// dequantised as a whole. Prompts dequantise blocks of rows into a small per-thread scratch and run
/// sgemm on each block, or with bf16 products on, dequantise panels of rows to bf16 for oneDNN
/// (`applyPanels`); one-token steps use a fused dequantise-and-dot per row. Memory stays at the
/// file size plus activations; F32 matrices are used in place. GPT-2's Conv1D ([in, out]) in F16/BF16 is
/// applied a block of output columns at a time, the same way.
final class WeightMatrix: @unchecked Sendable {
    /// Stored [outDim, inDim] (nn.Linear, GGUF) or [inDim, outDim] (GPT-2's Conv1D: F32, F16 or BF16).
    typealias Layout = Kernels.WeightLayout

    let name: String
    let dtype: DType
    let layout: Layout
    let inDim: Int
    let outDim: Int
    /// Stored bytes; points into `owner` (a mapped file, an owned F32 tensor or converted `OwnedBytes`).
    let bytes: UnsafeRawBufferPointer
    private let owner: AnyObject?
    /// For `.outIn`: output row r reads stored row `rowMap[r]` (undoes GGUF's Q/K permutation).
    let rowMap: [Int]?
    let rowBytes: Int
    /// Prompt products on a non-F32 matrix run as bf16 × bf16 with f32 sums (`BF16Products`, oneDNN; other
    /// types than BF16 through panels, `applyPanels`) instead of widening blocks to f32 for sgemm: set at load
    /// by the compute precision (`ComputePrecision`).
    var bf16Products = false
    /// Whether the matrix has been packed for prompt products (`packedForPrompts`).
    enum PackState { case untried, packed(PackedWeights), refused }
    var packState = PackState.untried
    static let packLock = NSLock()

    init(name: String, dtype: DType, layout: Layout, inDim: Int, outDim: Int, bytes: UnsafeRawBufferPointer,
         owner: AnyObject?, rowMap: [Int]? = nil) {
        self.name = name
        self.dtype = dtype
        self.layout = layout
        self.inDim = inDim
        self.outDim = outDim
        self.bytes = bytes
        self.owner = owner
        self.rowMap = rowMap
        self.rowBytes = dtype.byteCount(elements: layout == .outIn ? inDim : outDim) ?? 0
    }

    /// An owned F32 matrix, e.g. a processed weight. `values`: [outDim, inDim] for .outIn.
    convenience init(name: String, f32 values: Tensor, layout: Layout = .outIn) {
        let t = values.contiguous()
        let (rows, cols) = (t.shape[0], t.shape[1])
        let raw = UnsafeRawBufferPointer(start: UnsafeRawPointer(t.basePointer), count: t.count * 4)
        self.init(name: name, dtype: .f32, layout: layout, inDim: layout == .outIn ? cols : rows,
                  outDim: layout == .outIn ? rows : cols, bytes: raw, owner: t.storage)
    }

    var isF32InPlace: Bool { dtype == .f32 && rowMap == nil }
    /// True when the bytes are the checkpoint file's, mapped (not counted as the process's own memory).
    var isMapped: Bool { owner is WeightSource }

    /// Stored [inDim, outDim] columns c0..<c0+n of the stored rows `storedRows` (all by default), as
    /// [storedRows.count, n], into `dst`. Only for .inOut of a one-element-block type (F32/F16/BF16).
    @inline(__always)
    func dequantizeColumns(_ c0: Int, _ n: Int, storedRows: Range<Int>? = nil, into dst: UnsafeMutablePointer<Float>) {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let size = dtype.blockBytes
        let rows = storedRows ?? 0..<inDim
        for i in rows {
            Dequant.decodeUnchecked(dtype, base + (i * outDim + c0) * size, count: n, into: dst + (i - rows.lowerBound) * n)
        }
    }

    /// Dequantises output rows r0..<r0+n (as [n, inDim]) into `dst`. Only for .outIn.
    @inline(__always)
    func dequantizeRows(_ r0: Int, _ n: Int, into dst: UnsafeMutablePointer<Float>) {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if let rowMap {
            for r in 0..<n {
                Dequant.decodeUnchecked(dtype, base + rowMap[r0 + r] * rowBytes, count: inDim, into: dst + r * inDim)
            }
        } else {
            Dequant.decodeUnchecked(dtype, base + r0 * rowBytes, count: n * inDim, into: dst)
        }
    }

    /// The whole matrix as F32 in the logical [outDim, inDim] order (for accessors and processing).
    func dequantizedOutIn() -> Tensor {
        switch layout {
        case .outIn:
            let t = Tensor(zeros: [outDim, inDim])
            dequantizeRows(0, outDim, into: t.storage.pointer)
            return t
        case .inOut:
            let stored = Tensor(zeros: [inDim, outDim])
            dequantizeColumns(0, outDim, into: stored.storage.pointer)
            let src = stored.storage.pointer
            let t = Tensor(zeros: [outDim, inDim])
            let p = t.storage.pointer
            for i in 0..<inDim { for o in 0..<outDim { p[o * inDim + i] = src[i * outDim + o] } }
            return t
        }
    }

    /// Rows of output per dequantised block: a block of about 256 KiB of F32.
    var blockRows: Int { max(8, min(outDim, (64 * 1024) / max(inDim, 1))) }
    /// Output columns per dequantised block of an [in, out] matrix: about 1 MiB of F32, at least 32 columns.
    var blockColumns: Int { max(1, min(outDim, max(32, (256 * 1024) / max(inDim, 1)))) }
    /// Scratch floats one thread needs for `apply` (with bf16 products on, also for `applyPanels`).
    var scratchFloats: Int {
        if isF32InPlace { return 0 }
        let blocks = layout == .outIn ? blockRows * inDim : blockColumns * inDim
        return bf16Products ? max(blocks, panelScratchFloats) : blocks
    }

    /// out[n, outDim] (row stride ldOut) = x[n, inDim] (row stride ldX) · Wᵀ (+ `accumulate`·out),
    /// then + bias[outDim] on every row. `scratch`: `threads` buffers of `scratchFloats` each.
    func apply(_ x: UnsafePointer<Float>, ldX: Int, rows n: Int, out: UnsafeMutablePointer<Float>, ldOut: Int,
               bias: UnsafePointer<Float>? = nil, accumulate: Bool = false, scratch: ScratchPool, fast: MatVecScratch? = nil) {
        if n == 0 { return }
        if applyPacked(x, ldX: ldX, rows: n, out: out, ldOut: ldOut, bias: bias, accumulate: accumulate, scratch: scratch) {
            return
        }
        applyUnpacked(x, ldX: ldX, rows: n, out: out, ldOut: ldOut, bias: bias, accumulate: accumulate, scratch: scratch,
                      fast: fast)
    }

    /// `apply` on the stored matrix: bf16 products (in place or through panels), widened blocks and sgemm, or
    /// the one-position matvecs.
    func applyUnpacked(_ x: UnsafePointer<Float>, ldX: Int, rows n: Int, out: UnsafeMutablePointer<Float>, ldOut: Int,
                       bias: UnsafePointer<Float>?, accumulate: Bool, scratch: ScratchPool, fast: MatVecScratch? = nil) {
        if usesBF16Products(rows: n) {
            let done = readsBF16InPlace
                ? applyBF16(x, ldX: ldX, rows: n, out: out, ldOut: ldOut, bias: bias, accumulate: accumulate, threads: scratch.threads)
                : applyPanels(x, ldX: ldX, rows: n, out: out, ldOut: ldOut, bias: bias, accumulate: accumulate, scratch: scratch)
            if done { return }
        }
        if layout == .inOut && dtype != .f32 {
            if n == 1 && 2 * ((outDim + scratch.threads - 1) / scratch.threads) <= scratch.floatsEach {
                matvecByColumns(x, out: out, bias: bias, accumulate: accumulate, scratch: scratch)
            } else {
                applyByColumns(x, ldX: ldX, rows: n, out: out, ldOut: ldOut, bias: bias, accumulate: accumulate, scratch: scratch)
            }
            return
        }
        if layout == .inOut || isF32InPlace {
            Kernels.linear(x: x, ldX: ldX, w: bytes.baseAddress!.assumingMemoryBound(to: Float.self), layout: layout,
                           bias: bias, out: out, ldOut: ldOut, rows: n, inDim: inDim, outDim: outDim, accumulate: accumulate)
            return
        }
        if n == 1 {
            let quantized = fast.map { q8 in
                !accumulate && QuantMatVec.hasDirectKernel(dtype) && inDim % 32 == 0
                    && fastMatVec(x, out: out, scratch: scratch, q8: q8)
            } ?? false
            if !quantized { matvec(x, out: out, accumulate: accumulate, scratch: scratch) }
            if let bias { Kernels.add(out, bias, out, count: outDim) }
            return
        }
        let br = blockRows
        let blocks = (outDim + br - 1) / br
        let threads = scratch.threads
        parallelFor(threads) { t in
            let buf = scratch.buffer(t)
            var b = t
            while b < blocks {
                let r0 = b * br, rn = min(br, outDim - r0)
                self.dequantizeRows(r0, rn, into: buf)                     // [rn, inDim]
                Kernels.linear(x: x, ldX: ldX, w: buf, bias: bias.map { $0 + r0 }, out: out + r0, ldOut: ldOut,
                               rows: n, inDim: self.inDim, outDim: rn, accumulate: accumulate)
                b += threads
            }
        }
    }

    /// `apply` for a half-precision [in, out] matrix: blocks of output columns are widened into a
    /// per-thread scratch ([inDim, columns]) and multiplied there.
    private func applyByColumns(_ x: UnsafePointer<Float>, ldX: Int, rows n: Int, out: UnsafeMutablePointer<Float>,
                                ldOut: Int, bias: UnsafePointer<Float>?, accumulate: Bool, scratch: ScratchPool) {
        let bc = blockColumns
        let blocks = (outDim + bc - 1) / bc
        let threads = scratch.threads
        parallelFor(threads) { t in
            let buf = scratch.buffer(t)
            var b = t
            while b < blocks {
                let c0 = b * bc, cn = min(bc, self.outDim - c0)
                self.dequantizeColumns(c0, cn, into: buf)                  // [inDim, cn]
                Kernels.linear(x: x, ldX: ldX, w: buf, layout: .inOut, bias: bias.map { $0 + c0 }, out: out + c0,
                               ldOut: ldOut, rows: n, inDim: self.inDim, outDim: cn, accumulate: accumulate)
                b += threads
            }
        }
    }

    /// One position through a half-precision [in, out] matrix (GPT-2's Conv1D as stored):
    /// out[c] = Σ_i x[i]·W[i, c]. Each thread owns a range of output columns and streams its piece of every
    /// stored row once, widened into its scratch, into an accumulator: the matrix is read once, in order.
    private func matvecByColumns(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                                 accumulate: Bool, scratch: ScratchPool) {
        if matvecByRows(x, out: out, bias: bias, accumulate: accumulate, scratch: scratch) { return }
        let threads = scratch.threads
        let chunk = (outDim + threads - 1) / threads
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let size = dtype.blockBytes
        parallelFor(threads) { t in
            let c0 = t * chunk, c1 = min(self.outDim, c0 + chunk)
            if c0 >= c1 { return }
            let n = c1 - c0
            let piece = scratch.buffer(t)                                  // [n]: row i's columns c0..<c1
            let acc = piece + n                                            // [n]
            acc.update(repeating: 0, count: n)
            for i in 0..<self.inDim {
                Dequant.decodeUnchecked(self.dtype, base + (i * self.outDim + c0) * size, count: n, into: piece)
                let xi = x[i]
                for c in 0..<n { acc[c] += xi * piece[c] }
            }
            for c in 0..<n {
                let v = acc[c] + (bias?[c0 + c] ?? 0)
                out[c0 + c] = accumulate ? out[c0 + c] + v : v
            }
        }
    }

    /// One position through a BF16/F16 [in, out] matrix on CKernels' matvec (`HalfMatVec`): each thread sums
    /// x[i]·W[i, :] over its own range of stored rows into a whole output row in its scratch, streaming the
    /// matrix in stored order (the column split above reads each row in pieces), and the partial rows are
    /// added. False (nothing written) when the kernel is not active or a scratch cannot hold a row.
    private func matvecByRows(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                              accumulate: Bool, scratch: ScratchPool) -> Bool {
        guard HalfMatVec.isActive, HalfMatVec.reads(dtype), outDim <= scratch.floatsEach else { return false }
        let threads = min(scratch.threads, max(1, inDim / 64))
        let w = bytes.baseAddress!.assumingMemoryBound(to: UInt16.self)
        let (k, n) = (inDim, outDim)
        let dtype = dtype
        let body: (Int) -> Void = { t in                                   // the checks above: never refused
            let rows = (k * t / threads)..<(k * (t + 1) / threads)
            _ = HalfMatVec.rows(w, ldw: n, dtype: dtype, rows: rows, n: n, x: x, acc: scratch.buffer(t))
        }
        if threads == 1 { body(0) } else { ParallelFor.run(threads, body) }
        let sum = scratch.buffer(0)                                        // [outDim]
        for t in 1..<threads { Kernels.add(sum, scratch.buffer(t), sum, count: n) }
        if let bias { Kernels.add(sum, bias, sum, count: n) }
        if accumulate { Kernels.add(out, sum, out, count: n) } else { out.update(from: sum, count: n) }
        return true
    }

    /// One position through LoupeTensor's quantized matvec (x quantised to 8 bits per block of 32, as
    /// llama.cpp does: ~1e-3 relative error). False when the kernel refuses.
    func fastMatVec(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, scratch: ScratchPool,
                    q8: MatVecScratch) -> Bool {
        if let rowMap {
            let tmp = scratch.buffer(0)
            guard scratch.floatsEach >= outDim,
                  (try? QuantMatVec.matvec(dtype, weights: bytes, rows: outDim, cols: inDim, x: x, y: tmp,
                                           scratch: q8, threads: scratch.threads)) != nil else { return false }
            for r in 0..<outDim { out[r] = tmp[rowMap[r]] }
            return true
        }
        return (try? QuantMatVec.matvec(dtype, weights: bytes, rows: outDim, cols: inDim, x: x, y: out,
                                        scratch: q8, threads: scratch.threads)) != nil
    }

    /// out[outDim] = W · x[inDim] for one position, fused dequantise-and-dot per row (exact F32).
    func matvec(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, accumulate: Bool, scratch: ScratchPool) {
        let threads = scratch.threads
        let chunk = (outDim + threads - 1) / threads
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        parallelFor(threads) { t in
            let buf = scratch.buffer(t)
            let r0 = t * chunk, r1 = min(self.outDim, r0 + chunk)
            if r0 >= r1 { return }
            // Dequantise up to 8 rows at a time into the scratch, then dot each.
            let group = 8
            var r = r0
            while r < r1 {
                let g = min(group, r1 - r)
                if let rowMap = self.rowMap {
                    for i in 0..<g {
                        Dequant.decodeUnchecked(self.dtype, base + rowMap[r + i] * self.rowBytes, count: self.inDim,
                                                into: buf + i * self.inDim)
                    }
                } else {
                    Dequant.decodeUnchecked(self.dtype, base + r * self.rowBytes, count: g * self.inDim, into: buf)
                }
                for i in 0..<g {
                    let v = Kernels.dot(buf + i * self.inDim, x, count: self.inDim)
                    out[r + i] = accumulate ? out[r + i] + v : v
                }
                r += g
            }
        }
    }
}

/// Per-thread scratch buffers, planned once per model.
final class ScratchPool: @unchecked Sendable {
    let threads: Int
    let floatsEach: Int
    private let storage: UnsafeMutablePointer<Float>

    init(threads: Int, floatsEach: Int) {
        self.threads = max(1, threads)
        self.floatsEach = max(floatsEach, 1)
        storage = .allocate(capacity: self.threads * self.floatsEach)
        storage.initialize(repeating: 0, count: self.threads * self.floatsEach)
    }

    deinit { storage.deallocate() }

    func buffer(_ t: Int) -> UnsafeMutablePointer<Float> { storage + t * floatsEach }
}

/// Runs body(0..<n) on up to n threads (inline when n == 1).
@inline(__always)
func parallelFor(_ n: Int, _ body: (Int) -> Void) {
    if n <= 1 { body(0); return }
    DispatchQueue.concurrentPerform(iterations: n, execute: body)
}
