import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import LoupePlot

final class TickTests: XCTestCase {
    // Expected values from matplotlib 3.11 MaxNLocator(nbins, steps=[1, 2, 2.5, 5, 10]).tick_values.
    func testMaxNLocatorMatchesMatplotlib() {
        let cases: [(Double, Double, Int, [Double])] = [
            (0, 1, 9, [0, 0.2, 0.4, 0.6, 0.8, 1]),
            (-5, 4.9, 9, [-6, -4, -2, 0, 2, 4, 6]),
            (-0.5, 15.5, 5, [-5, 0, 5, 10, 15, 20]),
            (0, 36, 9, [0, 5, 10, 15, 20, 25, 30, 35, 40]),
            (-90, 0, 5, [-100, -80, -60, -40, -20, 0]),
            (0.001, 0.0123, 9, [0, 0.002, 0.004, 0.006, 0.008, 0.01, 0.012, 0.014]),
            (1e6, 3.7e6, 9, [1e6, 1.5e6, 2e6, 2.5e6, 3e6, 3.5e6, 4e6]),
            (-2.37, 2.91, 9, [-3, -2, -1, 0, 1, 2, 3]),
            (999.9, 1000.3, 9, [999.9, 999.95, 1000, 1000.05, 1000.1, 1000.15, 1000.2, 1000.25, 1000.3]),
            (0, 0.4, 9, [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]),
            (-1, 1, 4, [-1, -0.5, 0, 0.5, 1]),
            (3, 3.0001, 9, [3, 3.00002, 3.00004, 3.00006, 3.00008, 3.0001]),
        ]
        for (lo, hi, n, expected) in cases {
            let got = TickLocator.maxN(lo, hi, nbins: n)
            XCTAssertEqual(got.count, expected.count, "ticks for \(lo)...\(hi) nbins \(n): \(got)")
            for (g, e) in zip(got, expected) {
                XCTAssertEqual(g, e, accuracy: max(abs(e), 1) * 1e-9, "ticks for \(lo)...\(hi): \(got)")
            }
        }
    }

    func testScalarFormatter() {
        XCTAssertEqual(TickFormatter.scalar([0, 0.2, 0.4]).labels, ["0.0", "0.2", "0.4"])
        XCTAssertEqual(TickFormatter.scalar([-6, -4, 0, 2]).labels, ["\u{2212}6", "\u{2212}4", "0", "2"])
        XCTAssertEqual(TickFormatter.scalar([0, 0.25, 0.5]).labels, ["0.00", "0.25", "0.50"])
        let big = TickFormatter.scalar([1e6, 2e6, 3e6])
        XCTAssertEqual(big.exponent, 6); XCTAssertEqual(big.labels, ["1", "2", "3"])
        XCTAssertEqual(TickFormatter.compact(0.000012345), "1.234e\u{2212}5")
        XCTAssertEqual(TickFormatter.compact(-3.5), "\u{2212}3.5")
    }

    func testLogLocator() {
        XCTAssertEqual(TickLocator.logMajor(0.01, 1000), [0.01, 0.1, 1, 10, 100, 1000].map { $0 })
        XCTAssertEqual(TickLocator.logMajor(1e-30, 1e30).count <= 10, true)
        XCTAssertTrue(TickLocator.logMinor(1, 100).contains(20))
    }

    func testFixedNumberFormat() {
        XCTAssertEqual(fmt(1.005, 2), "1") // 1.005 is 1.00499999... in binary
        XCTAssertEqual(fmt(-0.001), "0")
        XCTAssertEqual(fmt(12.5), "12.5")
        XCTAssertEqual(fmt(-3.14159, 3), "-3.142")
        XCTAssertEqual(fmt(.nan), "0")
        XCTAssertEqual(fmt(100), "100")
    }
}

