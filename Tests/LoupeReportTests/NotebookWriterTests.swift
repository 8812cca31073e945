import LoupeNotebook
import XCTest
@testable import LoupeReport

final class NotebookWriterTests: XCTestCase {
    func parse(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testRequiredNbformatStructure() throws {
        let nb = try parse(NotebookWriter.ipynb(try Sample.document()))
        XCTAssertEqual(nb["nbformat"] as? Int, 4)
        XCTAssertEqual(nb["nbformat_minor"] as? Int, 5)
        let meta = try XCTUnwrap(nb["metadata"] as? [String: Any])
        XCTAssertEqual((meta["kernelspec"] as? [String: Any])?["name"] as? String, "loupe")
        XCTAssertEqual((meta["language_info"] as? [String: Any])?["name"] as? String, "loupe")
        let cells = try XCTUnwrap(nb["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.count, 11)
        var ids: Set<String> = []
        var outputTypes: Set<String> = []
        var mimeTypes: Set<String> = []
        for cell in cells {
            let id = try XCTUnwrap(cell["id"] as? String)
            XCTAssertNotNil(id.range(of: "^[a-zA-Z0-9-_]{1,64}$", options: .regularExpression), id)
            XCTAssertTrue(ids.insert(id).inserted, "duplicate id \(id)")
            XCTAssertNotNil(cell["metadata"] as? [String: Any])
            XCTAssertNotNil(cell["source"] as? [String])
            if cell["cell_type"] as? String == "code" {
                XCTAssertNotNil(cell["execution_count"] as? Int)
                for output in try XCTUnwrap(cell["outputs"] as? [[String: Any]]) {
                    let type = try XCTUnwrap(output["output_type"] as? String)
                    outputTypes.insert(type)
                    switch type {
                    case "stream":
                        XCTAssertEqual(output["name"] as? String, "stdout")
                        XCTAssertNotNil(output["text"] as? [String])
                    case "execute_result":
                        XCTAssertEqual(output["execution_count"] as? Int, cell["execution_count"] as? Int)
                        XCTAssertNotNil((output["data"] as? [String: Any])?["text/plain"])
                    case "display_data":
                        let data = try XCTUnwrap(output["data"] as? [String: Any])
                        XCTAssertNotNil(data["text/plain"], "every display has a plain-text fallback")
                        mimeTypes.formUnion(data.keys)
                        XCTAssertNotNil(output["metadata"] as? [String: Any])
                    case "error":
                        XCTAssertEqual(output["ename"] as? String, "KeyError")
                        XCTAssertTrue((output["evalue"] as? String)?.hasPrefix("no hook point") ?? false)
                        XCTAssertEqual((output["traceback"] as? [String])?.count, 4)
                    default: XCTFail("unexpected output type \(type)")
                    }
                }
            } else {
                XCTAssertNil(cell["outputs"])
                XCTAssertNil(cell["execution_count"])
            }
        }
        XCTAssertEqual(outputTypes, ["stream", "execute_result", "display_data", "error"])
        XCTAssertEqual(mimeTypes, ["text/plain", "text/html", "image/svg+xml", "text/markdown"])
        let first = cells[1]
        XCTAssertEqual(first["source"] as? [String], ["model = load(\"smollm2\")  # the default model\n", "prompt = f\"The cat {1 + 2}\"\n",
                                                      "for i in range(3):\n", "    print(i, 'x' * 2, 3.5e-3)"])
        XCTAssertEqual(((first["metadata"] as? [String: Any])?["loupe"] as? [String: Any])?["title"] as? String, "Load the model")
    }

    /// The committed sample (validated by hand with nbformat) matches what the writer produces, except
    /// the rich payloads (SVG, HTML) whose bytes follow LoupePlot's drawing and the view scripts; those
    /// must be present in both. Regenerate with LOUPE_UPDATE_FIXTURES=1 after an intended change, then
    /// re-validate: /work/venv/bin/python -c "import nbformat; nbformat.validate(nbformat.read('Tests/Fixtures/report/sample.ipynb', 4))"
    func testMatchesCommittedSample() throws {
        let text = NotebookWriter.ipynb(try Sample.document())
        let url = Sample.fixtures.appendingPathComponent("sample.ipynb")
        if ProcessInfo.processInfo.environment["LOUPE_UPDATE_FIXTURES"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: url, encoding: .utf8)
        let ours = try elidingRichPayloads(parse(text)), theirs = try elidingRichPayloads(parse(committed))
        XCTAssertEqual(NSDictionary(dictionary: ours), NSDictionary(dictionary: theirs),
                       "sample.ipynb differs from the writer's output beyond SVG/HTML payloads; see the comment above")
    }

    func elidingRichPayloads(_ notebook: [String: Any]) throws -> [String: Any] {
        var nb = notebook
        nb["cells"] = try XCTUnwrap(nb["cells"] as? [[String: Any]]).map { cell -> [String: Any] in
            var cell = cell
            if let outputs = cell["outputs"] as? [[String: Any]] {
                cell["outputs"] = outputs.map { output -> [String: Any] in
                    var output = output
                    if var data = output["data"] as? [String: Any] {
                        for key in ["image/svg+xml", "text/html"] where data[key] != nil { data[key] = "elided" }
                        output["data"] = data
                    }
                    return output
                }
            }
            return cell
        }
        return nb
    }

    func testStreamsMergeAndLinesSplitLikeJupyter() {
        XCTAssertEqual(NotebookWriter.lines("a\nb\n"), .array(["a\n", "b\n"]))
        XCTAssertEqual(NotebookWriter.lines("a\nb"), .array(["a\n", "b"]))
        XCTAssertEqual(NotebookWriter.lines(""), .array([]))
        XCTAssertEqual(NotebookWriter.mergedStreams([.stream("a"), .stream("b\n"), .value("v"), .stream("c")]),
                       [.stream("a\nb\n"), .value("v"), .stream("c")])
    }

    func testErrorNames() {
        XCTAssertEqual(NotebookWriter.splitErrorName("NameError: name 'x' is not defined").0, "NameError")
        XCTAssertEqual(NotebookWriter.splitErrorName("file.loupe:3:7: bad").0, "LoupeError")
        XCTAssertEqual(NotebookWriter.splitErrorName("something went wrong").1, "something went wrong")
    }
}
