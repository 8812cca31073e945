import Foundation
import XCTest
@testable import LoupeTokenizers

/// Encoding speed on 1 MB of text. A benchmark, not a test: it runs only with LOUPE_BENCH=1, and its
/// numbers mean something only in a release build (`LOUPE_BENCH=1 swift test -c release --filter Benchmark`).
final class BenchmarkTests: XCTestCase {
    func testEncodeOneMegabyte() throws {
        guard ProcessInfo.processInfo.environment["LOUPE_BENCH"] == "1" else {
            throw XCTSkip("set LOUPE_BENCH=1 to run the tokenizer benchmark")
        }
        // Pseudo-English from the fixture corpus' words, shuffled deterministically so the word cache
        // sees a realistic mix of repeats and new words.
        let words = Fixtures.corpus.flatMap { $0.text.split(separator: " ").map(String.init) }
        var seed: UInt64 = 7
        var text = ""
        while text.utf8.count < 1_000_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            text += words[Int((seed >> 33) % UInt64(words.count))] + ((seed >> 20) % 13 == 0 ? ".\n" : " ")
        }
        let megabytes = Double(text.utf8.count) / 1_000_000
        var tokenizers: [(String, Tokenizer)] = []
        if FileManager.default.fileExists(atPath: Fixtures.smolLMGGUF.path) {
            tokenizers.append(("smollm2.gguf", try Tokenizer(gguf: .init(url: Fixtures.smolLMGGUF))))
        }
        for name in ["gpt2", "llama3", "qwen2", "smollm", "spm"] {
            tokenizers.append((name, try Tokenizer(tokenizerJSON: Fixtures.url("\(name).json"))))
        }
        for (name, tokenizer) in tokenizers {
            let start = Date()
            let ids = tokenizer.encode(text)
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "%@: %.2f MB -> %d ids in %.3f s (%.1f MB/s)", name, megabytes, ids.count, seconds,
                         megabytes / seconds))
            XCTAssertFalse(ids.isEmpty)
        }
    }
}