final class ColorTests: XCTestCase {
    /// Samples written by tools/gen_colormaps.py straight from matplotlib (cmap(x) for x in 0, .25, .5, .75, 1).
    func testColormapsMatchMatplotlib() throws {
        let url = fixturesDir().appendingPathComponent("colormaps.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: [String: String]] ?? [:]
        XCTAssertGreaterThan(json.count, 15)
        for (name, samples) in json.sorted(by: { $0.key < $1.key }) {
            let cmap = try XCTUnwrap(Colormap.named(name), name)
            for (key, hex) in samples {
                let x = Double(key) ?? 0
                let got = cmap.isListed ? cmap.colors[Int(x)] : cmap.color(normalized: x)
                XCTAssertEqual(got.hex, "#" + hex, "\(name)(\(key))")
            }
        }
        // reversed maps
        XCTAssertEqual(Colormap.named("RdBu_r")!.color(normalized: 0), Colormap.named("RdBu")!.color(normalized: 1))
        XCTAssertEqual(Colormap.named("viridis")!.colors.count, 256)
        XCTAssertEqual(Colormap.tab20.colors.count, 20)
        XCTAssertNil(Colormap.named("nope"))
    }

    func testColorParsing() {
        XCTAssertEqual(Color("#FFD700")?.hex, "#ffd700")
        XCTAssertEqual(Color("gold")?.hex, "#ffd700")
        XCTAssertEqual(Color("k"), .black)
        XCTAssertEqual(Color("0.7")?.hex, "#b3b3b3")
        XCTAssertEqual(Color("C1")?.hex, "#ff7f0e")
        XCTAssertEqual(Color("tab:blue")?.hex, "#1f77b4")
        XCTAssertEqual(Color("#abc")?.hex, "#aabbcc")
        XCTAssertEqual(Color("#00000080")?.a ?? 0, 128.0 / 255, accuracy: 1e-9)
        XCTAssertNil(Color("notacolour"))
        XCTAssertNil(Color("#12"))
    }

    func testFormatSpec() {
        XCTAssertEqual(FormatSpec.parse("ko"), FormatSpec(color: .black, marker: .circle, lineStyle: nil))
        XCTAssertEqual(FormatSpec.parse("s-"), FormatSpec(color: nil, marker: .square, lineStyle: .solid))
        XCTAssertEqual(FormatSpec.parse("r--")?.lineStyle, .dashed)
        XCTAssertEqual(FormatSpec.parse("wh")?.marker, .hexagon)
        XCTAssertEqual(FormatSpec.parse(".-")?.marker, .point)
        XCTAssertEqual(FormatSpec.parse("C3:")?.color, Color.cycle(3))
        XCTAssertNil(FormatSpec.parse("zz"))
        XCTAssertNil(FormatSpec.parse("--:"))
    }

    func testHistogramMatchesNumpy() {
        // numpy.histogram([1, 2, 2, 3, 4, 5], bins=4) -> [1, 2, 1, 2], edges 1, 2, 3, 4, 5
        let h = Histogram.compute([1, 2, 2, 3, 4, 5], bins: 4)
        XCTAssertEqual(h.counts, [1, 2, 1, 2]); XCTAssertEqual(h.edges, [1, 2, 3, 4, 5])
        let d = Histogram.compute([1, 2, 2, 3, 4, 5], bins: 4, density: true)
        XCTAssertEqual(d.counts.enumerated().map { $0.element * (h.edges[$0.offset + 1] - h.edges[$0.offset]) }.reduce(0, +), 1, accuracy: 1e-12)
        let e = Histogram.compute([0.5, 1.5, 9], edges: [0, 1, 2], density: false)
        XCTAssertEqual(e.counts, [1, 1])
    }
}

final class SafetyTests: XCTestCase {
    static let hostile = ["</script><img src=x onerror=alert(1)>", "a&b", "\"quoted\" 'single'", "\u{200F}\u{05D0}\u{05D1}",
                          "\u{1F600}", "bell\u{0007}", "line\nbreak", "tab\there", "\u{0000}nul", "\u{0085}c1", "]]>"]

    func testEscape() {
        XCTAssertEqual(SVGText.escape("</script><img src=x onerror=alert(1)>"),
                       "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;")
        XCTAssertEqual(SVGText.escape("a&b \"c\" 'd'"), "a&amp;b &quot;c&quot; &#39;d&#39;")
        XCTAssertEqual(SVGText.escape("bell\u{0007}"), "bell\\u0007")
        XCTAssertEqual(SVGText.escape("x\ny"), "x\\ny")
        XCTAssertEqual(SVGText.escape("\u{200F}\u{1F600}"), "\u{200F}\u{1F600}")
    }

