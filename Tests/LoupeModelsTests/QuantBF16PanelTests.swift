import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// bf16 panel products on quantised and F16 matrices (`WeightMatrix.applyPanels`) against a naive f64 loop
/// over round_bf16(x) · round_bf16(dequant(W))ᵀ, and the models' hook points with compute="bf16" against
/// compute="f32" on the same stored weights.
final class QuantBF16PanelTests: XCTestCase {
    /// A random matrix stored as `dtype`: Q8_0 and F16 quantised from normal values, K-quants as random
    /// blocks whose f16 scales are set to 0.01 (every bit pattern of the rest is a valid block).
    static func matrix(_ dtype: DType, outDim: Int, inDim: Int, layout: WeightMatrix.Layout = .outIn,
                       rowMap: [Int]? = nil) throws -> WeightMatrix {
        var rng = Xoshiro256(seed: 7)
        let count = outDim * inDim
        let bytes = try XCTUnwrap(dtype.byteCount(elements: count))
        let owner = Storage(bytes)
        let storage = owner.bytes
        switch dtype {
        case .q8_0, .f16:
            let values = (0..<count).map { _ in Float(rng.nextNormal()) * 0.05 }
            try values.withUnsafeBufferPointer { try Quantize.encode(dtype, $0.baseAddress!, count: count, into: storage.baseAddress!) }
        case .q4_K, .q6_K, .q2_K, .q3_K:
            for i in 0..<bytes { storage[i] = UInt8(truncatingIfNeeded: rng.next()) }
            // d, dmin (Q4_K, Q2_K); d (Q6_K, Q3_K)
            let scaleOffsets = [DType.q4_K: [0, 2], .q6_K: [208], .q2_K: [80, 82], .q3_K: [108]][dtype]!
            for b in 0..<(bytes / dtype.blockBytes) {
                for o in scaleOffsets {
                    storage[b * dtype.blockBytes + o] = 0x1F                    // f16 0x211F ≈ 0.01
                    storage[b * dtype.blockBytes + o + 1] = 0x21
                }
            }
        default:
            throw XCTSkip("no generator for \(dtype)")
        }
        return WeightMatrix(name: "w.\(dtype)", dtype: dtype, layout: layout,
                            inDim: inDim, outDim: outDim,
                            bytes: UnsafeRawBufferPointer(storage), owner: owner, rowMap: rowMap)
    }

    /// The stored bytes of a test matrix, freed with it.
    final class Storage {
        let bytes: UnsafeMutableRawBufferPointer
        init(_ count: Int) { bytes = .allocate(byteCount: count, alignment: 64) }
        deinit { bytes.deallocate() }
    }

    static func roundBF16(_ v: [Float]) -> [Float] {
        var h = [UInt16](repeating: 0, count: v.count)
        v.withUnsafeBufferPointer { BF16Products.round($0.baseAddress!, ldx: v.count, rows: 1, k: v.count, into: &h, ldd: v.count) }
        return h.map(BF16Products.widen)
    }

    struct Reference {
        var value: [Double]          // [n, outDim]
        var magnitude: [Double]      // Σ |x·w| per output, for the f32-sum tolerance
    }

    /// out[r, o] = Σ_i x[r, i] · W[o, i] (+ bias[o]) in f64, W logical [outDim, inDim].
    static func reference(x: [Float], rows n: Int, ldX: Int, w: [Float], outDim: Int, inDim: Int, bias: [Float]?) -> Reference {
        var ref = Reference(value: .init(repeating: 0, count: n * outDim), magnitude: .init(repeating: 0, count: n * outDim))
        for r in 0..<n {
            for o in 0..<outDim {
                var s = Double(bias?[o] ?? 0), m = abs(s)
                for i in 0..<inDim {
                    let t = Double(x[r * ldX + i]) * Double(w[o * inDim + i])
                    s += t
                    m += abs(t)
                }
                ref.value[r * outDim + o] = s
                ref.magnitude[r * outDim + o] = m
            }
        }
        return ref
    }

