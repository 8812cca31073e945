import Foundation
import XCTest
@testable import LoupeFormats

final class ModelLocatorTests: XCTestCase {
    let fm = FileManager.default

    func write(_ text: String, _ url: URL) throws {
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func copyFixture(_ name: String, to url: URL) throws {
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.copyItem(at: TestPaths.fixtures.appendingPathComponent(name), to: url)
    }

    /// A Hugging Face cache laid out as huggingface_hub writes it: blobs, symlinked snapshot files, refs/main.
    func makeHubCache(_ root: URL, repo: String, rev: String) throws -> URL {
        let repoDir = root.appendingPathComponent("models--" + repo.replacingOccurrences(of: "/", with: "--"))
        try write(#"{"model_type": "gpt2", "n_layer": 2}"#, repoDir.appendingPathComponent("blobs/aaa"))
        try copyFixture("tiny.safetensors", to: repoDir.appendingPathComponent("blobs/bbb"))
        try write("{}", repoDir.appendingPathComponent("blobs/ccc"))
        let snap = repoDir.appendingPathComponent("snapshots/\(rev)")
        try fm.createDirectory(at: snap, withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: snap.appendingPathComponent("config.json").path, withDestinationPath: "../../blobs/aaa")
        try fm.createSymbolicLink(atPath: snap.appendingPathComponent("model.safetensors").path, withDestinationPath: "../../blobs/bbb")
        try fm.createSymbolicLink(atPath: snap.appendingPathComponent("tokenizer.json").path, withDestinationPath: "../../blobs/ccc")
        // An older snapshot that refs/main does not point at.
        try fm.createDirectory(at: repoDir.appendingPathComponent("snapshots/0ld"), withIntermediateDirectories: true)
        try write(rev + "\n", repoDir.appendingPathComponent("refs/main"))
        return snap
    }

    func testHubCacheShortAndOrgNames() throws {
        let tmp = try makeTempDir(self)
        let cache = tmp.appendingPathComponent("hub")
        let snap = try makeHubCache(cache, repo: "gpt2", rev: "abc123")
        _ = try makeHubCache(cache, repo: "HuggingFaceTB/SmolLM2-135M", rev: "def456")

        let env = ["HF_HUB_CACHE": cache.path, "HOME": tmp.path]
        let loc = try ModelLocator.resolve("gpt2", modelsDirectories: [], environment: env, currentDirectory: tmp)
        XCTAssertEqual(loc.kind, .huggingface)
        XCTAssertEqual(loc.url.lastPathComponent, "abc123")
        XCTAssertEqual(loc.url.path, snap.standardizedFileURL.path)
        XCTAssertEqual(loc.modelType, "gpt2")
        XCTAssertEqual(loc.config?["n_layer"]?.int, 2)
        XCTAssertNotNil(loc.tokenizerJSONURL)
        XCTAssertNil(loc.vocabJSONURL)
        let weights = try loc.weights()
        XCTAssertTrue(weights is SafetensorsFile)
        XCTAssertEqual(weights.info("w.f32")?.shape, [3, 4])

        let org = try ModelLocator.resolve("HuggingFaceTB/SmolLM2-135M", modelsDirectories: [], environment: env, currentDirectory: tmp)
        XCTAssertEqual(org.url.lastPathComponent, "def456")

        // HF_HOME/hub when HF_HUB_CACHE is unset; ~/.cache/huggingface/hub when neither is.
        XCTAssertEqual(ModelLocator.hubCacheDirectory(environment: ["HF_HOME": tmp.path]).path, cache.path)
        XCTAssertEqual(ModelLocator.hubCacheDirectory(environment: ["HOME": "/home/u"]).path, "/home/u/.cache/huggingface/hub")
        let viaHome = try ModelLocator.resolve("gpt2", modelsDirectories: [], environment: ["HF_HOME": tmp.path], currentDirectory: tmp)
        XCTAssertEqual(viaHome.url.lastPathComponent, "abc123")
    }

    func testSnapshotWithoutRefsUsesTheOnlyOne() throws {
        let tmp = try makeTempDir(self)
        let snap = try makeHubCache(tmp, repo: "x/y", rev: "r1")
        try fm.removeItem(at: tmp.appendingPathComponent("models--x--y/refs"))
        try fm.removeItem(at: tmp.appendingPathComponent("models--x--y/snapshots/0ld"))
        let loc = try ModelLocator.resolve("x/y", modelsDirectories: [], hubCache: tmp, currentDirectory: tmp)
        XCTAssertEqual(loc.url.path, snap.standardizedFileURL.path)
    }

    func testOrderPathThenModelsThenCache() throws {
        let tmp = try makeTempDir(self)
        let cache = tmp.appendingPathComponent("hub")
        _ = try makeHubCache(cache, repo: "smol", rev: "r")
        let models = tmp.appendingPathComponent("models")
        try copyFixture("tiny_v3.gguf", to: models.appendingPathComponent("smol/model.Q4.gguf"))

        // models/NAME wins over the cache; a directory with one .gguf is that file.
        let loc = try ModelLocator.resolve("smol", hubCache: cache, currentDirectory: tmp)
        XCTAssertEqual(loc.kind, .gguf)
        XCTAssertEqual(loc.url.lastPathComponent, "model.Q4.gguf")
        XCTAssertTrue(try loc.weights() is GGUFFile)

        // A literal path (relative to the current directory) wins over everything.
        let direct = try ModelLocator.resolve("models/smol/model.Q4.gguf", hubCache: cache, currentDirectory: tmp)
        XCTAssertEqual(direct.kind, .gguf)
        let hfDir = try ModelLocator.resolve(cache.appendingPathComponent("models--smol/snapshots/r").path, hubCache: cache)
        XCTAssertEqual(hfDir.kind, .huggingface)

        // Two .gguf files: not guessed; falls through to the cache, which has it.
        try copyFixture("tiny_v2.gguf", to: models.appendingPathComponent("smol/other.gguf"))
        XCTAssertEqual(try ModelLocator.resolve("smol", hubCache: cache, currentDirectory: tmp).kind, .huggingface)
    }

    func testNotFoundListsEveryPlace() throws {
        let tmp = try makeTempDir(self)
        let cache = tmp.appendingPathComponent("hub")
        XCTAssertThrowsError(try ModelLocator.resolve("org/missing", hubCache: cache, currentDirectory: tmp)) { e in
            let err = e as? FormatError
            XCTAssertEqual(err?.kind, .notFound)
            let text = "\(e)"
            XCTAssertTrue(text.contains(tmp.appendingPathComponent("org/missing").path), text)
            XCTAssertTrue(text.contains(tmp.appendingPathComponent("models/org/missing").path), text)
            XCTAssertTrue(text.contains(tmp.appendingPathComponent("models/missing").path), text)
            XCTAssertTrue(text.contains(cache.appendingPathComponent("models--org--missing").path), text)
        }
        // A path that exists but is not a model says so.
        try write("hello", tmp.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try ModelLocator.resolve("notes.txt", hubCache: cache, currentDirectory: tmp)) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .unsupportedFormat)
        }
    }

