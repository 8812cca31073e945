import Foundation
import XCTest
@testable import LoupeAnalysis

final class DatasetTests: XCTestCase {
    func tempFile(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-ds-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testFortuneFileSplitsOnPercentLines() throws {
        let path = try tempFile("cookie", "First one\nwith two lines\n%\nSecond\n%\n")
        XCTAssertEqual(try TextDataset.load(path: path), ["First one\nwith two lines", "Second"])
    }

    func testLinesCSVAndJSONL() throws {
        XCTAssertEqual(try TextDataset.load(path: try tempFile("p.txt", "a\n\nb\n")), ["a", "b"])
        let csv = try tempFile("p.csv", "id,text\n1,\"hello, world\"\n2,bye\n")
        XCTAssertEqual(try TextDataset.load(path: csv, field: "text"), ["hello, world", "bye"])
        XCTAssertThrowsError(try TextDataset.load(path: csv))
        let jsonl = try tempFile("p.jsonl", "{\"text\": \"x\"}\n{\"text\": \"y\", \"n\": 1}\n")
        XCTAssertEqual(try TextDataset.load(path: jsonl, field: "text"), ["x", "y"])
        XCTAssertThrowsError(try TextDataset.load(path: jsonl, field: "body")) { e in
            XCTAssertTrue("\(e)".contains(":1: no field 'body'"), "\(e)")
        }
    }

    func testMissingFileIsAClearError() {
        XCTAssertThrowsError(try TextDataset.load(path: "/nonexistent/file.txt")) { e in
            XCTAssertTrue("\(e)".contains("no such file"))
        }
    }

    func testSamplingIsSeededAndWithoutReplacement() {
        let items = (0..<50).map(String.init)
        let a = TextDataset.sample(items, k: 10, seed: 3)
        XCTAssertEqual(a, TextDataset.sample(items, k: 10, seed: 3))
        XCTAssertNotEqual(a, TextDataset.sample(items, k: 10, seed: 4))
        XCTAssertEqual(Set(a).count, 10)
        XCTAssertEqual(TextDataset.sample(["x"], k: 5, seed: 1), ["x"])
    }

    func testRandomInputs() {
        let r = RandomInputs.uniform(length: 31, vocab: 100, seed: 1)
        XCTAssertEqual(r.count, 31)
        XCTAssertTrue(r.allSatisfy { (0..<100).contains($0) })
        XCTAssertEqual(Set(RandomInputs.repeatedToken(length: 31, vocab: 100, seed: 1)).count, 1)
        let s = RandomInputs.repeatedSequence(period: 3, repeats: 10, vocab: 100, seed: 2)
        XCTAssertEqual(s.count, 30)
        XCTAssertEqual(Array(s[0..<3]), Array(s[27..<30]))
    }
}
