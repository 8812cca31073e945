import Foundation
import XCTest
@testable import LoupeFormats

final class JSONTests: XCTestCase {
    func testValuesAndOrder() throws {
        let v = try JSONValue.parse(#"""
        {"b": 1, "a": [true, false, null, -0.5, 1e3, 12345678901234, "x\"\\\/\n\u00e9\ud83e\udd99"], "c": {}}
        """#)
        XCTAssertEqual(v.object?.keys, ["b", "a", "c"])
        XCTAssertEqual(v["b"], .int(1))
        XCTAssertEqual(v["a"]?[0], .bool(true))
        XCTAssertEqual(v["a"]?[2], .null)
        XCTAssertEqual(v["a"]?[3]?.double, -0.5)
        XCTAssertEqual(v["a"]?[4], .double(1000))
        XCTAssertEqual(v["a"]?[4]?.int, 1000)
        XCTAssertEqual(v["a"]?[5]?.int, 12_345_678_901_234)
        XCTAssertEqual(v["a"]?[6]?.string, "x\"\\/\né🦙")
        XCTAssertEqual(v["c"]?.object?.count, 0)
        XCTAssertNil(v["zzz"])
        // Round trip through description.
        XCTAssertEqual(try JSONValue.parse(v.description), v)
    }

    func testStrictErrors() {
        let cases: [(String, String)] = [
            (#"{"a": 1, "a": 2}"#, "duplicate key"),
            (#"{"a": 1,}"#, "expected a string key"),
            ("[1, 2", "end of input"),
            ("01", "leading zero"),
            (#""\ud800""#, "unpaired surrogate"),
            ("\"a\tb\"", "control character"),
            ("{} x", "after the JSON value"),
            ("", "expected a value"),
            ("tru", "expected true"),
            (String(repeating: "[", count: 600), "nesting"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try JSONValue.parse(text, file: "t.json"), text) { e in
                let err = e as? FormatError
                XCTAssertEqual(err?.kind, text.contains("\"a\": 2") ? .duplicate : .invalidJSON, text)
                XCTAssertTrue(err?.description.contains(message) ?? false, "\(text): \(e)")
                XCTAssertTrue(err?.description.hasPrefix("t.json: ") ?? false, "\(e)")
                XCTAssertNotNil(err?.offset, "\(e)")
            }
        }
        // Invalid UTF-8 inside a string.
        let bytes: [UInt8] = [0x22, 0xFF, 0x22]
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try JSONValue.parse($0, file: "b.json") }) { e in
            XCTAssertTrue("\(e)".contains("UTF-8"), "\(e)")
        }
    }

    func testLineAndColumn() {
        XCTAssertThrowsError(try JSONValue.parse("{\n  \"a\": 1\n  \"b\": 2}", file: "c.json")) { e in
            XCTAssertTrue("\(e)".contains("line 3:3"), "\(e)")
        }
    }
}
