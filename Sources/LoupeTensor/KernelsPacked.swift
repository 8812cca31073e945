import CBF16Kernels
import Foundation

/// A weight matrix packed once into oneDNN's blocked layout, for products on two or more rows: oneDNN's
/// brgemm matmul reads the prepared panels directly, where sgemm (or oneDNN on weights as stored) packs the
/// weights again on every call. f32: on this machine about twice OpenBLAS sgemm per core at the models'
/// shapes (bench/RESULTS.md, "Kernels"); sums are f32 in a different order (~1e-6 relative). bf16 (GPT-2's
/// [in, out] Conv1D weights with bf16 products): the same bf16 × bf16 products with f32 sums as
/// `BF16Products`, without oneDNN's per-call copy of the layout. The packed copy is owned memory: packing
/// stops at `budgetBytes` for the whole process.
public final class PackedWeights: @unchecked Sendable {
    private let handle: OpaquePointer
    public let outDim: Int
    public let inDim: Int
    /// The packed bytes (oneDNN pads outDim to 64 and inDim to 16).
    public let bytes: Int
    /// Weights (and the activations multiplied by them) in bf16 rather than f32.
    public let isBF16: Bool

    /// Packs W stored [outDim, inDim] (`.outIn`) or [inDim, outDim] (`.inOut`), row stride ldW; nil when
    /// oneDNN has no fast kernel for it here or the budget is spent.
    public convenience init?(_ w: UnsafePointer<Float>, ldW: Int, outDim: Int, inDim: Int, layout: Kernels.WeightLayout) {
        self.init(outDim: outDim, inDim: inDim, isBF16: false,
                  estimate: ((outDim + 63) / 64 * 64) * ((inDim + 15) / 16 * 16) * 4) {
            loupe_f32_pack(w, ldW, outDim, inDim, layout == .inOut ? 1 : 0)
        }
    }

    /// Packs a bf16 W stored [outDim, inDim] (`.outIn`) or [inDim, outDim] (`.inOut`), row stride ldW, for
    /// bf16 products (`applyBF16`); nil without AVX512_BF16, when oneDNN has no brgemm kernel for it here or the
    /// budget is spent.
    public convenience init?(bf16 w: UnsafePointer<UInt16>, ldW: Int, outDim: Int, inDim: Int, layout: Kernels.WeightLayout) {
        guard BF16Products.isAvailable else { return nil }
        self.init(outDim: outDim, inDim: inDim, isBF16: true,
                  estimate: ((outDim + 63) / 64 * 64) * ((inDim + 31) / 32 * 32) * 2) {
            loupe_bf16_pack(w, ldW, outDim, inDim, layout == .inOut ? 1 : 0)
        }
    }

    /// Reserves `estimate` bytes of the budget, then packs; the reservation is returned when packing fails.
    private init?(outDim: Int, inDim: Int, isBF16: Bool, estimate: Int, pack: () -> OpaquePointer?) {
        guard PackedWeights.reserve(estimate) else { return nil }
        guard let h = pack() else {
            PackedWeights.release(estimate)
            return nil
        }
        handle = h
        self.outDim = outDim
        self.inDim = inDim
        self.isBF16 = isBF16
        bytes = estimate
    }

    deinit {
        loupe_f32_packed_free(handle)
        PackedWeights.release(bytes)
    }

    /// out[rows, outDim] (dense) = x[rows, inDim] (dense) · Wᵀ (+ out when accumulate), the rows split across
    /// up to `threads` threads (at least 8 rows each). A thread whose product oneDNN refuses runs
    /// `fallback(r0, n)` for its rows instead. `epilogue(r0, n)`, when given, runs on the same thread right
    /// after its rows are written (bias, splitting the output), while they are still in its cache.
    public func apply(_ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>, accumulate: Bool,
                      threads: Int, fallback: @escaping (Int, Int) -> Void, epilogue: ((Int, Int) -> Void)? = nil) {
        if rows == 0 { return }
        let n = max(1, min(threads, rows / 8))
        let (h, k, o) = (handle, inDim, outDim)
        ParallelFor.run(n) { t in
            let r0 = rows * t / n, r1 = rows * (t + 1) / n
            if r0 >= r1 { return }
            let status = loupe_f32_packed_gemm(h, x + r0 * k, k, r1 - r0, out + r0 * o, o, accumulate ? 1 : 0)
            if status != 0 { fallback(r0, r1 - r0) }
            epilogue?(r0, r1 - r0)
        }
    }

    /// out[rows, outDim] (row stride ldOut) = round_bf16(x[rows, inDim]) (row stride ldX) · Wᵀ (+ out when
    /// accumulate) for a bf16 matrix: each of up to `threads` threads (at least 8 rows each) rounds its own rows
    /// and multiplies them. Returns false, writing nothing, for a strided output (ldOut ≠ outDim: oneDNN has no
    /// brgemm kernel for it), and when oneDNN refused any thread's product (the rows it refused are not written;
    /// the caller redoes the whole product).
    public func applyBF16(_ x: UnsafePointer<Float>, ldX: Int, rows: Int, out: UnsafeMutablePointer<Float>, ldOut: Int,
                          accumulate: Bool, threads: Int) -> Bool {
        precondition(isBF16, "applyBF16 on an f32 packed matrix")
        guard ldOut == outDim else { return false }
        if rows == 0 { return true }
        let n = max(1, min(threads, rows / 8))
        let (h, k) = (handle, inDim)
        let failed = UnsafeMutablePointer<Int32>.allocate(capacity: n)   // [n] each thread's status
        defer { failed.deallocate() }
        ParallelFor.run(n) { t in
            let r0 = rows * t / n, r1 = rows * (t + 1) / n
            failed[t] = 0
            if r0 >= r1 { return }
            let a = UnsafeMutablePointer<UInt16>.allocate(capacity: (r1 - r0) * k)   // [r1 - r0, k] bf16
            defer { a.deallocate() }
            BF16Products.round(x + r0 * ldX, ldx: ldX, rows: r1 - r0, k: k, into: a, ldd: k)
            failed[t] = loupe_bf16_packed_gemm(h, a, k, r1 - r0, out + r0 * ldOut, ldOut, accumulate ? 1 : 0)
        }
        return (0..<n).allSatisfy { failed[$0] == 0 }
    }

    // MARK: the budget

    /// Owned bytes all packed matrices may take: 10% of the memory available when first asked.
    public static let budgetBytes: Int = {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            return kb * 1024 / 10
        }
        return Int(ProcessInfo.processInfo.physicalMemory / 10)
    }()

    private static let lock = NSLock()
    nonisolated(unsafe) private static var used = 0

    /// Bytes held by packed matrices now.
    public static var usedBytes: Int { lock.lock(); defer { lock.unlock() }; return used }

    private static func reserve(_ n: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if used + n > budgetBytes { return false }
        used += n
        return true
    }

    private static func release(_ n: Int) {
        lock.lock()
        used = max(0, used - n)
        lock.unlock()
    }
}
