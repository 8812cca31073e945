import Foundation
import XCTest
import LoupeFormats
@testable import LoupeModels

/// Broken Meta folders: params.json with missing or absurd fields, shards missing or misnumbered,
/// weights that disagree with params.json. Each a clear error naming the file, before any large allocation.
final class MetaCorruptTests: XCTestCase {
    let good: [String: Any] = ["dim": 8, "n_layers": 2, "n_heads": 2, "n_kv_heads": 1, "vocab_size": 128256,
                               "multiple_of": 16, "ffn_dim_multiplier": 1.3, "norm_eps": 1e-05,
                               "rope_theta": 500000.0, "use_scaled_rope": true]

    /// A copy of meta-tiny (the .pth linked, not copied) with `params` as its params.json.
    func folder(_ params: [String: Any]?, rawParams: String? = nil) throws -> URL {
        let dir = try makeModelsTempDir(self)
        let src = URL(fileURLWithPath: ReferenceFixture.modelDirectory("meta-tiny"))
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("consolidated.00.pth"),
                                                   withDestinationURL: src.appendingPathComponent("consolidated.00.pth"))
        let text = try rawParams ?? String(decoding: JSONSerialization.data(withJSONObject: params ?? [:]), as: UTF8.self)
        try text.write(to: dir.appendingPathComponent("params.json"), atomically: true, encoding: .utf8)
        return dir
    }

    func expectLoadError(_ dir: URL, says words: [String], line: UInt = #line) {
        XCTAssertThrowsError(try HookedTransformer(path: dir.path, options: LoadOptions(processing: .none)), line: line) { e in
            let text = "\(e)"
            for w in words { XCTAssertTrue(text.contains(w), "'\(w)' not in: \(text)", line: line) }
        }
    }

    func testAbsurdParams() throws {
        let cases: [(String, Any?, String)] = [
            ("n_heads", 0, "n_heads = 0 is out of range"),
            ("n_heads", 3, "dim 8 is not divisible by n_heads 3"),
            ("vocab_size", 1e12, "vocab_size = 1000000000000 is out of range"),
            ("dim", nil, "params.json has no dim"),
            ("n_layers", "two", "n_layers = \"two\" is not an integer"),
            ("dim", -8, "dim = -8 is out of range"),
            ("multiple_of", 0, "multiple_of = 0 is out of range"),
            ("ffn_dim_multiplier", 1e300, "ffn_dim_multiplier = 1e+300 is out of range"),
            ("norm_eps", -1, "norm_eps = -1.0 is out of range"),
            ("n_kv_heads", 4, "n_heads 2 is not a multiple of n_kv_heads 4"),
            ("n_layers", 1 << 40, "n_layers = 1099511627776 is out of range"),
        ]
        for (key, value, message) in cases {
            var p = good
            p[key] = value
            let dir = try folder(p)
            expectLoadError(dir, says: [dir.appendingPathComponent("params.json").path, message])
        }
        let dir = try folder(nil, rawParams: "{\"dim\": ")
        expectLoadError(dir, says: ["params.json", "cannot read"])
    }

    /// params.json that parses but does not describe the weights: the strict loader names the tensor.
    func testParamsDisagreeingWithWeights() throws {
        var p = good
        p["dim"] = 16
        expectLoadError(try folder(p), says: ["tok_embeddings.weight", "[128256, 8]", "[128256, 16]"])
        p = good
        p["n_layers"] = 3
        expectLoadError(try folder(p), says: ["layers.2.attention_norm.weight is missing"])
        p = good
        p["n_layers"] = 1
        expectLoadError(try folder(p), says: ["not explained", "layers.1."])
    }

    func testShardsMissingOrMisnumbered() throws {
        let src = URL(fileURLWithPath: ReferenceFixture.modelDirectory("meta-tiny-mp2"))
        let dir = try makeModelsTempDir(self)
        let fm = FileManager.default
        try fm.copyItem(at: src.appendingPathComponent("params.json"), to: dir.appendingPathComponent("params.json"))
        try fm.copyItem(at: src.appendingPathComponent("consolidated.00.pth"), to: dir.appendingPathComponent("consolidated.00.pth"))
        // One shard of two: the column-parallel slices are half their size.
        expectLoadError(dir, says: ["tok_embeddings.weight", "[128, 16]", "[256, 16]"])
        try fm.copyItem(at: src.appendingPathComponent("consolidated.01.pth"), to: dir.appendingPathComponent("consolidated.02.pth"))
        expectLoadError(dir, says: ["consolidated.02.pth", "without gaps"])
        try fm.moveItem(at: dir.appendingPathComponent("consolidated.02.pth"), to: dir.appendingPathComponent("consolidated.01.pth"))
        XCTAssertNoThrow(try HookedTransformer(path: dir.path, options: LoadOptions(processing: .none)))
        // A single shard names its folder; a lone state dict says what it lacks.
        let loc = try ModelLocator.resolve(dir.appendingPathComponent("consolidated.01.pth").path)
        XCTAssertEqual(loc.kind, .meta)
        XCTAssertEqual(loc.metaShardURLs.count, 2)
        try fm.removeItem(at: dir.appendingPathComponent("params.json"))
        XCTAssertThrowsError(try ModelLocator.resolve(dir.appendingPathComponent("consolidated.00.pth").path)) { e in
            XCTAssertTrue("\(e)".contains("does not say which model"), "\(e)")
        }
    }
}
