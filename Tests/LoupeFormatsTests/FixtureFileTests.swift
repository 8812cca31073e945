import Foundation
import XCTest
import LoupeTensor
@testable import LoupeFormats

/// Tiny files written by the reference Python writers (tools/gen_format_fixtures.py).
final class FixtureFileTests: XCTestCase {
    var expected: JSONValue!

    override func setUpWithError() throws {
        expected = try JSONValue.load(TestPaths.fixtures.appendingPathComponent("expected.json"))
    }

    /// Every tensor of `source` matches expected.json's shape and values exactly.
    func checkTensors(_ source: WeightSource, _ table: JSONValue, file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try XCTUnwrap(table.object?.keys)
        for name in names where source.info(name) != nil {
            let want = try XCTUnwrap(table[name])
            let t = try source.loadFloat32(name)
            XCTAssertEqual(t.shape, want["shape"]?.intArray, name, file: file, line: line)
            let values = try XCTUnwrap(want["values"]?.array).map { Float($0.double ?? .nan) }
            XCTAssertEqual(t.toArray(), values, name, file: file, line: line)
        }
    }

    func testGGUFv3AndV2() throws {
        for (fileName, key, version, alignment) in [("tiny_v3.gguf", "gguf", 3, 32), ("tiny_v2.gguf", "gguf_v2", 2, 64)] {
            let f = try GGUFFile(url: TestPaths.fixtures.appendingPathComponent(fileName))
            XCTAssertEqual(f.version, version)
            XCTAssertEqual(f.alignment, alignment)
            XCTAssertEqual(f.dataOffset % alignment, 0)
            XCTAssertEqual(f.architecture, "llama")
            XCTAssertEqual(f["t.u8"], .uint8(200))
            XCTAssertEqual(f["t.i8"], .int8(-100))
            XCTAssertEqual(f["t.u16"], .uint16(60000))
            XCTAssertEqual(f["t.i16"], .int16(-30000))
            XCTAssertEqual(f["t.u32"], .uint32(4_000_000_000))
            XCTAssertEqual(f["t.i32"], .int32(-2_000_000_000))
            XCTAssertEqual(f["t.u64"], .uint64(1 << 63 + 5))
            XCTAssertNil(f["t.u64"]?.int)  // does not fit in Int
            XCTAssertEqual(f["t.i64"]?.int, -(1 << 62))
            XCTAssertEqual(f["t.f32"]?.double, 1.5)
            XCTAssertEqual(f["t.f64"], .float64(-2.25))
            XCTAssertEqual(f["t.bool"]?.bool, true)
            XCTAssertEqual(f["t.string"]?.string, "héllo ☃ 🦙")
            XCTAssertEqual(f["t.strings"]?.stringArray, ["a", "", "Ġthe", "<|endoftext|>"])
            XCTAssertEqual(f["t.ints"]?.intArray, [1, -2, 3])
            XCTAssertEqual(f["t.floats"]?.floatArray, [0.5, -1.0])
            XCTAssertEqual(f["t.nested"]?.array?.map { $0.intArray ?? [] }, [[1, 2], [3]])
            XCTAssertEqual(Array(f.metadataKeys.prefix(3)), version == 2 ? ["general.architecture", "general.alignment", "t.u8"]
                                                                        : ["general.architecture", "t.u8", "t.i8"])
            XCTAssertEqual(f.tensorNames, ["plain.f32", "plain.f16", "quant.q8_0", "quant.q4_1", "quant.q5_1", "plain.bf16"])
            XCTAssertEqual(f.tensor("plain.f32")?.ggmlDims, [3, 2])
            XCTAssertEqual(f.info("plain.f32")?.shape, [2, 3])
            XCTAssertEqual(f.info("quant.q4_1")?.dtype, .q4_1)
            XCTAssertEqual(f.info("plain.bf16")?.dtype, .bf16)
            XCTAssertEqual(f.tensor("quant.q8_0")?.byteCount, 2 * 34)
            try checkTensors(f, try XCTUnwrap(expected[key]))
        }
    }

    func testSafetensorsSingleFile() throws {
        let f = try SafetensorsFile(url: TestPaths.fixtures.appendingPathComponent("tiny.safetensors"))
        XCTAssertEqual(f.metadata, ["format": "pt", "note": "loupe"])
        XCTAssertEqual(Set(f.tensorNames), ["w.f32", "w.f16", "w.bf16", "scalar"])
        XCTAssertEqual(f.otherTensors, ["ids.i64": "I64"])
        XCTAssertEqual(f.info("w.f16")?.dtype, .f16)
        XCTAssertEqual(f.info("w.bf16")?.shape, [4])
        XCTAssertEqual(f.info("scalar")?.shape, [])
        XCTAssertEqual(try f.bytes("w.f32").count, 48)
        try checkTensors(f, try XCTUnwrap(expected["safetensors"]))
        XCTAssertThrowsError(try f.loadFloat32("ids.i64")) { e in
            let err = e as? FormatError
            XCTAssertEqual(err?.kind, .unsupportedType)
            XCTAssertEqual(err?.item, "ids.i64")
            XCTAssertTrue(err?.description.contains("I64") ?? false, "\(e)")
        }
        XCTAssertThrowsError(try f.loadFloat32("nope")) { XCTAssertEqual(($0 as? FormatError)?.kind, .noSuchTensor) }
    }

    func testSafetensorsSharded() throws {
        let index = try ShardIndex(url: TestPaths.fixtures.appendingPathComponent("sharded/model.safetensors.index.json"))
        XCTAssertEqual(index.shards.count, 2)
        XCTAssertEqual(index.tensorNames, ["a.weight", "b.weight", "c.weight"])
        XCTAssertEqual(index.info("c.weight")?.dtype, .bf16)
        XCTAssertTrue(index.info("c.weight")?.file.hasSuffix("model-00002-of-00002.safetensors") ?? false)
        XCTAssertEqual(index.metadata["total_size"]?.int, 30)
        try checkTensors(index, try XCTUnwrap(expected["sharded"]))
    }
}
