import Foundation
import XCTest
@testable import LoupeFormats

/// Malformed safetensors files and indexes: one FormatError each, naming file, problem and place.
final class SafetensorsCorruptFileTests: CorruptFileTestCase {
    override var fileExtension: String { "safetensors" }

    func expect(_ bytes: [UInt8], _ kind: FormatError.Kind, item: String? = nil, says words: [String] = [],
                line: UInt = #line) throws {
        let url = try file(bytes)
        do {
            let f = try SafetensorsFile(url: url)
            XCTFail("opened \(f.tensorNames); expected a \(kind) error", line: line)
        } catch {
            assertFormatError(error, kind, file: url.path, item: item, says: words, line: line)
        }
    }

    /// Header of one F32 tensor "w" of shape [2, 2] at [0, 16), plus `extra` entries.
    func header(_ extra: String = "", w: String = #"{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}"#) -> String {
        #"{"w":\#(w)\#(extra)}"#
    }

    func testValidBaseline() throws {
        let f = try SafetensorsFile(url: try file(safetensorsBytes(header: header(), dataBytes: 16)))
        XCTAssertEqual(f.tensorNames, ["w"])
        XCTAssertEqual(f.info("w")?.byteRange, (8 + header().utf8.count)..<(8 + header().utf8.count + 16))
        // Space padding after the JSON is allowed.
        XCTAssertNoThrow(try SafetensorsFile(url: try file(safetensorsBytes(header: header() + "    ", dataBytes: 16))))
    }

