import Foundation
import XCTest
import LoupePlot
import LoupeReport
import LoupeInterpreter
import LoupeLibrary
import LoupeNotebook
import LoupeScript

/// The runner in-process with the real interpreter: shared state, outputs per cell, errors, events.
final class NotebookRunnerTests: XCTestCase {
    private func run(_ text: String, _ options: NotebookRunOptions = NotebookRunOptions(),
                     events: ((NotebookRunEvent) -> Void)? = nil) -> NotebookRunResult {
        let runner = NotebookRunner(document: NotebookDocument(percent: text, path: "/tmp/t.loupe"), options: options)
        return runner.run(onEvent: events ?? { _ in })
    }

    func testCellsShareStateAndKeepTheirOutputs() {
        let result = run("# %%\nx = 2\nprint(\"a\")\n\n# %% [markdown]\n# # Heading\n\n# %% Value\nx * 3\n")
        XCTAssertTrue(result.succeeded)
        let cells = result.report.cells
        XCTAssertEqual(cells.map(\.kind), [.code, .markdown, .code])
        XCTAssertEqual(cells[0].outputs, [.stream("a\n")])
        XCTAssertEqual(cells[2].outputs, [.value("6")])
        XCTAssertEqual(cells[2].title, "Value")
        XCTAssertEqual(cells.map(\.executionCount), [1, nil, 2])
        XCTAssertNotNil(cells[0].seconds)
        XCTAssertEqual(result.report.title, "Heading")
    }

    func testStopsAtTheFirstErrorWithTheFileLocation() {
        let text = "# %%\nx = 1\n\n# %%\ny = 2\nz = undefined_name\n# %%\nprint(1)\n"
        let result = run(text)
        XCTAssertFalse(result.succeeded)
        XCTAssertEqual(result.failedCells, [2])
        guard case .error(_, let detail)? = result.report.cells[1].outputs.last else {
            return XCTFail("no error output: \(result.report.cells[1].outputs)")
        }
        XCTAssertTrue(detail.contains("/tmp/t.loupe:6:5"), detail)
        XCTAssertEqual(result.report.cells[2].outputs, [])
        XCTAssertNil(result.report.cells[2].executionCount)

        let kept = run(text, NotebookRunOptions(keepGoing: true))
        XCTAssertFalse(kept.succeeded)
        XCTAssertEqual(kept.report.cells[2].outputs, [.stream("1\n")])
    }

    func testParametersOverrideTheDefaults() throws {
        let text = "# %% tags=[\"parameters\"]\nn = 2\nword = \"a\"\n\n# %%\nprint(n * 10, word)\n"
        let options = NotebookRunOptions(parameters: [try NotebookParameter(assignment: "n=5"),
                                                      try NotebookParameter(assignment: "word=b")])
        let result = run(text, options)
        XCTAssertTrue(result.succeeded)
        XCTAssertEqual(result.report.cells.count, 3)
        XCTAssertEqual(result.report.cells[1].tags, ["injected-parameters"])
        XCTAssertEqual(result.report.cells[2].outputs, [.stream("50 b\n")])
        XCTAssertEqual(result.report.parameterList, [.init(name: "n", value: "5"), .init(name: "word", value: "\"b\"")])
    }

    func testReportListsTheModelsTheNotebookLoaded() {
        let model = Fixtures.testsDirectory.appendingPathComponent("Fixtures/models/gpt2-tiny").path
        let result = run("# %%\nmodel = load(\"\(model)\")\nprint(model.cfg[\"n_layers\"])\n")
        XCTAssertTrue(result.succeeded, "\(result.report.cells[0].outputs)")
        XCTAssertEqual(result.report.cells[0].outputs, [.stream("2\n")])
        XCTAssertEqual(result.report.models.count, 1)
        XCTAssertTrue(result.report.models.first?.contains("gpt2") == true, "\(result.report.models)")
    }

    func testEventsStreamInOrder() {
        var log: [String] = []
        _ = run("# %%\nprint(1)\n# %%\nprint(2)\n") { event in
            switch event {
            case .cellStarted(let n, let total, _, _): log.append("start \(n)/\(total)")
            case .output(.stream(let s)): log.append("out \(s)")
            case .output: log.append("other")
            case .cellFinished(let n, _, _, _, let failed): log.append("end \(n) \(failed)")
            case .warning(let w): log.append("warn \(w)")
            }
        }
        XCTAssertEqual(log, ["start 1/2", "out 1\n", "end 1 false", "start 2/2", "out 2\n", "end 2 false"])
    }

    func testInterruptStopsTheRunAndKeepsEarlierOutputs() {
        let runner = NotebookRunner(document: NotebookDocument(
            percent: "# %%\nprint(\"before\")\n# %%\nwhile True:\n    pass\n# %%\nprint(\"after\")\n", path: "i.loupe"))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { runner.interrupt() }
        let result = runner.run()
        XCTAssertTrue(result.interrupted)
        XCTAssertFalse(result.succeeded)
        XCTAssertEqual(result.report.cells[0].outputs, [.stream("before\n")])
        XCTAssertEqual(result.report.cells[2].outputs, [])
    }

    func testArtifactsNameFiguresInOrder() throws {
        let dir = try Fixtures.temporaryDirectory("artifacts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"></svg>"
        let doc = ReportDocument(title: "t", sourcePath: "t.loupe", cells: [
            ReportCell(kind: .code, source: "a", outputs: [.figure(svg: svg, name: "03-attention"), .stream("x\n")],
                       seconds: 0.1, executionCount: 1),
            ReportCell(kind: .code, source: "b", outputs: [.figure(svg: svg, name: "03-attention"), .figure(svg: svg, name: "logit lens")],
                       seconds: 0.1, executionCount: 2),
        ], loupeVersion: "test")
        let written = try NotebookArtifacts.write(doc, to: dir.appendingPathComponent("out"))
        XCTAssertEqual(written.figures.map(\.lastPathComponent), ["03-attention.svg", "03-attention-2.svg", "03-logit-lens.svg"])
        for url in [written.html, written.notebook] + written.figures {
            XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), url.path)
        }
        XCTAssertEqual(try String(contentsOf: written.figures[2], encoding: .utf8), svg)
    }

    /// theme("dark") in a notebook stays inside that run (it leaked into every later figure of the process).
    func testThemeStaysInsideTheRun() {
        XCTAssertEqual(Theme.current.name, "light")
        let result = run("# %%\ntheme(\"dark\")\nprint(theme())\n")
        XCTAssertTrue(result.succeeded)
        XCTAssertEqual(result.report.cells[0].outputs, [.stream("dark\n")])
        XCTAssertEqual(Theme.current.name, "light")
        XCTAssertEqual(run("# %%\nprint(theme())\n").report.cells[0].outputs, [.stream("light\n")])
    }
}