    /// Runs `product` on [n, ldX] inputs into [n, ldOut] outputs (start values `start` when accumulating) and
    /// returns the worst |Δ| / Σ|x·w| against the bf16-rounded reference and against the exact one.
    func check(_ m: WeightMatrix, rows n: Int, accumulate: Bool, withBias: Bool, threads: Int = 2,
               product: (WeightMatrix, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, UnsafePointer<Float>?, ScratchPool) -> Void)
        -> (rounded: Double, exact: Double) {
        var rng = Xoshiro256(seed: 11)
        let (inDim, outDim) = (m.inDim, m.outDim)
        let ldX = inDim + 3, ldOut = outDim + 2
        let x = (0..<(n * ldX)).map { _ in Float(rng.nextNormal()) }
        let bias = withBias ? (0..<outDim).map { _ in Float(rng.nextNormal()) } : nil
        let start = (0..<(n * ldOut)).map { _ in Float(rng.nextNormal()) }
        var out = accumulate ? start : [Float](repeating: .nan, count: n * ldOut)
        let scratch = ScratchPool(threads: threads, floatsEach: m.scratchFloats)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                if let bias {
                    bias.withUnsafeBufferPointer { product(m, xp.baseAddress!, ldX, op.baseAddress!, ldOut, $0.baseAddress!, scratch) }
                } else {
                    product(m, xp.baseAddress!, ldX, op.baseAddress!, ldOut, nil, scratch)
                }
            }
        }
        let w = m.dequantizedOutIn().toArray()                                  // [outDim, inDim]
        let exact = Self.reference(x: x, rows: n, ldX: ldX, w: w, outDim: outDim, inDim: inDim, bias: bias)
        let rounded = Self.reference(x: Self.roundBF16(x), rows: n, ldX: ldX, w: Self.roundBF16(w), outDim: outDim,
                                     inDim: inDim, bias: bias)
        var worst = (rounded: 0.0, exact: 0.0)
        for r in 0..<n {
            for o in 0..<outDim {
                let got = Double(out[r * ldOut + o]) - (accumulate ? Double(start[r * ldOut + o]) : 0)
                let k = r * outDim + o
                worst.rounded = max(worst.rounded, abs(got - rounded.value[k]) / rounded.magnitude[k])
                worst.exact = max(worst.exact, abs(got - exact.value[k]) / exact.magnitude[k])
            }
            for o in outDim..<ldOut {                                            // the row's padding is untouched
                XCTAssertEqual(out[r * ldOut + o].bitPattern, (accumulate ? start[r * ldOut + o] : .nan).bitPattern)
            }
        }
        return worst
    }

    func testPanelsMatchNaiveLoop() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "no AVX512_BF16: bf16 products are not used here")
        let (outDim, inDim) = (37, 512)                                          // panels of 16: 16 + 16 + 5 rows
        let permutation = (0..<outDim).map { ($0 * 10) % outDim }
        for dtype in [DType.q8_0, .q4_K, .q6_K, .f16] {
            for rowMap in [nil, permutation] {
                let m = try Self.matrix(dtype, outDim: outDim, inDim: inDim, rowMap: rowMap)
                m.bf16Products = true
                XCTAssertTrue(m.usesBF16Products(rows: 2) && !m.usesBF16Products(rows: 1))
                XCTAssertNil(m.packedForPrompts(rows: 5), "bf16 panels replace packing")
                for (accumulate, withBias) in [(false, false), (true, false), (false, true), (true, true)] {
                    let label = "\(dtype) rowMap \(rowMap != nil) accumulate \(accumulate) bias \(withBias)"
                    let worst = check(m, rows: 5, accumulate: accumulate, withBias: withBias) { m, x, ldX, out, ldOut, b, s in
                        XCTAssertTrue(m.applyPanels(x, ldX: ldX, rows: 5, out: out, ldOut: ldOut, bias: b,
                                                    accumulate: accumulate, scratch: s, width: 16))
                    }
                    // f32 sums of bf16 products: ~1e-7 of Σ|x·w|; rounding to bf16 moves results by ~1e-3 of it.
                    XCTAssertLessThan(worst.rounded, 1e-5, label)
                    XCTAssertGreaterThan(worst.exact, 20 * worst.rounded, "\(label): the product was not in bf16")
                }
            }
        }
    }

    func testInOutF16Panels() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "no AVX512_BF16")
        // GPT-2's Conv1D stored [in, out] = [300, 70]: panels of 16 output columns, the last 6 wide.
        let m = try Self.matrix(.f16, outDim: 70, inDim: 300, layout: .inOut)
        m.bf16Products = true
        XCTAssertTrue(m.hasBF16Panels)
        for (accumulate, withBias) in [(false, true), (true, false)] {
            let worst = check(m, rows: 4, accumulate: accumulate, withBias: withBias) { m, x, ldX, out, ldOut, b, s in
                XCTAssertTrue(m.applyPanels(x, ldX: ldX, rows: 4, out: out, ldOut: ldOut, bias: b, accumulate: accumulate,
                                            scratch: s, width: 16))
            }
            XCTAssertLessThan(worst.rounded, 1e-5)
            XCTAssertGreaterThan(worst.exact, 20 * worst.rounded)
        }
    }

    /// The f32 product a refused panel falls back to is the exact one.
    func testRefusedPanelFallbackIsExact() throws {
        for (dtype, layout) in [(DType.q4_K, WeightMatrix.Layout.outIn), (.f16, .inOut)] {
            let m = try Self.matrix(dtype, outDim: 40, inDim: 256, layout: layout, rowMap: layout == .outIn ? Array((0..<40).reversed()) : nil)
            m.bf16Products = true
            let worst = check(m, rows: 3, accumulate: true, withBias: false, threads: 1) { m, x, ldX, out, ldOut, _, s in
                let stage = s.buffer(0) + (16 * m.inDim + 1) / 2
                for c0 in stride(from: 0, to: m.outDim, by: 16) {
                    m.applyPanelF32(c0, min(16, m.outDim - c0), width: 16, x, ldX: ldX, rows: 3, out: out, ldOut: ldOut,
                                    accumulate: true, stage: stage)
                }
            }
            XCTAssertLessThan(worst.exact, 1e-5, "\(dtype)")
        }
    }

    /// Panel size: 128 rows at the 1–8B widths, and the scratch planned for them.
    func testPanelWidthAndScratch() throws {
        XCTAssertEqual(try Self.matrix(.q8_0, outDim: 40, inDim: 1024).panelWidth, 40)
        let m = try Self.matrix(.q8_0, outDim: 4096, inDim: 1024)
        XCTAssertEqual(m.panelWidth, 128)
        XCTAssertEqual(m.scratchFloats, m.blockRows * 1024, "without bf16 products no panel scratch")
        m.bf16Products = true
        XCTAssertGreaterThanOrEqual(m.scratchFloats, m.panelWidth * 1024 / 2)
        XCTAssertLessThanOrEqual(m.scratchFloats * 4, 1 << 20, "a few hundred KiB a thread at this width")
        let tooSmall = ScratchPool(threads: 1, floatsEach: 16)
        var out = [Float](repeating: 0, count: 2 * 4096)
        let x = [Float](repeating: 1, count: 2 * 1024)
        XCTAssertFalse(m.applyPanels(x, ldX: 1024, rows: 2, out: &out, ldOut: 4096, bias: nil, accumulate: false, scratch: tooSmall))
        XCTAssertEqual(out.max(), 0, "nothing written when the scratch is too small")
    }
}

