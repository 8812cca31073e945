import Foundation
import XCTest
import LoupeTensor
@testable import LoupeFormats

/// Every malformed GGUF gives one FormatError naming the file, the problem and where — never a crash,
/// a hang, or an allocation sized by an unchecked count (llama.cpp's test-gguf.cpp, as a matrix).
final class GGUFCorruptFileTests: CorruptFileTestCase {
    override var fileExtension: String { "gguf" }

    /// Opens `bytes` as GGUF and checks the error's kind, file, location and text.
    func expect(_ bytes: [UInt8], _ kind: FormatError.Kind, item: String? = nil, offset: Int? = nil,
                says words: [String] = [], file line: UInt = #line) throws {
        let url = try file(bytes)
        do {
            let f = try GGUFFile(url: url)
            XCTFail("opened \(f.tensors.count) tensors; expected a \(kind) error", line: line)
        } catch {
            assertFormatError(error, kind, file: url.path, item: item, offset: offset, says: words, line: line)
        }
    }

    func testBuilderMakesAValidFile() throws {
        let f = try GGUFFile(url: try file(GGUFBuilder().build()))
        XCTAssertEqual(f.tensorNames, ["a.weight", "b.weight"])
        XCTAssertEqual(f.info("a.weight")?.shape, [2, 4])
        XCTAssertEqual(f.tensor("b.weight")?.offset, 32)
    }

    func testHeader() throws {
        var g = GGUFBuilder()
        g.magic = Array("GGML".utf8)
        try expect(g.build(), .badMagic, offset: 0, says: ["0x4c4d4747", "not a GGUF file"])
        try expect([], .truncated, says: ["magic", "needs 4 bytes"])
        try expect(Array(GGUFBuilder().build().prefix(10)), .truncated, offset: 8, says: ["tensor count"])
        g = GGUFBuilder()
        g.version = 1
        try expect(g.build(), .unsupportedVersion, offset: 4, says: ["version 1"])
        g.version = UInt32(3).byteSwapped
        try expect(g.build(), .unsupportedVersion, says: ["big-endian"])
    }

    func testHugeCounts() throws {
        var g = GGUFBuilder()
        g.tensorCount = 1 << 60
        try expect(g.build(), .tooLarge, offset: 8, says: ["tensor count", "1152921504606846976"])
        g = GGUFBuilder()
        g.kvCount = UInt64.max
        try expect(g.build(), .tooLarge, offset: 16, says: ["key/value count"])
        g = GGUFBuilder()
        var b = Bytes()
        b.u64(1 << 62)
        g.kvs[0].key = []
        g.kvs[0].payload = GGUFBuilder.string("llama")
        // Key length field 2^62: replace the whole key/value with a raw one.
        var raw = GGUFBuilder()
        raw.kvs = []
        raw.kvCount = 1
        var bytes = raw.build()
        bytes.insert(contentsOf: b.data, at: 24)
        try expect(bytes, .tooLarge, offset: 24, says: ["length of metadata key #0", "4611686018427387904"])
        // String value length 2^62.
        g = GGUFBuilder()
        var v = Bytes()
        v.u64(1 << 62)
        g.addKV("s", type: 8, v.data)
        try expect(g.build(), .tooLarge, says: ["string length of 's'"])
        // Array count 2^61 of u32.
        g = GGUFBuilder()
        var a = Bytes()
        a.u32(4)
        a.u64(1 << 61)
        g.addKV("arr", type: 9, a.data)
        try expect(g.build(), .tooLarge, says: ["array length of 'arr'", "2305843009213693952"])
    }

    func testMetadataValues() throws {
        var g = GGUFBuilder()
        g.addKV("general.architecture", type: 8, GGUFBuilder.string("gpt2"))
        try expect(g.build(), .duplicate, item: "general.architecture", says: ["appears twice"])
        g = GGUFBuilder()
        g.kvs.append(.init(key: [0x61, 0xC3, 0x28], type: 4, payload: GGUFBuilder.u32(1)))
        try expect(g.build(), .invalidUTF8, says: ["metadata key #1", "UTF-8"])
        g = GGUFBuilder()
        g.addKV("s", type: 8, { var b = Bytes(); b.str([0xFF, 0xFE]); return b.data }())
        try expect(g.build(), .invalidUTF8, says: ["string value of 's'"])
        g = GGUFBuilder()
        g.addKV("x", type: 13, GGUFBuilder.u32(0))
        try expect(g.build(), .unsupportedType, item: "x", says: ["value type 13"])
        g = GGUFBuilder()
        g.addKV("flag", type: 7, [2])
        try expect(g.build(), .invalidValue, says: ["flag", "is 2"])
        g = GGUFBuilder()
        g.addKV("arr", type: 9, GGUFBuilder.u32(77) + [UInt8](repeating: 0, count: 8))
        try expect(g.build(), .unsupportedType, item: "arr", says: ["element type 77"])
        // Arrays nested 10 deep.
        var nested = Bytes()
        for _ in 0..<10 { nested.u32(9); nested.u64(1) }
        nested.u32(4); nested.u64(1); nested.u32(7)
        g = GGUFBuilder()
        g.addKV("deep", type: 9, nested.data)
        try expect(g.build(), .invalidValue, item: "deep", says: ["nested"])
        g = GGUFBuilder()
        g.addKV("general.alignment", type: 4, GGUFBuilder.u32(24))
        try expect(g.build(), .invalidValue, item: "general.alignment", says: ["power of two"])
        g = GGUFBuilder()
        g.addKV("general.alignment", type: 8, GGUFBuilder.string("32"))
        try expect(g.build(), .invalidValue, item: "general.alignment", says: ["string"])
    }

