import Foundation
import LoupeFormats
import LoupeNotebook
import XCTest
@testable import LoupeKernel

/// Cell outputs as iopub messages, and the kernelspec files.
final class KernelOutputTests: XCTestCase {
    func testOutputsBecomeJupyterMessages() {
        let stream = KernelOutput.message(.stream("a\nb\n"), executionCount: 3)
        XCTAssertEqual(stream.type, "stream")
        XCTAssertEqual(stream.content["text"]?.string, "a\nb\n")

        let value = KernelOutput.message(.value("42\n7"), executionCount: 3, result: true)
        XCTAssertEqual(value.type, "execute_result")
        XCTAssertEqual(value.content["execution_count"]?.int, 3)
        XCTAssertEqual(value.content["data"]?["text/plain"]?.string, "42\n7")

        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>"
        let figure = KernelOutput.message(.figure(svg: svg, name: "03-x"), executionCount: 1)
        XCTAssertEqual(figure.type, "display_data")
        XCTAssertEqual(figure.content["data"]?["image/svg+xml"]?.string, svg)

        let view = KernelOutput.message(.view(html: "<div>v</div><script>1</script>", fallbackSVG: svg, title: "t"),
                                        executionCount: 1)
        XCTAssertEqual(view.content["data"]?["text/html"]?.string, "<div>v</div><script>1</script>")
        XCTAssertEqual(view.content["data"]?["image/svg+xml"]?.string, svg)

        let table = KernelOutput.message(.table(columns: ["a"], rows: [["1"]], totalRows: 1), executionCount: 1)
        XCTAssertTrue(table.content["data"]?["text/html"]?.string?.contains("<table") ?? false)

        let error = KernelOutput.error(message: "NameError: name 'q' is not defined", detail: "In[2]:1:1: error\nq\n^")
        XCTAssertEqual(error["ename"]?.string, "NameError")
        XCTAssertEqual(error["evalue"]?.string, "name 'q' is not defined")
        XCTAssertEqual(error["traceback"]?.stringArray, ["In[2]:1:1: error", "q", "^"])
    }

    func testKernelspecInstall() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-kernelspec-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try KernelSpec.install(into: dir, executable: "/opt/loupe")
        let spec = try JSONValue.load(folder.appendingPathComponent("kernel.json"))
        XCTAssertEqual(spec["argv"]?.stringArray, ["/opt/loupe", "kernel", "-f", "{connection_file}"])
        XCTAssertEqual(spec["language"]?.string, "loupe")
        for size in [32, 64] {
            let png = try Data(contentsOf: folder.appendingPathComponent("logo-\(size)x\(size).png"))
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            // IHDR width and height, big-endian, at bytes 16..<24.
            XCTAssertEqual(Array(png[16..<24]), [0, 0, 0, UInt8(size), 0, 0, 0, UInt8(size)])
        }
        XCTAssertTrue(try String(contentsOf: folder.appendingPathComponent("logo-svg.svg"), encoding: .utf8).hasPrefix("<svg"))
        XCTAssertEqual(KernelSpec.kernelsDirectory(user: true, prefix: nil, environment: ["JUPYTER_DATA_DIR": "/j"]).path,
                       "/j/kernels")
        XCTAssertEqual(KernelSpec.kernelsDirectory(user: true, prefix: nil, environment: ["HOME": "/h"]).path,
                       "/h/.local/share/jupyter/kernels")
        XCTAssertEqual(KernelSpec.kernelsDirectory(user: false, prefix: "/v", environment: [:]).path,
                       "/v/share/jupyter/kernels")
    }

    func testNextIndentAndNameAtCursor() {
        XCTAssertEqual(Kernel.nextIndent("for i in x:"), "    ")
        XCTAssertEqual(Kernel.nextIndent("def f():\n    if a:"), "        ")
        XCTAssertEqual(Kernel.nextIndent("f(1,\n  2,"), "  ")
        let code = Array("y = model.to_tokens(x)".unicodeScalars)
        XCTAssertEqual(Kernel.name(in: code, at: 8), "model.to_tokens")
        XCTAssertEqual(Kernel.name(in: code, at: 19), "model.to_tokens")
        XCTAssertEqual(Kernel.name(in: code, at: 21), "x")
        XCTAssertEqual(Kernel.name(in: Array("len(".unicodeScalars), at: 4), "len")
        XCTAssertNil(Kernel.name(in: Array("1 + 2".unicodeScalars), at: 1))
    }
}