/// Timing harness for the panel product at Llama-3.1-8B's MLP shapes, run only with LOUPE_PERF=1 in a release
/// build (see PerfTests): process CPU time on one thread and wall time on two, panels against the f32 blocks.
final class QuantBF16PanelPerfTests: XCTestCase {
    func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    func testPanelTimings() throws {
        guard ProcessInfo.processInfo.environment["LOUPE_PERF"] == "1" else { throw XCTSkip("set LOUPE_PERF=1") }
        let n = 128
        var lines: [String] = []
        for (outDim, inDim) in [(14336, 4096), (4096, 14336)] {
            let m = try QuantBF16PanelTests.matrix(.q8_0, outDim: outDim, inDim: inDim)
            m.packState = .refused
            let x = (0..<(n * inDim)).map { Float($0 % 13) * 0.01 }
            var out = [Float](repeating: 0, count: n * outDim)
            func time(_ label: String, threads: Int, _ body: (ScratchPool) -> Void) {
                let scratch = ScratchPool(threads: threads, floatsEach: max(m.scratchFloats, m.panelScratchFloats(width: 1024)))
                body(scratch)
                var cpu: [Double] = [], wall: [Double] = []
                for _ in 0..<5 {
                    let (c0, w0) = (cpuSeconds(), DispatchTime.now().uptimeNanoseconds)
                    body(scratch)
                    cpu.append((cpuSeconds() - c0) * 1000)
                    wall.append(Double(DispatchTime.now().uptimeNanoseconds - w0) / 1e6)
                }
                let flops = 2.0 * Double(n * outDim * inDim)
                let (c, w) = (cpu.sorted()[2], wall.sorted()[2])
                lines.append(String(format: "%d×%d×%d %@ threads %d: cpu %.1f ms (%.1f–%.1f), wall %.1f ms, %.0f GFLOP/s wall",
                                    n, inDim, outDim, label, threads, c, cpu.min()!, cpu.max()!, w, flops / w / 1e6))
            }
            for threads in [1, 2] {
                m.bf16Products = false
                time("f32 blocks of \(m.blockRows) rows", threads: threads) { s in
                    m.apply(x, ldX: inDim, rows: n, out: &out, ldOut: outDim, scratch: s)
                }
                m.bf16Products = true
                for width in [32, 64, 128, 256, 512] where width * inDim * 2 <= 8 << 20 {
                    time("bf16 panels of \(width) rows", threads: threads) { s in
                        _ = m.applyPanels(x, ldX: inDim, rows: n, out: &out, ldOut: outDim, bias: nil, accumulate: false,
                                          scratch: s, width: width)
                    }
                }
            }
            // The parts of one panel of the default width on one thread: dequantising, and oneDNN's product.
            let width = m.panelWidth
            let scratch = ScratchPool(threads: 1, floatsEach: m.panelScratchFloats)
            let buf = scratch.buffer(0)
            let xb = [UInt16](repeating: 0x3F80, count: n * inDim)
            buf.withMemoryRebound(to: UInt16.self, capacity: width * inDim) { panel in
                let stage = buf + (width * inDim + 1) / 2
                let panels = outDim / width
                let c0 = cpuSeconds()
                for p in 0..<panels { m.fillPanel(p * width, width, width: width, panel: panel, stage: stage) }
                let c1 = cpuSeconds()
                out.withUnsafeMutableBufferPointer { o in
                    for p in 0..<panels {
                        try? BF16Products.gemm(a: xb, lda: inDim, m: n, w: panel, ldw: inDim, n: width, k: inDim,
                                               c: o.baseAddress! + p * width, ldc: outDim, accumulate: false, threads: 1)
                    }
                }
                let c2 = cpuSeconds()
                lines.append(String(format: "  one thread, panels of %d: dequantise to bf16 %.1f ms, oneDNN %.1f ms", width,
                                    (c1 - c0) * 1000, (c2 - c1) * 1000))
            }
        }
        print("== PERF panels\n" + lines.joined(separator: "\n"))
    }
}
