import XCTest
@testable import LoupeInterpreter

/// `import` binds modules a library registered; unknown modules and names are errors that say what exists.
final class ModuleImportTests: XCTestCase {
    override func setUp() {
        Builtins.installLanguage()
        let module = Namespace(name: "zz_testmodule", doc: "A module for the import tests.", otherwise: "see help()")
        module.set("double", .builtin(Builtins.function("zz_testmodule.double(x: int)", doc: "2x.") { _, args in
            .int(2 * (try args.int("x")))
        }))
        module.set("answer", .int(42))
        module.forward(["len"], renamed: ["size": "len"])
        module.lack("train", "Loupe runs models, it does not train them")
        let sub = Namespace(name: "zz_testmodule.sub", doc: "A submodule.")
        sub.set("three", .int(3))
        module.set("sub", .host(sub))
        Builtins.registerModule("zz_testmodule", .host(module))
        Builtins.registerModule("zz_testmodule.sub", .host(sub))
        Builtins.registerMissingModule("zz_missing", instead: "use the builtins")
    }

    func run(_ source: String) throws -> String {
        let sink = CollectingSink()
        _ = try Interpreter(sink: sink).execute(source, file: "test.loupe")
        return sink.text
    }

    func error(_ source: String) -> LoupeError? {
        do { _ = try run(source); return nil } catch { return error as? LoupeError }
    }

    func testImportFormsBindTheRegisteredModules() throws {
        XCTAssertEqual(try run("import zz_testmodule\nprint(zz_testmodule.double(4), zz_testmodule.answer)"), "8 42\n")
        XCTAssertEqual(try run("import zz_testmodule as m, zz_testmodule.sub as s\nprint(m.size([1, 2]), s.three)"), "2 3\n")
        XCTAssertEqual(try run("import zz_testmodule.sub\nprint(zz_testmodule.sub.three)"), "3\n")
        XCTAssertEqual(try run("from zz_testmodule import double as d, answer\nprint(d(answer))"), "84\n")
        XCTAssertEqual(try run("from zz_testmodule import sub\nfrom zz_testmodule.sub import three\nprint(sub.three + three)"), "6\n")
        XCTAssertEqual(try run("def f():\n    from zz_testmodule import answer\n    return answer\nprint(f())"), "42\n")
    }

    func testUnknownModulesAndNamesSayWhatExists() throws {
        let missing = try XCTUnwrap(error("import zz_missing"))
        XCTAssertEqual(missing.message, "Loupe has no module `zz_missing`; use the builtins")
        XCTAssertEqual(missing.location?.line, 1)
        let unknown = try XCTUnwrap(error("x = 1\nimport zz_testmodul"))
        XCTAssertEqual(unknown.message, "Loupe has no module `zz_testmodul`")
        XCTAssertTrue(unknown.hint?.contains("did you mean `zz_testmodule`?") == true, unknown.hint ?? "")
        XCTAssertEqual(unknown.location?.line, 2)
        let lacking = try XCTUnwrap(error("from zz_testmodule import train"))
        XCTAssertEqual(lacking.message, "cannot import `train` from `zz_testmodule`: Loupe has no `zz_testmodule.train`; Loupe runs models, it does not train them")
        let typo = try XCTUnwrap(error("import zz_testmodule\nzz_testmodule.dubble(2)"))
        XCTAssertEqual(typo.message, "module `zz_testmodule` has no attribute `dubble` in Loupe")
        XCTAssertEqual(typo.hint, "did you mean `double`? see help()")
        let builtin = try XCTUnwrap(error("import zz_testmodule\nzz_testmodule.print(1)"))
        XCTAssertTrue(builtin.hint?.contains("call it without the prefix") == true, builtin.hint ?? "")
        XCTAssertNotNil(error("import zz_testmodule.nope"))
    }
}
