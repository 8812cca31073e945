import XCTest
@testable import LoupeInterpreter

/// Parsing a declared header and binding a call's arguments to it.
final class SignatureTests: XCTestCase {
    func signature(_ header: String, aliases: [String: String] = [:]) throws -> Signature {
        try Signature(header, aliases: aliases)
    }

    func bindError(_ sig: Signature, _ args: Arguments) -> LoupeError? {
        do { _ = try sig.bind(args); return nil } catch { return error as? LoupeError }
    }

    // MARK: parsing

    func testParsesKindsTypesAndDefaults() throws {
        let sig = try signature("""
            f(a, b: int, c: float = 1.5, d=None, *args, e: str = "x", flag: bool = True, **kwargs)
            """)
        XCTAssertEqual(sig.callee, "f")
        XCTAssertEqual(sig.parameters.map(\.name), ["a", "b", "c", "d", "args", "e", "flag", "kwargs"])
        XCTAssertEqual(sig.parameters.map(\.kind), [.positional, .positional, .positional, .positional, .varArgs,
                                                    .keywordOnly, .keywordOnly, .varKeywords])
        XCTAssertEqual(sig.parameters[1].type, "int")
        XCTAssertEqual(sig.parameters[2].defaultText, "1.5")
        XCTAssertEqual(sig.parameters.filter(\.isRequired).map(\.name), ["a", "b"])
        XCTAssertEqual(sig.keywordNames, ["a", "b", "c", "d", "e", "flag"])
    }

    func testDottedCalleeAndName() throws {
        let sig = try signature("model.to_tokens(input, prepend_bos: bool | None = None)")
        XCTAssertEqual(sig.callee, "model.to_tokens")
        XCTAssertEqual(sig.name, "to_tokens")
        XCTAssertEqual(sig.parameters[1].type, "bool | None")
    }

    func testTextRoundTrips() throws {
        for header in [
            "f()",
            "f(a, b: int, c: float = 1.5, d=None, *args, e: str = 'x', **kwargs)",
            "g(x, *, y=2, z: int = -3)",
            "h(shape, value=(1, 2), items=[1, 'a', None], on=True)",
            "dict(pairs=[], /, **kw)",
            "m.k(a, /)",
        ] {
            let text = try signature(header).text
            XCTAssertEqual(try signature(text).text, text, header)
        }
        XCTAssertEqual(try signature("g(x, *, y=2)").text, "g(x, *, y=2)")
        XCTAssertEqual(try signature("p(*values, sep=\" \")").text, "p(*values, sep=' ')")
        XCTAssertEqual(try signature("plot(*args, color=, lw: float = 1)").text, "plot(*args, color=None, lw: float = 1)")
    }

    func testMalformedHeadersThrow() {
        for header in ["f(", "f(a b)", "f(a=1, b)", "f(a, a)", "f(x=len)", "f(*args=1)", "f(a) extra", "(a)", "f(/, a)",
                       "f(*, a, /)"] {
            XCTAssertThrowsError(try Signature(header), header) { error in
                XCTAssertTrue(error is Signature.DeclarationError, "\(header): \(error)")
            }
        }
        XCTAssertThrowsError(try Signature("f(a)", aliases: ["b": "nope"])) { error in
            XCTAssertTrue("\(error)".contains("alias `b`"), "\(error)")
        }
    }

    // MARK: binding

    func testBindsPositionalsKeywordsAndDefaults() throws {
        let sig = try signature("f(a, b=2, *, c: str = \"x\", d=)")
        let bound = try sig.bind(Arguments([.int(1)], keywords: [("c", .string("y"))]))
        XCTAssertEqual(try bound.int("a"), 1)
        XCTAssertEqual(try bound.int("b"), 2)
        XCTAssertEqual(try bound.string("c"), "y")
        XCTAssertFalse(bound.isGiven("b"))
        XCTAssertTrue(bound.isGiven("c"))
        XCTAssertNil(bound.optional("d"))
        XCTAssertNil(try bound.optionalInt("d"))
        let byName = try sig.bind(Arguments([], keywords: [("b", .int(5)), ("a", .int(4))]))
        XCTAssertEqual(try byName.int("a"), 4)
        XCTAssertEqual(try byName.int("b"), 5)
    }

