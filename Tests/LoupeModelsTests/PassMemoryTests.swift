import Foundation
import XCTest
import LoupeFormats
import LoupeTensor
@testable import LoupeModels

/// The activation cache planned before it is spent, the memory guard, generation's KV cache, and
/// loading sharded checkpoints from the Hugging Face cache.
final class PassMemoryTests: XCTestCase {
    func load(_ name: String, dtype: DType? = nil) throws -> HookedTransformer {
        try HookedTransformer(path: ReferenceFixture.modelDirectory(name), options: LoadOptions(processing: .none, threads: 2, dtype: dtype))
    }

    /// Sets LOUPE_MEMORY_LIMIT for the duration of `body`.
    func withMemoryLimit<T>(_ limit: String, _ body: () throws -> T) rethrows -> T {
        setenv("LOUPE_MEMORY_LIMIT", limit, 1)
        defer { unsetenv("LOUPE_MEMORY_LIMIT") }
        return try body()
    }

    func testEstimateEqualsWhatTheCacheHolds() throws {
        for name in ["gpt2-tiny", "llama-tiny"] {
            let m = try load(name)
            let tokens = try ReferenceFixture(name).intLists("tokens")[0]
            let filters: [(String, NamesFilter)] = [("all", .all), ("resid_post", .glob("blocks.*.hook_resid_post")),
                                                     ("pattern", .glob("*hook_pattern")),
                                                     ("result", .names(["blocks.0.attn.hook_result", "hook_embed"]))]
            for (label, filter) in filters {
                let cache = try m.runWithCache(tokens, namesFilter: filter).cache
                let held = try cache.keys.reduce(0) { $0 + (try cache.get($1)).count * 4 }
                let estimate = try m.cacheBytes(tokens: tokens.count, namesFilter: filter)
                XCTAssertEqual(estimate, held, "\(name) \(label)")
                // Nothing outside the filter is kept.
                XCTAssertEqual(Set(cache.keys), Set(try m.registry.select(filter).compactMap { m.registry.points[$0]?.name }), "\(name) \(label)")
            }
            let batch = [tokens, Array(tokens.prefix(3))]
            let cache = try m.runWithCache(batch: batch).cache
            let held = try cache.keys.reduce(0) { $0 + (try cache.get($1)).count * 4 }
            XCTAssertEqual(try m.cacheBytes(tokens: tokens.count, batch: 2), held, "\(name) batch of 2")
            print("\(name): cache of \(tokens.count) tokens \(try m.cacheBytes(tokens: tokens.count)) bytes; batch 2 \(held)")
        }
    }

    func testEightBillionShapedEstimate() throws {
        // Llama-3.1-8B's shape: 32 layers, d 4096, 32 heads (8 KV) of 128, MLP 14336, vocab 128256.
        var c = try load("llama-tiny").config
        (c.nLayers, c.dModel, c.nHeads, c.nKVHeads, c.dHead, c.dMLP, c.dVocab) = (32, 4096, 32, 8, 128, 14336, 128_256)
        let registry = HookRegistry(config: c)
        let T = 1024
        let all = try registry.select(.all).reduce(0) { $0 + registry.elements(of: $1, config: c, batch: 1, positions: T, past: 0) * 4 }
        // Per layer: 9 d-wide points (resid_pre/mid/post, attn_out, mlp_out, two normalized, q's and z's
        // 4096, rot_q), k/v/rot_k at 1024 wide, 3 MLP points, 2 scales, 2 patterns of heads·T·T.
        let perLayer = T * (4096 * 7 + 3 * 4096 + 3 * 1024 + 3 * 14336 + 2) + 2 * 32 * T * T
        XCTAssertEqual(all, 4 * (32 * perLayer + T * (4096 + 4096 + 1)))
        print("8B-shaped cache of \(T) tokens, every hook point: \(MemoryBudget.describe(all))")
    }

