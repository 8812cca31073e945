import Foundation
import XCTest
import LoupeReport
import LoupeInterpreter
import LoupeLibrary
import LoupeNotebook
import LoupeScript

/// Every script in notebooks/ runs end to end on the embedded default model (with smaller parameters
/// than `make demo` uses) and shows every figure, view and table its seed notebook had.
final class SeedNotebookTests: XCTestCase {
    struct Counts: Equatable, CustomStringConvertible {
        var figures = 0, views = 0, tables = 0
        var description: String { "\(figures) figures, \(views) views, \(tables) tables" }
    }

    private func defaultModel() throws -> String {
        let path = Fixtures.packageRoot.appendingPathComponent("models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf").path
        guard FileManager.default.fileExists(atPath: path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("the default model is missing: run scripts/fetch-model.sh") }
            throw XCTSkip("the default model is not fetched (scripts/fetch-model.sh)")
        }
        return path
    }

    /// Runs notebooks/NAME.loupe in-process; returns what it showed and its output folder.
    private func run(_ name: String, _ parameters: [String], passModel: Bool = true) throws -> (Counts, String, URL) {
        let model = try defaultModel()
        // Short model names ("smollm2") resolve under models/ from the working directory.
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(Fixtures.packageRoot.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let path = Fixtures.packageRoot.appendingPathComponent("notebooks/\(name).loupe")
        let text = try String(contentsOf: path, encoding: .utf8)
        let out = try Fixtures.temporaryDirectory("seed-\(name)")
        let options = NotebookRunOptions(
            parameters: try ((passModel ? ["model_name=\(model)"] : []) + parameters).map { try NotebookParameter(assignment: $0) },
            outputDirectory: out)
        let result = NotebookRunner(document: NotebookDocument(percent: text, path: path.path), options: options).run(onEvent: { _ in })
        var counts = Counts()
        var printed = ""
        for cell in result.report.cells {
            for output in cell.outputs {
                switch output {
                case .figure: counts.figures += 1
                case .view: counts.views += 1
                case .table: counts.tables += 1
                case .stream(let s): printed += s
                case .error(let message, let detail): XCTFail("\(name): \(message)\n\(detail)")
                default: break
                }
            }
        }
        XCTAssertTrue(result.succeeded, "\(name): failed cells \(result.failedCells)")
        return (counts, printed, out)
    }

    private func files(_ dir: URL, _ sub: String = "") -> [String] {
        let url = sub.isEmpty ? dir : dir.appendingPathComponent(sub)
        return ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    /// Seed 000: step log, 6 layers' attention views for each of 2 questions, the layers × steps grid each.
    func testAttentionWhenGenerating() throws {
        let (counts, printed, out) = try run("attention_when_generating", ["max_new_tokens=2", "results_dir=results"])
        XCTAssertEqual(counts, Counts(figures: 2, views: 12, tables: 0))
        XCTAssertTrue(printed.contains("step = 1\ntoken: '"), printed)
        XCTAssertEqual(printed.components(separatedBy: "full text: ").count, 3, printed)
        let saved = files(out, "results")
        XCTAssertEqual(saved.filter { $0.hasSuffix("_attention.html") }.count, 2 * 2 * 6, "\(saved)")
        XCTAssertEqual(saved.filter { $0.hasSuffix("_token_generation.svg") }, ["cat_token_generation.svg", "dog_token_generation.svg"])
    }

    /// Seed 000 as its author ran it: a LLaVA model and a folder of photos (the tiny LLaVA, the first
    /// photo asked about a cat and a dog); each sample shows its picture and generates the tokens
    /// transformers generates (tools/gen_llava_fixtures.py --photos).
    func testAttentionWhenGeneratingOnLLaVAWithPhotos() throws {
        let photos = Fixtures.packageRoot.appendingPathComponent("models/photos")
        guard FileManager.default.fileExists(atPath: photos.appendingPathComponent("astronaut.png").path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("models/photos is missing: run scripts/fetch-photos.sh") }
            throw XCTSkip("the photos are not fetched (scripts/fetch-photos.sh)")
        }
        let llava = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/models/llava-tiny").path
        let (counts, printed, out) = try run("attention_when_generating", ["model_name=\(llava)", "images=photos/", "max_new_tokens=4",
                                                                           "results_dir=results"], passModel: false)
        // per sample: the picture and the layers × steps grid; the last step's view of layer 1
        XCTAssertEqual(counts, Counts(figures: 4, views: 2, tables: 0))
        XCTAssertTrue(printed.contains("model: <Model llava-tiny: llava, 2 layers"), printed)
        XCTAssertTrue(printed.contains("image_00_cat: What colour is the cat?  (photos/astronaut.png, 512×512)"), printed)
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.packageRoot
            .appendingPathComponent("Tests/Fixtures/models/llava-tiny-photos.json"))) as? [String: Any]
        let meta = try XCTUnwrap(reference?["meta"] as? [String: Any])
        for choice in ["cat", "dog"] {
            let greedy = try XCTUnwrap(meta["astronaut.png/\(choice)_greedy"] as? [NSNumber]).map(\.intValue)
            let section = try XCTUnwrap(printed.components(separatedBy: "full text: ").dropLast().dropFirst(choice == "cat" ? 0 : 1).first)
            let ids = section.components(separatedBy: "(id: ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
            XCTAssertEqual(ids, greedy, "\(choice): the notebook's greedy tokens are transformers'")
        }
        let saved = files(out, "results")
        XCTAssertEqual(saved.filter { $0.hasSuffix("_attention.html") }.count, 2 * 4, "\(saved)")
        XCTAssertEqual(saved.filter { $0.hasSuffix("_token_generation.svg") },
                       ["image_00_cat_token_generation.svg", "image_00_dog_token_generation.svg"])
    }

    /// Seed 001: its eight matplotlib figures (histograms, heatmaps with colour bars, variances, QKᵀ image
    /// and scatter, distributions on a log axis, twin-axis mean/std, log-softmax, ablation).
    func testAttentionBreakdown() throws {
        let (counts, _, _) = try run("attention_breakdown", ["txt=\"Be who you are and say what you feel\""])
        XCTAssertEqual(counts.figures, 8, "\(counts)")
    }

    /// Seed 002: ten figure sections (figure(plot, title=, description=, footer=) shows as a section) and five tables (two datasets, token frequencies, shared tokens,
    /// value-token frequencies of the random dataset), and the CSV files.
    func testAttentionTokens() throws {
        let (counts, _, out) = try run("attention_tokens", ["n_prompts=2", "n_tokens=5", "example_prompts=1", "example_tokens=5",
                                                            "tsne_iterations=250"])
        XCTAssertEqual(counts, Counts(figures: 0, views: 10, tables: 5))
        XCTAssertEqual(files(out).filter { $0.hasSuffix(".csv") }, ["2x5_attn.csv", "example_attn.csv"])
    }

    /// Seed 003: maps of every token fed back (max over heads), in windows of 32 key positions moving by
    /// 5 as attn_{i}_{j}.svg; the report shows the last window of the first `show` maps. On the default
    /// model (ChatML), the Llama 3.1-style chat fixture (Llama 3's format) and a base model (chat=False).
    func testAttentionMaps() throws {
        let (counts, printed, out) = try run("attention_maps", ["max_gen_len=3", "date=\"Jul 26 2024\"", "output_dir=maps"])
        XCTAssertEqual(counts.figures, 2, "\(counts)")
        XCTAssertTrue(printed.contains("57 prompt tokens: <|im_start|>system\nCutting Knowledge Date: December 2023\nToday Date: Jul 26 2024\n"), printed)
        XCTAssertTrue(printed.contains("2 maps, 14 files in maps/"), printed)
        // 58 and 59 positions: windows start 0, 5, …, 25 and 26 (map 0), 0, …, 25, 27 (map 1).
        let saved = files(out, "maps")
        XCTAssertEqual(saved.filter { $0.hasPrefix("attn_0_") }.count, 7, "\(saved)")
        XCTAssertTrue(saved.contains("attn_0_6.svg") && saved.contains("attn_1_6.svg"), "\(saved)")
        XCTAssertTrue(printed.contains("attn_0_6: positions 26–57"), printed)
    }

    func testAttentionMapsOnLlama3Fixtures() throws {
        let chat = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/chat/llama3-chat-tiny").path
        let (counts, printed, out) = try run("attention_maps", ["model_name=\(chat)", "max_gen_len=4", "temperature=0",
                                                                "date=\"Jul 26 2024\"", "output_dir=maps"], passModel: false)
        XCTAssertEqual(counts.figures, 3, "\(counts)")
        XCTAssertTrue(printed.contains("66 prompt tokens: <|begin_of_text|><|start_header_id|>system<|end_header_id|>"), printed)
        XCTAssertTrue(printed.contains("3 maps, 26 files in maps/"), printed)
        XCTAssertTrue(files(out, "maps").contains("attn_2_7.svg"))
        let base = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/models/llama3-tiny").path
        let (baseCounts, basePrinted, _) = try run("attention_maps", ["model_name=\(base)", "max_gen_len=3", "chat=False",
                                                                      "output_dir=maps"], passModel: false)
        XCTAssertEqual(baseCounts.figures, 2, "\(baseCounts)")
        XCTAssertTrue(basePrinted.contains("2 maps, 6 files in maps/"), basePrinted)   // 41 and 42 positions: 3 windows each
    }

    /// Seed 003 as its CLI runs it, on Meta's own files (params.json + consolidated.00.pth + the real
    /// tokenizer.model): prompt, files, and the printed labels against llama-models (meta-tiny-seed.json).
    func testAttentionMapsOnMetaCheckpoint() throws {
        let dir = try MetaFolderTests.metaFolder(self)
        let ref = try MetaFolderTests.SeedReference.load()
        let (counts, printed, out) = try run("attention_maps", ["model_name=\(dir.path)", "max_gen_len=4", "temperature=0",
                                                                "date=\"Jul 26 2024\"", "output_dir=maps"], passModel: false)
        XCTAssertEqual(counts.figures, 3, "\(counts)")
        // Labels here are plain (no quote, backslash or newline), so Python's repr is '…'.
        func repr(_ id: Int) -> String {
            let s = ref.text(id)
            XCTAssertFalse(s.contains("'") || s.contains("\\") || s.contains("\n"), s)
            return "'\(s)'"
        }
        XCTAssertTrue(printed.contains("\(ref.prompt.count) prompt tokens: " + ref.prompt.map(ref.text).joined() + "\n"), printed)
        XCTAssertTrue(printed.contains(ref.generated.map(ref.text).joined() + "\n\(ref.maps.count) maps, "), printed)
        // Windows of 32 positions moving by 5, the last ending at the map's last position.
        var names: [String] = []
        for (i, map) in ref.maps.enumerated() {
            let n = map.labels[0].count
            let starts = Array(stride(from: 0, to: n - 32, by: 5)) + [n - 32]
            names += starts.indices.map { "attn_\(i)_\($0).svg" }
            let line = "attn_\(i)_\(starts.count - 1): positions \(n - 32)–\(n - 1); decoding after \(repr(map.labels[0][n - 1])), "
                + "predicting \(repr(map.labels[map.labels.count - 1][n - 1]))"
            XCTAssertTrue(printed.contains(line), "\(line)\n\(printed)")
        }
        XCTAssertEqual(files(out, "maps"), names.sorted())
        XCTAssertTrue(printed.contains("\(ref.maps.count) maps, \(names.count) files in maps/"), printed)
        // The last map: where each layer attends most, and the lens there.
        let last = ref.maps[ref.maps.count - 1]
        for (layer, row) in last.attention_max.enumerated() {
            let key = row.indices.max { row[$0] < row[$1] }!
            let line = "layer \(layer): position \(key) \(repr(last.labels[0][key])) (\(String(format: "%.2f", row[key]))), "
                + "lens there \(repr(last.labels[layer + 1][key]))"
            XCTAssertTrue(printed.contains(line), "\(line)\n\(printed)")
        }
    }

    /// The tour of every plot, view and report feature (it loads the default model by its short name).
    func testTour() throws {
        let (counts, _, _) = try run("tour", ["quick=True"], passModel: false)
        XCTAssertGreaterThanOrEqual(counts.figures, 9, "\(counts)")
        XCTAssertGreaterThanOrEqual(counts.views, 5, "\(counts)")
        XCTAssertGreaterThanOrEqual(counts.tables, 2, "\(counts)")
    }
}
