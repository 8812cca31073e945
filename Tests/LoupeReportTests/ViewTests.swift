import LoupeNotebook
import XCTest
@testable import LoupeReport
#if canImport(FoundationXML)
import FoundationXML
#endif

final class ViewTests: XCTestCase {
    func testShapeErrorsSayWhatWasExpected() {
        let tokens = ["a", "b", "c"]
        XCTAssertThrowsError(try AttentionPatternsView(tokens: tokens, pattern: [Float](repeating: 0, count: 8), shape: [2, 2, 2])) {
            XCTAssertTrue("\($0)".contains("3 tokens but attention covers 2 positions"), "\($0)")
        }
        XCTAssertThrowsError(try AttentionHeadsView(tokens: tokens, attention: [Float](repeating: 0, count: 9), shape: [3, 3, 1])) {
            XCTAssertTrue("\($0)".contains("needs 9 values") || "\($0)".contains("square"), "\($0)")
        }
        XCTAssertThrowsError(try AttentionHeadsView(tokens: tokens, attention: [Float](repeating: 0, count: 9), shape: [9])) {
            XCTAssertTrue("\($0)".contains("expected [heads, dest, src]"), "\($0)")
        }
        XCTAssertThrowsError(try AttentionHeadsView(tokens: tokens, attention: [Float](repeating: 0, count: 18), shape: [2, 3, 3],
                                                    headNames: ["only one"])) {
            XCTAssertTrue("\($0)".contains("1 head names for 2 heads"), "\($0)")
        }
        XCTAssertThrowsError(try ColoredTokensView(tokens: tokens, values: [1, 2])) {
            XCTAssertTrue("\($0)".contains("3 tokens but 2 values"), "\($0)")
        }
        XCTAssertThrowsError(try TopkTokensView(tokens: tokens, rowLabels: ["0"], topTokens: [[["x"]]], topValues: [[[1]]])) {
            XCTAssertTrue("\($0)".contains("expected 3 (one per token)"), "\($0)")
        }
    }

    /// The quantization the page decodes (views-core.js decodeAttention), replayed naively here.
    func testAttentionQuantizationRoundTrips() throws {
        let n = 13
        let pattern = Sample.attention(heads: 3, n: n)
        let data = try AttentionData(function: "t", tokens: Array(repeating: "x", count: n), pattern: pattern, shape: [3, n, n], headNames: nil)
        XCTAssertEqual(data.bits, 16)
        XCTAssertEqual(data.lo, 0); XCTAssertEqual(data.hi, 1)
        let bytes = [UInt8](try XCTUnwrap(Data(base64Encoded: data.encoded())))
        XCTAssertEqual(bytes.count, pattern.count * 2)
        var maxDiff: Float = 0
        for i in 0..<pattern.count {
            let q = Float(Int(bytes[2 * i]) | Int(bytes[2 * i + 1]) << 8)
            maxDiff = max(maxDiff, abs(data.lo + q / 65535 * (data.hi - data.lo) - pattern[i]))
        }
        XCTAssertLessThan(maxDiff, 1e-5)
        // Mean over heads against a naive triple loop.
        let mean = data.meanOverHeads()
        for i in 0..<(n * n) {
            let naive = (0..<3).map { pattern[$0 * n * n + i] }.reduce(0, +) / 3
            XCTAssertEqual(mean[i], naive, accuracy: 1e-6)
        }
    }

    func testThousandTokenViewStaysCompact() throws {
        let n = 1000, heads = 4
        var pattern = [Float](repeating: 0, count: heads * n * n)
        for h in 0..<heads { for i in 0..<n { pattern[h * n * n + i * n + (i * (h + 1)) % (i + 1)] = 1 } }
        let start = Date()
        let view = try AttentionHeadsView(tokens: (0..<n).map { "t\($0)" }, attention: pattern, shape: [heads, n, n])
        let elapsed = Date().timeIntervalSince(start)
        guard case let .view(html, svg, _) = view.output else { return XCTFail() }
        XCTAssertLessThan(html.utf8.count, 6_000_000, "8-bit quantization for 4M values")
        XCTAssertLessThan(svg.utf8.count, 100_000, "fallback pooled")
        XCTAssertLessThan(elapsed, 10)
    }

    func testFallbacksAreWellFormedSVG() throws {
        let doc = try Sample.document()
        var count = 0
        for cell in doc.cells {
            for case let .view(_, svg, title) in cell.outputs {
                let parser = XMLParser(data: Data(svg.utf8))
                XCTAssertTrue(parser.parse(), "\(title): \(parser.parserError.map { "\($0)" } ?? "")")
                XCTAssertFalse(svg.contains("<img"), title)
                count += 1
            }
        }
        XCTAssertEqual(count, 5)
    }

    func testFragmentCarriesEscapedDataFallbackAndAssets() throws {
        let view = try ColoredTokensView(tokens: [Sample.evil, "b"], values: [-1, 2], title: "T")
        guard case let .view(html, svg, title) = view.output else { return XCTFail() }
        XCTAssertEqual(title, "T")
        XCTAssertTrue(html.hasPrefix("<div class=\"loupe-view loupe-colored-tokens\" id=\"lv-"))
        XCTAssertTrue(html.contains("<div class=\"loupe-view-fallback\">\(svg)</div>"))
        XCTAssertFalse(html.contains("<img src=x"))
        XCTAssertTrue(html.contains("\"scale\":\"diverging\""))
        XCTAssertTrue(html.contains("<!--loupe-asset:colored-tokens.js--><script>"))
        XCTAssertFalse(html.contains("/* missing asset"))
        // The same data makes the same fragment; other data another id.
        let again = try ColoredTokensView(tokens: [Sample.evil, "b"], values: [-1, 2], title: "T")
        XCTAssertEqual(again.output, view.output)
        let other = try ColoredTokensView(tokens: [Sample.evil, "b"], values: [-1, 3], title: "T")
        guard case let .view(otherHTML, _, _) = other.output else { return XCTFail() }
        XCTAssertNotEqual(otherHTML.prefix(80), html.prefix(80))
    }

    func testRepeatedViewGetsUniqueIDsInAPage() throws {
        let view = try ColoredTokensView(tokens: ["a"], values: [1]).output
        let doc = ReportDocument(title: "t", sourcePath: "", cells: [ReportCell(kind: .code, source: "", outputs: [view, view])], loupeVersion: "0")
        let html = HTMLReport.render(doc)
        var ids: [String] = []
        var rest = Substring(html)
        while let r = rest.range(of: " id=\"") {
            let after = rest[r.upperBound...]
            let end = after.firstIndex(of: "\"")!
            ids.append(String(after[..<end]))
            rest = after[end...]
        }
        XCTAssertEqual(ids.count, Set(ids).count, "duplicate ids: \(ids)")
    }

    func testFigureSectionDedentsDescription() {
        XCTAssertEqual(FigureSection.dedent("\n    Each cell.\n      Indented more.\n    Last.\n    "), "Each cell.\n  Indented more.\nLast.")
        guard case let .view(html, svg, title) = FigureSection.make(svg: Sample.svg("x"), title: "T <1>", description: "A *b*", footer: "f") else {
            return XCTFail()
        }
        XCTAssertEqual(title, "T <1>")
        XCTAssertTrue(svg.hasPrefix("<?xml"))
        XCTAssertTrue(html.contains("<h3 class=\"loupe-figure-title\">T &lt;1&gt;</h3>"))
        XCTAssertTrue(html.contains("<em>b</em>"))
        XCTAssertTrue(html.contains("<div class=\"loupe-figure-footer markdown\"><p>f</p></div>"))
    }

}
