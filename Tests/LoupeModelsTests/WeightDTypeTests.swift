import Foundation
import XCTest
import LoupeFormats
import LoupeTensor
@testable import LoupeModels

/// Weights kept as stored (half-precision Conv1D mapped, not widened) and converted on load
/// (`LoadOptions.dtype`): each choice's error against F32, per hook point, on the reference fixtures.
final class WeightDTypeTests: XCTestCase {
    func load(_ name: String, dtype: DType? = nil, processing: ProcessingOptions = .none) throws -> HookedTransformer {
        try HookedTransformer(path: ReferenceFixture.modelDirectory(name),
                              options: LoadOptions(processing: processing, threads: 2, dtype: dtype))
    }

    /// Largest relative |Δ| per hook-point suffix (over layers), and over all points.
    func perHook(_ a: ActivationCache, _ b: ActivationCache) throws -> (bySuffix: [(String, Float)], worst: Float) {
        var by: [String: Float] = [:], order: [String] = []
        for name in b.keys {
            let suffix = name.split(separator: ".").drop { $0 == "blocks" || Int($0) != nil }.joined(separator: ".")
            let d = try XCTUnwrap(relativeMaxDiff(try a.get(name), try b.get(name)), name)
            if by[suffix] == nil { order.append(suffix) }
            by[suffix] = max(by[suffix] ?? 0, d)
        }
        return (order.map { ($0, by[$0]!) }, by.values.max() ?? 0)
    }

    func testEachDTypeAgainstF32PerHook() throws {
        // Relative max |Δ| bounds (max |Δ| / max(1, max |ref|)) on random tiny models, whose errors are
        // larger than a trained model's: F16 keeps 11 bits, BF16 8, Q8_0 about 7 per block of 32.
        // The fixtures are stored as F32 (gpt2-tiny), F16 (llama-tiny) and BF16 (llama3-tiny).
        let bounds: [(DType?, Float)] = [(nil, 1e-2), (.f16, 5e-3), (.bf16, 3e-2), (.q8_0, 1e-1)]
        for name in ["gpt2-tiny", "llama-tiny", "llama3-tiny"] {
            let tokens = try ReferenceFixture(name).intLists("tokens")[0]
            let reference = try load(name, dtype: .f32)
            let (refLogits, refCache) = try reference.runWithCache(tokens)
            for (dtype, bound) in bounds {
                let m = try load(name, dtype: dtype)
                let (logits, cache) = try m.runWithCache(tokens)
                let (rows, worst) = try perHook(cache, refCache)
                let dl = try XCTUnwrap(relativeMaxDiff(logits, refLogits))
                print("\(name) dtype=\(dtype?.rawValue.lowercased() ?? "as stored"): vs f32 logits \(String(format: "%.2e", dl)), hooks "
                      + rows.map { "\($0.0) \(String(format: "%.1e", $0.1))" }.joined(separator: ", "))
                XCTAssertLessThanOrEqual(worst, bound, "\(name) \(String(describing: dtype)): worst hook point")
                XCTAssertLessThanOrEqual(dl, bound, "\(name) \(String(describing: dtype)): logits")
                if dtype == .q8_0 { XCTAssertGreaterThan(worst, 0, "\(name) q8_0: conversion changed nothing") }
            }
        }
    }

    func testQ8_0KeepsUnembeddingAndEmbeddingAsStored() throws {
        let stored = try load("llama-tiny").memory()
        XCTAssertEqual(stored.owned[.f32, default: 0], stored.owned.values.reduce(0, +), "only norms are owned")
        XCTAssertTrue(stored.owned.keys.allSatisfy { $0 == .f32 })
        let c = try load("llama-tiny").config
        let projections = c.nLayers * (c.dModel * c.nHeads * c.dHead * 2 + c.dModel * c.nKVHeads * c.dHead * 2
                                       + 3 * c.dModel * c.dMLP)
        let storedType = try XCTUnwrap(stored.mapped.keys.first)
        XCTAssertEqual(stored.mapped.count, 1)
        let q8 = try load("llama-tiny", dtype: .q8_0).memory()
        XCTAssertEqual(q8.owned[.q8_0], DType.q8_0.byteCount(elements: projections))
        // Embedding and unembedding stay mapped as stored (untied: two matrices).
        XCTAssertEqual(q8.mapped, [storedType: storedType.byteCount(elements: 2 * c.dVocab * c.dModel)!])
        let all = try HookedTransformer(path: ReferenceFixture.modelDirectory("llama-tiny"),
                                        options: LoadOptions(processing: .none, dtype: .q8_0, quantizeUnembed: true)).memory()
        XCTAssertEqual(all.owned[.q8_0], DType.q8_0.byteCount(elements: projections + c.dVocab * c.dModel))
        let bf16 = try load("gpt2-tiny", dtype: .bf16).memory()
        XCTAssertNil(bf16.mapped[.f32], "every matrix converted, the tied embedding once")
        XCTAssertEqual(bf16.mapped.count, 0)
        print("llama-tiny memory: stored \(stored), q8_0 \(q8), q8_0+unembed \(all); gpt2-tiny bf16 \(bf16)")
    }