    func testVarArgsAndVarKeywords() throws {
        let sig = try signature("f(first, *rest, sep=\" \", **extra)")
        let bound = try sig.bind(Arguments([.int(1), .int(2), .int(3)], keywords: [("sep", .string("-")), ("z", .int(9))]))
        XCTAssertEqual(try bound.int("first"), 1)
        XCTAssertEqual(bound.varArgs.count, 2)
        XCTAssertEqual(try bound.string("sep"), "-")
        XCTAssertEqual(bound.varKeywords.map(\.0), ["z"])
    }

    func testPositionalOnlyNamesGoToVarKeywords() throws {
        let sig = try signature("dict(pairs=[], /, **kw)")
        let bound = try sig.bind(Arguments([], keywords: [("pairs", .int(1))]))
        XCTAssertFalse(bound.isGiven("pairs"))
        XCTAssertEqual(bound.varKeywords.map(\.0), ["pairs"])
        XCTAssertEqual(sig.keywordNames, [])
        let strict = try signature("f(a, /)")
        XCTAssertNotNil(bindError(strict, Arguments([], keywords: [("a", .int(1))])))
    }

    func testAliases() throws {
        let sig = try signature("t.sum(dim=None, keepdim=False)", aliases: ["axis": "dim", "keepdims": "keepdim"])
        let bound = try sig.bind(Arguments([], keywords: [("axis", .int(1)), ("keepdims", .bool(true))]))
        XCTAssertEqual(try bound.int("dim"), 1)
        XCTAssertTrue(try bound.bool("keepdim"))
        XCTAssertEqual(sig.keywordNames, ["dim", "keepdim", "axis", "keepdims"])
        let twice = bindError(sig, Arguments([.int(0)], keywords: [("axis", .int(1))]))
        XCTAssertEqual(twice?.message, "t.sum() got two values for argument `dim`")
    }

    func testStyleKeywordWithoutDefault() throws {
        let sig = try signature("plot(*args, color=, linewidth: float = 1.0)")
        let none = try sig.bind(Arguments([.int(1)]))
        XCTAssertNil(none.optional("color"))
        XCTAssertFalse(none.isGiven("color"))
        XCTAssertEqual(try none.double("linewidth"), 1.0)
        let red = try sig.bind(Arguments([], keywords: [("color", .string("red"))]))
        XCTAssertEqual(try red.optionalString("color"), "red")
    }

    // MARK: errors

    func testMissingArgument() throws {
        let error = bindError(try signature("f(a, b)"), Arguments([.int(1)]))
        XCTAssertEqual(error?.message, "f() is missing required argument `b`")
        XCTAssertEqual(error?.hint, "usage: f(a, b)")
        let keywordOnly = bindError(try signature("f(*, k)"), Arguments())
        XCTAssertEqual(keywordOnly?.message, "f() is missing required argument `k`")
    }

    func testTooManyPositionals() throws {
        XCTAssertEqual(bindError(try signature("f(a, b=1)"), Arguments([.int(1), .int(2), .int(3)]))?.message,
                       "f() takes at most 2 positional arguments (3 given)")
        XCTAssertEqual(bindError(try signature("g()"), Arguments([.int(1)]))?.message,
                       "g() takes no positional arguments (1 given)")
        XCTAssertEqual(bindError(try signature("h(x)"), Arguments([.int(1), .int(2)]))?.message,
                       "h() takes at most 1 positional argument (2 given)")
    }

    func testUnexpectedKeywordSuggestsTheClosest() throws {
        let sig = try signature("x.topk(k, dim=-1, largest=True)")
        let error = bindError(sig, Arguments([.int(3)], keywords: [("larges", .bool(false))]))
        XCTAssertEqual(error?.message, "x.topk() got an unexpected keyword argument `larges`")
        XCTAssertTrue(error?.hint?.contains("largest") ?? false, error?.hint ?? "no hint")
        let unrelated = bindError(sig, Arguments([.int(3)], keywords: [("qqqqqq", .int(1))]))
        XCTAssertEqual(unrelated?.hint, "usage: x.topk(k, dim=-1, largest=True)")
    }

    func testTwoValuesForOneArgument() throws {
        let error = bindError(try signature("f(a, b=1)"), Arguments([.int(1)], keywords: [("a", .int(2))]))
        XCTAssertEqual(error?.message, "f() got two values for argument `a`")
    }

    func testTypedReadersNameTheParameter() throws {
        let bound = try signature("f(n)").bind(Arguments([.string("x")]))
        XCTAssertThrowsError(try bound.int("n")) { error in
            XCTAssertEqual((error as? LoupeError)?.message, "f(): `n` must be an int, not str")
        }
    }
}
