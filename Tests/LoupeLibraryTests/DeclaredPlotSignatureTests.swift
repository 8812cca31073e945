import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// The plot, table, view, display, time and file builtins are declared once by their Python header:
/// every one carries a `Signature`, help shows it, and a misspelt keyword gets a did-you-mean hint.
final class DeclaredPlotSignatureTests: XCTestCase {
    static let functions = [
        // pyplot-style globals
        "plot", "scatter", "hist", "bar", "barh", "imshow", "text_grid", "fill_between", "axhline", "axvline", "rect", "text",
        "subplots", "title", "xlabel", "ylabel", "xlim", "ylim", "legend", "colorbar", "suptitle", "savefig", "gcf", "gca",
        "theme", "colormap", "scalar_mappable",
        // tables, views, display, files
        "table", "read_csv", "read_sqlite", "attention_patterns", "attention_heads", "colored_tokens", "topk_tokens", "figure",
        "display", "save", "read",
    ]
    static let types = ["Figure", "Axes", "AxesArray", "Colorbar", "Table", "GroupBy", "Column", "view"]

    override func setUp() {
        Library.install()
    }

    func run(_ code: String) throws -> CollectingSink {
        let sink = CollectingSink()
        _ = try Library.interpreter(sink: sink).execute(code, file: "test.loupe")
        return sink
    }

    func testEveryOwnedFunctionIsDeclared() {
        for name in Self.functions {
            guard let f = Builtins.functions[name] else { XCTFail("\(name) is not registered"); continue }
            XCTAssertTrue(f.signature.hasPrefix("\(name)("), "\(name): \(f.signature)")
        }
    }

    func testEveryMethodOfTheOwnedTypesIsDeclared() {
        for type in Self.types {
            let members = Builtins.members[type] ?? [:]
            XCTAssertFalse(members.isEmpty, "no members registered for \(type)")
            for (name, def) in members where def.method != nil {
                XCTAssertNotNil(def.declared, "\(type).\(name) has no declared signature")
            }
        }
    }

    func testTimeModuleMembersAreDeclared() throws {
        guard case .host(let module)? = Builtins.values["time"]?.value else { return XCTFail("no time module") }
        for name in ["perf_counter", "time", "sleep", "peak_rss_mb"] {
            guard case .builtin(let f)? = try module.attribute(name, interpreter: Library.interpreter(sink: CollectingSink())) else {
                XCTFail("time.\(name) is not a builtin"); continue
            }
            XCTAssertNotNil(f.declared, "time.\(name)")
        }
    }

    func testMarksAreDeclaredOnTheAxesAndAsGlobalsWithTheLabelKeywords() throws {
        for mark in ["plot", "scatter", "hist", "bar", "barh", "imshow", "text_grid", "fill_between", "axhline", "axvline", "rect", "text"] {
            let method = try XCTUnwrap(Builtins.member("Axes", mark)?.declared, mark)
            let global = try XCTUnwrap(Builtins.functions[mark], mark).declared
            XCTAssertEqual(method.callee, "ax.\(mark)")
            XCTAssertEqual(global.keywordNames, method.keywordNames.filter { !method.aliases.keys.contains($0) }
                           + ["title", "xlabel", "ylabel"] + (mark == "imshow" ? ["colorbar"] : []) + method.aliases.keys.sorted(), mark)
        }
        let plot = try XCTUnwrap(Builtins.member("Axes", "plot")?.declared)
        XCTAssertTrue(plot.text.hasPrefix("ax.plot(*args, x=None, y=None, fmt=None, color=None, linewidth=1.5"), plot.text)
        XCTAssertEqual(plot.aliases["lw"], "linewidth")
    }

    func testHelpShowsTheDeclaredHeader() throws {
        let text = try run("help(subplots)").text
        XCTAssertTrue(text.hasPrefix("subplots(nrows=1, ncols=1, figsize=(6.4, 4.8), sharex=False, sharey=False, theme=None, squeeze=True)\n"), text)
        let method = try run("fig, ax = subplots()\nhelp(ax.plot)").text
        XCTAssertTrue(method.hasPrefix("ax.plot(*args, "), method)
        XCTAssertTrue(method.contains("The positionals are y, or x and y"), method)
    }

    func testMisspeltPlotKeywordSuggestsTheParameter() throws {
        XCTAssertThrowsError(try run("fig, ax = subplots()\nax.plot([1, 2, 3], linewdth=2)")) { error in
            guard let e = error as? LoupeError else { return XCTFail("\(error)") }
            XCTAssertTrue(e.message.contains("ax.plot() got an unexpected keyword argument `linewdth`"), e.message)
            XCTAssertTrue(e.hint?.contains("linewidth") ?? false, e.hint ?? "no hint")
        }
        XCTAssertThrowsError(try run("plot([1, 2], titel=\"x\")")) { error in
            XCTAssertTrue((error as? LoupeError)?.hint?.contains("title") ?? false, "\(error)")
        }
    }

    func testMatplotlibPositionalsAndAliasesStillDraw() throws {
        let sink = try run("""
        fig, ax = subplots()
        ax.plot([1, 2, 3])
        ax.plot([0, 1, 2], [3, 1, 2], "r--", lw=2, label="b")
        ax.plot([2, 2, 2], "ko", ms=3)
        ax.legend(["a", "b", "c"], "upper left")
        h = ax.scatter([1, 2], [3, 4], 20, [0.1, 0.9], edgecolors="k")
        fig.colorbar(h, ax=ax).set_label("value")
        print(len(fig.svg) > 0)
        """)
        XCTAssertEqual(sink.text, "True\n")
        XCTAssertThrowsError(try run("fig, ax = subplots()\nax.plot([1], [2], \"o\", [3])")) { error in
            XCTAssertTrue("\(error)".contains("at most 3 positional arguments"), "\(error)")
        }
    }
}
