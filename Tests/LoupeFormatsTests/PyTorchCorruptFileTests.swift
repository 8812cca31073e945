import Foundation
import XCTest
import LoupeTensor
@testable import LoupeFormats

/// PyTorch checkpoints: torch.save's real output, the same layout written here (plain and ZIP64), and a
/// matrix of hostile and broken files, each refused with one FormatError naming the file, nothing run.
final class PyTorchCorruptFileTests: CorruptFileTestCase {
    override var fileExtension: String { "pth" }

    /// A valid two-tensor state dict; `edit` may change the pickle body or the storages.
    func archive(zip64: Bool = false, body: ((inout PickleBuilder) -> Void)? = nil,
                 storages: [(key: String, bytes: [UInt8])]? = nil) -> ZipBuilder {
        let pickle = PickleBuilder.stateDict { p in
            if let body { body(&p); return }
            p.tensor("w", key: "0", numel: 6, shape: [2, 3])
            p.tensor("row", key: "0", numel: 6, offset: 3, shape: [3])
        }
        return ZipBuilder.torchArchive(pickle: pickle, storages: storages ?? [("0", ZipBuilder.floats([1, 2, 3, 4, 5, 6]))], zip64: zip64)
    }

    func expectError(_ bytes: [UInt8], _ kind: FormatError.Kind, says words: [String], line: UInt = #line) throws {
        let url = try file(bytes)
        XCTAssertThrowsError(try PyTorchFile(url: url), line: line) { e in
            assertFormatError(e, kind, file: url.path, says: words, line: line)
        }
    }

    func testWrittenArchiveReadsPlainAndZIP64() throws {
        for zip64 in [false, true] {
            let f = try PyTorchFile(url: try file(archive(zip64: zip64).build()))
            XCTAssertEqual(f.tensorNames, ["w", "row"])
            XCTAssertEqual(f.info("w")?.shape, [2, 3])
            XCTAssertEqual(try f.loadFloat32("w").toArray(), [1, 2, 3, 4, 5, 6])
            XCTAssertEqual(try f.loadFloat32("row").toArray(), [4, 5, 6], "a view at an element offset")
            // Mapped, not copied: the bytes lie inside the file's mapping.
            let base = f.mapped.buffer.baseAddress!, b = try f.bytes("w").baseAddress!
            XCTAssertTrue(b >= base && b < base + f.mapped.count)
        }
    }

    /// torch.save's own bytes (tools/gen_meta_fixtures.py): an OrderedDict with `_metadata` (BUILD).
    func testTorchSaveOutput() throws {
        let bin = TestPaths.repo.appendingPathComponent("Tests/Fixtures/models/llama3-tiny-bin/pytorch_model.bin")
        let st = try SafetensorsFile(url: TestPaths.repo.appendingPathComponent("Tests/Fixtures/models/llama3-tiny/model.safetensors"))
        let pt = try PyTorchFile(url: bin)
        XCTAssertEqual(Set(pt.tensorNames), Set(st.tensorNames))
        for name in st.tensorNames {
            XCTAssertEqual(pt.info(name)?.shape, st.info(name)?.shape, name)
            XCTAssertEqual(pt.info(name)?.dtype, .bf16, name)
            XCTAssertEqual(Array(try pt.bytes(name)), Array(try st.bytes(name)), name)
        }
        // Every storage entry starts on a 64-byte boundary (torch.save's alignment).
        XCTAssertTrue(pt.tensorNames.allSatisfy { pt.info($0)!.byteRange.lowerBound % 64 == 0 })
    }

    func testHostileGlobalsAreRefusedByName() throws {
        let marker = dir.appendingPathComponent("ran")
        for (module, name) in [("os", "system"), ("posix", "system"), ("builtins", "eval"), ("builtins", "exec"),
                               ("subprocess", "Popen"), ("numpy.core.multiarray", "_reconstruct"), ("torch", "load")] {
            var p = PickleBuilder()
            p.global(module, name)
            p.str("touch \(marker.path)")
            p.op(0x85); p.op(0x52); p.op(0x2E)                        // TUPLE1, REDUCE, STOP
            try expectError(ZipBuilder.torchArchive(pickle: p.b, storages: []).build(), .unsupportedType,
                            says: ["refusing global \(module).\(name)", "never runs code"])
            // The same through STACK_GLOBAL (protocol 4).
            var q = PickleBuilder()
            q.b = [0x80, 4]
            q.str(module); q.str(name); q.op(0x93)
            q.str("touch \(marker.path)"); q.op(0x85); q.op(0x52); q.op(0x2E)
            try expectError(ZipBuilder.torchArchive(pickle: q.b, storages: []).build(), .unsupportedType,
                            says: ["refusing global \(module).\(name)"])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "nothing was executed")
    }

