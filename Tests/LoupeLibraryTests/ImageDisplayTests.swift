import XCTest
import Foundation
import LoupeImage
import LoupeReport
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// An Image value shown as a cell's result: a figure whose SVG carries the PNG of the picture, which
/// the HTML report inlines as it is and which decodes back to the same pixels.
final class ImageDisplayTests: XCTestCase {
    static let formats = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/image/formats")

    func testImageShowsAsItsPictureInTheReport() throws {
        let path = Self.formats.appendingPathComponent("rgba_interlaced.png").path
        let interp = Library.interpreter(sink: CollectingSink(), scriptDirectory: nil)
        let value = try XCTUnwrap(try interp.execute("read_image(\"\(path)\")", file: "t.loupe", firstLine: 1))
        XCTAssertEqual(Repr.repr(value), "<image 37×23 RGBA>")
        guard case let .figure(svg, name)? = interp.display(value) else { return XCTFail("not a figure") }
        XCTAssertEqual(name, "image-37x23-RGBA")
        let prefix = "xlink:href=\"data:image/png;base64,"
        let start = try XCTUnwrap(svg.range(of: prefix)).upperBound
        let end = try XCTUnwrap(svg[start...].firstIndex(of: "\""))
        let png = try XCTUnwrap(Data(base64Encoded: String(svg[start..<end])))
        XCTAssertEqual(try Image.decode([UInt8](png), file: "embedded"), try Image.read(path))

        let doc = ReportDocument(title: "img", sourcePath: "t.loupe",
                                 cells: [ReportCell(kind: .code, source: "img", outputs: [.figure(svg: svg, name: name)])], loupeVersion: "0")
        let html = HTMLReport.render(doc)
        XCTAssertTrue(html.contains("<image width=\"37\" height=\"23\""), "the SVG is inlined, not escaped or replaced")
        XCTAssertTrue(html.contains(String(svg[start..<end])))
    }

    func testImshowOfAnImageEmbedsItsPNG() throws {
        let path = Self.formats.appendingPathComponent("rgb_444.jpg").path
        let interp = Library.interpreter(sink: CollectingSink(), scriptDirectory: nil)
        let value = try XCTUnwrap(try interp.execute("fig, ax = subplots()\nax.imshow(read_image(\"\(path)\"))\nfig",
                                                     file: "t.loupe", firstLine: 1))
        guard case let .figure(svg, _)? = interp.display(value) else { return XCTFail("not a figure") }
        let embedded = Data(try Image.read(path).pngData()).base64EncodedString()
        XCTAssertTrue(svg.contains("data:image/png;base64,\(embedded)"))
        XCTAssertFalse(svg.contains("image-rendering:pixelated"), "a photograph is drawn smoothly")
    }
}
