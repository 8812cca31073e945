import Foundation
import XCTest

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
