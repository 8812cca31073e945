import Foundation
import XCTest
@testable import LoupeTokenizers

/// Meta's Llama 3 tokenizer.model (fetched by set-up) against `llama_models.llama3.tokenizer.Tokenizer`
/// and plain tiktoken (tiktoken_llama3.json).
final class TiktokenLlama3Tests: XCTestCase {
    func tokenizer() throws -> Tokenizer {
        _ = try TiktokenFixtures.requireLlama3Model()
        return try TiktokenFixtures.llama3Tokenizer.get()
    }

    func testFileIsTheFixturesFile() throws {
        let url = try TiktokenFixtures.requireLlama3Model()
        let fixture: TiktokenFixtures.Llama3 = try TiktokenFixtures.load("tiktoken_llama3.json")
        // The fixture was made from this exact file (scripts/fetch-llama3-tokenizer.sh checks the same hash).
        XCTAssertEqual(fixture.model_sha256, "82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55")
        XCTAssertTrue(Tokenizer.isTiktokenFile(url))
    }

    func testIdsMatchMetaAndTiktoken() throws {
        let tokenizer = try tokenizer()
        let fixture: TiktokenFixtures.Llama3 = try TiktokenFixtures.load("tiktoken_llama3.json")
        XCTAssertGreaterThanOrEqual(fixture.entries.count, 250)
        let matched = assertMatchesMeta(tokenizer, fixture.entries, "llama3")
        print("llama3 tiktoken: \(matched)/\(fixture.entries.count) strings give Meta's ids, decoded text and token strings")
        // Meta cuts whitespace runs longer than 25,000 before tiktoken sees them; Loupe follows Meta.
        let longRuns = fixture.entries.filter { $0.tiktoken_ids != nil }
        XCTAssertEqual(longRuns.count, 2)
        for entry in longRuns { XCTAssertNotEqual(tokenizer.encode(entry.string, addSpecial: false), entry.tiktoken_ids) }
    }

    func testSpecialTokensAreMetas() throws {
        let tokenizer = try tokenizer()
        let fixture: TiktokenFixtures.Llama3 = try TiktokenFixtures.load("tiktoken_llama3.json")
        XCTAssertEqual(tokenizer.vocabSize, fixture.vocab_size)
        XCTAssertEqual(tokenizer.vocabSize, 128_256)
        assertSpecialTokens(tokenizer, addsBOS: true, bos: fixture.bos_id, eos: fixture.eos_id, pad: fixture.pad_id)
        XCTAssertEqual(tokenizer.bosID, 128_000)
        XCTAssertEqual(tokenizer.stopIDs, fixture.stop_ids)
        XCTAssertEqual(fixture.special_tokens.count, 256)
        for (offset, name) in fixture.special_tokens.enumerated() {
            XCTAssertEqual(tokenizer.id(for: name), 128_000 + offset, name)
            XCTAssertEqual(tokenizer.token(for: 128_000 + offset), name)
            XCTAssertTrue(tokenizer.isSpecial(128_000 + offset), name)
        }
        XCTAssertFalse(tokenizer.isSpecial(127_999))
        XCTAssertEqual(tokenizer.decode(tokenizer.encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"),
                                        skipSpecial: true), "user\n\nHi")
    }

    /// Every string of the fixture comes back from its ids, byte for byte.
    func testDecodeRoundTrips() throws {
        let tokenizer = try tokenizer()
        let fixture: TiktokenFixtures.Llama3 = try TiktokenFixtures.load("tiktoken_llama3.json")
        for entry in fixture.entries {
            let text = entry.string
            let back = tokenizer.decode(tokenizer.encode(text, addSpecial: false))
            XCTAssertTrue(back.utf8.elementsEqual(text.utf8), text.prefix(60).debugDescription)
        }
    }

    /// 100 KB: pseudo-random words (few repeats, so the word cache rarely helps), the fixture's strings
    /// and a 20 KB word of letters (one long BPE merge), well under a second.
    func testEncodesOneHundredKilobytesQuickly() throws {
        let tokenizer = try tokenizer()
        let fixture: TiktokenFixtures.Llama3 = try TiktokenFixtures.load("tiktoken_llama3.json")
        let texts = fixture.entries.filter { $0.tiktoken_ids == nil }.map(\.string)
        let letters = Array("etaoinshrdlucmfwypvbgkjqxzéüß中文日本").map(String.init)
        var seed: UInt64 = 11
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        var text = String(repeating: "Llama", count: 4_000)
        var k = 0
        while text.utf8.count < 100_000 {
            if k % 10 == 0 { text += texts[k % texts.count] }
            text += " " + (0..<(1 + next(9))).map { _ in letters[next(letters.count)] }.joined()
            if next(7) == 0 { text += String(next(100_000)) + ".\n" }
            k += 1
        }
        let start = Date()
        let ids = tokenizer.encode(text)
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "llama3 tiktoken: %d bytes -> %d ids in %.3f s", text.utf8.count, ids.count, seconds))
        XCTAssertLessThan(seconds, 1)  // LoupeTokenizers is optimised in debug builds too
        XCTAssertTrue(tokenizer.decode(Array(ids.dropFirst())).utf8.elementsEqual(text.utf8))
    }
}
