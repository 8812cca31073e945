import CKernels
import Dispatch

/// y[rows] = W[rows, cols] · x[cols] computed directly on stored weight blocks (no dequantised copy).
/// Quantised types use integer dot products against x quantised to 8 bits per block of 32 (the
/// llama.cpp scheme: relative error ~1e-3 against the exact float product); F32/F16/BF16 are exact
/// float dots. Rows are split across `threads` with `ParallelFor` (a spinning pool on Linux).
/// Q4_0, Q4_1, Q8_0, Q4_K and Q6_K rows use the AVX-512 VNNI kernels of quant_dot.c where the CPU has them
/// (same x rounding, so results match the Swift kernels to float summation order).
public enum QuantMatVec {
    /// Types with a direct kernel; others go through `Dequant` row by row.
    public static func hasDirectKernel(_ dtype: DType) -> Bool {
        switch dtype {
        case .f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q4_K, .q5_K, .q6_K: return true
        default: return false
        }
    }

    /// Bytes per stored row of `cols` elements, or nil if cols isn't a whole number of blocks.
    public static func rowBytes(_ dtype: DType, cols: Int) -> Int? { dtype.byteCount(elements: cols) }

    /// y[rows] = W · x. W: `rows` rows of `cols` elements of `dtype`, stored back to back.
    /// Throws when cols is not a multiple of the block size (and 32), the weight buffer is too short,
    /// or the scratch is too small.
    ///
    /// - rowMap: output row r reads stored row `rowMap[r]` (e.g. undoing GGUF's Q/K row permutation);
    ///   every entry must be in 0..<storedRows (checked), where storedRows = weights.count / rowBytes.
    /// - accumulate: y[r] += W·x instead of y[r] = W·x.
    public static func matvec(_ dtype: DType, weights w: UnsafeRawBufferPointer, rows: Int, cols: Int,
                              x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                              scratch: MatVecScratch, threads: Int = 2,
                              rowMap: UnsafeBufferPointer<Int>? = nil, accumulate: Bool = false) throws {
        try matvec([MatVecJob(dtype, weights: w, rows: rows, y: y, rowMap: rowMap, accumulate: accumulate)],
                   cols: cols, x: x, scratch: scratch, threads: threads)
    }

    /// Several matrices applied to the same x[cols] in one parallel pass (q/k/v, or gate/up): x is
    /// prepared once per layout and the rows of all jobs are split across threads together.
    public static func matvec(_ jobs: [MatVecJob], cols: Int, x: UnsafePointer<Float>,
                              scratch: MatVecScratch, threads: Int = 2) throws {
        guard cols >= 0, cols <= scratch.maxCols else {
            throw TensorError("matvec: scratch sized for \(scratch.maxCols) columns, got \(cols)")
        }
        var rowBytes: [Int] = []
        var needNib = false, needPair = false, needF = false, needBytes = false
        let vnni = vnniActive
        for job in jobs {
            rowBytes.append(try validate(job, cols: cols))
            switch job.dtype {
            case .q4_0, .q4_1: if vnni { needBytes = true } else { needNib = true }
            case .q8_0, .q4_K, .q6_K: if vnni { needBytes = true } else { needPair = true }
            case .q5_K: needPair = true
            case .f16, .bf16: needF = true
            default: break
            }
        }
        let total = jobs.reduce(0) { $0 + $1.rows }
        if total == 0 { return }
        if needNib { scratch.quantize(x, cols: cols, layout: .nibbles) }
        if needPair { scratch.quantize(x, cols: cols, layout: .pairs) }
        if needBytes { scratch.quantize(x, cols: cols, layout: .bytes) }
        if needF { scratch.deinterleave(x, cols: cols) }
        let s = scratch
        // Global row g belongs to the job whose [start, start + rows) holds it.
        var starts: [Int] = []
        var acc = 0
        for job in jobs { starts.append(acc); acc += job.rows }
        let body: (Int, Int) -> Void = { g0, g1 in
            for (j, job) in jobs.enumerated() {
                let lo = Swift.max(g0, starts[j]), hi = Swift.min(g1, starts[j] + job.rows)
                guard lo < hi, let base = job.weights.baseAddress else { continue }
                rowsDot(job.dtype, base, rowBytes: rowBytes[j], cols: cols, rows: (lo - starts[j])..<(hi - starts[j]),
                        x: x, s: s, y: job.y, map: job.rowMap?.baseAddress, accumulate: job.accumulate, vnni: vnni)
            }
        }
        parallelRows(total, threads: threads, minRowsPerTask: max(8, 65536 / max(cols, 1)), body)
    }

    /// Whether the VNNI kernels run (x86-64 CPU with AVX-512 VNNI, not switched off by `loupe_set_quant_dot`).
    static var vnniActive: Bool { loupe_quant_dot_active() != 0 }

    /// Checks one job's sizes and row map; returns its row byte count.
    static func validate(_ job: MatVecJob, cols: Int) throws -> Int {
        let dtype = job.dtype, rows = job.rows, w = job.weights
        guard rows >= 0, cols % 32 == 0 || dtype.blockSize == 1, let rb = rowBytes(dtype, cols: cols) else {
            throw TensorError("matvec \(dtype): \(cols) columns is not a whole number of \(max(32, dtype.blockSize))-element blocks")
        }
        if let rowMap = job.rowMap {
            guard rowMap.count >= rows else {
                throw TensorError("matvec \(dtype): row map has \(rowMap.count) entries for \(rows) rows")
            }
            let stored = rb == 0 ? 0 : w.count / rb
            for r in 0..<rows where rowMap[r] < 0 || rowMap[r] >= stored {
                throw TensorError("matvec \(dtype): row map entry \(r) = \(rowMap[r]) is outside the \(stored) stored rows")
            }
        } else {
            let (need, ov) = rb.multipliedReportingOverflow(by: rows)
            guard !ov, w.count >= need else {
                throw TensorError("matvec \(dtype): weights hold \(w.count) bytes, \(rows) x \(cols) needs \(need)")
            }
        }
        return rb
    }

