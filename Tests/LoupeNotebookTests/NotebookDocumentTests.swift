import Foundation
import XCTest
import LoupeNotebook

final class NotebookDocumentTests: XCTestCase {
    func testPercentCellsKindsTitlesTagsAndLines() throws {
        let doc = try NotebookDocument(contentsOf: Fixtures.url("params.loupe"))
        XCTAssertEqual(doc.format, .percent)
        XCTAssertEqual(doc.cells.map(\.kind), [.code, .markdown, .code, .code, .code, .code])
        XCTAssertEqual(doc.cells[5].title, "Squares")
        XCTAssertEqual(doc.cells[5].firstLine, 24)
        // The preamble before the first marker is a cell of its own.
        XCTAssertEqual(doc.cells[0].source, "# A small notebook for the CLI tests: parameters, printing, a value and a Markdown cell.")
        XCTAssertEqual(doc.cells[0].firstLine, 1)
        XCTAssertEqual(doc.cells[1].source, "# Parameters demo\n\nRuns with `-p n=... -p name=...`.")
        XCTAssertEqual(doc.cells[2].tags, ["parameters"])
        XCTAssertNil(doc.cells[2].title)
        XCTAssertEqual(doc.cells[2].firstLine, 9)
        XCTAssertEqual(doc.cells[3].title, "Greeting")
        XCTAssertEqual(doc.cells[3].firstLine, 14)
        XCTAssertTrue(doc.cells[3].source.hasPrefix("print(f\"hello {name}\")\n"))
        XCTAssertEqual(doc.cells[4].source, "n * 10")
        XCTAssertEqual(doc.cells[4].firstLine, 21)
        XCTAssertEqual(doc.sourceName(of: doc.cells[4]), Fixtures.url("params.loupe").path)
    }

    func testMarkerVariants() {
        let text = """
        x = 1
        #%%   Setup [md] tags=["a", "b"] other={"k": 1}
        # line
        #
        #not-prefixed
        # %%% not a marker
        # %%
        # %% [raw]
        # raw text
        """
        let doc = NotebookDocument(percent: text, path: "t.loupe")
        XCTAssertEqual(doc.cells.count, 4)
        XCTAssertEqual(doc.cells[0].source, "x = 1")
        XCTAssertEqual(doc.cells[1].kind, .markdown)
        XCTAssertEqual(doc.cells[1].title, "Setup")
        XCTAssertEqual(doc.cells[1].tags, ["a", "b"])
        XCTAssertEqual(doc.cells[1].source, "line\n\n#not-prefixed\n%%% not a marker")
        XCTAssertEqual(doc.cells[2].source, "")
        XCTAssertEqual(doc.cells[3].kind, .raw)
        XCTAssertEqual(doc.cells[3].source, "raw text")
    }

    func testEmptyAndMarkerlessScripts() {
        XCTAssertEqual(NotebookDocument(percent: "", path: "e").cells.count, 0)
        XCTAssertEqual(NotebookDocument(percent: "\n\n", path: "e").cells.count, 0)
        let plain = NotebookDocument(percent: "\n\nprint(1)\r\nprint(2)\n", path: "p.loupe")
        XCTAssertEqual(plain.cells.count, 1)
        XCTAssertEqual(plain.cells[0].source, "print(1)\nprint(2)")
        XCTAssertEqual(plain.cells[0].firstLine, 3)
    }

    func testJupytextYAMLHeaderIsKeptButIsNoCell() {
        let text = "# ---\n# jupyter:\n#   kernelspec:\n#     name: loupe\n# ---\n\n# %%\nx = 1\n"
        let doc = NotebookDocument(percent: text, path: "h.loupe")
        XCTAssertEqual(doc.cells.map(\.source), ["x = 1"])
        XCTAssertEqual(doc.cells[0].firstLine, 8)
        XCTAssertEqual(doc.header, "# ---\n# jupyter:\n#   kernelspec:\n#     name: loupe\n# ---")
        XCTAssertEqual(doc.percentText(), text)
        // A "# ---" that is not closed is ordinary text.
        XCTAssertEqual(NotebookDocument(percent: "# ---\nx = 1\n", path: "p").cells.map(\.source), ["# ---\nx = 1"])
    }

