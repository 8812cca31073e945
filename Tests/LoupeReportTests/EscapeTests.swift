import LoupeFormats
import LoupeNotebook
import XCTest
@testable import LoupeReport

final class EscapeTests: XCTestCase {
    func testHTMLEscaping() {
        XCTAssertEqual(Escape.html("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
        XCTAssertEqual(Escape.html("a\u{0}b\u{1B}c\td"), "a\\x00b\\x1Bc\td")
        XCTAssertEqual(Escape.html("héllo 🐱 \u{202E}rtl"), "héllo 🐱 \u{202E}rtl")
    }

    func testJSONInsideScript() {
        let json = JSONValue.array([.string(Sample.evil), .string("a\u{2028}b & <!--")]).serialized(.script)
        let safe = Escape.jsonForScript(json)
        XCTAssertFalse(safe.contains("<"))
        XCTAssertFalse(safe.contains(">"))
        XCTAssertFalse(safe.contains("\u{2028}"))
        // Still the same JSON to a parser.
        let back = try? JSONSerialization.jsonObject(with: Data(safe.utf8)) as? [String]
        XCTAssertEqual(back, [Sample.evil, "a\u{2028}b & <!--"])
    }

    func testSlugs() {
        XCTAssertEqual(Escape.slug("Attention tokens for 0.1"), "attention-tokens-for-0-1")
        XCTAssertEqual(Escape.slug("<<>>"), "section")
        var ids = IDAllocator()
        XCTAssertEqual(ids.make("Setup"), "setup")
        XCTAssertEqual(ids.make("setup"), "setup-2")
        XCTAssertEqual(ids.make("Setup!"), "setup-3")
    }

    func testSanitizerRemovesEverythingThatRuns() {
        let cases: [(String, String)] = [
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
            ("<a href=\"javascript:alert(1)\">x</a>", "<a rel=\"noopener noreferrer\">x</a>"),
            ("<a href=\"&#106;avascript:alert(1)\">x</a>", "<a rel=\"noopener noreferrer\">x</a>"),
            ("<a href=\"java\tscript:alert(1)\">x</a>", "<a rel=\"noopener noreferrer\">x</a>"),
            ("<a href=\"https://example.org/a?b=1&amp;c\">x</a>", "<a href=\"https://example.org/a?b=1&amp;c\" rel=\"noopener noreferrer\">x</a>"),
            ("<img src=\"data:image/png;base64,AAAA\">", "<img src=\"data:image/png;base64,AAAA\">"),
            ("<img src=\"data:text/html,<b>\">", "<img>"),
            ("<iframe src=x></iframe>", "&lt;iframe src=x&gt;&lt;/iframe&gt;"),
            ("<div style=\"display: flex; background: url(x)\">a</div>", "<div>a</div>"),
            ("<div style=\"display: flex\">a</div>", "<div style=\"display: flex\">a</div>"),
            ("a <!-- hidden --> b", "a  b"),
            ("1 < 2 > 0", "1 &lt; 2 &gt; 0"),
            ("<svg onload=alert(1)>", "&lt;svg onload=alert(1)&gt;"),
            ("<p class=\"x\" onclick=\"y\">t</p>", "<p class=\"x\">t</p>"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(HTMLSanitizer.sanitize(input), expected, input)
        }
    }

    func testMarkdownRendersAndHeadingsGetIDs() {
        var ids = IDAllocator()
        let (html, headings) = MarkdownRenderer.render("# Title\n\nSome *emphasis* and `code <x>`.\n\n## Part two\n\n- a\n- b", ids: &ids)
        XCTAssertEqual(headings.map(\.text), ["Title", "Part two"])
        XCTAssertEqual(headings.map(\.id), ["title", "part-two"])
        XCTAssertTrue(html.contains("<h1 id=\"title\">Title<a class=\"anchor\""))
        XCTAssertTrue(html.contains("<em>emphasis</em>"))
        XCTAssertTrue(html.contains("<code>code &lt;x&gt;</code>"))
        XCTAssertTrue(html.contains("<li>a</li>"))
    }

    func testJSONWriter() {
        let v: JSONValue = .pairs([("b", 1), ("a", .array([.double(0.5), .double(.nan), .bool(true), .null])),
                                   ("s", .string("q\"\\\n\u{1}"))])
        XCTAssertEqual(v.serialized(.script), "{\"b\":1,\"a\":[0.5,null,true,null],\"s\":\"q\\\"\\\\\\n\\u0001\"}")
        var indented = JSONWriteStyle.script
        indented.indent = 1
        XCTAssertEqual(JSONValue.pairs([("k", .array([1]))]).serialized(indented), "{\n \"k\": [\n  1\n ]\n}")
        XCTAssertEqual(JSONValue.rounded(0.123456789, decimals: 4), .double(0.1235))
        XCTAssertEqual(JSONValue.double(3).serialized(.script), "3")
    }
}

extension EscapeTests {
    func testCodeMarkdownShowsRawHTMLAsText() {
        XCTAssertEqual(MarkdownRenderer.render("**Input:** " + Sample.evil),
                       "<p><strong>Input:</strong> &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</p>")
        XCTAssertEqual(MarkdownRenderer.render("`a < b` and <b>x</b>"), "<p><code>a &lt; b</code> and &lt;b&gt;x&lt;/b&gt;</p>")
    }
}
