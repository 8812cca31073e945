import LoupeNotebook
import XCTest
@testable import LoupeReport

final class HTMLReportTests: XCTestCase {
    func testPageHasTitleContentsCodeOutputsAndFooter() throws {
        let html = HTMLReport.render(try Sample.document())
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<title>Loupe sample report</title>"))
        // Contents: Markdown headings, a cell title and a figure-section title.
        let toc = try XCTUnwrap(html.range(of: "<nav class=\"loupe-toc\"")).lowerBound
        let tocEnd = try XCTUnwrap(html.range(of: "</nav>")).upperBound
        let nav = String(html[toc..<tocEnd])
        for entry in ["Setup", "Attention", "Figures and tables", "Load the model", "Attention tokens for 0.1"] {
            XCTAssertTrue(nav.contains(entry), "contents lacks \(entry)")
        }
        XCTAssertTrue(html.contains("<h2 id=\"setup\">"))
        XCTAssertTrue(html.contains("href=\"#load-the-model\""))
        XCTAssertTrue(html.contains("id=\"load-the-model\""))
        // Code with highlighting, count and time.
        XCTAssertTrue(html.contains("<span class=\"tok-kw\">for</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-bi\">range</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-com\"># the default model</span>"))
        XCTAssertTrue(html.contains("In&nbsp;[1]"))
        XCTAssertTrue(html.contains("1.23 s"))
        // Outputs in order within the first code cell.
        let stream = try XCTUnwrap(html.range(of: "0 xx 0.0035")).lowerBound
        let value = try XCTUnwrap(html.range(of: "HookedTransformer(smollm2, 30 layers)")).lowerBound
        XCTAssertLessThan(stream, value)
        XCTAssertTrue(html.contains("<div class=\"out out-error\" role=\"alert\">"))
        XCTAssertTrue(html.contains("1 cell failed"))
        XCTAssertTrue(html.contains("Loupe 0.1.0"))
        XCTAssertTrue(html.contains("SmolLM2-135M-Instruct (Q4_1 GGUF)"))
        XCTAssertTrue(html.contains("<caption>Parameters</caption>"))
        // The first Markdown cell's heading equals the document title: shown once, in the header.
        XCTAssertEqual(html.components(separatedBy: ">Loupe sample report<").count - 1, 3, "<title>, contents, header")
        XCTAssertTrue(html.contains("<a href=\"#top\">Loupe sample report</a>"))
        XCTAssertTrue(html.contains("<h1 class=\"loupe-title\">Loupe sample report</h1>"))
    }

    func testNoInputHidesCodeLikeNbconvert() throws {
        let doc = try Sample.document()
        let html = HTMLReport.render(doc, options: ReportOptions(includeInput: false))
        XCTAssertFalse(html.contains("class=\"cell-input\""))
        XCTAssertFalse(html.contains("In&nbsp;["))
        XCTAssertFalse(html.contains("class=\"tok-kw\""))
        XCTAssertTrue(html.contains("0 xx 0.0035"), "outputs stay")
        let withInput = HTMLReport.render(doc)
        XCTAssertTrue(withInput.contains("class=\"cell-input\""))
    }