    func testPercentWriteReadRoundTrip() throws {
        let doc = try NotebookDocument(contentsOf: Fixtures.url("params.loupe"))
        let again = NotebookDocument(percent: doc.percentText(), path: "x.loupe")
        XCTAssertEqual(again.cells.count, doc.cells.count)
        for (a, b) in zip(doc.cells, again.cells) { XCTAssertTrue(a.sameContent(as: b), "\(a) vs \(b)") }
        // Writing the re-read text again gives the same bytes.
        XCTAssertEqual(again.percentText(), doc.percentText())
    }

    func testReadsJupyterNotebook() throws {
        let doc = try NotebookDocument(contentsOf: Fixtures.url("jupyter.ipynb"))
        XCTAssertEqual(doc.format, .ipynb)
        XCTAssertEqual(doc.cells.map(\.kind), [.markdown, .code, .code])
        XCTAssertEqual(doc.cells[0].source, "# Title\n\nSome *text*.")
        XCTAssertEqual(doc.cells[1].source, "x = 1\ny = [1, 2]")
        XCTAssertEqual(doc.cells[1].tags, ["parameters"])
        XCTAssertEqual(doc.cells[1].id, "d4e5f6")
        // Blank lines around the source are dropped but still counted for line numbers.
        XCTAssertEqual(doc.cells[2].source, "print(x + 1)")
        XCTAssertEqual(doc.cells[2].firstLine, 2)
        XCTAssertEqual(doc.sourceName(of: doc.cells[2]), "jupyter.ipynb#cell3")
    }

    func testIpynbToPercentToIpynbRoundTrip() throws {
        let original = try NotebookDocument(contentsOf: Fixtures.url("jupyter.ipynb"))
        let percent = NotebookDocument(percent: original.percentText(), path: "j.loupe")
        let back = try NotebookDocument(ipynb: try percent.ipynbData(), path: "j.ipynb")
        XCTAssertEqual(back.cells.count, original.cells.count)
        for (a, b) in zip(original.cells, back.cells) { XCTAssertTrue(a.sameContent(as: b), "\(a) vs \(b)") }
        // And the written notebook has nbformat 4.5's required fields.
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: try original.ipynbData()) as? [String: Any])
        XCTAssertEqual(json["nbformat"] as? Int, 4)
        XCTAssertEqual(json["nbformat_minor"] as? Int, 5)
        let cells = try XCTUnwrap(json["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.map { $0["id"] as? String }, ["a1b2c3", "d4e5f6", "g7h8i9"])
        XCTAssertEqual(cells[1]["source"] as? [String], ["x = 1\n", "y = [1, 2]"])
        XCTAssertNotNil(cells[1]["outputs"] as? [Any])
        XCTAssertNil(cells[0]["outputs"])
    }

    func testWriteChoosesFormatByExtension() throws {
        let dir = try Fixtures.temporaryDirectory("write")
        defer { try? FileManager.default.removeItem(at: dir) }
        let doc = try NotebookDocument(contentsOf: Fixtures.url("params.loupe"))
        try doc.write(to: dir.appendingPathComponent("a.ipynb"))
        let read = try NotebookDocument(contentsOf: dir.appendingPathComponent("a.ipynb"))
        XCTAssertEqual(read.cells.map(\.source), doc.cells.map(\.source))
        XCTAssertEqual(read.cells[3].title, "Greeting")
    }

    func testBadNotebooksNameTheProblem() {
        func error(_ json: String) -> String {
            do {
                _ = try NotebookDocument(ipynb: Data(json.utf8), path: "bad.ipynb")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(error("{").contains("bad.ipynb: not a notebook: the file is not valid JSON"))
        XCTAssertTrue(error("[]").contains("top level is not a JSON object"))
        XCTAssertTrue(error(#"{"nbformat": 3, "cells": []}"#).contains("nbformat 3 is not supported"))
        XCTAssertTrue(error(#"{"nbformat": 4}"#).contains("no \"cells\" array"))
        XCTAssertTrue(error(#"{"nbformat": 4, "cells": [{"cell_type": "x"}]}"#).contains("cell 1 has cell_type \"x\""))
        XCTAssertTrue(error(#"{"nbformat": 4, "cells": [{"cell_type": "code", "source": [1]}]}"#).contains("cell 1: \"source\" holds a non-string"))
        XCTAssertThrowsError(try NotebookDocument(contentsOf: URL(fileURLWithPath: "/nonexistent/x.loupe")))
    }
}
