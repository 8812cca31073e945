import XCTest
import LoupeNotebook

final class NotebookParameterTests: XCTestCase {
    func testValuesAreTypedLikePythonLiterals() throws {
        let cases: [(String, ParameterValue, String)] = [
            ("n=3", .int(3), "n = 3"),
            ("n=-12", .int(-12), "n = -12"),
            ("lr=2.5e-3", .float(0.0025), "lr = 0.0025"),
            ("x=1.0", .float(1), "x = 1.0"),
            ("flag=True", .bool(true), "flag = True"),
            ("flag=false", .bool(false), "flag = False"),
            ("v=None", .none, "v = None"),
            ("name=\"x y\"", .string("x y"), "name = \"x y\""),
            ("name='it\\'s'", .string("it's"), "name = \"it's\""),
            ("prompt=hello", .string("hello"), "prompt = \"hello\""),
            ("path=data/a \"b\".txt", .string("data/a \"b\".txt"), "path = \"data/a \\\"b\\\".txt\""),
            ("xs=[1,2]", .list([.int(1), .int(2)]), "xs = [1, 2]"),
            ("t=(1,)", .tuple([.int(1)]), "t = (1,)"),
            ("t=(1, 'a', [True])", .tuple([.int(1), .string("a"), .list([.bool(true)])]), "t = (1, \"a\", [True])"),
            ("d={'a': 1, \"b\": [2.5]}", .dict([(.string("a"), .int(1)), (.string("b"), .list([.float(2.5)]))]),
             "d = {\"a\": 1, \"b\": [2.5]}"),
            ("s=[1, 2", .string("[1, 2"), "s = \"[1, 2\""),
            ("e=", .string(""), "e = \"\""),
            ("eq=a=b", .string("a=b"), "eq = \"a=b\""),
        ]
        for (text, value, source) in cases {
            let p = try NotebookParameter(assignment: text)
            XCTAssertEqual(p.value, value, text)
            XCTAssertEqual(p.loupeSource, source, text)
        }
    }

    func testBadNamesAreRejected() {
        XCTAssertThrowsError(try NotebookParameter(assignment: "noequals"))
        XCTAssertThrowsError(try NotebookParameter(assignment: "=3"))
        XCTAssertThrowsError(try NotebookParameter(assignment: "2x=3"))
        XCTAssertThrowsError(try NotebookParameter(assignment: "a-b=3")) { error in
            XCTAssertTrue("\(error)".contains("\"a-b\" is not a valid variable name"))
        }
    }

    func testInjectedAfterTheParametersCell() throws {
        let doc = try NotebookDocument(contentsOf: Fixtures.url("params.loupe"))
        XCTAssertEqual(doc.declaredParameterNames, ["n", "name", "flag"])
        let params = [try NotebookParameter(assignment: "n=5"), try NotebookParameter(assignment: "name=Ada")]
        let injected = doc.injectingParameters(params)
        XCTAssertEqual(injected.cells.count, doc.cells.count + 1)
        let cell = injected.cells[3]
        XCTAssertEqual(cell.tags, ["injected-parameters"])
        XCTAssertEqual(cell.source, "# Parameters\nn = 5\nname = \"Ada\"")
        XCTAssertEqual(injected.sourceName(of: cell), "<parameters>")
        XCTAssertEqual(injected.cells[2].tags, ["parameters"])
        // Re-injecting replaces the earlier injected cell instead of stacking another.
        let twice = injected.injectingParameters([try NotebookParameter(assignment: "n=7")])
        XCTAssertEqual(twice.cells.count, doc.cells.count + 1)
        XCTAssertEqual(twice.cells[3].source, "# Parameters\nn = 7")
        // No parameters: nothing injected.
        XCTAssertEqual(doc.injectingParameters([]), doc)
    }

    func testInjectedAtTheTopWithoutAParametersCell() throws {
        let doc = NotebookDocument(percent: "# %%\nprint(n)\n", path: "p.loupe")
        XCTAssertNil(doc.declaredParameterNames)
        let injected = doc.injectingParameters([try NotebookParameter(assignment: "n=1")])
        XCTAssertEqual(injected.cells.map(\.source), ["# Parameters\nn = 1", "print(n)"])
    }
}
