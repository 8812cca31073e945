import Foundation
import XCTest
@testable import LoupeTokenizers

/// tiktoken files without the download: a tiny vocabulary against Meta's Tokenizer built from it
/// (tiktoken_tiny.*), Meta's text pieces, and broken files.
final class TiktokenFileTests: XCTestCase {
    func testTinyVocabularyMatchesMeta() throws {
        let tokenizer = try Tokenizer(tiktokenFile: Fixtures.url("tiktoken_tiny.model"))
        let fixture: TiktokenFixtures.Tiny = try TiktokenFixtures.load("tiktoken_tiny.json")
        XCTAssertEqual(tokenizer.vocabSize, fixture.vocab_size)
        XCTAssertEqual(assertMatchesMeta(tokenizer, fixture.entries, "tiny"), fixture.entries.count)
        // 256 bytes and 25 tokens, then Meta's specials.
        XCTAssertEqual(tokenizer.bosID, 281)
        XCTAssertEqual(tokenizer.stopIDs, [282, 289, 290])
        XCTAssertTrue(Tokenizer.isTiktokenFile(Fixtures.url("tiktoken_tiny.model")))
        XCTAssertFalse(Tokenizer.isTiktokenFile(Fixtures.url("gpt2_merges.txt")))
    }

    /// Equal ranks side by side merge leftmost first, and a token no merge reaches is still found whole.
    func testRankMergingTieBreaksAndWholeWords() throws {
        let tokenizer = try Tokenizer(tiktokenFile: Fixtures.url("tiktoken_tiny.model"))
        // "abab" (262) is made as ab+ab, aba+b and a+bab; "aaa" (257) as aa+a and a+aa.
        XCTAssertEqual(tokenizer.tokenStrings(tokenizer.encode("abababa", addSpecial: false)), ["abab", "aba"])
        XCTAssertEqual(tokenizer.tokenStrings(tokenizer.encode("aaaaaaa", addSpecial: false)), ["aaaa", "aaa"])
        XCTAssertEqual(tokenizer.encode("xyz", addSpecial: false), [267])
        XCTAssertEqual(tokenizer.tokenStrings(tokenizer.encode("xyzxyz", addSpecial: false)), ["x", "y", "z", "x", "y", "z"])
    }

    func testMetaTextPieces() throws {
        let fixture: TiktokenFixtures.Llama3 = try TiktokenFixtures.load("tiktoken_llama3.json")
        XCTAssertEqual(fixture.chunks.count, 4)
        for chunk in fixture.chunks {
            let scalars = Array(chunk.text.unicodeScalars)
            XCTAssertEqual(TextChunker.llama3.chunks(scalars).map(\.count), chunk.pieces, "\(scalars.count) characters")
        }
        XCTAssertEqual(TextChunker.llama3.chunks([]), [])
        XCTAssertEqual(TextChunker(sliceLength: 10, maxRun: 3).chunks(Array("aaaaa  bbbbbbb".unicodeScalars)).map(\.count),
                       [3, 7, 3, 1])
    }

    /// The index's hashed prefixes and suffixes against a plain dictionary of byte arrays.
    func testIndexCutsMatchNaiveLookup() {
        var seed: UInt64 = 5
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        var tokens = (0..<256).map { [UInt8($0)] }
        var seen = Set(tokens)
        while tokens.count < 2_000 {
            let token = (0..<(2 + next(7))).map { _ in UInt8([0, 1, 97, 98, 255][next(5)]) }
            if seen.insert(token).inserted { tokens.append(token) }
        }
        let index = TiktokenIndex(tokens)
        let naive = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($0.element, Int32($0.offset)) })
        var pairs = 0
        for token in tokens {
            var found: [[Int32]] = []
            index.cuts(of: token) { cut, left, right in found.append([Int32(cut), left, right]) }
            let expected: [[Int32]] = token.count < 2 ? [] : (1..<token.count).compactMap { cut in
                guard let left = naive[Array(token[..<cut])], let right = naive[Array(token[cut...])] else { return nil }
                return [Int32(cut), left, right]
            }
            XCTAssertEqual(found, expected, "\(token)")
            pairs += found.count
            XCTAssertEqual(index.rank(token), naive[token])
        }
        XCTAssertGreaterThan(pairs, 1_000)
    }

    // MARK: - Broken files

    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-tiktoken-\(getpid())")

    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    /// Writes `lines` (the 256 single bytes first unless `bytes` is false) to a file in a scratch folder.
    func write(_ name: String, _ lines: [String], bytes: Bool = true) throws -> URL {
        let directory = TiktokenFileTests.directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        let byteLines = bytes ? (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)" } : []
        try (byteLines + lines).joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func assertFails(_ url: URL, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Tokenizer(tiktokenFile: url), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(url.path + ": "), message, file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(message.contains(fragment), "\(fragment.debugDescription) not in: \(message)", file: file, line: line)
            }
        }
    }

    func testBadBase64NamesTheLine() throws {
        assertFails(try write("bad_base64.model", ["YWI= 256", "not*base64 257"]),
                    ["line 258", "\"not*base64\" is not base64"])
        assertFails(try write("bad_padding.model", ["YWI 256"]), ["line 257", "not base64"])
    }

    func testDuplicateRankNamesBothLines() throws {
        assertFails(try write("duplicate_rank.model", ["YWI= 256", "YmE= 256"]),
                    ["line 258", "rank 256 is already given on line 257"])
    }

    func testMissingRankIsAGap() throws {
        assertFails(try write("gap.model", ["YWI= 256", "YmE= 258"]),
                    ["line 258", "rank 258 leaves a gap: no line has rank 257"])
        assertFails(try write("no_rank.model", ["YWI= 256", "YmE="]), ["line 258", "found 1 field"])
        assertFails(try write("bad_rank.model", ["YWI= -3"]), ["line 257", "rank \"-3\" is not a whole number"])
        assertFails(try write("huge_rank.model", ["YWI= 99999999999999999999"]), ["line 257", "is not a whole number"])
    }

    func testDuplicateTokenNamesBothLines() throws {
        assertFails(try write("duplicate_token.model", ["YWI= 256", "YWI= 257"]),
                    ["line 258", "token \"ab\" (rank 257) repeats the token of rank 256 on line 257"])
    }

    func testEmptyFile() throws {
        assertFails(try write("empty.model", [], bytes: false), ["has no tokens"])
        assertFails(try write("blank.model", ["", "", ""], bytes: false), ["has no tokens"])
    }

    /// Llama 4's 200,000-token file (o200k regex, other specials) is refused, not tokenised as Llama 3.
    func testLargerVocabularyIsRefused() throws {
        let extra = (0..<(128_000 - 256 + 1)).map { "\(Data(Array("t\($0)".utf8)).base64EncodedString()) \(256 + $0)" }
        assertFails(try write("larger.model", extra), ["128001 tokens: this is not Llama 3's tiktoken vocabulary"])
    }

    func testMissingByte() throws {
        assertFails(try write("no_bytes.model", ["YWI= 0"], bytes: false), ["no token for the byte 0x0"])
    }

    /// A file far larger than any vocabulary is refused before it is read (sparse here, so cheap).
    func testHugeFileIsRefusedUnread() throws {
        let url = try write("huge.model", [])
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(TiktokenFile.maxBytes) + 1)
        try handle.close()
        assertFails(url, ["is too large for a tiktoken vocabulary"])
    }

    func testUnreadableFile() {
        let url = URL(fileURLWithPath: "/nonexistent/tokenizer.model")
        assertFails(url, ["cannot read the tiktoken file"])
        XCTAssertFalse(Tokenizer.isTiktokenFile(url))
    }
}