    func testHostileTokensStayText() throws {
        let html = HTMLReport.render(try Sample.document())
        XCTAssertFalse(html.contains("<img src=x"), "a token became an element")
        XCTAssertFalse(html.contains("onerror=alert(1)>"), "a token became an attribute")
        XCTAssertFalse(html.contains("<script>alert(2)"), "Markdown smuggled a script")
        XCTAssertTrue(html.contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"), "shown as text in tables, outputs")
        XCTAssertTrue(html.contains("\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"), "escaped inside JSON")
        // Every <script> element closes where the page means it to: count open vs close tags.
        let opens = html.components(separatedBy: "<script").count - 1
        let closes = html.components(separatedBy: "</script>").count - 1
        XCTAssertEqual(opens, closes)
        XCTAssertTrue(html.contains("<b>bold</b>"), "harmless author HTML is kept")
    }

    func testSelfContainedNoNetwork() throws {
        let html = HTMLReport.render(try Sample.document())
        for needle in ["src=\"http", "href=\"http", "@import", "<link ", "src=\"//", "cdn."] {
            XCTAssertFalse(html.contains(needle), "page refers to the network: \(needle)")
        }
        XCTAssertFalse(html.contains("/* missing asset"), "an asset failed to load from the bundle")
    }

    func testAssetsAppearOncePerPage() throws {
        let html = HTMLReport.render(try Sample.document())
        for asset in ["views-core.js", "views.css", "attention-patterns.js", "attention-heads.js", "colored-tokens.js", "topk-tokens.js"] {
            XCTAssertEqual(html.components(separatedBy: "<!--loupe-asset:\(asset)-->").count - 1, 1, asset)
        }
    }

    func testFigureIDsArePrefixedPerFigure() throws {
        let html = HTMLReport.render(try Sample.document())
        XCTAssertFalse(html.contains("id=\"clip0\""))
        XCTAssertTrue(html.contains("id=\"figure-01-loss-clip0\""))
        XCTAssertTrue(html.contains("url(#figure-01-loss-clip0)"))
        XCTAssertFalse(html.contains("<?xml"))
    }

    func testActiveSVGIsEmbeddedAsImage() {
        let evilSVG = "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect onclick=\"alert(1)\"/></svg>"
        let inline = SVGInline.html(evilSVG, prefix: "f", alt: "x")
        XCTAssertTrue(inline.hasPrefix("<img class=\"loupe-svg-img\""))
        XCTAssertFalse(inline.contains("onclick"))
        XCTAssertEqual(SVGInline.html("<svg><rect/></svg>", prefix: "f", alt: "x"), "<svg><rect/></svg>")
    }

    func testDeterministic() throws {
        let doc = try Sample.document()
        XCTAssertEqual(HTMLReport.render(doc), HTMLReport.render(doc))
    }

    func testSecondsFormatting() {
        XCTAssertEqual(HTMLReport.formatSeconds(0.0004), "<1 ms")
        XCTAssertEqual(HTMLReport.formatSeconds(0.042), "42 ms")
        XCTAssertEqual(HTMLReport.formatSeconds(3.5), "3.50 s")
        XCTAssertEqual(HTMLReport.formatSeconds(125), "2 min 5 s")
    }
}

extension HTMLReportTests {
    /// Writes the sample report to /tmp/loupe-sample-report.html for looking at by hand.
    func testWriteSampleForInspection() throws {
        guard ProcessInfo.processInfo.environment["LOUPE_WRITE_SAMPLE"] == "1" else { return }
        try HTMLReport.render(try Sample.document()).write(toFile: "/tmp/loupe-sample-report.html", atomically: true, encoding: .utf8)
    }
}

extension HTMLReportTests {
    func testActiveSVGDetectionLooksInsideTagsOnly() {
        XCTAssertFalse(SVGInline.looksActive("<svg><text x=\"1\">&lt;img src=x onerror=alert(1)&gt; javascript: on=</text></svg>"))
        XCTAssertTrue(SVGInline.looksActive("<svg><a href=\"javascript:alert(1)\"><text>x</text></a></svg>"))
        XCTAssertTrue(SVGInline.looksActive("<svg><rect\nonmouseover = \"x\"/></svg>"))
        XCTAssertTrue(SVGInline.looksActive("<svg><SCRIPT>x</SCRIPT></svg>"))
        XCTAssertFalse(SVGInline.looksActive("<svg><rect font-family=\"x on=y\" fill=\"none\"/></svg>"))
    }
}

extension HTMLReportTests {
    /// Writes a 600-token page to /tmp/loupe-big-report.html for looking at by hand.
    func testWriteBigSampleForInspection() throws {
        guard ProcessInfo.processInfo.environment["LOUPE_WRITE_SAMPLE"] == "1" else { return }
        let doc = try Sample.attentionReport(
            title: "Big attention", sourcePath: "big.loupe", tokens: (0..<600).map { [" the", " cat", " sat", " on", " mat", ".", "\n"][$0 % 7] },
            patternHeads: 3, heads: 12, sources: ("attention_patterns(p, tokens=t)", "attention_heads(p, tokens=t)"),
            attention: Sample.attention)
        try HTMLReport.render(doc).write(toFile: "/tmp/loupe-big-report.html", atomically: true, encoding: .utf8)
    }
}

extension HTMLReportTests {
    func testUntitledDocumentUsesFileName() {
        let doc = ReportDocument(title: " ", sourcePath: "notebooks/attention_tokens.loupe", cells: [], loupeVersion: "0")
        XCTAssertTrue(HTMLReport.render(doc).contains("<title>attention_tokens</title>"))
        let bare = ReportDocument(title: "", sourcePath: "", cells: [], loupeVersion: "0")
        XCTAssertTrue(HTMLReport.render(bare).contains("<h1 class=\"loupe-title\">Loupe report</h1>"))
    }
}
