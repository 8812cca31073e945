import Foundation

/// Notebook fixtures, found relative to this file (Tests/LoupeNotebookTests/ -> Tests/Fixtures/notebook).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/notebook")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// A fresh empty directory under the system temp directory.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("loupe-notebook-tests-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
