import XCTest
import LoupeFormats
@testable import LoupeImage

/// Decoded pixels against Pillow's `np.array(Image.open(path))` (Tests/Fixtures/image/reference.json,
/// from tools/gen_image_fixtures.py): the synthetic format files and the real photographs.
final class ImageDecodingTests: XCTestCase {
    func testSHA256MatchesKnownDigest() {
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testFormatFilesDecodeAsPillowDoes() throws {
        let entries = Fixtures.entries("formats")
        XCTAssertGreaterThanOrEqual(entries.count, 19)
        for (name, ref) in entries {
            let img = try Image.read(Fixtures.formats.appendingPathComponent(name).path)
            XCTAssertEqual([img.width, img.height], ref["size"]?.intArray, name)
            if img.mode.rawValue == ref["mode"]?.string {
                XCTAssertEqual(SHA256.hex(img.arrayBytes), ref["sha256"]?.string, "\(name): pixels differ from Pillow's")
            }
            XCTAssertEqual(SHA256.hex(try img.converted(to: .RGB).pixels), ref["rgb_sha256"]?.string, "\(name) as RGB")
            XCTAssertEqual(SHA256.hex(try img.converted(to: .RGBA).pixels), ref["rgba_sha256"]?.string, "\(name) as RGBA")
        }
    }

    func testHeadersTellProgressiveAndInterlaced() throws {
        let progressive = try Image.readHeader(Fixtures.formats.appendingPathComponent("rgb_422_progressive.jpg").path)
        XCTAssertEqual(progressive.format, .jpeg)
        XCTAssertTrue(progressive.progressive)
        let baseline = try Image.readHeader(Fixtures.formats.appendingPathComponent("rgb_420.jpg").path)
        XCTAssertFalse(baseline.progressive)
        let interlaced = try Image.readHeader(Fixtures.formats.appendingPathComponent("rgb_interlaced.png").path)
        XCTAssertEqual(interlaced.format, .png)
        XCTAssertTrue(interlaced.progressive)
    }

    func testPhotosDecodeAsPillowDoes() throws {
        let entries = Fixtures.entries("photos")
        XCTAssertGreaterThanOrEqual(entries.count, 12)
        for (name, ref) in entries {
            let img = try Image.read(try Fixtures.photo(name))
            XCTAssertEqual([img.width, img.height], ref["size"]?.intArray, name)
            XCTAssertEqual(img.mode.rawValue, ref["mode"]?.string, name)
            XCTAssertEqual(SHA256.hex(img.arrayBytes), ref["sha256"]?.string, "\(name): pixels differ from Pillow's")
        }
    }

    func testProgressiveTranscodingDecodesToTheSamePixels() throws {
        for name in ["rocket", "retina"] {
            let baseline = try Image.read(try Fixtures.photo("\(name).jpg"))
            let progressive = try Image.read(try Fixtures.photo("\(name)_progressive.jpg"))
            XCTAssertTrue(try Image.readHeader(try Fixtures.photo("\(name)_progressive.jpg")).progressive)
            XCTAssertEqual(baseline, progressive, name)
        }
    }

    func testPNGEncodingRoundTrips() throws {
        for name in ["rgba_interlaced.png", "grey_alpha.png", "grey_2bit.png", "rgb_444.jpg"] {
            let img = try Image.read(Fixtures.formats.appendingPathComponent(name).path)
            let png = try img.pngData()
            XCTAssertEqual(Image.sniff(png), .png)
            XCTAssertEqual(try Image.decode(png, file: "<encoded \(name)>"), img, name)
        }
    }

    func testTensorIsNumpyArray() throws {
        let img = try Image.read(Fixtures.formats.appendingPathComponent("rgb_444.jpg").path)
        let t = img.tensor()
        XCTAssertEqual(t.shape, [23, 37, 3])
        XCTAssertEqual(t.toArray()[3 * (5 * 37 + 7) + 2], Float(img.value(x: 7, y: 5, band: 2)))
        XCTAssertEqual(try Image(tensor: t), img)
        let grey = try Image.read(Fixtures.formats.appendingPathComponent("grey_16bit.png").path)
        XCTAssertEqual(grey.mode, .I16)
        XCTAssertEqual(grey.tensor().shape, [23, 37])
    }
}