    func testGuardStopsBeforeAllocating() throws {
        let m = try load("gpt2-tiny")
        let tokens = try ReferenceFixture("gpt2-tiny").intLists("tokens")[0]
        let plan = try m.passMemory(ids: try m.registry.select(.all), batch: 1, positions: tokens.count, past: 0)
        try withMemoryLimit("\(plan.working + plan.cache / 2)") {
            XCTAssertThrowsError(try m.runWithCache(tokens)) { e in
                let err = e as? ModelError
                XCTAssertEqual(err?.kind, .insufficientMemory)
                XCTAssertTrue("\(e)".contains("names_filter"), "\(e)")
                XCTAssertTrue("\(e)".contains("only"), "\(e)")
                print("guard: \(e)")
            }
            // A narrow filter fits in the same limit.
            XCTAssertNoThrow(try m.runWithCache(tokens, namesFilter: .name("blocks.1.hook_resid_post")))
        }
        XCTAssertNoThrow(try m.runWithCache(tokens))
    }

    func testConversionChecksOwnedSizeFirst() throws {
        try withMemoryLimit("10K") {
            XCTAssertThrowsError(try load("llama-tiny", dtype: .f32)) { e in
                XCTAssertEqual((e as? ModelError)?.kind, .insufficientMemory)
                XCTAssertTrue("\(e)".contains("converting the weights to f32"), "\(e)")
            }
            // As stored, the mapped weights load whatever the limit.
            XCTAssertNoThrow(try load("llama-tiny"))
        }
    }

    func testMemoryLimitParsing() {
        XCTAssertEqual(MemoryBudget.parseBytes("1234"), 1234)
        XCTAssertEqual(MemoryBudget.parseBytes("64K"), 65536)
        XCTAssertEqual(MemoryBudget.parseBytes("1.5G"), 3 << 29)
        XCTAssertEqual(MemoryBudget.parseBytes("2gb"), 2 << 30)
        XCTAssertNil(MemoryBudget.parseBytes("lots"))
        XCTAssertNil(MemoryBudget.parseBytes("-5M"))
        XCTAssertNotNil(MemoryBudget.memAvailable(), "Linux has /proc/meminfo")
        // Against the machine's MemAvailable: an exabyte is refused, a megabyte is never checked.
        XCTAssertThrowsError(try MemoryBudget.require(1 << 60, for: "a test", shrink: "smaller")) { e in
            XCTAssertEqual((e as? ModelError)?.kind, .insufficientMemory)
        }
        XCTAssertNoThrow(try MemoryBudget.require(1 << 20, for: "a test", shrink: "smaller"))
    }

    /// Generation runs the prompt once, then one position per step against the KV cache.
    func testGenerationDoesNotRerunThePrompt() throws {
        for name in ["gpt2-tiny", "llama-tiny"] {
            let m = try load(name)
            let prompt = try ReferenceFixture(name).intLists("tokens")[0]
            final class Shapes: @unchecked Sendable { var seen: [[Int]] = [] }
            let shapes = Shapes()
            let hook = Hook("hook_embed") { t, _ in shapes.seen.append(t.shape); return nil }
            let r = try m.generate(prompt, options: GenerationOptions(maxNewTokens: 4, stopAtEOS: false, hooks: [hook]))
            XCTAssertEqual(r.newTokens.count, 4)
            XCTAssertEqual(shapes.seen.map { $0[0] }, [prompt.count, 1, 1, 1], name)
            // And the steps agree with running the whole sequence at once.
            let full = try m.run(Array(r.tokens.dropLast()))
            let V = m.config.dVocab, T = r.tokens.count - 1
            let last = Tensor(shape: [V], data: Array(full.toArray()[((T - 1) * V)...]))
            XCTAssertLessThanOrEqual(try XCTUnwrap(relativeMaxDiff(r.steps.last!.logits, last)), 1e-3, name)
        }
    }

