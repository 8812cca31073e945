import Foundation
import XCTest

/// `loupe info` on Meta's original layout (params.json + consolidated.NN.pth), one shard and two.
final class MetaFolderTests: XCTestCase {
    static let models = Fixtures.testsDirectory.appendingPathComponent("Fixtures/models")

    /// A temporary Meta folder: meta-tiny's params.json and consolidated.00.pth beside the real
    /// models/llama3/tokenizer.model (links). Skips when the tokenizer is not fetched; fails in CI.
    static func metaFolder(_ test: XCTestCase) throws -> URL {
        let tokenizer = Fixtures.packageRoot.appendingPathComponent("models/llama3/tokenizer.model")
        guard FileManager.default.fileExists(atPath: tokenizer.path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("models/llama3/tokenizer.model is missing: run scripts/fetch-llama3-tokenizer.sh")
            }
            throw XCTSkip("Meta's Llama 3 tokenizer is not fetched (scripts/fetch-llama3-tokenizer.sh)")
        }
        let dir = try Fixtures.temporaryDirectory("meta")
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        for name in ["params.json", "consolidated.00.pth"] {
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(name),
                                                       withDestinationURL: models.appendingPathComponent("meta-tiny/\(name)"))
        }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("tokenizer.model"), withDestinationURL: tokenizer)
        return dir
    }

    /// tools/gen_meta_fixtures.py's seed 003 run on meta-tiny with llama-models (meta-tiny-seed.json).
    struct SeedReference: Decodable {
        struct Map: Decodable { var attention_max: [[Double]]; var labels: [[Int]] }
        var prompt: [Int]
        var generated: [Int]
        var maps: [Map]
        var token_text: [String: String]

        static func load() throws -> SeedReference {
            try JSONDecoder().decode(SeedReference.self, from: Data(contentsOf: models.appendingPathComponent("meta-tiny-seed.json")))
        }

        func text(_ id: Int) -> String { token_text[String(id)] ?? "?" }
    }

    func testInfoReadsParamsAndShards() throws {
        let one = try LoupeBinary.run(["info", Self.models.appendingPathComponent("meta-tiny").path, "--tensors"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("(meta)"), one.stdout)
        XCTAssertTrue(one.stdout.contains("architecture: llama, 2 layers, d_model 8, 2 heads (1 KV) × d_head 4, d_mlp 32, vocab 128256, n_ctx 131072"), one.stdout)
        // 2 embeddings [128256, 8] + per layer wq 32 + wk 16 + wv 16 + wo 32 + 3 × 256 + 2 × 8 norms, + final norm.
        XCTAssertTrue(one.stdout.contains("weights: 21 tensors, 2.1M parameters, 4.1 MB (BF16 ×21)"), one.stdout)
        XCTAssertTrue(one.stdout.contains("  layers.0.attention.wq.weight  BF16  [8, 8]"), one.stdout)
        XCTAssertEqual(one.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.count, 21)

        let two = try LoupeBinary.run(["info", Self.models.appendingPathComponent("meta-tiny-mp2").path, "--tensors"])
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertTrue(two.stdout.contains("architecture: llama, 2 layers, d_model 16, 4 heads (2 KV) × d_head 4, d_mlp 64, vocab 256, n_ctx 131072"), two.stdout)
        // The shards are joined: whole shapes, as the merged state dict's.
        XCTAssertTrue(two.stdout.contains("  tok_embeddings.weight  BF16  [256, 16]"), two.stdout)
        XCTAssertTrue(two.stdout.contains("  layers.1.attention.wo.weight  BF16  [16, 16]"), two.stdout)
        XCTAssertTrue(two.stdout.contains("  layers.0.feed_forward.w2.weight  BF16  [16, 64]"), two.stdout)
    }

    func testInfoNamesABrokenShard() throws {
        let dir = try Fixtures.temporaryDirectory("meta-broken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = Self.models.appendingPathComponent("meta-tiny-mp2")
        for name in ["params.json", "consolidated.00.pth"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        try Data("not a zip".utf8).write(to: dir.appendingPathComponent("consolidated.01.pth"))
        let r = try LoupeBinary.run(["info", dir.path])
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stderr.contains("consolidated.01.pth"), r.stderr)
    }
}