    func testReduceOnANonCallableIsRefused() throws {
        // A storage class is an allowed name but not a callable.
        var p = PickleBuilder()
        p.global("torch", "FloatStorage"); p.ints([4]); p.op(0x52); p.op(0x2E)
        try expectError(ZipBuilder.torchArchive(pickle: p.b, storages: []).build(), .unsupportedType,
                        says: ["REDUCE on torch.FloatStorage"])
        // REDUCE on a string.
        var q = PickleBuilder()
        q.str("os.system"); q.op(0x29); q.op(0x52); q.op(0x2E)
        try expectError(ZipBuilder.torchArchive(pickle: q.b, storages: []).build(), .unsupportedType, says: ["REDUCE calls a str"])
        // BUILD on a tensor (would be __setstate__).
        let r = archive(body: { p in
            p.tensor("w", key: "0", numel: 6, shape: [6]); p.op(0x7D); p.op(0x62)
        })
        try expectError(r.build(), .unsupportedType, says: ["BUILD on a tensor"])
        // Opcodes a state dict never uses: INST, OBJ, NEWOBJ.
        for opcode: UInt8 in [0x69, 0x6F, 0x81] {
            var s = PickleBuilder(); s.op(opcode); s.op(0x2E)
            try expectError(ZipBuilder.torchArchive(pickle: s.b, storages: []).build(), .unsupportedType,
                            says: [String(format: "opcode 0x%02X", opcode)])
        }
    }

    func testBrokenPickles() throws {
        var memo = PickleBuilder(); memo.op(0x68); memo.op(7); memo.op(0x2E)          // BINGET 7, never put
        try expectError(ZipBuilder.torchArchive(pickle: memo.b, storages: []).build(), .invalidValue, says: ["memo entry 7"])
        var long = PickleBuilder(); long.op(0x58); long.b += [0xFF, 0xFF, 0xFF, 0x7F]  // BINUNICODE of 2 GB
        try expectError(ZipBuilder.torchArchive(pickle: long.b, storages: []).build(), .truncated, says: ["runs past the end"])
        var empty = PickleBuilder(); empty.op(0x52)                                    // REDUCE on nothing
        try expectError(ZipBuilder.torchArchive(pickle: empty.b, storages: []).build(), .invalidValue, says: ["empty stack"])
        var list = PickleBuilder(); list.op(0x5D); list.op(0x2E)                      // a list, not a dict
        try expectError(ZipBuilder.torchArchive(pickle: list.b, storages: []).build(), .invalidValue, says: ["expected a state dict"])
        var noStop = PickleBuilder(); noStop.op(0x7D)
        try expectError(ZipBuilder.torchArchive(pickle: noStop.b, storages: []).build(), .truncated, says: ["pickle opcode"])
        try expectError([0x80, 0x02, 0x8A, 0x0A] + [UInt8](repeating: 0, count: 40), .unsupportedFormat, says: ["legacy"])
    }

