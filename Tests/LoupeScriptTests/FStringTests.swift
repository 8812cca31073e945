import XCTest
@testable import LoupeScript

final class FStringTests: XCTestCase {
    func parts(_ source: String) throws -> [String] {
        let stmts = try Parser.parse(source, file: "t")
        guard case .expr(let e) = stmts.first?.kind, case .fstring(let ps) = e.kind else { return ["<not an f-string>"] }
        return ps.map(describe)
    }

    func describe(_ p: FStringPart) -> String {
        switch p {
        case .literal(let s): return "'\(s)'"
        case .field(let e, let conv, let spec):
            return "{" + SyntaxTreeText.text(e) + (conv.map { "!\($0)" } ?? "")
                + (spec.map { ":" + $0.map(describe).joined() } ?? "") + "}"
        }
    }

    func testLiteralsAndFields() throws {
        XCTAssertEqual(try parts(#"f"a{x}b{y + 1}c""#), ["'a'", "{x}", "'b'", "{(+ y 1)}", "'c'"])
        XCTAssertEqual(try parts(#"f"{x!r:>10}""#), ["{x!r:'>10'}"])
        XCTAssertEqual(try parts(#"f"{x:{w}.2f}""#), ["{x:{w}'.2f'}"])
        XCTAssertEqual(try parts(#"f"{n=}""#), ["'n='", "{n!r}"])
    }

    func testDoubledBracesAreLiteral() throws {
        XCTAssertEqual(try parts(#"f"{{x}} {x}""#), ["'{x} '", "{x}"])
        XCTAssertEqual(try parts(#"f"\n{{\t}}""#), ["'\n{\t}'"])
    }

    func testEscapesInLiteralPartsNotInFields() throws {
        XCTAssertEqual(try parts(#"f"\x41{'\x42'}\u00e9""#), ["'A'", "{'B'}", "'é'"])
        XCTAssertEqual(try parts(#"f"\t{x}\n""#), ["'\t'", "{x}", "'\n'"])
    }

    func testEscapesInTheFormatSpec() throws {
        XCTAssertEqual(try parts(#"f"{x:\x3e5}""#), ["{x:'>5'}"])
    }

    func testBackslashBeforeABraceStartsAField() throws {
        XCTAssertEqual(try parts(#"f"\{x}""#), [#"'\'"#, "{x}"])
        XCTAssertEqual(try parts(#"f"\\{x}""#), [#"'\'"#, "{x}"])
        XCTAssertEqual(try parts(#"f"\N{BULLET}{x}""#), ["'•'", "{x}"])
    }

    func testRawFStringKeepsBackslashes() throws {
        XCTAssertEqual(try parts(#"rf"\n{x}\t""#), [#"'\n'"#, "{x}", #"'\t'"#])
    }

    func testAdjacentStringsJoin() throws {
        XCTAssertEqual(try parts(#"f"{a}" "\x41" f"\x42""#), ["{a}", "'A'", "'B'"])
    }
}
