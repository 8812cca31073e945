import Foundation
import XCTest
@testable import LoupeTokenizers

final class TokenizerJSONTests: XCTestCase {
    func load(_ name: String) throws -> Tokenizer {
        try Tokenizer(tokenizerJSON: Fixtures.url("\(name).json"))
    }

    func testGPT2ByteLevel() throws { assertMatchesHF(try load("gpt2"), "gpt2") }
    func testGPT2PrefixSpaceAndStringMerges() throws { assertMatchesHF(try load("gpt2_prefix"), "gpt2_prefix") }
    func testLlama3SplitRegexAndTemplate() throws {
        let tokenizer = try load("llama3")
        assertMatchesHF(tokenizer, "llama3")
        XCTAssertTrue(tokenizer.addBOS)
        XCTAssertEqual(tokenizer.bosID, tokenizer.id(for: "<|im_start|>"))
    }
    func testQwen2SplitRegexAndNFC() throws { assertMatchesHF(try load("qwen2"), "qwen2") }
    func testSmolLMDigits() throws { assertMatchesHF(try load("smollm"), "smollm") }
    func testSentencePieceNormalizer() throws {
        let tokenizer = try load("spm")
        assertMatchesHF(tokenizer, "spm")
        assertSpecialTokens(tokenizer, addsBOS: true, bos: 1, eos: 2)
    }
    func testSentencePieceMetaspace() throws { assertMatchesHF(try load("spm_metaspace"), "spm_metaspace") }
    func testSentencePieceMetaspaceSplit() throws {
        assertMatchesHF(try load("spm_metaspace_split"), "spm_metaspace_split")
    }
    func testContiguousDigits() throws { assertMatchesHF(try load("digits_contiguous"), "digits_contiguous") }

    func testVocabAndMergesFiles() throws {
        let tokenizer = try Tokenizer(vocab: Fixtures.url("gpt2_vocab.json"), merges: Fixtures.url("gpt2_merges.txt"))
        assertMatchesHF(tokenizer, "gpt2_files")
        XCTAssertFalse(tokenizer.addBOS)
    }

    /// Python decodes the invalid bytes with errors="replace"; Swift's lossy decoding must agree, so a
    /// user's invalid bytes reach the tokenizer as the same text.
    func testInvalidUTF8DecodesLikePython() {
        var checked = 0
        for entry in Fixtures.corpus {
            guard let hex = entry.bytes_hex else { continue }
            var bytes: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
                index = next
            }
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), entry.text)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 5)
    }

    func testVocabularyAccessors() throws {
        let tokenizer = try load("gpt2")
        // HF's get_vocab_size(with_added_tokens=True): model vocabulary and added tokens, ids 0..<n.
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("gpt2.json"))) as? [String: Any])
        let modelIDs = ((root["model"] as? [String: Any])?["vocab"] as? [String: Int] ?? [:]).values
        let addedIDs = (root["added_tokens"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        XCTAssertEqual(tokenizer.vocabSize, Set(modelIDs).union(addedIDs).count)
        let id = try XCTUnwrap(tokenizer.id(for: "<|im_start|>"))
        XCTAssertEqual(tokenizer.token(for: id), "<|im_start|>")
        XCTAssertTrue(tokenizer.isSpecial(id))
        XCTAssertNil(tokenizer.token(for: -1))
        XCTAssertNil(tokenizer.token(for: 1_000_000))
        XCTAssertEqual(tokenizer.decode(tokenizer.encode("Hello <|im_start|> world"), skipSpecial: true), "Hello  world")
    }

    func testRoundTripOnValidText() throws {
        for name in ["gpt2", "llama3", "qwen2", "smollm"] {
            let tokenizer = try load(name)
            // [MASK] and <sep> strip whitespace around them, so that text does not come back.
            for entry in Fixtures.corpus where entry.bytes_hex == nil && !entry.text.contains("[MASK]")
                && !entry.text.contains("<sep>") {
                let text = name == "qwen2" ? entry.text.precomposedStringWithCanonicalMapping : entry.text
                XCTAssertEqual(tokenizer.decode(tokenizer.encode(text, addSpecial: false)), text, "\(name)")
            }
        }
    }

    /// "é" and "e\u{301}" are equal Swift Strings but different tokens; both must keep their ids.
    func testCanonicallyEquivalentTokensStayApart() throws {
        let json = #"""
        {"model": {"type": "BPE", "vocab": {"c": 0, "a": 1, "f": 2, "\u00e9": 3, "e": 4, "\u0301": 5, "e\u0301": 6,
         "\ud83d\ude00": 7}, "merges": [["e", "\u0301"]]}, "pre_tokenizer": null, "decoder": null}
        """#
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-exact-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let tokenizer = try Tokenizer(tokenizerJSON: url)
        XCTAssertEqual(tokenizer.encode("caf\u{e9} cafe\u{301}".replacingOccurrences(of: " ", with: "")), [0, 1, 2, 3, 0, 1, 2, 6])
        XCTAssertEqual(tokenizer.id(for: "\u{e9}"), 3)
        XCTAssertEqual(tokenizer.id(for: "e\u{301}"), 6)
        XCTAssertEqual(tokenizer.id(for: "😀"), 7)
        XCTAssertEqual(tokenizer.vocabSize, 8)
    }
}
