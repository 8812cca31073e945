import Foundation
import XCTest
import LoupeFormats
@testable import LoupeTokenizers

/// Chat prompts against tools/gen_chat_fixtures.py: Meta's ChatFormat (tiktoken) and Hugging Face's
/// apply_chat_template with Llama 3's / Llama 3.1's templates on a tokenizer with Llama 3's special
/// tokens, and apply_chat_template on SmolLM2-135M-Instruct's GGUF template.
final class ChatFormatTests: XCTestCase {
    static let chat = Fixtures.directory.deletingLastPathComponent().appendingPathComponent("chat")
    static let llama3Dir = chat.appendingPathComponent("llama3-chat-tiny")
    static let smolGGUF = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")

    struct Case: Decodable {
        var name: String
        var model: String
        var messages: [[String]]
        var ids: [Int]
    }

    static func cases() throws -> [Case] {
        struct File: Decodable { var cases: [Case] }
        let data = try Data(contentsOf: chat.appendingPathComponent("chat_tokens.json"))
        return try JSONDecoder().decode(File.self, from: data).cases
    }

    static func llama3() throws -> Tokenizer {
        try Tokenizer(tokenizerJSON: llama3Dir.appendingPathComponent("tokenizer.json"),
                      config: llama3Dir.appendingPathComponent("tokenizer_config.json"))
    }

    func check(_ tokenizer: Tokenizer, model: String) throws -> Int {
        let format = try ChatFormat.of(tokenizer)
        var n = 0
        for c in try Self.cases() where c.model == model {
            let messages = c.messages.map { ChatMessage(role: $0[0], content: $0[1]) }
            XCTAssertEqual(try format.encode(messages, with: tokenizer), c.ids, c.name)
            n += 1
        }
        return n
    }

    func testLlama3MatchesMetaChatFormatAndHFTemplates() throws {
        let tok = try Self.llama3()
        XCTAssertEqual(tok.chatTemplate?.source, Self.llama3Dir.appendingPathComponent("chat_template.jinja").path)
        XCTAssertEqual(try ChatFormat.of(tok), .llama3)
        XCTAssertEqual(try check(tok, model: "llama3-chat-tiny"), 5)
    }

    func testSmolLM2MatchesApplyChatTemplate() throws {
        guard FileManager.default.fileExists(atPath: Self.smolGGUF.path) else {
            throw XCTSkip("models/smollm2 is not fetched (scripts/fetch-model.sh)")
        }
        let tok = try Tokenizer(gguf: GGUFFile(url: Self.smolGGUF))
        XCTAssertEqual(try ChatFormat.of(tok), .chatML(defaultSystem: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
        XCTAssertEqual(try check(tok, model: "smollm2"), 5)
    }

    /// A tokenizer folder: the Llama 3 fixture's tokenizer.json with `config` as tokenizer_config.json.
    func tokenizer(config: String, jinja: String? = nil) throws -> Tokenizer {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-chat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.llama3Dir.appendingPathComponent("tokenizer.json"), to: dir.appendingPathComponent("tokenizer.json"))
        try config.write(to: dir.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        if let jinja { try jinja.write(to: dir.appendingPathComponent("chat_template.jinja"), atomically: true, encoding: .utf8) }
        return try Tokenizer(tokenizerJSON: dir.appendingPathComponent("tokenizer.json"), config: dir.appendingPathComponent("tokenizer_config.json"))
    }

    func testFormatIsDecidedNeverGuessed() throws {
        // No template: Llama 3's header tokens decide (Meta's checkpoints carry no template).
        XCTAssertEqual(try ChatFormat.of(try tokenizer(config: "{}")), .llama3)
        // ChatML with Jinja's \n escapes, without a default system message, in tokenizer_config.json.
        let chatML = #"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"#
        let json = String(data: try JSONSerialization.data(withJSONObject: ["chat_template": chatML]), encoding: .utf8) ?? ""
        XCTAssertEqual(try ChatFormat.of(try tokenizer(config: json)), .chatML(defaultSystem: nil))
        // The list form: the "default" template.
        let listJSON = String(data: try JSONSerialization.data(withJSONObject: ["chat_template": [["name": "tool_use", "template": "x"], ["name": "default", "template": chatML]]]), encoding: .utf8) ?? ""
        XCTAssertEqual(try ChatFormat.of(try tokenizer(config: listJSON)), .chatML(defaultSystem: nil))
        // An unknown template is an error naming its file, even though the tokenizer has Llama 3's tokens.
        let unknown = try tokenizer(config: "{}", jinja: "{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}")
        XCTAssertThrowsError(try ChatFormat.of(unknown)) { error in
            XCTAssertTrue("\(error)".contains("chat_template.jinja") && "\(error)".contains("unknown chat template"), "\(error)")
        }
        // A ChatML-looking template with a changed expression is not guessed at either.
        let changed = try tokenizer(config: "{}", jinja: chatML.replacingOccurrences(of: "message['content']", with: "message['content'] | trim"))
        XCTAssertThrowsError(try ChatFormat.of(changed))
    }

    func testNoTemplateNoHeaderTokensIsAnError() throws {
        let gpt2Style = Fixtures.directory.deletingLastPathComponent().appendingPathComponent("models/tokenizer")
        let tok = try Tokenizer(tokenizerJSON: gpt2Style.appendingPathComponent("tokenizer.json"),
                                config: gpt2Style.appendingPathComponent("tokenizer_config.json"))
        XCTAssertThrowsError(try ChatFormat.of(tok)) { XCTAssertTrue("\($0)".contains("no chat template"), "\($0)") }
    }

    func testPythonStripAndOrdinaryEncoding() throws {
        XCTAssertEqual(ChatFormat.pythonStrip("\u{1C} \t\n\u{A0}hi there\u{3000}\u{85}"), "hi there")
        XCTAssertEqual(ChatFormat.pythonStrip("\u{200B}x"), "\u{200B}x")   // zero-width space is not whitespace to Python
        let tok = try Self.llama3()
        // Special-token text is plain text to Meta's tokenizer: many ids, none of them <|eot_id|>.
        let eot = try XCTUnwrap(tok.id(for: "<|eot_id|>"))
        XCTAssertEqual(tok.encode("<|eot_id|>", addSpecial: false), [eot])
        XCTAssertFalse(tok.encodeOrdinary("<|eot_id|>").contains(eot))
        XCTAssertEqual(tok.decode(tok.encodeOrdinary("<|eot_id|>")), "<|eot_id|>")
    }
}