    func testHostileStringsEverywhereStayText() throws {
        let fig = Figure(width: 6, height: 4)
        fig.suptitle = Self.hostile[0]
        let ax = fig.ax
        ax.title = Self.hostile.joined(separator: " ")
        ax.xlabel = Self.hostile[0]; ax.ylabel = Self.hostile[1]
        ax.plot([1, 2, 3], label: Self.hostile[0])
        ax.legend()
        ax.setXTicks(Self.hostile)
        ax.textGrid([Self.hostile, Self.hostile.reversed()])
        ax.text(x: 0, y: 0, Self.hostile[0])
        let svg = fig.svg()
        XCTAssertFalse(svg.contains("<script"))
        XCTAssertFalse(svg.contains("<img"))
        XCTAssertFalse(svg.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        XCTAssertTrue(svg.contains("\u{1F600}"))
        XCTAssertTrue(svg.contains("&lt;/script&gt;"))
        try assertWellFormed(svg)
    }

    func testGoldenFiguresAreWellFormedXML() throws {
        for (name, make) in SampleFigures.all {
            do { try assertWellFormed(make().svg()) } catch { XCTFail("\(name): \(error)") }
        }
    }

    func assertWellFormed(_ svg: String) throws {
        let parser = XMLParser(data: Data(svg.utf8))
        let ok = parser.parse()
        XCTAssertTrue(ok, "SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
    }

    func testBigScatterStaysSmall() {
        var g = LCG(7)
        let n = 100_000
        let fig = Figure(width: 8, height: 6)
        fig.ax.scatter(x: (0..<n).map { _ in g.normal() }, y: (0..<n).map { _ in g.normal() }, sizes: [4],
                       values: (0..<n).map { Double($0 % 12) }, cmap: .viridis)
        let svg = fig.svg()
        XCTAssertLessThan(svg.utf8.count, 3_000_000, "100k-point scatter is \(svg.utf8.count) bytes")
    }

    func testBigHeatmapIsOneRaster() {
        let n = 1000
        let v = (0..<(n * n)).map { Double($0 % 977) }
        let fig = Figure(width: 6, height: 6)
        fig.ax.imshow(values: v, rows: n, cols: n, cmap: .magma)
        let svg = fig.svg()
        XCTAssertEqual(svg.components(separatedBy: "<image").count - 1, 1)
        XCTAssertFalse(svg.contains("<rect x=\"0\" y=\"0\" width=\"1\""))
        XCTAssertLessThan(svg.utf8.count, 3_000_000)
    }

    func testSaveRejectsUnknownExtensionAndWritesSVG() throws {
        let fig = Figure()
        fig.ax.plot([1, 2])
        XCTAssertThrowsError(try fig.save(to: "/tmp/x.jpeg")) { XCTAssertTrue("\($0)".contains(".svg or .png")) }
        let path = NSTemporaryDirectory() + "loupe-plot-test-\(getpid()).svg"
        try fig.save(to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), fig.svg())
        try? FileManager.default.removeItem(atPath: path)
        if Rasterizer.findRsvgConvert() != nil {
            let png = NSTemporaryDirectory() + "loupe-plot-test-\(getpid()).png"
            try fig.save(to: png)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
            XCTAssertEqual(Array(bytes.prefix(8)), PNGEncoder.signature)
            try? FileManager.default.removeItem(atPath: png)
        }
    }
}

final class PNGTests: XCTestCase {
    struct Chunk { let type: String; let data: [UInt8] }

    func chunks(_ png: [UInt8]) throws -> [Chunk] {
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var out: [Chunk] = []
        var i = 8
        func be(_ o: Int) -> Int { Int(png[o]) << 24 | Int(png[o + 1]) << 16 | Int(png[o + 2]) << 8 | Int(png[o + 3]) }
        while i + 12 <= png.count {
            let len = be(i)
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            let data = Array(png[(i + 8)..<(i + 8 + len)])
            let crc = UInt32(be(i + 8 + len))
            XCTAssertEqual(crc, CRC32.checksum(Array(png[(i + 4)..<(i + 8 + len)])), "CRC of \(type)")
            out.append(Chunk(type: type, data: data))
            i += 12 + len
        }
        XCTAssertEqual(i, png.count)
        return out
    }

    func testCRCAndAdlerKnownValues() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF43926)
        XCTAssertEqual(Adler32.checksum(Array("Wikipedia".utf8)), 0x11E60398)
    }

    func testDeflateRoundTrips() throws {
        var g = LCG(3)
        let random = (0..<5000).map { _ in UInt8(g.next() * 256) }
        let repetitive = (0..<40000).map { UInt8(($0 / 7) % 5) }
        for data in [[], [1], random, repetitive, random + repetitive + random] as [[UInt8]] {
            let z = Deflate.zlib(data)
            XCTAssertEqual(try Inflate.zlib(z), data)
            let a = Adler32.checksum(data)
            XCTAssertEqual(Array(z.suffix(4)), [UInt8(a >> 24), UInt8((a >> 16) & 0xFF), UInt8((a >> 8) & 0xFF), UInt8(a & 0xFF)])
        }
        XCTAssertLessThan(Deflate.zlib(repetitive).count, 2000)
    }

