import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// Runs the script named by LOUPE_DEV_SCRIPT and prints its output (a development aid; skipped otherwise).
final class DevRunner: XCTestCase {
    func testRunDevScript() throws {
        guard let path = ProcessInfo.processInfo.environment["LOUPE_DEV_SCRIPT"] else { throw XCTSkip("LOUPE_DEV_SCRIPT not set") }
        let sink = CollectingSink()
        let interp = Library.interpreter(sink: sink, scriptDirectory: URL(fileURLWithPath: path).deletingLastPathComponent())
        let start = Date()
        do {
            let v = try interp.execute(try String(contentsOfFile: path, encoding: .utf8), file: path)
            print(sink.text, terminator: "")
            if let v = v { print(Repr.repr(v)) }
        } catch let e as LoupeError {
            print(sink.text, terminator: "")
            print(e.rendered)
        }
        print(String(format: "[%.3f s]", Date().timeIntervalSince(start)))
    }
}
