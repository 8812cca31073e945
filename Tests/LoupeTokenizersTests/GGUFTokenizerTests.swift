import Foundation
import LoupeFormats
import XCTest
@testable import LoupeTokenizers

final class GGUFTokenizerTests: XCTestCase {
    func load(_ name: String) throws -> Tokenizer {
        try Tokenizer(gguf: GGUFFile(url: Fixtures.url("\(name).gguf")))
    }

    func testByteLevelGGUF() throws {
        let tokenizer = try load("tiny_gpt2")
        assertMatchesHF(tokenizer, "tiny_gpt2_gguf")
        assertSpecialTokens(tokenizer, addsBOS: false, bos: 1, eos: 2, pad: 0)
    }

    func testLlama3PreGGUFWithBOS() throws {
        let tokenizer = try load("tiny_llama3")
        assertMatchesHF(tokenizer, "tiny_llama3_gguf")
        XCTAssertTrue(tokenizer.addBOS)
    }

    func testQwen2PreGGUF() throws { assertMatchesHF(try load("tiny_qwen2"), "tiny_qwen2_gguf") }

    func testSentencePieceGGUFMergesFromScores() throws {
        let tokenizer = try load("tiny_spm")
        assertMatchesHF(tokenizer, "tiny_spm_gguf")
        XCTAssertTrue(tokenizer.addBOS)
    }

    /// The default model's tokenizer, as transformers builds it from the same GGUF.
    func testSmolLM2() throws {
        guard FileManager.default.fileExists(atPath: Fixtures.smolLMGGUF.path) else {
            XCTFail("default model missing at \(Fixtures.smolLMGGUF.path): run `make setup` first")
            return
        }
        let tokenizer = try Tokenizer(gguf: GGUFFile(url: Fixtures.smolLMGGUF))
        assertMatchesHF(tokenizer, "smollm2_gguf")
        XCTAssertEqual(tokenizer.vocabSize, 49152)
        assertSpecialTokens(tokenizer, addsBOS: false, bos: 1, eos: 2)
        XCTAssertEqual(tokenizer.encode("Hello world, don't 12345 <|im_start|>hi"),
                       [19556, 905, 28, 1326, 982, 216, 33, 34, 35, 36, 37, 216, 1, 6004])
        XCTAssertEqual(tokenizer.tokenStrings([19556, 905]), ["Hello", " world"])
    }
}

final class ModelLocationTests: XCTestCase {
    func testFolderWithTokenizerJSONAndConfig() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-loc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: Fixtures.url("spm.json"), to: directory.appendingPathComponent("tokenizer.json"))
        try Data(#"{"bos_token": "<s>", "eos_token": {"content": "</s>"}, "pad_token": "<unk>"}"#.utf8)
            .write(to: directory.appendingPathComponent("tokenizer_config.json"))
        let tokenizer = try Tokenizer(location: ModelLocation(huggingface: directory))
        assertSpecialTokens(tokenizer, bos: 1, eos: 2, pad: 0)
        XCTAssertEqual(tokenizer.encode("Hello world"), Fixtures.expected["spm"]?.first?.ids)

        try FileManager.default.removeItem(at: directory.appendingPathComponent("tokenizer.json"))
        XCTAssertThrowsError(try Tokenizer(location: ModelLocation(huggingface: directory))) { error in
            XCTAssertTrue(String(describing: error).contains("no tokenizer"), "\(error)")
        }
    }

    func testGGUFLocation() throws {
        let tokenizer = try Tokenizer(location: ModelLocation(gguf: Fixtures.url("tiny_gpt2.gguf")))
        XCTAssertEqual(tokenizer.encode("Hello world"), Fixtures.expected["tiny_gpt2_gguf"]?.first?.ids)
    }
}
