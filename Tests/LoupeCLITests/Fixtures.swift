import Foundation

/// Paths the CLI tests use, found relative to this file (Tests/LoupeCLITests/ -> Tests/Fixtures).
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let packageRoot = testsDirectory.deletingLastPathComponent()
    /// The notebook-format fixtures (shared with LoupeNotebookTests).
    static func notebook(_ name: String) -> URL { testsDirectory.appendingPathComponent("Fixtures/notebook/\(name)") }

    /// A fresh empty directory under the system temp directory.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("loupe-cli-tests-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// The built `loupe` executable and a way to run it.
enum LoupeBinary {
    /// Looks next to the test bundle first (same build configuration), then in .build/debug;
    /// `LOUPE_BINARY` overrides both.
    static func locate() throws -> URL {
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["LOUPE_BINARY"] {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments.first ?? "").standardizedFileURL
        var dir = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {  // …/debug/LoupePackageTests.xctest[/Contents/MacOS/LoupePackageTests]
            candidates.append(dir.appendingPathComponent("loupe"))
            dir = dir.deletingLastPathComponent()
        }
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent() {
            candidates.append(bundle.appendingPathComponent("loupe"))
        }
        candidates.append(Fixtures.packageRoot.appendingPathComponent(".build/debug/loupe"))
        for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return url
            }
        }
        throw BinaryNotFound(tried: candidates.map(\.path))
    }

    struct BinaryNotFound: Error, CustomStringConvertible {
        var tried: [String]
        var description: String {
            "the loupe executable was not found (build it with `swift build --build-tests`); tried:\n  "
                + tried.joined(separator: "\n  ")
        }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], stdin: String? = nil, directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = try locate()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes concurrently so neither fills up and blocks the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
