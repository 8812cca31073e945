import LoupeTensor

/// Prompt products in bf16 on matrices oneDNN cannot read as stored: quantised (Q8_0, Q4_*, Q5_*, K-quants),
/// F16, and bf16 read through GGUF's Q/K row permutation (`rowMap`). With bf16 products on
/// (`ComputePrecision`), each thread dequantises a panel of output rows (of output columns for GPT-2's
/// [in, out] Conv1D) into its scratch, rounds it to bf16, and multiplies the whole prompt by it with a
/// one-thread oneDNN bf16 matmul (f32 sums) that writes those output columns. Beside the activations'
/// rounding, each dequantised weight is rounded to bf16 (about 2⁻⁹ relative); F32 matrices stay exact.
/// Where CKernels' AVX-512 decoders cover the type (`Dequant.decodeBF16Unchecked`: F16, BF16, Q8_0, Q4_0/1,
/// Q5_0/1, every K-quant) the panel is decoded straight to bf16, the same bits 4–25× faster than the Swift
/// decoder through an f32 stage (which CPUs without AVX512_BF16 keep).
extension WeightMatrix {
    /// Rows (columns) per panel: 128, measured fastest at 128 × 4096 × 14336 and 128 × 14336 × 4096 (Q8_0, one
    /// and two threads, against 32–512: `QuantBF16PanelPerfTests`), and again with the C decoders at 32 and 128
    /// prompt rows (Q8_0, Q4_K, two threads, against 32–256: `QuantBF16FillPerfTests`, best or within noise);
    /// fewer when a panel would pass `panelBytesMax`.
    static let panelRows = 128
    /// Most bytes of bf16 in one thread's panel (128 rows up to 16384 inputs).
    static let panelBytesMax = 4 << 20
    /// F32 floats dequantised at a time before rounding into the panel (64 KiB, in L1/L2).
    static let stageFloats = 16 * 1024

    /// Products of `n` rows go through bf16 panels.
    @inline(__always)
    func usesBF16Panels(rows n: Int) -> Bool {
        bf16Products && n >= 2 && hasBF16Panels
    }

    /// The stored type needs dequantising (or permuting) before oneDNN can multiply by it in bf16.
    var hasBF16Panels: Bool {
        switch layout {
        case .outIn: return dtype != .f32 && (dtype != .bf16 || rowMap != nil)
        case .inOut: return dtype == .f16
        }
    }

    /// Output rows (`.outIn`) or output columns (`.inOut`) per panel: `panelRows`, a multiple of 16.
    var panelWidth: Int {
        let fit = WeightMatrix.panelBytesMax / (2 * max(inDim, 1)) / 16 * 16
        return min(outDim, max(16, min(WeightMatrix.panelRows, fit)))
    }

    /// Scratch floats one thread needs for `applyPanels`: the bf16 panel, then the f32 stage.
    var panelScratchFloats: Int { hasBF16Panels ? panelScratchFloats(width: panelWidth) : 0 }

    func panelScratchFloats(width: Int) -> Int {
        (width * inDim + 1) / 2 + stageUnits(width: width) * stageUnitFloats(width: width)
    }

    /// Floats in one unit of dequantising: an output row (`.outIn`) or a panel's piece of a stored row (`.inOut`).
    private func stageUnitFloats(width: Int) -> Int { layout == .outIn ? inDim : width }
    /// Units dequantised into the stage at a time.
    private func stageUnits(width: Int) -> Int {
        let units = max(1, WeightMatrix.stageFloats / max(stageUnitFloats(width: width), 1))
        return layout == .outIn ? min(units, width) : min(units, inDim)
    }

    /// out[n, outDim] (+)= round_bf16(x) · round_bf16(W)ᵀ (+ bias), panels of `width` (default `panelWidth`)
    /// split across `scratch.threads`; a panel oneDNN refuses is multiplied in f32 instead. False (nothing
    /// written) when the scratch is too small.
    func applyPanels(_ x: UnsafePointer<Float>, ldX: Int, rows n: Int, out: UnsafeMutablePointer<Float>, ldOut: Int,
                     bias: UnsafePointer<Float>?, accumulate: Bool, scratch: ScratchPool, width: Int? = nil) -> Bool {
        let width = width ?? panelWidth
        guard scratch.floatsEach >= panelScratchFloats(width: width) else { return false }
        let xb = UnsafeMutablePointer<UInt16>.allocate(capacity: n * inDim)      // [n, inDim] bf16
        defer { xb.deallocate() }
        let threads = scratch.threads
        let part = (n + threads - 1) / threads
        parallelFor(threads) { t in
            let r0 = t * part, rn = min(part, n - r0)
            if rn > 0 { BF16Products.round(x + r0 * ldX, ldx: ldX, rows: rn, k: self.inDim, into: xb + r0 * self.inDim, ldd: self.inDim) }
        }
        // Few rows multiply by Loupe's broadcast tiles: their activation pairs are made once for every panel.
        let pairs = BF16Products.kernel(m: n, k: inDim, weightsInOut: layout == .inOut) == .broadcastTiles
            ? try? BF16Products.Pairs(a: xb, lda: inDim, m: n, k: inDim) : nil
        let panels = (outDim + width - 1) / width
        parallelFor(threads) { t in
            let buf = scratch.buffer(t)
            let stage = buf + (width * self.inDim + 1) / 2                       // [stageUnits, stageUnitFloats] f32
            buf.withMemoryRebound(to: UInt16.self, capacity: width * self.inDim) { panel in
                var p = t
                while p < panels {
                    let c0 = p * width, cn = min(width, self.outDim - c0)
                    self.fillPanel(c0, cn, width: width, panel: panel, stage: stage)
                    do {
                        try BF16Products.gemm(a: xb, lda: self.inDim, m: n, w: panel,
                                              ldw: self.layout == .outIn ? self.inDim : cn, n: cn, k: self.inDim,
                                              c: out + c0, ldc: ldOut, accumulate: accumulate, threads: 1,
                                              weightsInOut: self.layout == .inOut, pairs: pairs)
                    } catch {
                        self.applyPanelF32(c0, cn, width: width, x, ldX: ldX, rows: n, out: out, ldOut: ldOut,
                                           accumulate: accumulate, stage: stage)
                    }
                    p += threads
                }
            }
        }
        if let bias { for r in 0..<n { Kernels.add(out + r * ldOut, bias, out + r * ldOut, count: outDim) } }
        return true
    }

