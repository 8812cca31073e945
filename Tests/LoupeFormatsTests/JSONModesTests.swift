import Foundation
import XCTest
@testable import LoupeFormats

/// The duplicate-keeping read mode, the writer's layouts and hostile nesting.
final class JSONModesTests: XCTestCase {
    func testOrderedModeKeepsEveryPairAsSpelled() throws {
        // "é" precomposed and decomposed are equal Swift Strings but distinct tokens.
        let text = #"{"b": 1, "\u00e9": 2, "e\u0301": 3, "b": 4, "a": {"x": 1, "x": 2}}"#
        XCTAssertThrowsError(try JSONValue.parse(text)) { XCTAssertEqual(($0 as? FormatError)?.kind, .duplicate) }
        let v = try JSONValue.parse(text, options: .ordered)
        let o = try XCTUnwrap(v.object)
        XCTAssertEqual(o.keys.map { Array($0.unicodeScalars) }, [["b"], ["\u{E9}"], ["e", "\u{301}"], ["b"], ["a"]])
        XCTAssertEqual(o.items.prefix(4), [.int(1), .int(2), .int(3), .int(4)])
        XCTAssertEqual(o["b"], .int(4), "a lookup sees the last value")
        XCTAssertEqual(v["a"]?.object?.items, [.int(1), .int(2)])
        XCTAssertEqual(o.entries.count, 5)
    }

    func testLoneSurrogates() throws {
        XCTAssertThrowsError(try JSONValue.parse(#"["\udc00"]"#))
        XCTAssertEqual(try JSONValue.parse(#"["a\ud800b", "\udc00", "\ud800\u0041"]"#, options: .ordered),
                       .array([.string("a\u{FFFD}b"), .string("\u{FFFD}"), .string("\u{FFFD}A")]))
    }

    func testNumbersStayExact() throws {
        let v = try JSONValue.parse("[9223372036854775807, -9223372036854775808, 9223372036854775808, 1.0, 1e2, -0]")
        XCTAssertEqual(v.array, [.int(Int.max), .int(Int.min), .double(9223372036854775808), .double(1), .double(100), .int(0)])
    }

    func testErrorsCarryLineColumnAndOffset() {
        XCTAssertThrowsError(try JSONValue.parse("[1,\n 2,\n  x]", file: "e.json", options: .ordered)) { e in
            let err = e as? FormatError
            XCTAssertEqual(err?.offset, 10)
            XCTAssertTrue("\(e)".hasPrefix("e.json: at byte 10: line 3:3:"), "\(e)")
        }
    }

    func testDeepNestingIsRefusedNotACrash() {
        for open in ["[", "{\"a\":"] {
            let text = String(repeating: open, count: 200_000)
            XCTAssertThrowsError(try JSONValue.parse(text, options: .ordered)) { e in
                XCTAssertTrue("\(e)".contains("nesting deeper than"), "\(e)")
            }
        }
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        XCTAssertNoThrow(try JSONValue.parse(ok))
    }

    /// A document exercising every escape, number form, empty container and key order.
    static let sample: JSONValue = .object(JSONObject(uniquing: [
        ("b", .array([])), ("Z", .int(3)), ("a10", .int(1)), ("a9", .int(2)), ("c", .object(JSONObject(uniquing: []))),
        ("nums", .array([.int(-7), .double(2.5), .double(0.1), .double(1), .double(1e20), .double(1e-7), .double(3e15),
                         .double(-0.0), .double(2.0 / 3.0), .double(12345678901234567.0)])),
        ("s", .string("x/y\u{7f}é😀\u{1}\u{1f}\"\\\n\r\t\u{8}\u{c}\u{2028}")),
        ("nested", .object(JSONObject(uniquing: [("z", .bool(true)), ("y", .null), ("k", .array([.int(1), .array([])]))]))),
    ]))

    static func foundationObject(_ v: JSONValue) -> Any {
        switch v {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        case .array(let a): return a.map(foundationObject)
        case .object(let o): return Dictionary(uniqueKeysWithValues: o.entries.map { ($0.key, foundationObject($0.value)) })
        }
    }

    func testSortedLayoutsMatchFoundationByteForByte() throws {
        let object = JSONModesTests.foundationObject(JSONModesTests.sample)
        let cases: [(JSONWriteStyle, JSONSerialization.WritingOptions)] = [
            (.sortedCompact, [.sortedKeys, .withoutEscapingSlashes]),
            (.sortedPretty, [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
        ]
        for (style, options) in cases {
            let expected = String(decoding: try JSONSerialization.data(withJSONObject: object, options: options), as: UTF8.self)
            XCTAssertEqual(JSONModesTests.sample.serialized(style), expected)
        }
        var slashes = JSONWriteStyle.sortedCompact
        slashes.escapesSlash = true
        XCTAssertEqual(JSONModesTests.sample.serialized(slashes),
                       String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
    }

    func testWriterRoundTrips() throws {
        for style in [JSONWriteStyle.sortedCompact, .sortedPretty, .notebook] {
            let back = try JSONValue.parse(JSONModesTests.sample.serialized(style))
            // Integral doubles written without ".0" read back as integers ("-0" as 0): compare the texts.
            let once = try JSONValue.parse(JSONModesTests.sample.serialized(.sortedCompact))
            XCTAssertEqual(back.serialized(.sortedCompact), once.serialized(.sortedCompact), "\(style)")
        }
        XCTAssertEqual(try JSONValue.parse(JSONModesTests.sample.description), JSONModesTests.sample)
    }

    func testNotebookLayout() {
        let v = JSONValue.object(JSONObject(uniquing: [("b", .array([])), ("a", .array([.string("x\u{7f}\u{8}"), .double(2)]))]))
        XCTAssertEqual(v.serialized(.notebook), "{\n \"b\": [],\n \"a\": [\n  \"x\\u007f\\u0008\",\n  2\n ]\n}")
    }
}