    func testProgressReportsEveryConvertedByte() throws {
        final class Log: @unchecked Sendable { var steps: [LoadProgress] = [] }
        let log = Log()
        _ = try HookedTransformer(path: ReferenceFixture.modelDirectory("gpt2-tiny"),
                                  options: LoadOptions(processing: .none, dtype: .q8_0, progress: { log.steps.append($0) }))
        let last = try XCTUnwrap(log.steps.last)
        XCTAssertEqual(last.done, last.total)
        XCTAssertEqual(log.steps.count, 2 * 4 + 1, "one step per Conv1D matrix, then the end")
        XCTAssertTrue(log.steps.map(\.done) == log.steps.map(\.done).sorted())
    }

    /// gpt2-tiny written as F16 safetensors: its Conv1D and embedding stay mapped F16 and give the same
    /// numbers as the F32 checkpoint converted to F16 on load.
    func testHalfPrecisionCheckpointStaysMapped() throws {
        let dir = try halfCopy("gpt2-tiny", element: .float16)
        let half = try HookedTransformer(path: dir.path, options: LoadOptions(processing: .none))
        let mem = half.memory()
        XCTAssertEqual(Array(mem.mapped.keys), [.f16])
        XCTAssertNil(mem.owned[.f16])
        let c = half.config
        XCTAssertEqual(mem.mapped[.f16], 2 * (c.dVocab * c.dModel + c.nLayers * (4 * c.dModel * c.dModel + 2 * c.dModel * c.dMLP)))
        let tokens = try ReferenceFixture("gpt2-tiny").intLists("tokens")[0]
        let converted = try load("gpt2-tiny", dtype: .f16)
        let a = try half.runWithCache(tokens), b = try converted.runWithCache(tokens)
        XCTAssertEqual(a.logits.toArray(), b.logits.toArray(), "mapped F16 and converted F16 agree exactly")
        // One-token steps and the accessors read the same stored halves.
        let single = try half.run([tokens[0]]), singleRef = try converted.run([tokens[0]])
        XCTAssertEqual(single.toArray(), singleRef.toArray())
        let wq = try half.W_Q(layer: 1), wqRef = try load("gpt2-tiny").W_Q(layer: 1)
        XCTAssertLessThanOrEqual(try XCTUnwrap(relativeMaxDiff(wq, wqRef)), 1e-3)
        let f32Logits = try load("gpt2-tiny").run(tokens)
        print("gpt2-tiny F16 checkpoint: logits vs F32 \(String(format: "%.2e", relativeMaxDiff(a.logits, f32Logits) ?? .nan)), \(mem)")
    }
}

extension XCTestCase {
    /// A copy of fixture `name` with its matrices stored as `element` (the position embedding, norms and
    /// biases stay F32, as conversion on load leaves them).
    func halfCopy(_ name: String, element: ArrayElement) throws -> URL {
        let src = URL(fileURLWithPath: ReferenceFixture.modelDirectory(name))
        let dir = try tempDirectory("half-\(name)")
        let st = try SafetensorsFile(path: src.appendingPathComponent("model.safetensors").path)
        var tensors: [(name: String, array: ElementArray)] = []
        for n in st.tensorNames {
            let t = try st.loadFloat32(n)
            let matrix = t.rank == 2 && !n.contains("wpe")
            tensors.append((n, ElementArray(shape: t.shape, element: matrix ? element : .float32, values: t.toArray())))
        }
        try Data(try SafetensorsWriter.encode(tensors)).write(to: dir.appendingPathComponent("model.safetensors"))
        for f in ["config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"] {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        return dir
    }

    /// A fresh directory removed when the test ends.
    func tempDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}