    /// Deep or cyclic structures are refused or released without recursing once per level.
    func testDeepAndCyclicStructures() throws {
        var tuples = PickleBuilder(); tuples.op(0x29)
        for _ in 0..<100 { tuples.op(0x85) }                                          // ((((…),),),)
        tuples.op(0x2E)
        try expectError(ZipBuilder.torchArchive(pickle: tuples.b, storages: []).build(), .tooLarge, says: ["nested deeper than 64"])
        // A chain of 200k lists, each appended into the previous through the memo.
        var chain = PickleBuilder()
        func put(_ i: Int) { chain.op(0x72); withUnsafeBytes(of: UInt32(i).littleEndian) { chain.b += $0 } }
        func get(_ i: Int) { chain.op(0x6A); withUnsafeBytes(of: UInt32(i).littleEndian) { chain.b += $0 } }
        chain.op(0x5D); put(0)
        for i in 1..<200_000 { chain.op(0x5D); put(i); chain.op(0x30); get(i - 1); get(i); chain.op(0x61); chain.op(0x30) }
        chain.op(0x2E)
        // Read on a 256 KiB stack: releasing the chain level by level would overflow it.
        let url = try file(ZipBuilder.torchArchive(pickle: chain.b, storages: []).build())
        final class Outcome: @unchecked Sendable { var result: Result<PyTorchFile, Error>? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { outcome.result = Result { try PyTorchFile(url: url) }; done.signal() }
        thread.stackSize = 256 * 1024
        thread.start()
        done.wait()
        XCTAssertThrowsError(try outcome.result?.get()) { e in
            assertFormatError(e, .invalidValue, file: url.path, says: ["holds a list"], line: #line)
        }
        // A dict that contains itself.
        var cycle = PickleBuilder(); cycle.op(0x7D); cycle.op(0x71); cycle.op(0); cycle.str("self"); cycle.op(0x68); cycle.op(0)
        cycle.op(0x73); cycle.op(0x2E)
        try expectError(ZipBuilder.torchArchive(pickle: cycle.b, storages: []).build(), .invalidValue, says: ["'self'", "is a dict"])
    }

    func testTruncatedAndCompressedArchives() throws {
        let good = archive().build()
        for cut in [good.count / 2, good.count - 10, 21, 3] {
            let url = try file(Array(good.prefix(cut)))
            XCTAssertThrowsError(try PyTorchFile(url: url)) { e in
                guard let f = e as? FormatError else { return XCTFail("\(e)") }
                XCTAssertEqual(f.file, url.path)
                XCTAssertTrue([.truncated, .badMagic, .outOfRange].contains(f.kind), "\(f)")
            }
        }
        var big = archive()
        big.add("archive/byteorder", Array("big".utf8))
        try expectError(big.build(), .unsupportedFormat, says: ["big-endian"])
        var z = archive()
        z.compressedEntry = "archive/data/0"
        try expectError(z.build(), .unsupportedFormat, says: ["compressed (method 8)", "only stored entries"])
    }

    func testTensorsOutsideTheirStorage() throws {
        // The storage entry holds fewer bytes than the storage declares.
        try expectError(archive(storages: [("0", ZipBuilder.floats([1, 2, 3]))]).build(), .truncated,
                        says: ["declares 6 FloatStorage elements", "holds 12 bytes"])
        // A view whose elements run past the storage.
        try expectError(archive(body: { $0.tensor("w", key: "0", numel: 6, offset: 4, shape: [3]) }).build(), .outOfRange,
                        says: ["[4, 4 + 3)", "of 6 elements"])
        // Absurd shapes: overflowing and negative.
        try expectError(archive(body: { $0.tensor("w", key: "0", numel: 6, shape: [1 << 40, 1 << 40], stride: [1, 1]) }).build(),
                        .invalidValue, says: ["overflows"])
        try expectError(archive(body: { $0.tensor("w", key: "0", numel: 6, shape: [-2, 3]) }).build(), .invalidValue, says: ["negative"])
        try expectError(archive(body: { $0.tensor("w", key: "0", numel: 1 << 62, shape: [4]) }).build(), .truncated, says: ["declares"])
        // A transposed (non-contiguous) view.
        try expectError(archive(body: { $0.tensor("w", key: "0", numel: 6, shape: [2, 3], stride: [1, 2]) }).build(),
                        .unsupportedFormat, says: ["non-contiguous"])
        // A storage with no archive entry.
        try expectError(archive(body: { $0.tensor("w", key: "9", numel: 6, shape: [6]) }).build(), .noSuchTensor, says: ["archive/data/9"])
        // The same name twice.
        try expectError(archive(body: { p in
            p.tensor("w", key: "0", numel: 6, shape: [6]); p.tensor("w", key: "0", numel: 6, shape: [6])
        }).build(), .duplicate, says: ["twice"])
    }

    func testOtherDtypesAreListedAndRefusedByName() throws {
        let z = archive(body: { p in
            p.tensor("w", key: "0", numel: 6, shape: [6])
            p.tensor("steps", type: "LongStorage", key: "1", numel: 1, shape: [])
        }, storages: [("0", ZipBuilder.floats([1, 2, 3, 4, 5, 6])), ("1", [UInt8](repeating: 0, count: 8))])
        let f = try PyTorchFile(url: try file(z.build()))
        XCTAssertEqual(f.tensorNames, ["w"])
        XCTAssertEqual(f.otherTensors, ["steps": "LongStorage"])
        XCTAssertThrowsError(try f.loadFloat32("steps")) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .unsupportedType)
            XCTAssertTrue("\(e)".contains("LongStorage"), "\(e)")
        }
    }
}
