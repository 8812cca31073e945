import Foundation
import XCTest
@testable import LoupeTokenizers

/// Meta's Llama 3 tokenizer output, written by tools/gen_tiktoken_fixtures.py.
enum TiktokenFixtures {
    /// A string given in full, or as `prefix + repeat * count + suffix` (the long runs).
    enum Text: Decodable {
        case plain(String)
        case run(prefix: String, repeated: String, count: Int, suffix: String)

        var string: String {
            switch self {
            case .plain(let text): return text
            case .run(let prefix, let repeated, let count, let suffix):
                return prefix + String(repeating: repeated, count: count) + suffix
            }
        }

        init(from decoder: Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self = .plain(text)
                return
            }
            struct Run: Decodable {
                var prefix: String?, repeatText: String, count: Int, suffix: String?
                enum CodingKeys: String, CodingKey { case prefix, repeatText = "repeat", count, suffix }
            }
            let run = try Run(from: decoder)
            self = .run(prefix: run.prefix ?? "", repeated: run.repeatText, count: run.count, suffix: run.suffix ?? "")
        }
    }

    struct Entry: Decodable {
        var text: Text?
        var corpus_index: Int?
        var ids: [Int]
        var decoded: String
        var token_strings: [String]
        /// Plain tiktoken's ids where they differ from Meta's (the long runs).
        var tiktoken_ids: [Int]?

        var string: String { text?.string ?? Fixtures.corpus[corpus_index ?? 0].text }
    }

    struct Chunks: Decodable {
        var runs: [[Run]]
        var pieces: [Int]

        enum Run: Decodable {
            case text(String), count(Int)
            init(from decoder: Decoder) throws {
                let single = try decoder.singleValueContainer()
                if let count = try? single.decode(Int.self) { self = .count(count) } else { self = .text(try single.decode(String.self)) }
            }
        }

        var text: String {
            runs.map { pair -> String in
                guard pair.count == 2, case .text(let s) = pair[0], case .count(let n) = pair[1] else { return "" }
                return String(repeating: s, count: n)
            }.joined()
        }
    }

    struct Llama3: Decodable {
        var model_sha256: String
        var vocab_size: Int
        var bos_id: Int
        var eos_id: Int
        var pad_id: Int
        var stop_ids: [Int]
        var special_tokens: [String]
        var entries: [Entry]
        var chunks: [Chunks]
    }

    struct Tiny: Decodable {
        var vocab_size: Int
        var entries: [Entry]
    }

    static func load<T: Decodable>(_ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: Fixtures.url(name)))
    }

    static let llama3Model = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/llama3/tokenizer.model")

    /// Meta's tokenizer.model, fetched by set-up: a skip when it is absent, a failure when absent in CI.
    static func requireLlama3Model(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        guard FileManager.default.fileExists(atPath: llama3Model.path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("models/llama3/tokenizer.model is missing: run scripts/fetch-llama3-tokenizer.sh", file: file, line: line)
            }
            throw XCTSkip("Meta's Llama 3 tokenizer is not fetched (scripts/fetch-llama3-tokenizer.sh)")
        }
        return llama3Model
    }

    /// The Llama 3 tokenizer, built once for all tests.
    static let llama3Tokenizer: Result<Tokenizer, Error> = Result { try Tokenizer(tiktokenFile: llama3Model) }
}

/// Compares a tokenizer with the recorded ids, decoded text and token strings of every entry;
/// returns how many entries it checked.
@discardableResult
func assertMatchesMeta(_ tokenizer: Tokenizer, _ entries: [TiktokenFixtures.Entry], _ name: String,
                       file: StaticString = #filePath, line: UInt = #line) -> Int {
    var failures = 0
    for entry in entries {
        let text = entry.string
        var problems: [String] = []
        let ids = tokenizer.encode(text)
        if ids != entry.ids {
            problems.append("ids\n    swift \(ids.prefix(40))\n    meta  \(entry.ids.prefix(40))\n    swift \(tokenizer.tokenStrings(Array(ids.prefix(40))))\n    meta  \(entry.token_strings.prefix(40))")
        }
        let plain = tokenizer.encode(text, addSpecial: false)
        if plain != Array(entry.ids.dropFirst()) { problems.append("ids without BOS \(plain.prefix(40))") }
        let decoded = tokenizer.decode(entry.ids)
        if decoded != entry.decoded { problems.append("decode \(decoded.prefix(200).debugDescription) vs \(entry.decoded.prefix(200).debugDescription)") }
        if tokenizer.tokenStrings(entry.ids) != entry.token_strings {
            problems.append("token strings \(tokenizer.tokenStrings(entry.ids).prefix(40)) vs \(entry.token_strings.prefix(40))")
        }
        if !problems.isEmpty {
            failures += 1
            if failures <= 4 {
                XCTFail("\(name): \(text.prefix(80).debugDescription): " + problems.joined(separator: "\n  "), file: file, line: line)
            }
        }
    }
    if failures > 4 { XCTFail("\(name): \(failures) strings differ in all", file: file, line: line) }
    return entries.count - failures
}
