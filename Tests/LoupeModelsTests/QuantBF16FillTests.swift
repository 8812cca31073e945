import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// bf16 panels filled by the C decoders (`fillPanelBF16`) against the same panels filled by the Swift decoder
/// and `BF16Products.round` (decoders switched off): equal bit for bit, with and without a row map, and for
/// GPT-2's [in, out] F16 layout.
final class QuantBF16FillTests: XCTestCase {
    /// A matrix of random bytes stored as `dtype` (every pattern, NaN and infinite scales included).
    static func randomMatrix(_ dtype: DType, outDim: Int, inDim: Int, layout: WeightMatrix.Layout = .outIn,
                             rowMap: [Int]? = nil) throws -> WeightMatrix {
        var rng = Xoshiro256(seed: 5)
        let bytes = try XCTUnwrap(dtype.byteCount(elements: outDim * inDim))
        let owner = QuantBF16PanelTests.Storage(bytes)
        for i in 0..<bytes { owner.bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        return WeightMatrix(name: "w.\(dtype)", dtype: dtype, layout: layout, inDim: inDim, outDim: outDim,
                            bytes: UnsafeRawBufferPointer(owner.bytes), owner: owner, rowMap: rowMap)
    }

    /// Panel c0..<c0+cn of `m` as bf16 patterns, with the decoders on or off.
    static func panel(_ m: WeightMatrix, _ c0: Int, _ cn: Int, width: Int, decoders: Bool) -> [UInt16] {
        Dequant.setBF16Decoders(decoders)
        defer { Dequant.setBF16Decoders(true) }
        let scratch = ScratchPool(threads: 1, floatsEach: m.panelScratchFloats(width: width))
        let buf = scratch.buffer(0)
        return buf.withMemoryRebound(to: UInt16.self, capacity: width * m.inDim) { panel in
            for i in 0..<(width * m.inDim) { panel[i] = 0xBEEF }
            m.fillPanel(c0, cn, width: width, panel: panel, stage: buf + (width * m.inDim + 1) / 2)
            return Array(UnsafeBufferPointer(start: panel, count: width * m.inDim))
        }
    }

    func testDecodedPanelsMatchSwiftFill() throws {
        try XCTSkipUnless(Dequant.decodesToBF16, "no AVX512_BF16/F16C: panels are filled by the Swift decoder")
        let (outDim, inDim, width) = (37, 512, 16)
        let permutation = (0..<outDim).map { ($0 * 10) % outDim }
        let cases: [(DType, [Int]?)] = [(.q8_0, nil), (.q8_0, permutation), (.q4_0, nil), (.q4_1, permutation),
                                        (.q5_0, nil), (.q5_1, nil), (.q4_K, nil), (.q4_K, permutation), (.q5_K, nil),
                                        (.q6_K, nil), (.q6_K, permutation), (.f16, nil), (.f16, permutation),
                                        (.bf16, permutation), (.q2_K, nil), (.q3_K, permutation)]
        for (dtype, rowMap) in cases {
            let m = try Self.randomMatrix(dtype, outDim: outDim, inDim: inDim, rowMap: rowMap)
            XCTAssertTrue(Dequant.hasBF16Decoder(dtype))
            for c0 in stride(from: 0, to: outDim, by: width) {
                let cn = min(width, outDim - c0)
                let fast = Self.panel(m, c0, cn, width: width, decoders: true)
                let twin = Self.panel(m, c0, cn, width: width, decoders: false)
                XCTAssertEqual(fast, twin, "\(dtype) rowMap \(rowMap != nil) rows \(c0)..<\(c0 + cn)")
                if cn < width {
                    XCTAssertEqual(Set(fast[(cn * inDim)...]), [0xBEEF], "\(dtype): nothing written past the panel's rows")
                }
            }
        }
        // GPT-2's Conv1D [in, out] = [300, 70]: panels of 16 output columns, the last 6 wide.
        let m = try Self.randomMatrix(.f16, outDim: 70, inDim: 300, layout: .inOut)
        for c0 in stride(from: 0, to: 70, by: width) {
            let cn = min(width, 70 - c0)
            XCTAssertEqual(Self.panel(m, c0, cn, width: width, decoders: true),
                           Self.panel(m, c0, cn, width: width, decoders: false), "F16 [in, out] columns \(c0)..<\(c0 + cn)")
        }
    }
}

/// Fill rate of the bf16 panels at Llama-3.1-8B's gate/up shape (14336 × 4096, weights from memory, not cache),
/// C decoders against the Swift decoder + rounding, one thread and two; run only with LOUPE_PERF=1 in a release
/// build (see PerfTests).
final class QuantBF16FillPerfTests: XCTestCase {
    func testFillRates() throws {
        guard ProcessInfo.processInfo.environment["LOUPE_PERF"] == "1" else { throw XCTSkip("set LOUPE_PERF=1") }
        let (outDim, inDim) = (14336, 4096)
        let only = ProcessInfo.processInfo.environment["LOUPE_PERF_DTYPE"].flatMap { DType(rawValue: $0) }
        var lines: [String] = []
        for dtype in [DType.q8_0, .q4_K, .q6_K, .f16, .q2_K, .q3_K] where only == nil || only == dtype {
            let m = try QuantBF16PanelTests.matrix(dtype, outDim: outDim, inDim: inDim)
            let width = m.panelWidth, panels = outDim / width
            let storedGB = Double(dtype.byteCount(elements: outDim * inDim)!) / 1e9
            for threads in [1, 2] {
                let scratch = ScratchPool(threads: threads, floatsEach: m.panelScratchFloats)
                for decoders in [false, true] {
                    Dequant.setBF16Decoders(decoders)
                    var wall: [Double] = []
                    for _ in 0..<6 {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        parallelFor(threads) { t in
                            let buf = scratch.buffer(t)
                            buf.withMemoryRebound(to: UInt16.self, capacity: width * inDim) { panel in
                                var p = t
                                while p < panels {
                                    m.fillPanel(p * width, width, width: width, panel: panel, stage: buf + (width * inDim + 1) / 2)
                                    p += threads
                                }
                            }
                        }
                        wall.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                    }
                    wall = Array(wall.dropFirst()).sorted()
                    let s = wall[2]
                    lines.append(String(format: "%@ %@ threads %d: %.1f ms (%.1f–%.1f), %.2f Gelem/s, %.2f GB/s stored",
                                        dtype.rawValue, decoders ? "C to bf16  " : "Swift+round", threads, s * 1000,
                                        wall.first! * 1000, wall.last! * 1000, Double(outDim * inDim) / s / 1e9, storedGB / s))
                }
                Dequant.setBF16Decoders(true)
            }
        }
        print("== PERF fill\n" + lines.joined(separator: "\n"))
    }