    func testIndexedPNGDecodes() throws {
        let indices: [UInt8] = [0, 1, 2, 3, 255, 1]
        let palette: [(UInt8, UInt8, UInt8)] = (0..<256).map { (UInt8($0), 0, UInt8(255 - $0)) }
        let png = PNGEncoder.indexed(width: 3, height: 2, indices: indices, palette: palette, transparentIndex: 255, scaleX: 2, scaleY: 3)
        let cs = try chunks(png)
        XCTAssertEqual(cs.map { $0.type }, ["IHDR", "PLTE", "tRNS", "IDAT", "IEND"])
        XCTAssertEqual(cs[0].data, [0, 0, 0, 6, 0, 0, 0, 6, 8, 3, 0, 0, 0])
        XCTAssertEqual(cs[1].data.count, 768)
        let raw = try Inflate.zlib(cs[3].data)
        XCTAssertEqual(raw.count, 6 * (6 + 1))
        XCTAssertEqual(Array(raw[0..<7]), [0, 0, 0, 1, 1, 2, 2])
        XCTAssertEqual(Array(raw[21..<28]), [0, 3, 3, 255, 255, 1, 1])
    }

    func testRGBAPNGDecodes() throws {
        let px: [UInt8] = [255, 0, 0, 255, 0, 255, 0, 128]
        let cs = try chunks(PNGEncoder.rgba(width: 2, height: 1, pixels: px))
        XCTAssertEqual(cs[0].data[9], 6)
        XCTAssertEqual(try Inflate.zlib(cs[1].data), [0] + px)
    }

    func testEmbeddedRasterInSVGDecodes() throws {
        let fig = SampleFigures.heatmapRaster()
        let svg = fig.svg()
        let marker = "data:image/png;base64,"
        let start = try XCTUnwrap(svg.range(of: marker)).upperBound
        let end = try XCTUnwrap(svg[start...].firstIndex(of: "\""))
        let data = try XCTUnwrap(Data(base64Encoded: String(svg[start..<end])))
        let cs = try chunks([UInt8](data))
        XCTAssertEqual(cs.first?.type, "IHDR")
        XCTAssertEqual(cs.last?.type, "IEND")
        let w = Int(cs[0].data[3]) | Int(cs[0].data[2]) << 8, h = Int(cs[0].data[7]) | Int(cs[0].data[6]) << 8
        let raw = try Inflate.zlib(cs.first { $0.type == "IDAT" }!.data)
        XCTAssertEqual(raw.count, h * (w + 1))
        XCTAssertEqual(w % 100, 0); XCTAssertEqual(h % 100, 0)
    }
}

final class SizeTests: XCTestCase {
    /// Seed 001's log-softmax over the vocabulary: ~50k points drawn as 'ko' markers with a pale face.
    func testVocabularySizedMarkerLineStaysSmall() {
        var g = LCG(11)
        let n = 50_257
        let fig = Figure(width: 10, height: 3.5)
        fig.ax.plot((0..<n).map { _ in -10 - 5 * g.next() }, fmt: "ko", markerSize: 6,
                    markerFace: Color(r: 0.7, g: 0.7, b: 0.9, a: 0.4))
        let svg = fig.svg()
        XCTAssertLessThan(svg.utf8.count, 3_000_000, "\(svg.utf8.count) bytes")
        // a see-through face over a black edge: one symbol reused, so the face is not darkened
        XCTAssertTrue(svg.contains("<use xlink:href="))
        let opaque = Figure(width: 10, height: 3.5)
        opaque.ax.plot((0..<n).map { Double($0 % 97) }, fmt: "ko")
        let opaqueSVG = opaque.svg()
        XCTAssertLessThan(opaqueSVG.utf8.count, 1_500_000)
        XCTAssertTrue(opaqueSVG.contains("stroke-linecap=\"round\""))
    }
}

