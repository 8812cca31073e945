import Foundation
import XCTest

/// `loupe script` on a script that leaves values nested 30 000 deep (every kind: lists, tuples, dicts,
/// closures, bound methods, `partial`) in its globals, freed when the process tears the interpreter
/// down on the main thread. With a 1 MB main stack (`ulimit -s 1024`) a recursive free overflows; the
/// race over which thread frees the interpreter made that about half the runs, so the release binary
/// runs 8 times (a regression passes all 8 with odds of about 1 in 256); it is run when it has been
/// built, since there the optimizer once moved the frees out of DeepRelease's depth count.
/// LoupeLibraryTests' DeepReleaseTests checks every kind of chain deterministically in-process.
final class DeepReleaseCLITests: XCTestCase {
    func testDeepValuesAreFreedAtExitEveryTime() throws {
        let script = Fixtures.testsDirectory.appendingPathComponent("Fixtures/deep/chains.loupe")
        var binaries = [try LoupeBinary.locate()]
        let release = Fixtures.packageRoot.appendingPathComponent(".build/release/loupe")
        if FileManager.default.isExecutableFile(atPath: release.path), release.path != binaries[0].path {
            binaries.append(release)
        }
        for binary in binaries {
            // the release binary is the one that failed (0.3 s a run); the debug one is slower
            for run in 0..<(binary.path.contains("/release/") ? 8 : 3) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "ulimit -s 1024 && exec \"$0\" \"$1\"", binary.path, script.path]
                let out = Pipe()
                process.standardOutput = out
                process.standardError = FileHandle.nullDevice
                try process.run()
                let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                XCTAssertEqual(process.terminationReason, .exit, "\(binary.path) run \(run): killed by signal \(process.terminationStatus)")
                XCTAssertEqual(process.terminationStatus, 0, "\(binary.path) run \(run)")
                XCTAssertEqual(text, "built 29999 1\n", "\(binary.path) run \(run)")
            }
        }
    }
}
