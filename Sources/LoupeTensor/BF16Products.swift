import CBF16Kernels

/// bfloat16 products with f32 accumulation (oneDNN's matmul on AVX512_BF16): out = round_bf16(x) · Wᵀ
/// for a bf16 weight stored [n, k]. Each product's inputs are rounded to bf16 (relative error about 2⁻⁹
/// per input); the sums are f32. `naive` is the same product as a plain loop, for tests.
public enum BF16Products {
    /// True when the CPU has AVX512_BF16 (otherwise callers keep their f32 path: oneDNN would emulate bf16).
    public static let isAvailable: Bool = loupe_bf16_supported() != 0

    /// dst[m, ldd] = x[m, k] (row stride ldx) rounded to bf16, round-to-nearest-even; columns k..<ldd zero.
    public static func round(_ x: UnsafePointer<Float>, ldx: Int, rows m: Int, k: Int,
                             into dst: UnsafeMutablePointer<UInt16>, ldd: Int) {
        loupe_bf16_round_rows(x, ldx, m, k, dst, ldd)
    }

    /// The kernels a product can run on.
    public enum Kernel: CaseIterable, Sendable {
        /// oneDNN's matmul (brgemm: weights copied into its packed layout block by block, then multiplied).
        case oneDNN
        /// bf16_few_rows.c's tiles of dot products along k on the rows as stored, for a handful of rows.
        case dotTiles
        /// bf16_few_rows.c's broadcast tiles (weight pairs broadcast against the activations transposed into
        /// pairs along k, the next weights prefetched while multiplying), for up to `fewRowsMax` rows.
        case broadcastTiles
        /// bf16_kn_tiles.c's tiles for weights stored [k, n] (GPT-2's Conv1D): pairs of weight rows interleaved in
        /// registers, for up to `inOutRowsMax` rows.
        case inOutTiles
    }

    /// Most rows of `a` multiplied by bf16_few_rows.c's tiles: above it oneDNN is faster (bench/bf16/small_m.sh:
    /// at 32 rows the broadcast tiles run the 8B's products at 1.0–1.5× oneDNN's rate, at 33–40 rows (the rows
    /// past 32 as dot tiles) 1.0–1.2×, at 48 rows (a third vector of rows) 0.9–1.3×, at 128 rows 0.8×).
    public static let fewRowsMax = 40

    /// Most rows the dot tiles take before the broadcast tiles (`loupe_bf16_dot_rows_max`): 28 on Zen 4, whose
    /// AVX-512 runs on 256-bit units (there the dot tiles are 1.1–2.1× the broadcast tiles from 5 to 28 rows),
    /// 4 elsewhere. Settable for tests and benches; a negative value restores the CPU's default.
    public static var dotRowsMax: Int {
        get { Int(loupe_bf16_dot_rows_max()) }
        set { loupe_bf16_set_dot_rows_max(Int32(clamping: newValue)) }
    }

    /// Most rows of a product on [k, n] weights that run on bf16_kn_tiles.c (one tile of rows: each column panel
    /// read once) rather than oneDNN. gpt2-large's full-cache pass on Zen 4, alternating A/B, 3 processes each:
    /// 8 tokens 173–225 → 114–133 ms; 16–32 tokens level within noise; 40 tokens 376–449 → 518–553 ms.
    public static let inOutRowsMax = 12

    /// The kernel for an m-row product on [k, n] weights: the [k, n] tiles up to `inOutRowsMax` rows, oneDNN
    /// above. On [n, k] weights: oneDNN above `fewRowsMax` rows; dot tiles up to
    /// `dotRowsMax` rows (and for odd k, which the pairs of the broadcast tiles do not cover); broadcast tiles between.
    public static func kernel(m: Int, k: Int, weightsInOut: Bool) -> Kernel {
        if weightsInOut { return m <= inOutRowsMax ? .inOutTiles : .oneDNN }
        if m > fewRowsMax { return .oneDNN }
        return m <= dotRowsMax || k % 2 != 0 ? .dotTiles : .broadcastTiles
    }

    /// The activations of a broadcast-tile product transposed into pairs along k (bf16_few_rows.c), prepared
    /// once for several products by the same rows (e.g. every panel of a quantised matrix).
    public final class Pairs {
        let pointer: UnsafeMutablePointer<UInt32>
        public let m: Int, k: Int

        /// a[m, k] (bf16, row stride lda) as pairs; throws when the broadcast tiles cannot take it (m > 48, odd k).
        public init(a: UnsafePointer<UInt16>, lda: Int, m: Int, k: Int) throws {
            let count = loupe_bf16_pairs_count(m, k)
            guard count > 0, k % 2 == 0 else { throw TensorError("bf16 pairs of \(m)×\(k): the broadcast tiles take up to 48 rows and an even k") }
            pointer = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: UInt32.self, capacity: count)
            self.m = m
            self.k = k
            let status = loupe_bf16_pairs(a, lda, m, k, pointer)
            if status != 0 {
                pointer.deallocate()
                throw TensorError("bf16 pairs of \(m)×\(k): status \(status)")
            }
        }

