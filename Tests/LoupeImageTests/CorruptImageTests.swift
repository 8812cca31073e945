import XCTest
import LoupeFormats
@testable import LoupeImage

/// Broken files give an error naming the file, never a crash; absurd sizes are refused from the header
/// before any pixel memory is allocated.
final class CorruptImageTests: XCTestCase {
    func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Fixtures.formats.appendingPathComponent(name)))
    }

    func assertRefused(_ data: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Image.decode(data, file: "broken.img"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("broken.img: "), message, file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "\(message) lacks \(fragment)", file: file, line: line)
        }
    }

    func testTruncatedFiles() throws {
        for name in ["rgb_420.jpg", "rgb_422_progressive.jpg", "rgb_444.jpg"] {
            let data = try bytes(name)
            assertRefused(Array(data.prefix(data.count * 2 / 3)), "truncated")
            assertRefused(Array(data.prefix(30)), "JPEG")
        }
        for name in ["rgb_interlaced.png", "palette_4bit.png", "grey_16bit.png"] {
            let data = try bytes(name)
            assertRefused(Array(data.prefix(data.count - 20)), "PNG")
            assertRefused(Array(data.prefix(20)), "truncated")
        }
    }

    func testBadChecksumAndGarbage() throws {
        var png = try bytes("rgb_interlaced.png")
        png[png.count - 30] ^= 0x55   // inside the compressed rows
        assertRefused(png, "IDAT")
        var header = try bytes("rgb_interlaced.png")
        header[29] ^= 0x01            // IHDR's CRC
        assertRefused(header, "CRC")
        assertRefused(Array("just some text".utf8), "not a JPEG or PNG")
        assertRefused([], "empty")
        var jpeg = try bytes("rgb_444.jpg")
        for i in 200..<260 { jpeg[i] = 0xFF }
        XCTAssertThrowsError(try Image.decode(jpeg, file: "broken.img"))
    }

    /// A PNG whose IHDR claims the given size, followed by a token IDAT and IEND.
    func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            var crc: UInt32 = 0xFFFFFFFF
            for b in body {
                crc ^= UInt32(b)
                for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1 }
            }
            return be(UInt32(data.count)) + body + be(crc ^ 0xFFFFFFFF)
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", be(width) + be(height) + [8, 2, 0, 0, 0])
            + chunk("IDAT", [0x78, 0x9C]) + chunk("IEND", [])
    }

    func testHugeAndEmptySizesAreRefusedFromTheHeader() throws {
        assertRefused(pngHeader(width: 100_000, height: 100_000), "would need 30.0 GB")
        assertRefused(pngHeader(width: 0, height: 10), "IHDR")
        // a JPEG whose SOF0 frame header claims 65000×65000
        var jpeg = try bytes("rgb_444.jpg")
        let sof = try XCTUnwrap((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        for k in [5, 7] { jpeg[sof + k] = 0xFD; jpeg[sof + k + 1] = 0xE8 }
        assertRefused(jpeg, "65000×65000")
        for k in [5, 7] { jpeg[sof + k] = 0; jpeg[sof + k + 1] = 0 }
        XCTAssertThrowsError(try Image.decode(jpeg, file: "broken.img"))
    }

    func testMissingFileAndFolder() {
        XCTAssertThrowsError(try Image.read("/nonexistent/cat.png")) { XCTAssertTrue("\($0)".contains("/nonexistent/cat.png: no such file")) }
        XCTAssertThrowsError(try Image.read(Fixtures.formats.path)) { XCTAssertTrue("\($0)".contains("is a folder")) }
    }
}