    /// gpt2-tiny split into two shards with an index, laid out as huggingface_hub's cache, found by name
    /// through HF_HOME and loaded: the same logits as the single file.
    func testShardedCheckpointInTheHubCache() throws {
        let src = URL(fileURLWithPath: ReferenceFixture.modelDirectory("gpt2-tiny"))
        let st = try SafetensorsFile(mapped: MappedFile(url: src.appendingPathComponent("model.safetensors")))
        let home = try tempDirectory("hf-home")
        let snap = home.appendingPathComponent("hub/models--tiny-org--gpt2-sharded/snapshots/0123abc")
        try FileManager.default.createDirectory(at: snap, withIntermediateDirectories: true)
        try "0123abc".write(to: home.appendingPathComponent("hub/models--tiny-org--gpt2-sharded/refs/main", isDirectory: false)
                            .creatingParent(), atomically: true, encoding: .utf8)
        let names = st.tensorNames
        var weightMap: [String: String] = [:]
        for (i, part) in [Array(names.prefix(names.count / 2)), Array(names.dropFirst(names.count / 2))].enumerated() {
            let file = "model-0000\(i + 1)-of-00002.safetensors"
            let tensors = try part.map { n -> (name: String, array: ElementArray) in
                let t = try st.loadFloat32(n)
                return (n, ElementArray(shape: t.shape, element: .float32, values: t.toArray()))
            }
            try Data(try SafetensorsWriter.encode(tensors)).write(to: snap.appendingPathComponent(file))
            for n in part { weightMap[n] = file }
        }
        let index = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": weightMap])
        try index.write(to: snap.appendingPathComponent("model.safetensors.index.json"))
        for f in ["config.json", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: snap.appendingPathComponent(f))
        }
        let location = try ModelLocator.resolve("tiny-org/gpt2-sharded", modelsDirectories: [],
                                                environment: ["HF_HOME": home.path, "HOME": home.path])
        XCTAssertEqual(location.url.lastPathComponent, "0123abc")
        let sharded = try HookedTransformer(location: location, options: LoadOptions(processing: .none))
        let tokens = try ReferenceFixture("gpt2-tiny").intLists("tokens")[0]
        XCTAssertEqual(try sharded.run(tokens).toArray(), try load("gpt2-tiny").run(tokens).toArray())
        XCTAssertNotNil(sharded.tokenizer)
    }

    /// Loading maps the files and reads metadata only: measured on the fixtures and the default model.
    func testLoadTimes() throws {
        var paths = ["gpt2-tiny", "llama-tiny", "llama3-tiny"].map { ReferenceFixture.modelDirectory($0) }
        if FileManager.default.fileExists(atPath: SmolLM2Tests.modelPath) { paths.append(SmolLM2Tests.modelPath) }
        for path in paths {
            var times: [Double] = []
            for _ in 0..<3 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let m = try HookedTransformer(path: path, options: LoadOptions(processing: .none))
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                XCTAssertEqual(m.memory().owned.keys.filter { $0 != .f32 }, [], "nothing converted")
            }
            var weightsOnly = ""
            if path.hasSuffix(".gguf") {
                // The weights alone (mapping, metadata, strict name/shape checks), without the tokenizer.
                let t0 = DispatchTime.now().uptimeNanoseconds
                let gguf = try GGUFFile(mapped: MappedFile(url: URL(fileURLWithPath: path)))
                _ = try ModelWeights.load(gguf, config: try ModelConfig(gguf: gguf), format: .gguf)
                weightsOnly = String(format: " (weights alone %.1f ms)", Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            let mem = try HookedTransformer(path: path, options: LoadOptions(processing: .none)).memory()
            print("load \(URL(fileURLWithPath: path).lastPathComponent): median \(String(format: "%.1f", times.sorted()[1])) ms\(weightsOnly), "
                  + "mapped \(MemoryBudget.describe(mem.mappedBytes)), owned \(MemoryBudget.describe(mem.ownedBytes))")
        }
    }
}

extension URL {
    /// The URL after creating its parent directory.
    func creatingParent() throws -> URL {
        try FileManager.default.createDirectory(at: deletingLastPathComponent(), withIntermediateDirectories: true)
        return self
    }
}
