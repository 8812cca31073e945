import XCTest
@testable import LoupeScript

/// Python's escapes, decoded the same way in plain strings and in the literal text of f-strings.
final class EscapeTests: XCTestCase {
    /// The value of a one-string program, a plain string or an f-string without fields.
    func value(_ source: String) throws -> String {
        let stmts = try Parser.parse(source, file: "t")
        guard case .expr(let e) = stmts.first?.kind else { throw XCTSkip("not an expression") }
        switch e.kind {
        case .string(let s): return s
        case .fstring(let parts):
            return parts.map { if case .literal(let s) = $0 { return s }; return "{}" }.joined()
        default: return "<\(e.kind)>"
        }
    }

    /// Checks `body` between quotes as a plain string and as an f-string.
    func check(_ body: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try value("\"\(body)\""), expected, "plain \(body)", file: file, line: line)
        XCTAssertEqual(try value("f\"\(body)\""), expected, "f-string \(body)", file: file, line: line)
    }

    func testHexAndUnicodeEscapes() {
        check(#"\x41"#, "A")
        check(#"\u00e9|\x41"#, "é|A")
        check(#"\U0001F600"#, "😀")
        check(#"\u00E9\u00e9"#, "éé")
    }

    func testSingleCharacterEscapes() {
        check(#"\\ \' \" \a \b \f \n \r \t \v"#, "\\ ' \" \u{07} \u{08} \u{0C} \n \r \t \u{0B}")
    }

    func testOctalEscapes() {
        check(#"\0"#, "\0")
        check(#"\101\102"#, "AB")
        check(#"\1010"#, "A0")  // at most three digits
        check(#"\08"#, "\08")
        check(#"\7"#, "\u{07}")
    }

    func testNamedEscapes() {
        check(#"\N{LATIN SMALL LETTER E WITH ACUTE}"#, "é")
        check(#"\N{grinning face}!"#, "😀!")
    }

    func testUnknownEscapesKeepTheirBackslash() {
        check(#"\q \d \["#, #"\q \d \["#)
    }

    func testLineContinuation() throws {
        XCTAssertEqual(try value("'ab\\\ncd'"), "abcd")
        XCTAssertEqual(try value("f'ab\\\ncd'"), "abcd")
        XCTAssertEqual(try value("'''a\\\nb\nc'''"), "ab\nc")
    }

    func testRawStringsAreUntouched() throws {
        XCTAssertEqual(try value(#"r"\x41\n\q""#), #"\x41\n\q"#)
        XCTAssertEqual(try value(#"rf"\x41\n""#), #"\x41\n"#)
        XCTAssertEqual(try value(#"fr"\u00e9""#), #"\u00e9"#)
        XCTAssertEqual(try value(#"r"\x4""#), #"\x4"#)
        XCTAssertEqual(try value(#"r"a\"b""#), #"a\"b"#)
    }

    func testEscapedQuoteDoesNotCloseTheString() throws {
        XCTAssertEqual(try value(#""a\"b""#), "a\"b")
        XCTAssertEqual(try value(#"f'it\'s'"#), "it's")
    }

    func testDecoderDirectly() throws {
        XCTAssertEqual(try StringEscapes.decode(Array(#"a\tb\x41"#)[...]), "a\tbA")
        XCTAssertEqual(try StringEscapes.decode(Array(#"trailing\"#)[...]), #"trailing\"#)
        do {
            _ = try StringEscapes.decode(Array(#"ab\u12"#)[...])
            XCTFail("expected a failure")
        } catch {
            XCTAssertEqual(error.offset, 2)
        }
    }
}