    /// Whole panel products (fill + oneDNN) at 32 and 128 prompt rows on two threads (LOUPE_PERF_THREADS), by
    /// panel width, and the default width with the decoders off.
    func testPanelWidths() throws {
        guard ProcessInfo.processInfo.environment["LOUPE_PERF"] == "1" else { throw XCTSkip("set LOUPE_PERF=1") }
        let (outDim, inDim) = (14336, 4096)
        var lines: [String] = []
        for dtype in [DType.q8_0, .q4_K] {
            let m = try QuantBF16PanelTests.matrix(dtype, outDim: outDim, inDim: inDim)
            m.bf16Products = true
            for n in [32, 128] {
                let x = (0..<(n * inDim)).map { Float($0 % 13) * 0.01 }
                var out = [Float](repeating: 0, count: n * outDim)
                let threads = ProcessInfo.processInfo.environment["LOUPE_PERF_THREADS"].flatMap { Int($0) } ?? 2
                let scratch = ScratchPool(threads: threads, floatsEach: m.panelScratchFloats(width: 256))
                for (width, decoders) in [(32, true), (64, true), (128, true), (256, true), (128, false)] {
                    Dequant.setBF16Decoders(decoders)
                    var wall: [Double] = []
                    for _ in 0..<6 {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        _ = m.applyPanels(x, ldX: inDim, rows: n, out: &out, ldOut: outDim, bias: nil, accumulate: false,
                                          scratch: scratch, width: width)
                        wall.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                    }
                    wall = Array(wall.dropFirst()).sorted()
                    lines.append(String(format: "%@ %d rows, %d threads, panels of %d, %@: %.1f ms (%.1f–%.1f), %.0f GFLOP/s",
                                        dtype.rawValue, n, threads, width, decoders ? "C decoders" : "Swift fill", wall[2], wall.first!,
                                        wall.last!, 2.0 * Double(n * outDim * inDim) / wall[2] / 1e6))
                }
                Dequant.setBF16Decoders(true)
            }
        }
        print("== PERF panel widths\n" + lines.joined(separator: "\n"))
    }
}