    /// Output columns c0..<c0+cn in f32 (a panel oneDNN refused), `stageUnits` stored rows at a time.
    func applyPanelF32(_ c0: Int, _ cn: Int, width: Int, _ x: UnsafePointer<Float>, ldX: Int, rows n: Int,
                               out: UnsafeMutablePointer<Float>, ldOut: Int, accumulate: Bool,
                               stage: UnsafeMutablePointer<Float>) {
        let step = stageUnits(width: width)
        switch layout {
        case .outIn:
            var r = c0
            while r < c0 + cn {
                let g = min(step, c0 + cn - r)
                dequantizeRows(r, g, into: stage)                                // [g, inDim]
                Kernels.linear(x: x, ldX: ldX, w: stage, out: out + r, ldOut: ldOut, rows: n, inDim: inDim, outDim: g,
                               accumulate: accumulate)
                r += g
            }
        case .inOut:
            var i = 0
            while i < inDim {
                let g = min(step, inDim - i)
                dequantizeColumns(c0, cn, storedRows: i..<(i + g), into: stage) // [g, cn]
                Kernels.linear(x: x + i, ldX: ldX, w: stage, layout: .inOut, out: out + c0, ldOut: ldOut, rows: n,
                               inDim: g, outDim: cn, accumulate: accumulate || i > 0)
                i += g
            }
        }
    }

    /// Output rows c0..<c0+cn as bf16 [cn, inDim] (`.outIn`, through `rowMap`), or output columns c0..<c0+cn as
    /// bf16 [inDim, cn] (`.inOut`), dequantised `stageUnits` rows at a time through `stage`.
    func fillPanel(_ c0: Int, _ cn: Int, width: Int, panel: UnsafeMutablePointer<UInt16>, stage: UnsafeMutablePointer<Float>) {
        if fillPanelBF16(c0, cn, panel: panel) { return }
        switch layout {
        case .outIn:
            let step = stageUnits(width: width)
            var r = 0
            while r < cn {
                let g = min(step, cn - r)
                dequantizeRows(c0 + r, g, into: stage)                           // [g, inDim]
                BF16Products.round(stage, ldx: inDim, rows: g, k: inDim, into: panel + r * inDim, ldd: inDim)
                r += g
            }
        case .inOut:
            let step = stageUnits(width: width)
            var i = 0
            while i < inDim {
                let g = min(step, inDim - i)
                dequantizeColumns(c0, cn, storedRows: i..<(i + g), into: stage) // [g, cn]
                BF16Products.round(stage, ldx: cn, rows: g, k: cn, into: panel + i * cn, ldd: cn)
                i += g
            }
        }
    }

    /// `fillPanel` by the C decoders straight to bf16 (`Dequant.decodeBF16Unchecked`, the same bits); false, with
    /// nothing written, when the stored type has none on this machine.
    func fillPanelBF16(_ c0: Int, _ cn: Int, panel: UnsafeMutablePointer<UInt16>) -> Bool {
        guard Dequant.hasBF16Decoder(dtype) else { return false }
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        switch layout {
        case .outIn:
            if let rowMap {
                for r in 0..<cn {
                    _ = Dequant.decodeBF16Unchecked(dtype, base + rowMap[c0 + r] * rowBytes, count: inDim, into: panel + r * inDim)
                }
            } else {
                _ = Dequant.decodeBF16Unchecked(dtype, base + c0 * rowBytes, count: cn * inDim, into: panel)   // [cn, inDim]
            }
        case .inOut:
            let size = dtype.blockBytes
            for i in 0..<inDim {                                                 // [inDim, cn]
                _ = Dequant.decodeBF16Unchecked(dtype, base + (i * outDim + c0) * size, count: cn, into: panel + i * cn)
            }
        }
        return true
    }
}
