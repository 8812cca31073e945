import Foundation
import XCTest
import LoupeTensor
@testable import LoupeFormats

/// The real default model: SmolLM2-135M-Instruct, Q4_1.
final class GGUFDefaultModelTests: XCTestCase {
    func testOpensQuicklyAndDescribesTheModel() throws {
        let url = try TestPaths.requireDefaultModel()
        let start = Date()
        let f = try GGUFFile(url: url)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertLessThan(seconds, 1.0, "opening the default GGUF took \(seconds) s")
        print("GGUF open: \(String(format: "%.1f", seconds * 1000)) ms, \(f.tensors.count) tensors, \(f.metadataKeys.count) keys")

        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.architecture, "llama")
        XCTAssertEqual(f.alignment, 32)
        XCTAssertEqual(f.tensors.count, 272)  // 30 layers × 9 + token_embd + output_norm
        XCTAssertEqual(f.archValue("block_count")?.int, 30)
        XCTAssertEqual(f.archValue("embedding_length")?.int, 576)
        XCTAssertEqual(f.archValue("attention.head_count")?.int, 9)
        XCTAssertEqual(f.archValue("attention.head_count_kv")?.int, 3)
        XCTAssertEqual(f.metadataKeys.first, "general.architecture")
        XCTAssertEqual(Set(f.metadataKeys).count, f.metadataKeys.count)

        // Tokenizer metadata.
        XCTAssertEqual(f["tokenizer.ggml.model"]?.string, "gpt2")
        let tokens = try XCTUnwrap(f["tokenizer.ggml.tokens"]?.stringArray)
        XCTAssertEqual(tokens.count, 49152)
        XCTAssertEqual(tokens[0], "<|endoftext|>")
        let merges = try XCTUnwrap(f["tokenizer.ggml.merges"]?.stringArray)
        XCTAssertGreaterThan(merges.count, 40000)
        XCTAssertEqual(merges[0], "Ġ t")
        XCTAssertEqual(f["tokenizer.ggml.token_type"]?.intArray?.count, 49152)
        XCTAssertNotNil(f["tokenizer.ggml.bos_token_id"]?.int)

        // Shapes are numpy order: the reverse of ggml's ne[].
        let embd = try XCTUnwrap(f.info("token_embd.weight"))
        XCTAssertEqual(embd.shape, [49152, 576])
        XCTAssertEqual(f.tensor("token_embd.weight")?.ggmlDims, [576, 49152])
        let q = try XCTUnwrap(f.info("blk.0.attn_q.weight"))
        XCTAssertEqual(q.shape, [576, 576])
        XCTAssertEqual(f.info("blk.0.attn_k.weight")?.shape, [192, 576])
        XCTAssertEqual(f.info("output_norm.weight")?.dtype, .f32)
        let dtypes = Set(f.tensors.map(\.dtype))
        XCTAssertTrue(dtypes.isSubset(of: [.f32, .q4_1, .q8_0, .q6_K, .q4_K, .q5_0, .q5_1, .q4_0, .f16]), "\(dtypes)")
        XCTAssertTrue(dtypes.contains(.q4_1))

        // Every tensor lies inside the file, aligned, and the bytes view has the stated size.
        for t in f.tensors {
            XCTAssertEqual(t.offset % f.alignment, 0)
            XCTAssertLessThanOrEqual(t.absoluteOffset + t.byteCount, f.mapped.count)
            XCTAssertEqual(try f.bytes(t.name).count, t.byteCount)
        }

        let norm = try f.loadFloat32("output_norm.weight")
        XCTAssertEqual(norm.shape, [576])
        XCTAssertTrue(norm.toArray().allSatisfy { $0.isFinite })
        let wq = try f.loadFloat32("blk.0.attn_q.weight")  // [576, 576] from Q4_1 blocks
        XCTAssertEqual(wq.shape, [576, 576])
        let values = wq.toArray()
        XCTAssertTrue(values.allSatisfy { $0.isFinite })
        XCTAssertGreaterThan(values.map { abs($0) }.max() ?? 0, 0)
        XCTAssertThrowsError(try f.bytes("no.such.tensor")) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .noSuchTensor)
        }
    }

    func testLocatorFindsTheDefaultModelUnderModels() throws {
        _ = try TestPaths.requireDefaultModel()
        let loc = try ModelLocator.resolve("smollm2", hubCache: URL(fileURLWithPath: "/nonexistent"), currentDirectory: TestPaths.repo)
        XCTAssertEqual(loc.kind, .gguf)
        XCTAssertEqual(loc.url.lastPathComponent, "SmolLM2-135M-Instruct.Q4_1.gguf")
        XCTAssertEqual(try loc.weights().tensorNames.count, 272)
    }
}
