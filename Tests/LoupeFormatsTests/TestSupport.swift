import Foundation
import XCTest
@testable import LoupeFormats

/// Paths the tests share.
enum TestPaths {
    /// The repository root (three levels above this file).
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repo.appendingPathComponent("Tests/Fixtures/formats")
    static let defaultModel = repo.appendingPathComponent("models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")

    /// The default model, or a failure telling how to get it.
    static func requireDefaultModel(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        guard FileManager.default.fileExists(atPath: defaultModel.path) else {
            XCTFail("default model missing at \(defaultModel.path); run `make setup`", file: file, line: line)
            throw XCTSkip("default model missing")
        }
        return defaultModel
    }
}

/// A fresh temporary directory removed when the test ends.
func makeTempDir(_ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-formats-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// A matrix of malformed files for one reader: each case is written to its own numbered file in a
/// temporary directory, and must fail with one FormatError naming that file and where.
class CorruptFileTestCase: XCTestCase {
    /// The reader's file extension ("gguf", "safetensors").
    var fileExtension: String { "bin" }
    var dir: URL!
    var counter = 0

    override func setUpWithError() throws { dir = try makeTempDir(self) }

    func file(_ bytes: [UInt8]) throws -> URL {
        counter += 1
        let url = dir.appendingPathComponent("case\(counter).\(fileExtension)")
        try Data(bytes).write(to: url)
        return url
    }
}

/// Checks that `error` is a FormatError of `kind` about `file`, located (by offset or item), at `item`
/// and `offset` when given, and saying each of `words`.
func assertFormatError(_ error: Error, _ kind: FormatError.Kind, file: String, item: String? = nil, offset: Int? = nil,
                       says words: [String], line: UInt) {
    guard let e = error as? FormatError else { return XCTFail("not a FormatError: \(error)", line: line) }
    XCTAssertEqual(e.kind, kind, "\(e)", line: line)
    XCTAssertEqual(e.file, file, line: line)
    XCTAssertTrue(e.offset != nil || e.item != nil, "no location in \(e)", line: line)
    if let item { XCTAssertEqual(e.item, item, "\(e)", line: line) }
    if let offset { XCTAssertEqual(e.offset, offset, "\(e)", line: line) }
    for w in words { XCTAssertTrue(e.description.contains(w), "'\(w)' not in: \(e)", line: line) }
}
