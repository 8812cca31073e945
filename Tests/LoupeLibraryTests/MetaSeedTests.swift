import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary

/// Seed 003's pieces on Meta's own layout: the tiny Meta checkpoint (params.json + consolidated.00.pth)
/// beside the real Llama 3 tokenizer.model, against tools/gen_meta_fixtures.py (meta-tiny-seed.json),
/// which runs llama-models' Tokenizer, ChatFormat and Transformer.
final class MetaSeedTests: XCTestCase {
    static let reference = modelFixtures.appendingPathComponent("meta-tiny-seed.json")

    /// A temporary Meta folder: the fixture's params.json and .pth (linked, or `pth` instead) and
    /// models/llama3/tokenizer.model. Skips when the tokenizer is not fetched; fails in CI.
    static func metaFolder(_ test: XCTestCase, pth: URL? = nil) throws -> URL {
        let tokenizer = modelFixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("models/llama3/tokenizer.model")
        guard FileManager.default.fileExists(atPath: tokenizer.path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("models/llama3/tokenizer.model is missing: run scripts/fetch-llama3-tokenizer.sh")
            }
            throw XCTSkip("Meta's Llama 3 tokenizer is not fetched (scripts/fetch-llama3-tokenizer.sh)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-meta-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let fixture = modelFixtures.appendingPathComponent("meta-tiny")
        let fm = FileManager.default
        try fm.createSymbolicLink(at: dir.appendingPathComponent("params.json"), withDestinationURL: fixture.appendingPathComponent("params.json"))
        if let pth {
            try fm.moveItem(at: pth, to: dir.appendingPathComponent("consolidated.00.pth"))
        } else {
            try fm.createSymbolicLink(at: dir.appendingPathComponent("consolidated.00.pth"),
                                      withDestinationURL: fixture.appendingPathComponent("consolidated.00.pth"))
        }
        try fm.createSymbolicLink(at: dir.appendingPathComponent("tokenizer.model"), withDestinationURL: tokenizer)
        return dir
    }

    func run(_ code: String, pth: URL? = nil) throws -> Interpreter {
        let dir = try Self.metaFolder(self, pth: pth)
        let (interp, _) = try runWithFixtures("""
        model = load("\(dir.path)")
        ref = read("\(Self.reference.path)")
        system = "Cutting Knowledge Date: December 2023\\nToday Date: " + ref["date"] + "\\n\\nYou are a helpful assistant"
        prompt = model.chat_tokens([("system", system), ("user", ref["user"])])
        \(code)
        """)
        return interp
    }

    /// chat_tokens equals llama-models' ChatFormat.encode_dialog_prompt; to_tokens its Tokenizer.encode.
    func testChatAndTextIdsAreLlamaModels() throws {
        let interp = try run("""
        chats = [model.chat_tokens(d["messages"])[0].tolist() == d["ids"] for d in ref["dialogs"]]
        texts = [model.to_tokens(t["text"])[0].tolist() == t["ids"] for t in ref["texts"]]
        back = [model.to_string(model.to_tokens(t["text"])[0, 1:]) == t["text"] for t in ref["texts"]]
        """)
        XCTAssertEqual(try value(interp, "[d[\"name\"] for d in ref[\"dialogs\"]]"), "['viewer', 'user_only', 'multi_turn', 'unicode', 'tool', 'special_text']")
        XCTAssertEqual(try value(interp, "chats"), "[True, True, True, True, True, True]")
        // Recorded with llama-models' bundled tokenizer.model, the file set-up fetches.
        XCTAssertEqual(try value(interp, "ref[\"tokenizer_sha256\"]"), "82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55")
        XCTAssertEqual(try value(interp, "prompt[0].tolist() == ref[\"prompt\"] and prompt.shape == (1, 52)"), "True")
        XCTAssertEqual(try value(interp, "texts"), "[True, True, True]")
        XCTAssertEqual(try value(interp, "back"), "[True, True, True]")
        XCTAssertEqual(try value(interp, "model.to_str_tokens(\"Hello\")"), "['<|begin_of_text|>', 'Hello']")
    }

    /// attention_maps (the seed's generate_with_logit_lens) against llama-models' Transformer.
    func testAttentionMapsMatchLlamaModels() throws {
        let interp = try run("""
        maps = attention_maps(model, prompt, max_gen_len=ref["max_gen_len"], temperature=0)
        d_max = [(maps.attention(i) - tensor(m["attention_max"])).abs().max().item() for i, m in enumerate(ref["maps"])]
        labels = [maps.label_ids(i) == m["labels"] for i, m in enumerate(ref["maps"])]
        """)
        XCTAssertEqual(try value(interp, "maps.tokens.tolist() == ref[\"generated\"]"), "True")
        XCTAssertEqual(try value(interp, "maps.steps"), "3")
        let dMax = try value(interp, "max(d_max)")
        print("attention_maps vs llama-models (meta-tiny, real tokenizer): max |Δ| max-over-heads attention \(dMax)")
        XCTAssertEqual(try value(interp, "max(d_max) < 1e-4"), "True", dMax)
        XCTAssertEqual(try value(interp, "labels"), "[True, True, True]")
        XCTAssertEqual(try value(interp, "(len(maps.labels(2)), len(maps.labels(2)[0]))"), "(3, 55)")
    }

    /// Generation stops at <|eot_id|>: output.weight's <|eot_id|> row patched (as the fixture records)
    /// so that llama-models' greedy loop emits it as the third token.
    func testGenerationStopsAtEndOfTurn() throws {
        struct Patch: Decodable { var offset: Int; var old: String; var new: String; var greedy: [Int]; var greedy_stopped: [Int] }
        struct Reference: Decodable { var eot: Patch; var prompt: [Int] }
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Self.reference))
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-eot-\(UUID().uuidString.prefix(8)).pth")
        try FileManager.default.copyItem(at: modelFixtures.appendingPathComponent("meta-tiny/consolidated.00.pth"), to: copy)
        func bytes(_ hex: String) -> Data {
            Data(stride(from: 0, to: hex.count, by: 2).map { i in
                UInt8(hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 2)], radix: 16)!
            })
        }
        let handle = try FileHandle(forUpdating: copy)
        try handle.seek(toOffset: UInt64(ref.eot.offset))
        XCTAssertEqual(try handle.read(upToCount: 16), bytes(ref.eot.old), "the fixture's <|eot_id|> row is where recorded")
        try handle.seek(toOffset: UInt64(ref.eot.offset))
        try handle.write(contentsOf: bytes(ref.eot.new))
        try handle.close()
        let interp = try run("""
        stopped = model.generate(prompt, max_new_tokens=6, do_sample=False)[0, prompt.shape[1]:].tolist()
        full = model.generate(prompt, max_new_tokens=6, do_sample=False, stop_at_eos=False)[0, prompt.shape[1]:].tolist()
        text = model.generate(prompt, max_new_tokens=6, do_sample=False, return_type="str")
        """, pth: copy)
        XCTAssertEqual(try value(interp, "stopped"), "\(ref.eot.greedy_stopped)")
        XCTAssertEqual(try value(interp, "full"), "\(ref.eot.greedy)")
        XCTAssertEqual(try value(interp, "text.endswith(\"<|eot_id|>\")"), "True")
    }

    /// Llama 2's original folders carry a SentencePiece tokenizer.model (a protobuf): the error says so.
    func testSentencePieceTokenizerModelIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-meta-sp-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["params.json", "consolidated.00.pth"] {
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(name),
                                                       withDestinationURL: modelFixtures.appendingPathComponent("meta-tiny/\(name)"))
        }
        // ModelProto.pieces[0] = {piece: "<unk>", score: 0, type: UNKNOWN}, then "<s>".
        let piece: [UInt8] = [0x0A, 0x05] + Array("<unk>".utf8) + [0x15, 0, 0, 0, 0, 0x18, 0x02]
        let bos: [UInt8] = [0x0A, 0x03] + Array("<s>".utf8) + [0x15, 0, 0, 0, 0, 0x18, 0x03]
        try Data([0x0A, UInt8(piece.count)] + piece + [0x0A, UInt8(bos.count)] + bos).write(to: dir.appendingPathComponent("tokenizer.model"))
        // The weights load (Llama 2's folders ship a SentencePiece tokenizer.model); text needs a tokenizer Loupe reads.
        XCTAssertThrowsError(try runWithFixtures("m = load(\"\(dir.path)\")\nlogits = m([128000, 9906])\nm.to_tokens(\"Hello\")")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("a SentencePiece tokenizer.model, as in Llama 2's folders, is not read"), text)
        }
    }
}
