import XCTest
import LoupeFormats
@testable import LoupeImage

/// Resizing, conversion and CLIP preprocessing of the real photographs against Pillow and
/// transformers' CLIPImageProcessor (llava-1.5's settings), from tools/gen_image_fixtures.py.
final class PreprocessingTests: XCTestCase {
    func testResizeMatchesPillowForEveryFilter() throws {
        var checked = 0
        // the 1000- and 1411-pixel photos are left to the preprocessing test, to keep this one quick
        for (name, ref) in Fixtures.entries("photos") where !name.contains("progressive") {
            let img = try Image.read(try Fixtures.photo(name))
            if img.width > 700 { continue }
            for (key, digest) in ref["resize"]?.object?.entries ?? [] {
                let parts = key.split(separator: " ")
                let size = parts[1].split(separator: "x").compactMap { Int($0) }
                let filter = try XCTUnwrap(ResampleFilter(rawValue: String(parts[0])))
                let out = try img.resized(width: size[0], height: size[1], filter: filter)
                XCTAssertEqual(SHA256.hex(out.pixels), digest.string, "\(name) \(key)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 80)
    }

    func testConversionsMatchPillow() throws {
        for (name, ref) in Fixtures.entries("photos") where !name.contains("progressive") {
            let img = try Image.read(try Fixtures.photo(name))
            for (mode, digest) in ref["convert"]?.object?.entries ?? [] {
                let out = try img.converted(to: try XCTUnwrap(Image.Mode(rawValue: mode)))
                XCTAssertEqual(SHA256.hex(out.pixels), digest.string, "\(name) → \(mode)")
            }
        }
    }

    func testOutputSizeFollowsTransformers() {
        // (height, width) → the shortest edge becomes 336, the other is truncated
        XCTAssertEqual(CLIPImageProcessor.shortestEdgeSize(height: 300, width: 451, edge: 336).0, 336)
        XCTAssertEqual(CLIPImageProcessor.shortestEdgeSize(height: 300, width: 451, edge: 336).1, 505)
        XCTAssertEqual(CLIPImageProcessor.shortestEdgeSize(height: 427, width: 640, edge: 336).1, 503)
        XCTAssertEqual(CLIPImageProcessor.shortestEdgeSize(height: 640, width: 427, edge: 336).0, 503)
    }

    func testPixelValuesMatchTransformers() throws {
        let processor = try CLIPImageProcessor(configURL: Fixtures.dir.appendingPathComponent("llava-1.5"))
        XCTAssertEqual(processor.size, .shortestEdge(336))
        XCTAssertEqual(processor.cropHeight, 336)
        var report: [String] = []
        for (name, ref) in Fixtures.entries("photos") {
            let img = try Image.read(try Fixtures.photo(name))
            let prepared = try processor.preparedImage(img)
            XCTAssertEqual(SHA256.hex(prepared.pixels), ref["prepared_sha256"]?.string, "\(name): the resized, cropped picture")
            let values = try processor.preprocess(img)
            XCTAssertEqual(values.shape, [3, 336, 336])
            let flat = values.toArray()
            var maxDelta: Float = 0
            for s in ref["samples"]?.array ?? [] {
                let c = s[0]?.int ?? 0, y = s[1]?.int ?? 0, x = s[2]?.int ?? 0
                let expected = Float(s[3]?.double ?? .nan)
                maxDelta = max(maxDelta, abs(flat[(c * 336 + y) * 336 + x] - expected))
            }
            let exact = SHA256.hex(flat) == ref["pixel_values_sha256"]?.string
            XCTAssertTrue(exact, "\(name): pixel_values differ from transformers' (max |Δ| over the samples \(maxDelta))")
            XCTAssertEqual(maxDelta, 0, name)
            report.append("\(name) \(exact ? "bit-exact" : "DIFFERENT") max|Δ|=\(maxDelta)")
        }
        print("pixel_values vs transformers:\n  " + report.joined(separator: "\n  "))
    }

    func testCenterCropPadsSmallImagesLikeTransformers() throws {
        let img = Image(width: 3, height: 2, mode: .L, pixels: [1, 2, 3, 4, 5, 6])
        // crop 4×5 of a 3×2 picture: padded by ceil(3/2)=2 above and ceil(1/2)=1 to the left
        let out = CLIPImageProcessor.centerCrop(img, height: 5, width: 4)
        XCTAssertEqual(out.pixels, [0, 0, 0, 0,
                                    0, 0, 0, 0,
                                    0, 1, 2, 3,
                                    0, 4, 5, 6,
                                    0, 0, 0, 0])
    }

    func testConfigErrorsNameTheFileAndKey() throws {
        let bad: [(String, String)] = [
            ("{\"resample\": 0}", "resample"),
            ("{\"size\": {\"shortest_edge\": -3}}", "size.shortest_edge"),
            ("{\"image_std\": [0.2, 0, 0.3]}", "image_std"),
            ("{\"image_mean\": [0.5, 0.5]}", "image_mean"),
            ("{\"image_processor_type\": \"SiglipImageProcessor\"}", "image_processor_type"),
        ]
        for (text, key) in bad {
            XCTAssertThrowsError(try CLIPImageProcessor(json: try JSONValue.parse(text), file: "cfg.json"), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("cfg.json") && message.contains(key), message)
            }
        }
    }
}