    func testHuggingFaceDirectoryFilesAndWeights() throws {
        let tmp = try makeTempDir(self)
        let dir = tmp.appendingPathComponent("m")
        try write(#"{"model_type": "llama"}"#, dir.appendingPathComponent("config.json"))
        try write(#"{"eos_token_id": 2}"#, dir.appendingPathComponent("generation_config.json"))
        try write(#"{"add_bos_token": true}"#, dir.appendingPathComponent("tokenizer_config.json"))
        try write("{}", dir.appendingPathComponent("vocab.json"))
        try write("#version: 0.2\n", dir.appendingPathComponent("merges.txt"))
        // pytorch_model.bin is read as a state dict; this one is not a torch.save archive.
        try write("not really a pickle", dir.appendingPathComponent("pytorch_model.bin"))
        let loc = try ModelLocator.resolve(dir.path)
        XCTAssertEqual(loc.kind, .huggingface)
        XCTAssertEqual(loc.generationConfig?["eos_token_id"]?.int, 2)
        XCTAssertEqual(loc.tokenizerConfig?["add_bos_token"]?.bool, true)
        XCTAssertNotNil(loc.vocabJSONURL)
        XCTAssertNotNil(loc.mergesURL)
        XCTAssertNil(loc.tokenizerJSONURL)
        XCTAssertThrowsError(try loc.weights()) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .badMagic)
            XCTAssertTrue("\(e)".contains("not a PyTorch checkpoint"), "\(e)")
        }
        // Sharded weights through the index.
        for f in ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"] {
            try copyFixture("sharded/" + f, to: dir.appendingPathComponent(f))
        }
        let sharded = try XCTUnwrap(try loc.weights() as? ShardIndex)
        XCTAssertEqual(sharded.tensorNames.count, 3)
        // A broken config.json is reported with its location.
        try write(#"{"model_type": }"#, dir.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try ModelLocator.resolve(dir.path)) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .invalidJSON)
            XCTAssertTrue("\(e)".contains("config.json"), "\(e)")
        }
    }
}
