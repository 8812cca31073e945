import Foundation
import LoupeFormats
import XCTest
@testable import LoupeTokenizers

/// Broken or unsupported files give one error naming the file, where, and what is wrong.
final class ErrorTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// gpt2.json with one edit applied, written to a temporary file.
    func variant(_ edit: (inout [String: Any]) -> Void) throws -> URL {
        let data = try Data(contentsOf: Fixtures.url("gpt2.json"))
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&object)
        let url = directory.appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return url
    }

    func assertError(_ url: URL, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Tokenizer(tokenizerJSON: url), file: file, line: line) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains(url.path), "no file name in: \(text)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(text.contains(fragment), "\(fragment.debugDescription) missing in: \(text)", file: file, line: line)
            }
        }
    }

    func testUnknownModelType() throws {
        assertError(try variant { root in
            var model = root["model"] as! [String: Any]
            model["type"] = "WordPiece"
            root["model"] = model
        }, ["model.type", "WordPiece"])
    }

    func testUnknownRegex() throws {
        assertError(try variant { root in
            root["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "\\w+"], "behavior": "Isolated", "invert": false]
        }, ["pre_tokenizer.pattern", "\\\\w+"])
    }

    func testUnknownPreTokenizerInSequence() throws {
        assertError(try variant { root in
            root["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [["type": "Whitespace"]]]
        }, ["pre_tokenizer.pretokenizers[0]", "Whitespace"])
    }

    func testMergeOutsideVocabulary() throws {
        assertError(try variant { root in
            var model = root["model"] as! [String: Any]
            model["merges"] = [["a", "nonexistent-token"]]
            root["model"] = model
        }, ["model.merges[0]", "nonexistent-token"])
    }

    func testMalformedMergeString() throws {
        assertError(try variant { root in
            var model = root["model"] as! [String: Any]
            model["merges"] = ["a b c"]
            root["model"] = model
        }, ["model.merges[0]", "a b c"])
    }

    func testNegativeVocabularyID() throws {
        assertError(try variant { root in
            var model = root["model"] as! [String: Any]
            var vocab = model["vocab"] as! [String: Any]
            vocab["a"] = -3
            model["vocab"] = vocab
            root["model"] = model
        }, ["model.vocab", "-3"])
    }

    func testNotJSONAndMissingFile() throws {
        let url = directory.appendingPathComponent("tokenizer.json")
        try Data("{\"model\": ".utf8).write(to: url)
        assertError(url, ["not valid JSON"])
        assertError(directory.appendingPathComponent("absent.json"), ["cannot read"])
    }

    func testBadMergesTxtLine() throws {
        let merges = directory.appendingPathComponent("merges.txt")
        try Data("#version: 0.2\na b\nc\n".utf8).write(to: merges)
        XCTAssertThrowsError(try Tokenizer(vocab: Fixtures.url("gpt2_vocab.json"), merges: merges)) { error in
            XCTAssertTrue(String(describing: error).contains("line 3"), "\(error)")
        }
    }

    func testBrokenGGUFs() throws {
        let cases: [(String, [String])] = [
            ("bad_no_model", ["tokenizer.ggml.model", "missing"]),
            ("bad_bos_id", ["tokenizer.ggml.bos_token_id", "99"]),
            ("bad_token_types", ["tokenizer.ggml.token_type", "4"]),
            ("bad_merge", ["model.merges[0]", "a c"]),
            ("bad_model", ["tokenizer.ggml.model", "bert"]),
        ]
        for (name, fragments) in cases {
            let url = Fixtures.url("\(name).gguf")
            XCTAssertThrowsError(try Tokenizer(gguf: GGUFFile(url: url)), name) { error in
                let text = String(describing: error)
                XCTAssertTrue(text.contains(url.path), "no file name in: \(text)")
                for fragment in fragments { XCTAssertTrue(text.contains(fragment), "\(fragment) missing in: \(text)") }
            }
        }
    }
}
