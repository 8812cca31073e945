import XCTest
@testable import LoupeScript

final class LexerTests: XCTestCase {
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
        XCTAssertEqual(toks[0].kind, .keyword(.if))
        XCTAssertEqual(toks[2].kind, .op(.colon))
        XCTAssertEqual(toks[6].kind, .op(.assign))
    }

    func testNumbersAndStrings() throws {
        let toks = try Lexer.tokenize("1.5e-3 0x10 'a\\n' r'\\n' f\"{x}\"", file: "t")
        XCTAssertEqual(toks[0].kind, .float(1.5e-3))
        XCTAssertEqual(toks[1].kind, .int(16))
        XCTAssertEqual(toks[2].text, "a\n")
        XCTAssertEqual(toks[3].text, "\\n")
        XCTAssertEqual(toks[4].kind, .fstring(raw: false, bodyLine: 1, bodyColumn: 27))
        XCTAssertEqual(toks[4].text, "{x}")
    }

    func testEveryOperatorRoundTripsItsSpelling() throws {
        for op in Operator.allCases {
            XCTAssertEqual(Operator(rawValue: op.rawValue), op)
            // brackets alone would be unbalanced; the lexer is tried on the balanced ones below
            if op.opensBracket || op.closesBracket { continue }
            let toks = try Lexer.tokenize("a \(op.rawValue) b", file: "t")
            XCTAssertEqual(toks[1].kind, .op(op), op.rawValue)
            XCTAssertEqual(toks[1].text, op.rawValue)
        }
        let brackets = try Lexer.tokenize("([{}])", file: "t").compactMap(\.op)
        XCTAssertEqual(brackets, [.leftParen, .leftBracket, .leftBrace, .rightBrace, .rightBracket, .rightParen])
    }

    func testLongestOperatorWins() throws {
        let ops = try Lexer.tokenize("a **= b ** c * d ... x // y //= z -> w", file: "t").compactMap(\.op)
        XCTAssertEqual(ops, [.doubleStarAssign, .doubleStar, .star, .ellipsis, .doubleSlash, .doubleSlashAssign, .arrow])
    }

    func testEveryKeywordRoundTripsItsSpelling() throws {
        for keyword in Keyword.allCases {
            XCTAssertEqual(Keyword(rawValue: keyword.rawValue), keyword)
            let toks = try Lexer.tokenize(keyword.rawValue, file: "t")
            XCTAssertEqual(toks[0].kind, .keyword(keyword), keyword.rawValue)
        }
        XCTAssertEqual(try Lexer.tokenize("iffy", file: "t")[0].kind, .name)
    }

    func testOperatorTablesAgreeWithTheSyntaxTree() {
        for op in Operator.allCases {
            if let b = op.binary { XCTAssertEqual(b.rawValue, op.rawValue) }
            if let b = op.augmented { XCTAssertEqual(b.rawValue + "=", op.rawValue) }
            if let c = op.comparison { XCTAssertEqual(c.rawValue, op.rawValue) }
            if let u = op.unary { XCTAssertEqual(u.rawValue, op.rawValue) }
        }
        XCTAssertEqual(Operator.allCases.compactMap(\.augmented).count, Operator.allCases.compactMap(\.binary).count)
        for (op, _) in Precedence.table { XCTAssertNotNil(Operator(rawValue: op.rawValue)?.binary) }
    }

    func testUnexpectedCharacter() {
        XCTAssertThrowsError(try Lexer.tokenize("x = !y", file: "t")) { e in
            let s = e as? SyntaxError
            XCTAssertEqual(s?.location.column, 5)
            XCTAssertTrue(s?.message.contains("use `not`") ?? false)
        }
    }
}
