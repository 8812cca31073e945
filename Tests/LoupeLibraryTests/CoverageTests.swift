import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// Every builtin and method the language defines is used by at least one Tests/Scripts/**/*.loupe script.
final class CoverageTests: XCTestCase {
    func testEveryLanguageBuiltinAppearsInAScript() throws {
        _ = Library.interpreter(sink: CollectingSink())
        let text = try ScriptTests.scriptFiles()
            .map { try String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
        var missing: [String] = []
        for name in Builtins.languageFunctions.sorted() where !text.contains("\(name)(") {
            missing.append(name)
        }
        for member in Builtins.languageMembers.sorted() {
            let name = member.split(separator: ".").last.map(String.init) ?? member
            if !text.contains(".\(name)") { missing.append(member) }
        }
        XCTAssertEqual(missing, [], "builtins no script uses")
    }
}