        deinit { pointer.deallocate() }
    }

    /// c[m, n] (row stride ldc) = a[m, k] · w[n, k]ᵀ (+ c when accumulate); a and w bf16 with row strides
    /// lda and ldw (w stored [k, n] when `weightsInOut`). Runs on `threads` threads, each on its own block of
    /// output columns (`columnBlocks`) of a [n, k] weight: a one-thread oneDNN product, or for few rows
    /// bf16_few_rows.c's tiles (`kernel(m:k:weightsInOut:)`, or `using` to choose; `pairs` prepared from the same
    /// a saves the broadcast tiles' transposition). Throws when oneDNN or a tile
    /// refuses (the status in the message; a refusal after the first block leaves c partly written).
    public static func gemm(a: UnsafePointer<UInt16>, lda: Int, m: Int, w: UnsafePointer<UInt16>, ldw: Int, n: Int,
                            k: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, threads: Int,
                            weightsInOut: Bool = false, using chosen: Kernel? = nil, pairs: Pairs? = nil) throws {
        if m == 0 || n == 0 { return }
        let kernel = chosen ?? self.kernel(m: m, k: k, weightsInOut: weightsInOut)
        if (kernel == .inOutTiles) != weightsInOut && kernel != .oneDNN
            || kernel == .broadcastTiles && (m > 48 || k % 2 != 0) {
            throw TensorError("bf16 product \(m)×\(n)×\(k): \(kernel) takes \(kernel == .inOutTiles ? "[k, n]" : "[n, k]") weights, and the broadcast tiles up to 48 rows and an even k")
        }
        // An [in, out] weight's column block is strided rows, which oneDNN multiplies without its brgemm
        // kernels: on oneDNN that layout stays one product on an OpenMP team of `threads`.
        let oneTeam = weightsInOut && kernel == .oneDNN
        let (width, blocks) = oneTeam ? (n, 1) : columnBlocks(n: n, threads: threads)
        let team = oneTeam ? Int32(max(1, threads)) : 1
        let status = UnsafeMutablePointer<Int32>.allocate(capacity: blocks)   // [blocks] each block's status
        defer { status.deallocate() }
        let acc: Int32 = accumulate ? 1 : 0
        // The broadcast tiles' activation pairs, transposed once for every block (or given by the caller).
        let own = kernel == .broadcastTiles && pairs == nil ? try Pairs(a: a, lda: lda, m: m, k: k) : nil
        let prepared = kernel == .broadcastTiles ? (pairs ?? own) : nil
        if let prepared, prepared.m != m || prepared.k != k {
            throw TensorError("bf16 product \(m)×\(n)×\(k): pairs prepared for \(prepared.m)×\(prepared.k)")
        }
        let part: (Int) -> Void = { b in
            let n0 = b * width, nb = min(width, n - n0)
            switch kernel {
            case .oneDNN:
                status[b] = loupe_bf16_gemm_nt(a, lda, m, weightsInOut ? w + n0 : w + n0 * ldw, ldw, nb, k, c + n0, ldc,
                                               acc, team, weightsInOut ? 1 : 0)
            case .dotTiles:
                status[b] = loupe_bf16_dot_gemm(a, lda, m, w + n0 * ldw, ldw, nb, k, c + n0, ldc, acc)
            case .broadcastTiles:
                status[b] = loupe_bf16_bcast_gemm_pairs(prepared!.pointer, a, lda, m, w + n0 * ldw, ldw, nb, k, c + n0, ldc, acc)
            case .inOutTiles:
                status[b] = loupe_bf16_kn_gemm(a, lda, m, w + n0, ldw, nb, k, c + n0, ldc, acc)
            }
        }
        if blocks == 1 { part(0) } else { ParallelFor.run(blocks, part) }
        for b in 0..<blocks where status[b] != 0 {
            throw TensorError("bf16 product \(m)×\(n)×\(k) (\(kernel)): status \(status[b])")
        }
    }

    /// The split of n output columns among `threads`: blocks of `width` columns (a multiple of 64, oneDNN's
    /// column block, so every block but the last has the same shape and the same cached primitive). Each
    /// block is a one-thread product on a thread of Loupe's pool, never an OpenMP team: libgomp's workers
    /// spin for milliseconds after each product, taking the cores from the attention and the rest of the pass.
    static func columnBlocks(n: Int, threads: Int) -> (width: Int, count: Int) {
        let t = max(1, threads)
        if t == 1 || n < 128 { return (n, 1) }
        // Two blocks a thread where each stays ≥ 128 columns: a thread that finishes first takes the next block
        // (4% off the 8B-width step at 128 tokens, alternating A/B, 3 pairs on a quiet machine).
        let parts = n >= 256 * t ? 2 * t : t
        let width = ((n + parts - 1) / parts + 63) / 64 * 64
        return (width, (n + width - 1) / width)
    }

    /// x[m, k] (f32, row stride ldx) · w[n, k]ᵀ (bf16) into c[m, n]: rounds x to bf16, then `gemm`.
    public static func linear(x: UnsafePointer<Float>, ldx: Int, m: Int, w: UnsafePointer<UInt16>, ldw: Int, n: Int,
                              k: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, threads: Int,
                              weightsInOut: Bool = false) throws {
        if m == 0 || n == 0 { return }
        let a = UnsafeMutablePointer<UInt16>.allocate(capacity: m * k)   // [m, k] bf16
        defer { a.deallocate() }
        round(x, ldx: ldx, rows: m, k: k, into: a, ldd: k)
        try gemm(a: a, lda: k, m: m, w: w, ldw: ldw, n: n, k: k, c: c, ldc: ldc, accumulate: accumulate, threads: threads,
                 weightsInOut: weightsInOut)
    }

    /// The product as a plain loop over bf16 inputs (f64 sums): the reference the kernel is tested against.
    public static func naive(a: UnsafePointer<UInt16>, lda: Int, m: Int, w: UnsafePointer<UInt16>, ldw: Int, n: Int,
                             k: Int, c: UnsafeMutablePointer<Float>, ldc: Int, weightsInOut: Bool = false) {
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    let wv = weightsInOut ? w[p * ldw + j] : w[j * ldw + p]
                    s += Double(widen(a[i * lda + p])) * Double(widen(wv))
                }
                c[i * ldc + j] = Float(s)
            }
        }
    }

    /// A bf16 value as f32 (exact).
    @inline(__always)
    public static func widen(_ h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }
}
