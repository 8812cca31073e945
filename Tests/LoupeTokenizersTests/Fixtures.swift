import Foundation
import XCTest
@testable import LoupeTokenizers

/// The corpus and Hugging Face's expected output, written by tools/gen_tokenizer_fixtures.py.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizers")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    struct CorpusEntry: Decodable {
        var text: String
        var bytes_hex: String?
    }

    struct Expectation: Decodable {
        var ids: [Int]
        var ids_no_special: [Int]
        var decoded: String
        var token_strings: [String]
    }

    static let corpus: [CorpusEntry] = {
        guard let data = try? Data(contentsOf: url("corpus.json")),
              let entries = try? JSONDecoder().decode([CorpusEntry].self, from: data) else { return [] }
        return entries
    }()

    static let expected: [String: [Expectation]] = {
        guard let data = try? Data(contentsOf: url("expected.json")),
              let table = try? JSONDecoder().decode([String: [Expectation]].self, from: data) else { return [:] }
        return table
    }()

    static let smolLMGGUF = directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
}

/// Compares a tokenizer with Hugging Face's output on every corpus string; reports the first few
/// differences with the text, both id lists and both token string lists.
func assertMatchesHF(_ tokenizer: Tokenizer, _ name: String, checkDecode: Bool = true,
                     file: StaticString = #filePath, line: UInt = #line) {
    guard let expectations = Fixtures.expected[name] else {
        XCTFail("no expectations for \(name) in expected.json", file: file, line: line)
        return
    }
    XCTAssertEqual(expectations.count, Fixtures.corpus.count, "corpus and expectations differ in length", file: file, line: line)
    XCTAssertGreaterThan(Fixtures.corpus.count, 50, "corpus.json missing or too small", file: file, line: line)
    var failures = 0
    for (entry, expected) in zip(Fixtures.corpus, expectations) {
        let ids = tokenizer.encode(entry.text)
        let plain = tokenizer.encode(entry.text, addSpecial: false)
        var problems: [String] = []
        if ids != expected.ids {
            problems.append("ids\n    swift \(ids)\n    hf    \(expected.ids)\n    swift \(tokenizer.tokenStrings(ids))\n    hf    \(expected.token_strings)")
        }
        if plain != expected.ids_no_special { problems.append("ids without specials \(plain) vs \(expected.ids_no_special)") }
        if checkDecode {
            let decoded = tokenizer.decode(expected.ids)
            if decoded != expected.decoded {
                problems.append("decode \(decoded.debugDescription) vs \(expected.decoded.debugDescription)")
            }
            let strings = tokenizer.tokenStrings(expected.ids)
            if strings != expected.token_strings {
                problems.append("token strings \(strings) vs \(expected.token_strings)")
            }
        }
        if !problems.isEmpty {
            failures += 1
            if failures <= 4 {
                XCTFail("\(name): \(entry.text.prefix(80).debugDescription): " + problems.joined(separator: "\n  "),
                        file: file, line: line)
            }
        }
    }
    if failures > 4 { XCTFail("\(name): \(failures) corpus strings differ in all", file: file, line: line) }
}

/// Checks the special tokens a tokenizer declares: whether it prepends BOS and the BOS, EOS and padding
/// ids (an expectation left nil is not checked).
func assertSpecialTokens(_ tokenizer: Tokenizer, addsBOS: Bool? = nil, bos: Int? = nil, eos: Int? = nil, pad: Int? = nil,
                         file: StaticString = #filePath, line: UInt = #line) {
    if let addsBOS { XCTAssertEqual(tokenizer.addBOS, addsBOS, "addBOS", file: file, line: line) }
    if let bos { XCTAssertEqual(tokenizer.bosID, bos, "bosID", file: file, line: line) }
    if let eos { XCTAssertEqual(tokenizer.eosID, eos, "eosID", file: file, line: line) }
    if let pad { XCTAssertEqual(tokenizer.padID, pad, "padID", file: file, line: line) }
}
