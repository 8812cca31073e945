import COpenBLAS

/// OpenBLAS thread control. Loupe pins the BLAS thread count so it cooperates with its own
/// DispatchQueue-parallel kernels instead of oversubscribing the cores.
public enum Blas {
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
    public static var threads: Int { Int(openblas_get_num_threads()) }
}

/// Pointer kernels over row-major Float32 buffers. None allocates; callers own every buffer.
public enum Kernels {
    /// c[m, n] = alpha * op(a) · op(b) + beta * c, row-major.
    /// op(a) is [m, k] (a stored [m, k] with lda >= k, or [k, m] with lda >= m when transA);
    /// op(b) is [k, n] (b stored [k, n] with ldb >= n, or [n, k] with ldb >= k when transB).
    @inline(__always)
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {  // BLAS leaves c untouched only when beta == 1; make k == 0 mean "scale c".
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y[m] = alpha * a[m, n] · x[n] + beta * y   (trans: y[n] = alpha * a[m, n]ᵀ · x[m] + beta * y).
    @inline(__always)
    public static func sgemv(trans: Bool = false, m: Int, n: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                             beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        if m == 0 || n == 0 {
            let outCount = trans ? n : m
            for i in 0..<outCount { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha,
                    a, Int32(lda), x, 1, beta, y, 1)
    }

    /// How a linear layer's weight matrix is stored.
    public enum WeightLayout: Sendable {
        /// [outDim, inDim]: out = x · Wᵀ (PyTorch `nn.Linear`, GGUF).
        case outIn
        /// [inDim, outDim]: out = x · W (GPT-2's `Conv1D`).
        case inOut
    }

    /// Linear layer: out[rows, outDim] = x[rows, inDim] · W (+ out when `accumulate`), then + bias[outDim]
    /// on every row. W is dense in `layout`; ldX ≥ inDim and ldOut ≥ outDim are the row strides (a
    /// projection may read or write a slice of a wider row).
    public static func linear(x: UnsafePointer<Float>, ldX: Int? = nil, w: UnsafePointer<Float>, layout: WeightLayout = .outIn,
                              bias: UnsafePointer<Float>? = nil, out: UnsafeMutablePointer<Float>, ldOut: Int? = nil,
                              rows: Int, inDim: Int, outDim: Int, accumulate: Bool = false) {
        linear(x: x, ldX: ldX ?? inDim, w: w, layout: layout, ldW: layout == .outIn ? inDim : outDim, bias: bias, out: out,
               ldOut: ldOut ?? outDim, rows: rows, inDim: inDim, outDim: outDim, accumulate: accumulate)
    }

    /// `linear` on `threads` threads, each one sgemm over its own range of output columns (the weights are
    /// read once in total; each thread packs the same x). Below ~4 MFLOP it runs on the caller alone.
    public static func linear(x: UnsafePointer<Float>, ldX: Int, w: UnsafePointer<Float>, layout: WeightLayout,
                              bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>, ldOut: Int,
                              rows: Int, inDim: Int, outDim: Int, accumulate: Bool = false, threads: Int) {
        let step = 64                                                   // columns per unit: whole sgemm panels
        let units = (outDim + step - 1) / step
        let n = min(threads, units)
        if n <= 1 || rows * inDim * outDim < 2_000_000 {
            linear(x: x, ldX: ldX, w: w, layout: layout, ldW: layout == .outIn ? inDim : outDim, bias: bias, out: out,
                   ldOut: ldOut, rows: rows, inDim: inDim, outDim: outDim, accumulate: accumulate)
            return
        }
        ParallelFor.run(n) { t in
            let c0 = min(outDim, (units * t / n) * step), c1 = min(outDim, (units * (t + 1) / n) * step)
            if c0 >= c1 { return }
            let wt = layout == .outIn ? w + c0 * inDim : w + c0
            linear(x: x, ldX: ldX, w: wt, layout: layout, ldW: layout == .outIn ? inDim : outDim, bias: bias.map { $0 + c0 },
                   out: out + c0, ldOut: ldOut, rows: rows, inDim: inDim, outDim: c1 - c0, accumulate: accumulate)
        }
    }

    /// `linear` over a column slice of a wider weight matrix: ldW is the stored row stride.
    static func linear(x: UnsafePointer<Float>, ldX: Int, w: UnsafePointer<Float>, layout: WeightLayout, ldW: Int,
                       bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>, ldOut: Int,
                       rows: Int, inDim: Int, outDim: Int, accumulate: Bool) {
        let beta: Float = accumulate ? 1 : 0
        switch layout {
        case .outIn:
            sgemm(transB: true, m: rows, n: outDim, k: inDim, a: x, lda: ldX, b: w, ldb: ldW, beta: beta, c: out, ldc: ldOut)
        case .inOut:
            sgemm(m: rows, n: outDim, k: inDim, a: x, lda: ldX, b: w, ldb: ldW, beta: beta, c: out, ldc: ldOut)
        }
        if let bias {
            for r in 0..<rows { add(out + r * ldOut, bias, out + r * ldOut, count: outDim) }
        }
    }

    /// y[n] += alpha * x[n].
    @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += alpha * x[i] }
    }

    /// out[n] = a[n] + b[n] (out may alias a or b).
    @inline(__always)
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }

    /// out[n] = a[n] * b[n] (out may alias a or b).
    @inline(__always)
    public static func mul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = a[i] * b[i] }
    }

    /// Σ a[i] * b[i], Float32 accumulation in 16 lanes.
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 16 <= count {
            acc += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
            i += 16
        }
        var s = acc.sum()
        while i < count { s += a[i] * b[i]; i += 1 }
        return s
    }
}