    func testHeaderFraming() throws {
        try expect([1, 2, 3], .truncated, says: ["header length", "needs 8 bytes"])
        try expect(safetensorsBytes(header: header(), dataBytes: 16, headerLength: 1 << 40), .truncated,
                   says: ["header length 1099511627776", "past the end"])
        try expect(safetensorsBytes(header: header(), dataBytes: 16, headerLength: UInt64.max), .truncated)
        try expect(safetensorsBytes(header: "[1, 2]", dataBytes: 0), .invalidValue, says: ["array, expected an object"])
        try expect(safetensorsBytes(header: "PK\u{3}\u{4}", dataBytes: 0), .invalidJSON, says: ["not a safetensors file"])
        try expect(safetensorsBytes(header: #"{"w": {"dtype": "F32""#, dataBytes: 0), .invalidJSON, says: ["end of input"])
        var bad = Array(#"{"w":{"dtype":"F32","shape":[],"data_offsets":[0,4]},""#.utf8) + [0xC3, 0x28]
        bad += Array(#"":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}"#.utf8)
        var b = Bytes()
        b.u64(UInt64(bad.count)); b.raw(bad); b.raw([UInt8](repeating: 0, count: 8))
        try expect(b.data, .invalidUTF8, says: ["UTF-8"])
    }

    func testEntries() throws {
        try expect(safetensorsBytes(header: header(#","w":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}"#), dataBytes: 20),
                   .duplicate, item: "w", says: ["duplicate key"])
        try expect(safetensorsBytes(header: header(w: #"{"dtype":"Q9","shape":[2,2],"data_offsets":[0,16]}"#), dataBytes: 16),
                   .unsupportedType, item: "w", says: ["unknown dtype \"Q9\""])
        try expect(safetensorsBytes(header: header(w: #"{"shape":[2,2],"data_offsets":[0,16]}"#), dataBytes: 16),
                   .invalidValue, item: "w", says: ["dtype"])
        try expect(safetensorsBytes(header: header(w: #"{"dtype":"F32","shape":[2,-2],"data_offsets":[0,16]}"#), dataBytes: 16),
                   .invalidValue, item: "w", says: ["shape[1] is -2"])
        try expect(safetensorsBytes(header: header(w: #"{"dtype":"F32","shape":[2.5],"data_offsets":[0,16]}"#), dataBytes: 16),
                   .invalidValue, item: "w", says: ["shape[0]"])
        try expect(safetensorsBytes(header: header(w: #"{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}"#), dataBytes: 16),
                   .invalidValue, item: "w", says: ["overflows"])
        try expect(safetensorsBytes(header: header(w: #"{"dtype":"F32","shape":[2,2],"data_offsets":[0,20]}"#), dataBytes: 20),
                   .sizeMismatch, item: "w", says: ["needs 16 bytes", "hold 20"])
        try expect(safetensorsBytes(header: header(w: #"{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}"#), dataBytes: 15),
                   .outOfRange, item: "w", says: ["past the end"])
        try expect(safetensorsBytes(header: header(w: #"{"dtype":"F32","shape":[2,2],"data_offsets":[16,0]}"#), dataBytes: 16),
                   .invalidValue, item: "w")
        try expect(safetensorsBytes(header: header(w: #"{"dtype":"F32","shape":[2,2],"data_offsets":[0]}"#), dataBytes: 16),
                   .invalidValue, item: "w", says: ["data_offsets"])
        try expect(safetensorsBytes(header: header(#","v":{"dtype":"F16","shape":[4],"data_offsets":[8,16]}"#), dataBytes: 16),
                   .overlap, says: ["overlap tensor"])
        try expect(safetensorsBytes(header: header(#","__metadata__":{"n":1}"#), dataBytes: 16),
                   .invalidValue, item: "__metadata__.n", says: ["expected a string"])
        try expect(safetensorsBytes(header: header(#","x":[1]"#), dataBytes: 16), .invalidValue, item: "x")
    }

    func testOtherDtypesAreNamed() throws {
        let url = try file(safetensorsBytes(header: header(#","ids":{"dtype":"I64","shape":[2],"data_offsets":[16,32]}"#), dataBytes: 32))
        let f = try SafetensorsFile(url: url)
        XCTAssertEqual(f.tensorNames, ["w"])
        XCTAssertEqual(f.otherTensors, ["ids": "I64"])
        XCTAssertThrowsError(try f.bytes("ids")) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .unsupportedType)
            XCTAssertTrue("\(e)".contains("I64"), "\(e)")
        }
    }

    func testEveryPrefixAndByteFlipOfAFixture() throws {
        let original = try [UInt8](Data(contentsOf: TestPaths.fixtures.appendingPathComponent("tiny.safetensors")))
        let valid = try SafetensorsFile(url: TestPaths.fixtures.appendingPathComponent("tiny.safetensors"))
        let url = dir.appendingPathComponent("fuzz.safetensors")
        func open(_ bytes: [UInt8]) throws -> SafetensorsFile { try SafetensorsFile(mapped: MappedFile(copying: bytes, url: url)) }
        for length in 0..<original.count {
            XCTAssertThrowsError(try open(Array(original.prefix(length))), "prefix \(length)") { XCTAssertTrue($0 is FormatError, "\($0)") }
        }
        for position in 0..<valid.dataOffset {
            for value: UInt8 in [0xFF, 0x00, 0x22, 0x7D, original[position] ^ 0x01] where original[position] != value {
                var bytes = original
                bytes[position] = value
                do { _ = try open(bytes) } catch { XCTAssertTrue(error is FormatError, "byte \(position): \(error)") }
            }
        }
    }

    func testIndexProblems() throws {
        let src = TestPaths.fixtures.appendingPathComponent("sharded")
        let names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
        func setUp(_ index: String, copy: [String] = names) throws -> URL {
            counter += 1
            let d = dir.appendingPathComponent("idx\(counter)")
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            for n in copy { try FileManager.default.copyItem(at: src.appendingPathComponent(n), to: d.appendingPathComponent(n)) }
            let u = d.appendingPathComponent("model.safetensors.index.json")
            try index.write(to: u, atomically: true, encoding: .utf8)
            return u
        }
        func expectIndex(_ url: URL, _ kind: FormatError.Kind, item: String? = nil, says: String, line: UInt = #line) {
            XCTAssertThrowsError(try ShardIndex(url: url), line: line) { e in
                let err = e as? FormatError
                XCTAssertEqual(err?.kind, kind, "\(e)", line: line)
                if let item { XCTAssertEqual(err?.item, item, "\(e)", line: line) }
                XCTAssertTrue("\(e)".contains(says), "\(e)", line: line)
            }
        }
        let a = "\"a.weight\": \"\(names[0])\", "
        let b = "\"b.weight\": \"\(names[0])\", "
        let c = "\"c.weight\": \"\(names[1])\""
        expectIndex(try setUp("{\"weight_map\": {\(a)\(b)\(c)}}", copy: [names[0]]), .notFound, says: names[1])
        expectIndex(try setUp("{\"weight_map\": {\(a)\(b)\"c.weight\": \"\(names[0])\"}}"), .noSuchTensor, item: "c.weight", says: "does not contain")
        expectIndex(try setUp("{\"weight_map\": {\(a)\(c)}}"), .invalidValue, item: "b.weight", says: "does not list it")
        expectIndex(try setUp("{\"weight_map\": {\(a)\(b)\"c.weight\": \"../x.safetensors\"}}"), .invalidValue, item: "c.weight", says: "file name")
        expectIndex(try setUp("{\"metadata\": {}}"), .invalidValue, item: "weight_map", says: "missing")
        expectIndex(try setUp("{\"weight_map\": {\(a)\(a)\(c)}}"), .duplicate, item: "a.weight", says: "duplicate key")
    }
}
