import XCTest
@testable import LoupeScript

final class PrecedenceTests: XCTestCase {
    func check(_ source: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try SyntaxTreeText.expression(source), expected, source, file: file, line: line)
    }

    func testArithmetic() {
        check("1 + 2 * 3", "(+ 1 (* 2 3))")
        check("1 - 2 - 3", "(- (- 1 2) 3)")
        check("a / b // c % d @ e", "(@ (% (// (/ a b) c) d) e)")
        check("(1 + 2) * 3", "(* (+ 1 2) 3)")
    }

    func testPowerBindsTighterThanUnaryMinusOnItsLeft() {
        check("-2**2", "(- (** 2 2))")
        check("2**-1", "(** 2 -1)")
        check("2**3**2", "(** 2 (** 3 2))")
        check("-x*y", "(* (- x) y)")
        check("2**-x*3", "(* (** 2 (- x)) 3)")
        check("~a & b", "(& (~ a) b)")
        check("-2", "-2")
    }

    func testBitwiseAndShiftLevels() {
        check("a | b ^ c & d << e + f", "(| a (^ b (& c (<< d (+ e f)))))")
        check("a >> b << c", "(<< (>> a b) c)")
        check("a & b | c", "(| (& a b) c)")
    }

    func testComparisonsAndBooleans() {
        check("not a == b", "(not (cmp a == b))")
        check("a < b <= c != d", "(cmp a < b <= c != d)")
        check("a in b", "(cmp a in b)")
        check("a not in b", "(cmp a not in b)")
        check("a is not None", "(cmp a is not None)")
        check("a is b", "(cmp a is b)")
        check("a | b == c", "(cmp (| a b) == c)")
        check("a or b and not c", "(or a (and b (not c)))")
        check("not not a", "(not (not a))")
    }

    func testConditionalAndLambda() {
        check("a if c else b", "(if c a b)")
        check("a or b if c else d", "(if c (or a b) d)")
        check("a if c else b if d else e", "(if c a (if d b e))")
        check("lambda x: x if c else y", "(lambda x: (if c x y))")
        check("f(lambda: 1, x if y else z)", "(call f (lambda : 1) (if y x z))")
    }

    func testAugmentedAssignmentUsesTheBinaryOperator() throws {
        let pairs: [(String, BinaryOp)] = [("+=", .add), ("-=", .sub), ("*=", .mul), ("/=", .div), ("//=", .floorDiv),
                                           ("%=", .mod), ("**=", .pow), ("@=", .matmul), ("&=", .bitAnd),
                                           ("|=", .bitOr), ("^=", .bitXor), ("<<=", .shl), (">>=", .shr)]
        for (spelling, op) in pairs {
            let stmts = try Parser.parse("x \(spelling) 2", file: "t")
            guard case .augAssign(_, let got, _) = stmts.first?.kind else { return XCTFail(spelling) }
            XCTAssertEqual(got, op, spelling)
        }
        XCTAssertThrowsError(try Parser.parse("a, b += 1", file: "t"))
    }

    func testBinaryNodeSitsAtItsOperator() throws {
        let stmts = try Parser.parse("x = a  +  b", file: "t")
        guard case .assign(_, let value) = stmts[0].kind else { return XCTFail() }
        XCTAssertEqual(value.column, 8)
    }
}
