import LoupeNotebook
import Foundation
import XCTest
import LoupeScript

/// Runs the real `loupe` binary as a user would from a shell.
final class CLICommandTests: XCTestCase {
    func testVersionHelpAndUsageErrors() throws {
        let version = try LoupeBinary.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("0."), version.stdout)
        let help = try LoupeBinary.run(["run", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--keep-going"))
        let bogus = try LoupeBinary.run(["--bogus"])
        XCTAssertEqual(bogus.status, 2)
        XCTAssertTrue(bogus.stderr.contains("--bogus"), bogus.stderr)
        let missing = try LoupeBinary.run(["run", "/nonexistent/x.loupe"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/x.loupe"), missing.stderr)
        let badParameter = try LoupeBinary.run(["run", Fixtures.notebook("params.loupe").path, "-p", "2x=1"])
        XCTAssertEqual(badParameter.status, 2)
        XCTAssertTrue(badParameter.stderr.contains("not a valid variable name"), badParameter.stderr)
        let unknownModel = try LoupeBinary.run(["info", "/nonexistent/model.gguf"])
        XCTAssertEqual(unknownModel.status, 2)
        XCTAssertTrue(unknownModel.stderr.contains("/nonexistent/model.gguf"), unknownModel.stderr)
    }

    func testInfoDescribesAModelDirectory() throws {
        let model = Fixtures.testsDirectory.appendingPathComponent("Fixtures/models/gpt2-tiny")
        let info = try LoupeBinary.run(["info", model.path, "--tensors"])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("architecture: gpt2, 2 layers, d_model 64"), info.stdout)
        XCTAssertTrue(info.stdout.contains("weights: 28 tensors"), info.stdout)
        XCTAssertTrue(info.stdout.contains("tokenizer: tokenizer.json"), info.stdout)
        XCTAssertEqual(info.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.count, 28)
    }

    func testScriptFromStdinAndFromDashC() throws {
        let piped = try LoupeBinary.run([], stdin: "x = 20\nprint(x + 22)\n")
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stdout, "42\n")
        XCTAssertFalse(piped.stdout.contains(">>>"), "no prompts when stdin is not a terminal")

        let ok = try LoupeBinary.run(["-c", "print(1 + 1)"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "2\n")

        let failing = try LoupeBinary.run(["-c", "print(1)\nprint(nope)\nprint(3)"])
        XCTAssertEqual(failing.status, 1)
        XCTAssertEqual(failing.stdout, "1\n", "the script stops at the first error")
        XCTAssertTrue(failing.stderr.contains("<string>:2:7"), failing.stderr)
    }

    func testRunNotebookWithParameterOverrides() throws {
        let out = try Fixtures.temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try LoupeBinary.run(["run", Fixtures.notebook("params.loupe").path, "-p", "n=4", "-p", "name=Ada",
                                          "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("hello Ada\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("total 6\n"), result.stdout)
        XCTAssertTrue(result.stderr.contains("[cell 6/6 · Squares"), "progress lines: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("1 figure"), result.stderr)
        XCTAssertTrue(result.stdout.contains("[figure: \(out.path)/figures/01-squares.svg]"), result.stdout)
        let figure = try String(contentsOf: out.appendingPathComponent("figures/01-squares.svg"), encoding: .utf8)
        XCTAssertTrue(figure.contains("<svg"), figure)

        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("hello Ada"))
        let data = try Data(contentsOf: out.appendingPathComponent("notebook.ipynb"))
        let notebook = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(notebook["nbformat"] as? Int, 4)
        let cells = try XCTUnwrap(notebook["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.map { $0["cell_type"] as? String }, ["code", "markdown", "code", "code", "code", "code", "code"])
        let tags = cells.map { (($0["metadata"] as? [String: Any])?["tags"] as? [String]) ?? [] }
        XCTAssertEqual(tags[2], ["parameters"])
        XCTAssertEqual(tags[3], ["injected-parameters"])
        XCTAssertEqual(Self.text(cells[3]["source"]), "# Parameters\nn = 4\nname = \"Ada\"")
        XCTAssertEqual(cells.compactMap { $0["execution_count"] as? Int }, [1, 2, 3, 4, 5, 6])
        // The last cell's value is an execute_result with text/plain 40.
        let last = try XCTUnwrap(cells[5]["outputs"] as? [[String: Any]])
        XCTAssertEqual(last.first?["output_type"] as? String, "execute_result")
        let plain = (last.first?["data"] as? [String: Any])?["text/plain"]
        XCTAssertEqual(Self.text(plain), "40")
        let squares = try XCTUnwrap(cells[6]["outputs"] as? [[String: Any]])
        XCTAssertEqual(squares.first?["output_type"] as? String, "display_data")
        XCTAssertNotNil((squares.first?["data"] as? [String: Any])?["image/svg+xml"])
        let greeting = try XCTUnwrap(cells[4]["outputs"] as? [[String: Any]])
        XCTAssertEqual(greeting.first?["output_type"] as? String, "stream")
        XCTAssertEqual(Self.text(greeting.first?["text"]), "hello Ada\ntotal 6\n")
    }

    func testFailingNotebookExitsOneAndStillWritesTheReport() throws {
        let dir = try Fixtures.temporaryDirectory("fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("broken.loupe")
        try "# %%\nprint(\"first\")\n\n# %%\nx = 1\ny = x + missing_name\n\n# %%\nprint(\"never\")\n"
            .write(to: script, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("report")
        let result = try LoupeBinary.run(["run", script.path, "--out", out.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("broken.loupe:6:"), result.stderr)
        XCTAssertFalse(result.stdout.contains("never"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("notebook.ipynb").path))

        let keepGoing = try LoupeBinary.run(["run", script.path, "--out", out.path, "--keep-going"])
        XCTAssertEqual(keepGoing.status, 1)
        XCTAssertTrue(keepGoing.stdout.contains("never"), keepGoing.stdout)
    }

    func testConvertRoundTrip() throws {
        let dir = try Fixtures.temporaryDirectory("convert")
        defer { try? FileManager.default.removeItem(at: dir) }
        let notebook = dir.appendingPathComponent("j.ipynb")
        try FileManager.default.copyItem(at: Fixtures.notebook("jupyter.ipynb"), to: notebook)
        let toScript = try LoupeBinary.run(["convert", notebook.path])
        XCTAssertEqual(toScript.status, 0, toScript.stderr)
        let script = dir.appendingPathComponent("j.loupe")
        let text = try String(contentsOf: script, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# %% [markdown]\n# # Title\n#\n# Some *text*.\n\n# %% tags=[\"parameters\"]\nx = 1\n"), text)

        let back = dir.appendingPathComponent("back.ipynb")
        let toNotebook = try LoupeBinary.run(["convert", script.path, "--output", back.path])
        XCTAssertEqual(toNotebook.status, 0, toNotebook.stderr)
        let original = try NotebookDocument(contentsOf: notebook)
        let again = try NotebookDocument(contentsOf: back)
        XCTAssertEqual(again.cells.count, original.cells.count)
        for (a, b) in zip(original.cells, again.cells) { XCTAssertTrue(a.sameContent(as: b), "\(a) vs \(b)") }
    }

    /// nbformat's multi-line strings are a string or a list of lines.
    static func text(_ value: Any?) -> String? {
        if let s = value as? String { return s }
        return (value as? [String])?.joined()
    }
}
