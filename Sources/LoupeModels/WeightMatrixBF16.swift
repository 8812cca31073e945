import Foundation
import LoupeTensor

/// The compute precision of products on bf16 weights (`load(compute=...)`).
public enum ComputePrecision: String, Sendable, CaseIterable {
    /// The default: `bf16` for a model of at least `automaticMinWeights` matrix weights (seed 001's gpt2-large,
    /// Llama 3.2 1B, the seeds' 7–8B models) where the CPU has AVX512_BF16; `f32` for smaller models, whose
    /// products are quick either way, and on CPUs without AVX512_BF16. One choice per model, never per matrix.
    case automatic
    /// bf16 weights multiply as bf16 × bf16 with f32 sums (oneDNN): each product's activation input is
    /// rounded to bf16 (about 2⁻⁹ relative), the sums are f32. Prompts on quantised and F16 weights
    /// dequantise panels of rows to bf16 and multiply the same way (each weight rounded too); F32 weights
    /// stay exact.
    case bf16
    /// Every product in f32 (weights widened a block at a time, OpenBLAS sgemm): exact, slower.
    case f32

    /// A model's matrix weights (embedding and unembedding counted) from which `automatic` chooses bf16
    /// products: gpt2-large's 836M are above it (its bf16 checkpoint at 32 tokens: 155 ms in bf16 against
    /// 285 ms widened to f32 and packed, which also held a 3 GB f32 copy), gpt2-medium's 405M and SmolLM2's
    /// 135M below.
    public static let automaticMinWeights = 500_000_000

    /// Whether products on the bf16 matrices of a model with `weights` matrix weights run in bf16.
    func bf16Products(modelWeights weights: Int) -> Bool {
        switch self {
        case .automatic: return BF16Products.isAvailable && weights >= ComputePrecision.automaticMinWeights
        case .bf16: return true
        case .f32: return false
        }
    }
}

extension WeightMatrix {
    /// Products on a non-F32 matrix with bf16 products on: BF16 read in place (one position too on [out, in]
    /// rows: the dot tiles read each weight once, as the f32 matvec does, at a higher rate), other types
    /// through panels (`applyPanels`) from two rows (one position keeps the quantised matvecs, bound by memory).
    @inline(__always)
    func usesBF16Products(rows n: Int) -> Bool {
        bf16Products && (readsBF16InPlace ? n >= 2 || (n == 1 && layout == .outIn) : n >= 2 && hasBF16Panels)
    }

    /// oneDNN multiplies by the stored bytes as they are (BF16, not permuted).
    var readsBF16InPlace: Bool { dtype == .bf16 && rowMap == nil }

    /// out[n, outDim] (+)= round_bf16(x) · Wᵀ (+ bias) through oneDNN; false when it refused (nothing
    /// written: the caller takes the f32 path).
    func applyBF16(_ x: UnsafePointer<Float>, ldX: Int, rows n: Int, out: UnsafeMutablePointer<Float>, ldOut: Int,
                   bias: UnsafePointer<Float>?, accumulate: Bool, threads: Int) -> Bool {
        guard productBF16(x, ldX: ldX, rows: n, out: out, ldOut: ldOut, accumulate: accumulate, threads: threads) else {
            return false
        }
        if let bias { for r in 0..<n { Kernels.add(out + r * ldOut, bias, out + r * ldOut, count: outDim) } }
        return true
    }

    /// `applyBF16` without the bias: [in, out] weights above `inOutRowsMax` rows through their packed copy
    /// (`bf16Packed`), everything else through `BF16Products` on the stored bytes. Accumulating products skip the
    /// packed copy: a refusal there after some rows were added could not be redone on the stored bytes.
    private func productBF16(_ x: UnsafePointer<Float>, ldX: Int, rows n: Int, out: UnsafeMutablePointer<Float>, ldOut: Int,
                             accumulate: Bool, threads: Int) -> Bool {
        if layout == .inOut && n > BF16Products.inOutRowsMax && !accumulate, let packed = bf16Packed(),
           packed.applyBF16(x, ldX: ldX, rows: n, out: out, ldOut: ldOut, accumulate: false, threads: threads) {
            return true
        }
        let w = bytes.baseAddress!.assumingMemoryBound(to: UInt16.self)
        do {
            try BF16Products.linear(x: x, ldx: ldX, m: n, w: w, ldw: layout == .outIn ? inDim : outDim, n: outDim, k: inDim,
                                    c: out, ldc: ldOut, accumulate: accumulate, threads: threads,
                                    weightsInOut: layout == .inOut)
        } catch {
            return false
        }
        return true
    }
}

extension WeightMatrix {
    /// Whether bf16 [in, out] matrices (GPT-2's Conv1D) are packed once for prompts above `inOutRowsMax` rows;
    /// otherwise oneDNN copies the layout into its own on every call. Settable for A/B runs and tests.
    nonisolated(unsafe) static var packsBF16InOut = true

    /// The bf16 matrix packed for prompt products (made on first use while the process's packing budget lasts,
    /// `PackedWeights.budgetBytes`); nil when packing is off or was refused.
    func bf16Packed() -> PackedWeights? {
        guard WeightMatrix.packsBF16InOut, readsBF16InPlace else { return nil }
        WeightMatrix.packLock.lock()
        defer { WeightMatrix.packLock.unlock() }
        switch packState {
        case .packed(let p): return p.isBF16 ? p : nil
        case .refused: return nil
        case .untried: break
        }
        let p = PackedWeights(bf16: bytes.baseAddress!.assumingMemoryBound(to: UInt16.self),
                              ldW: layout == .outIn ? inDim : outDim, outDim: outDim, inDim: inDim, layout: layout)
        packState = p.map { .packed($0) } ?? .refused
        // The packed copy serves prompts from now on: drop the checkpoint's pages from this process (one-position
        // steps fault them back in from the page cache when they read the stored rows).
        if p != nil { unmapResidentPages() }
        return p
    }

    /// Unmaps the stored bytes' whole pages from this process when they are a mapped checkpoint's
    /// (`WeightSource`: read-only private file mappings, never written), so they stop counting in its RSS; the
    /// contents are unchanged (a later read faults them back in from the page cache or the file).
    /// Owned bytes are left alone: MADV_DONTNEED would zero anonymous memory.
    func unmapResidentPages() {
        guard isMapped, let base = bytes.baseAddress, bytes.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + page - 1) / page * page      // whole pages inside the range only
        let end = (Int(bitPattern: base) + bytes.count) / page * page
        guard end > start, let ptr = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(ptr, end - start, MADV_DONTNEED)
    }
}

extension ModelWeights {
    /// Every matrix's products at `compute` (bf16 products leave F32 matrices exact).
    func setCompute(_ compute: ComputePrecision) {
        var all: [WeightMatrix] = [embed, unembed] + (vision?.matrices ?? [])
        for l in layers { all += [l.qkv, l.q, l.k, l.v, l.o, l.gate, l.up, l.down].compactMap { $0 } }
        let bf16 = compute.bf16Products(modelWeights: all.reduce(0) { $0 + $1.inDim * $1.outDim })
        for m in all { m.bf16Products = bf16 }
    }
}