    /// Splits 0..<rows into contiguous chunks run concurrently (inline when one task suffices).
    static func parallelRows(_ rows: Int, threads: Int, minRowsPerTask: Int, _ body: @escaping (Int, Int) -> Void) {
        let tasks = max(1, min(threads, rows / max(1, minRowsPerTask)))
        if tasks == 1 { body(0, rows); return }
        // A few chunks per thread for balance on shared cores.
        let chunks = tasks * (rows >= 4096 ? 4 : 1)
        let per = (rows + chunks - 1) / chunks
        ParallelFor.run(chunks) { c in
            let r0 = c * per, r1 = min(rows, r0 + per)
            if r0 < r1 { body(r0, r1) }
        }
    }

    /// y[r] (=|+=) f(stored row of r) for r in rows.
    @inline(__always)
    static func eachRow(_ rows: Range<Int>, _ map: UnsafePointer<Int>?, _ accumulate: Bool,
                        _ y: UnsafeMutablePointer<Float>, _ f: (Int) -> Float) {
        if let map {
            for r in rows { let v = f(map[r]); y[r] = accumulate ? y[r] + v : v }
        } else if accumulate {
            for r in rows { y[r] += f(r) }
        } else {
            for r in rows { y[r] = f(r) }
        }
    }

    @inline(__always)
    static func rowsDot(_ dtype: DType, _ w: UnsafeRawPointer, rowBytes rb: Int, cols: Int, rows: Range<Int>,
                        x: UnsafePointer<Float>, s: MatVecScratch, y: UnsafeMutablePointer<Float>,
                        map: UnsafePointer<Int>?, accumulate: Bool, vnni: Bool) {
        #if arch(x86_64)
        if vnni {
            let xq = s.xBytes, xd = s.xd
            switch dtype {
            case .q8_0:
                eachRow(rows, map, accumulate, y) { loupe_dot_q8_0(w + $0 * rb, xq, xd, cols / 32) }
                return
            case .q4_K:
                eachRow(rows, map, accumulate, y) { loupe_dot_q4_K(w + $0 * rb, xq, xd, s.xsum, cols / 256) }
                return
            case .q6_K:
                eachRow(rows, map, accumulate, y) { loupe_dot_q6_K(w + $0 * rb, xq, xd, s.xsum16, cols / 256) }
                return
            case .q4_1:
                eachRow(rows, map, accumulate, y) { loupe_dot_q4_1(w + $0 * rb, xq, xd, s.xsum, cols / 32) }
                return
            case .q4_0:
                eachRow(rows, map, accumulate, y) { loupe_dot_q4_0(w + $0 * rb, xq, xd, s.xsum16, cols / 32) }
                return
            default: break
            }
        }
        #endif
        switch dtype {
        case .q4_1: eachRow(rows, map, accumulate, y) { QuantDot.q4_1(w + $0 * rb, cols: cols, s) }
        case .q8_0: eachRow(rows, map, accumulate, y) { QuantDot.q8_0(w + $0 * rb, cols: cols, s) }
        case .q4_0: eachRow(rows, map, accumulate, y) { QuantDot.q4_0(w + $0 * rb, cols: cols, s) }
        case .q4_K: eachRow(rows, map, accumulate, y) { QuantDot.q4_K(w + $0 * rb, cols: cols, s) }
        case .q5_K: eachRow(rows, map, accumulate, y) { QuantDot.q5_K(w + $0 * rb, cols: cols, s) }
        case .q6_K: eachRow(rows, map, accumulate, y) { QuantDot.q6_K(w + $0 * rb, cols: cols, s) }
        case .f32: eachRow(rows, map, accumulate, y) { QuantDot.f32(w + $0 * rb, cols: cols, x) }
        case .f16: eachRow(rows, map, accumulate, y) { QuantDot.f16(w + $0 * rb, cols: cols, x, s) }
        case .bf16: eachRow(rows, map, accumulate, y) { QuantDot.bf16(w + $0 * rb, cols: cols, x, s) }
        default:
            // No direct kernel (Q5_0, Q5_1, Q2_K, Q3_K): dequantise one row at a time, then dot.
            let row = UnsafeMutablePointer<Float>.allocate(capacity: cols)
            defer { row.deallocate() }
            eachRow(rows, map, accumulate, y) { r in
                Dequant.decodeUnchecked(dtype, (w + r * rb).assumingMemoryBound(to: UInt8.self), count: cols, into: row)
                return Kernels.dot(row, x, count: cols)
            }
        }
    }
}

/// One matrix of a grouped `QuantMatVec.matvec(_:cols:x:scratch:threads:)`: y[rows] (=|+=) W · x.
public struct MatVecJob: @unchecked Sendable {
    public var dtype: DType
    /// `rows` stored rows (or more, with a row map) of `cols` elements each.
    public var weights: UnsafeRawBufferPointer
    public var rows: Int
    public var y: UnsafeMutablePointer<Float>        // [rows]
    public var rowMap: UnsafeBufferPointer<Int>?     // output row r reads stored row rowMap[r]
    public var accumulate: Bool

    public init(_ dtype: DType, weights: UnsafeRawBufferPointer, rows: Int, y: UnsafeMutablePointer<Float>,
                rowMap: UnsafeBufferPointer<Int>? = nil, accumulate: Bool = false) {
        self.dtype = dtype
        self.weights = weights
        self.rows = rows
        self.y = y
        self.rowMap = rowMap
        self.accumulate = accumulate
    }
}