final class MathTextTests: XCTestCase {
    func testSeedTitles() {
        XCTAssertEqual(MathText.render("Distribution of $QK^T$"), "Distribution of QKᵀ")
        XCTAssertEqual(MathText.render(#"$QK^T \;/\; \sqrt{d_k}$"#), "QKᵀ / √dₖ")
        XCTAssertEqual(MathText.render(#"Distribution of $\sigma(QK^T)$"#), "Distribution of σ(QKᵀ)")
        XCTAssertEqual(MathText.render("$x^{2n}$ and $y_{ij}$"), "x²ⁿ and yᵢⱼ")
        XCTAssertEqual(MathText.render("$e^{QK}$"), "e^(QK)")
        XCTAssertEqual(MathText.render("costs $5"), "costs $5")
        XCTAssertEqual(MathText.render("no math"), "no math")
    }
}

final class DocumentTests: XCTestCase {
    /// Figures inlined in one HTML report must not share clip-path ids.
    func testIdsDifferBetweenFigures() {
        let a = SampleFigures.line().svg(), b = SampleFigures.hist().svg()
        func ids(_ s: String) -> Set<String> {
            var out = Set<String>()
            var rest = Substring(s)
            while let r = rest.range(of: "id=\"") {
                let tail = rest[r.upperBound...]
                if let end = tail.firstIndex(of: "\"") { out.insert(String(tail[..<end])); rest = tail[end...] } else { break }
            }
            return out
        }
        XCTAssertFalse(ids(a).isEmpty)
        XCTAssertTrue(ids(a).isDisjoint(with: ids(b)))
        XCTAssertFalse(a.unicodeScalars.contains("\u{1}"))
    }
}

final class DegenerateInputTests: XCTestCase {
    /// Empty, NaN, infinite, huge, negative-on-log and single-value inputs render well-formed SVG without trapping.
    func testDegenerateInputsRender() throws {
        let cases: [(String, (Axes) -> Void)] = [
            ("empty axes", { _ in }),
            ("empty line", { $0.plot([]) }),
            ("all NaN", { $0.plot([.nan, .nan]); $0.scatter(x: [.nan], y: [1]) }),
            ("infinities", { $0.plot(x: [0, 1, 2], [1, .infinity, -.infinity]) }),
            ("huge", { $0.plot([1e300, -1e300]); $0.scatter(x: [1e308], y: [-1e308]) }),
            ("single point", { $0.scatter(x: [3], y: [3]) }),
            ("log with zeros and negatives", { $0.plot([0, -1, 10, 100]); $0.yscale = .log }),
            ("log only negatives", { $0.plot([-1, -2]); $0.xscale = .log; $0.yscale = .log }),
            ("constant hist", { $0.hist([2, 2, 2], bins: 5) }),
            ("empty hist", { $0.hist([], bins: 3, log: true) }),
            ("hist with inf range", { $0.hist([1, 2], bins: 2, range: (0, .infinity)) }),
            ("empty image", { $0.imshow([]) }),
            ("NaN image", { $0.imshow([[.nan, .nan], [.nan, .nan]]) }),
            ("constant image", { $0.imshow(values: [Double](repeating: 1, count: 5000), rows: 50, cols: 100) }),
            ("ragged grid", { $0.textGrid([["a"], ["b", "c", "d"], []]) }),
            ("empty grid", { $0.textGrid([]) }),
            ("inverted limits", { $0.plot([1, 2]); $0.setYLim(5, -5); $0.setXLim(3, 3) }),
            ("bars with NaN", { $0.bar(x: [0, 1], heights: [.nan, 2]) }),
            ("rule at inf", { $0.axhline(.infinity); $0.axvline(.nan) }),
            ("zero-size rect", { $0.rect(x: 0, y: 0, width: 0, height: 0) }),
            ("empty labels", { $0.setXTicks([]); $0.title = ""; $0.legend() }),
        ]
        for (name, build) in cases {
            let fig = Figure(width: 3, height: 2)
            build(fig.ax)
            let svg = fig.svg()
            let parser = XMLParser(data: Data(svg.utf8))
            XCTAssertTrue(parser.parse(), "\(name): not well-formed")
            XCTAssertFalse(svg.contains("nan") || svg.contains("inf\""), "\(name): non-finite number written")
        }
        // 1000 token labels are thinned to what fits instead of overprinting
        let many = Figure(width: 6, height: 6)
        let toks = (0..<1000).map { "tok\($0)" }
        many.ax.imshow(values: (0..<1_000_000).map { Double($0 % 13) }, rows: 1000, cols: 1000)
        many.ax.setXTicks(toks); many.ax.setYTicks(toks)
        let labels = many.svg().components(separatedBy: ">tok").count - 1
        XCTAssertGreaterThan(labels, 20); XCTAssertLessThan(labels, 200)
        let tiny = Figure(width: 0.1, height: 0.1, rows: 3, columns: 3)
        tiny.ax.plot([1, 2, 3])
        XCTAssertTrue(XMLParser(data: Data(tiny.svg().utf8)).parse())
    }
}
