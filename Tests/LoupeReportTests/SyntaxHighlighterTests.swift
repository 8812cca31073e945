import LoupeNotebook
import XCTest
@testable import LoupeReport

final class SyntaxHighlighterTests: XCTestCase {
    func testTokenClasses() {
        let html = SyntaxHighlighter.html("def f(x=1.5e-3):\n    return len(x) + 0x1F  # done\ny = f\"{a}\" if True else 'b'\nm.topk(5)")
        XCTAssertTrue(html.contains("<span class=\"tok-kw\">def</span> <span class=\"tok-fn\">f</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-num\">1.5e-3</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-kw\">return</span> <span class=\"tok-bi\">len</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-num\">0x1F</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-com\"># done</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-str\">f&quot;{a}&quot;</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-const\">True</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-str\">&#39;b&#39;</span>"))
        XCTAssertTrue(html.contains("<span class=\"tok-method\">topk</span>"))
    }

    func testNeverLosesText() {
        let sources = ["x = \"unterminated\ny = 1", "'''triple\nquoted''' + \"\"\"x\"\"\"", "a\\", "", "\t# tab", "</script>", "print('\\'')"]
        for source in sources {
            XCTAssertEqual(MarkdownRenderer.plainText(SyntaxHighlighter.html(source)), source.trimmingCharacters(in: .whitespacesAndNewlines), source)
        }
    }

    func testTripleQuotedStringSpansLines() {
        let html = SyntaxHighlighter.html("d = \"\"\"\nline # not a comment\n\"\"\"")
        XCTAssertFalse(html.contains("tok-com"))
        XCTAssertTrue(html.contains("<span class=\"tok-str\">&quot;&quot;&quot;\nline # not a comment\n&quot;&quot;&quot;</span>"))
    }
}