    func testTensorInfos() throws {
        var g = GGUFBuilder()
        g.tensors[1].name = Array("a.weight".utf8)
        try expect(g.build(), .duplicate, item: "a.weight", says: ["appears twice"])
        g = GGUFBuilder()
        g.tensors[0].name = [0x80]
        try expect(g.build(), .invalidUTF8, says: ["tensor name #0"])
        g = GGUFBuilder()
        g.tensors[1].type = 99
        try expect(g.build(), .unsupportedType, item: "b.weight", says: ["ggml type 99", "unknown"])
        g.tensors[1].type = 16
        try expect(g.build(), .unsupportedType, item: "b.weight", says: ["ggml type 16 (IQ2_XXS)"])
        g = GGUFBuilder()
        g.tensors[0].ne = [4, 2, 1, 1, 1]
        try expect(g.build(), .invalidValue, item: "a.weight", says: ["5 dimensions"])
        g = GGUFBuilder()
        g.tensors[0].ne = [UInt64.max, 2]  // -1 as int64
        try expect(g.build(), .invalidValue, item: "a.weight", says: ["ne[0]", "-1", "non-negative"])
        g = GGUFBuilder()
        g.tensors[0].ne = [1 << 40, 1 << 40]
        g.tensors[0].offset = 64
        try expect(g.build(), .invalidValue, item: "a.weight", says: ["overflows"])
        g = GGUFBuilder()
        g.tensors[0].ne = [1 << 61, 1]
        g.tensors[0].offset = 64
        try expect(g.build(), .invalidValue, item: "a.weight", says: ["byte count"])
        // Shape x dtype: a Q8_0 row of 33 elements is not whole blocks.
        g = GGUFBuilder()
        g.tensors[1].ne = [33]
        try expect(g.build(), .sizeMismatch, item: "b.weight", says: ["block size 32"])
    }

    func testTensorData() throws {
        var g = GGUFBuilder()
        g.dataSlack = -1
        try expect(g.build(), .outOfRange, item: "b.weight", says: ["past the end", "truncated"])
        g = GGUFBuilder()
        g.tensors[1].offset = 1 << 40
        try expect(g.build(), .outOfRange, item: "b.weight")
        g = GGUFBuilder()
        g.tensors[1].offset = UInt64.max - 31
        try expect(g.build(), .outOfRange, item: "b.weight")
        g = GGUFBuilder()
        g.tensors[1].offset = 36
        try expect(g.build(), .misaligned, item: "b.weight", says: ["offset 36", "alignment 32"])
        g = GGUFBuilder()
        g.tensors[1].offset = 0
        g.dataSlack = 64
        try expect(g.build(), .overlap, item: "b.weight", says: ["a.weight"])
    }

    /// Every truncation and every single-byte corruption of a real file either opens or throws a
    /// FormatError; nothing crashes.
    func testEveryPrefixAndByteFlipOfAFixture() throws {
        let original = try [UInt8](Data(contentsOf: TestPaths.fixtures.appendingPathComponent("tiny_v3.gguf")))
        let valid = try GGUFFile(url: TestPaths.fixtures.appendingPathComponent("tiny_v3.gguf"))
        let dataEnd = valid.tensors.map { $0.absoluteOffset + $0.byteCount }.max() ?? 0
        let url = dir.appendingPathComponent("fuzz.gguf")
        func open(_ bytes: [UInt8]) throws -> GGUFFile { try GGUFFile(mapped: MappedFile(copying: bytes, url: url)) }
        for length in 0..<dataEnd {
            XCTAssertThrowsError(try open(Array(original.prefix(length))), "prefix \(length)") { XCTAssertTrue($0 is FormatError, "\($0)") }
        }
        XCTAssertEqual(try open(Array(original.prefix(dataEnd))).tensors.count, valid.tensors.count)  // trailing padding is optional
        for position in 0..<valid.dataOffset {
            for value: UInt8 in [0xFF, 0x00, 0x80, original[position] ^ 0x01] where original[position] != value {
                var bytes = original
                bytes[position] = value
                do { _ = try open(bytes) } catch { XCTAssertTrue(error is FormatError, "byte \(position): \(error)") }
            }
        }
    }
}
