import XCTest
@testable import LoupeScript

/// Syntax errors carry `file:line:column`, the source line and a caret.
final class ErrorLocationTests: XCTestCase {
    func syntaxError(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> SyntaxError? {
        do {
            _ = try Parser.parse(source, file: "s.loupe")
            XCTFail("expected a syntax error in \(source)", file: file, line: line)
        } catch let e as SyntaxError {
            return e
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return nil
    }

    /// Checks that `source` fails at line:column with a message containing `fragment`.
    func check(_ source: String, _ line: Int, _ column: Int, _ fragment: String,
               file: StaticString = #filePath, testLine: UInt = #line) {
        guard let e = syntaxError(source, file: file, line: testLine) else { return }
        XCTAssertEqual("\(e.location.line):\(e.location.column)", "\(line):\(column)", e.rendered, file: file, line: testLine)
        XCTAssertTrue(e.message.contains(fragment), e.rendered, file: file, line: testLine)
    }

    func testSyntaxErrorHasLocationAndCaret() {
        XCTAssertTrue(syntaxError("x = 1\ny = (2 +\n")?.atEndOfInput ?? false)
        guard let s = syntaxError("x = 1\nif x = 2:\n    pass\n") else { return }
        XCTAssertEqual(s.location.line, 2)
        XCTAssertEqual(s.location.column, 6)
        XCTAssertTrue(s.rendered.hasPrefix("s.loupe:2:6: "), s.rendered)
        XCTAssertTrue(s.rendered.contains("\n    if x = 2:\n         ^"), s.rendered)
        XCTAssertFalse(s.atEndOfInput)
    }

    func testIncompleteBlock() {
        XCTAssertTrue(syntaxError("for i in x:\n")?.atEndOfInput ?? false)
    }

    func testBadEscapesPointAtTheirBackslash() {
        for prefix in ["", "f"] {
            check("x = \(prefix)'ab\\x4'", 1, 8 + prefix.count, "truncated `\\xhh` escape")
            check("x = \(prefix)'\\u12'", 1, 6 + prefix.count, "truncated `\\uXXXX` escape")
            check("x = \(prefix)'\\U0011000'", 1, 6 + prefix.count, "truncated `\\UXXXXXXXX` escape")
            check("x = \(prefix)'\\U00110000'", 1, 6 + prefix.count, "past the last Unicode code point")
            check("x = \(prefix)'ok \\ud800'", 1, 9 + prefix.count, "surrogate")
            check("x = \(prefix)'\\N{NO SUCH CHARACTER NAME}'", 1, 6 + prefix.count, "unknown Unicode character name")
            check("x = \(prefix)'\\Nx'", 1, 6 + prefix.count, "malformed `\\N` escape")
        }
    }

    func testBadEscapeLocationsInFStringsAroundFields() {
        check("s = f'{a}\\x4{b}'", 1, 10, "truncated")
        check("s = rf'{a}' f'{b}..\\u1'", 1, 20, "truncated")
        check("s = f'''one\ntwo {x} \\x'''", 2, 9, "truncated")
        check("s = '''one\ntwo \\u00'''", 2, 5, "truncated")
    }

    func testFStringFieldErrors() {
        check("print(f\"{1 +}\")", 1, 13, "expected an expression")
        check("print(rf\"{1 +}\")", 1, 14, "expected an expression")
        check("s = f'}'", 1, 7, "single `}`")
        check("s = f'{x'", 1, 7, "unterminated `{`")
        check("s = f'''a\n{1 +}'''", 2, 5, "expected an expression")
    }

    func testSuggest() {
        XCTAssertEqual(Suggest.closest(to: "hook_patern", in: ["hook_pattern", "hook_z"]), "hook_pattern")
        XCTAssertNil(Suggest.closest(to: "zzzz", in: ["hook_pattern"]))
    }
}
