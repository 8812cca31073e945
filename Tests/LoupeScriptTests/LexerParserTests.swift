import XCTest
@testable import LoupeScript

final class LexerParserTests: XCTestCase {
    func testIndentationTokens() throws {
        let toks = try Lexer.tokenize("if x:\n    y = 1\n\n    # c\nz\n", file: "t")
        let kinds = toks.map { t -> String in
            switch t.kind {
            case .indent: return "IN"
            case .dedent: return "DE"
            case .newline: return "NL"
            case .eof: return "EOF"
            default: return t.text
            }
        }
        XCTAssertEqual(kinds, ["if", "x", ":", "NL", "IN", "y", "=", "1", "NL", "DE", "z", "NL", "EOF"])
    }

    func testNumbersAndStrings() throws {
        let toks = try Lexer.tokenize("1.5e-3 0x10 'a\\n' r'\\n' f\"{x}\"", file: "t")
        XCTAssertEqual(toks[0].kind, .float(1.5e-3))
        XCTAssertEqual(toks[1].kind, .int(16))
        XCTAssertEqual(toks[2].text, "a\n")
        XCTAssertEqual(toks[3].text, "\\n")
        XCTAssertEqual(toks[4].kind, .fstring)
    }

    func testSyntaxErrorHasLocationAndCaret() {
        XCTAssertThrowsError(try Parser.parse("x = 1\ny = (2 +\n", file: "s.loupe")) { e in
            guard let s = e as? SyntaxError else { return XCTFail("\(e)") }
            XCTAssertTrue(s.atEndOfInput)
        }
        XCTAssertThrowsError(try Parser.parse("x = 1\nif x = 2:\n    pass\n", file: "s.loupe")) { e in
            guard let s = e as? SyntaxError else { return XCTFail("\(e)") }
            XCTAssertEqual(s.location.line, 2)
            XCTAssertEqual(s.location.column, 6)
            XCTAssertTrue(s.rendered.hasPrefix("s.loupe:2:6: "), s.rendered)
            XCTAssertTrue(s.rendered.contains("\n    if x = 2:\n         ^"), s.rendered)
            XCTAssertFalse(s.atEndOfInput)
        }
    }

    func testIncompleteBlock() {
        XCTAssertThrowsError(try Parser.parse("for i in x:\n", file: "s")) { e in
            XCTAssertTrue((e as? SyntaxError)?.atEndOfInput ?? false)
        }
    }

    func testSuggest() {
        XCTAssertEqual(Suggest.closest(to: "hook_patern", in: ["hook_pattern", "hook_z"]), "hook_pattern")
        XCTAssertNil(Suggest.closest(to: "zzzz", in: ["hook_pattern"]))
    }
}
