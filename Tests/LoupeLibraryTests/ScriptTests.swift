import Foundation
import XCTest
import LoupeReport
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// Runs every Tests/Scripts/*.loupe. A file is split into sections at `# %%` lines; each section runs
/// in a fresh interpreter. `# expect: text` lines give the printed lines in order; `# expect error:
/// LINE:COL fragment` says the section must stop with an error at that place whose message (or hint)
/// contains the fragment.
final class ScriptTests: XCTestCase {
    static var scriptsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts")
    }

    struct Section {
        var firstLine: Int
        var source: String
        var expected: [String] = []
        var expectedError: (line: Int, column: Int, fragment: String)? = nil
    }

    static func sections(of text: String) -> [Section] {
        var out: [Section] = []
        var current = Section(firstLine: 1, source: "")
        var lines: [String] = []
        for (i, line) in text.components(separatedBy: "\n").enumerated() {
            let n = i + 1
            if line.hasPrefix("# %%") {
                current.source = lines.joined(separator: "\n")
                out.append(current)
                current = Section(firstLine: n + 1, source: "")
                lines = []
                continue
            }
            lines.append(line)
            if let r = line.range(of: "# expect error: ") {
                let spec = line[r.upperBound...]
                let parts = spec.split(separator: " ", maxSplits: 1)
                let lc = parts.first?.split(separator: ":") ?? []
                if lc.count == 2, let l = Int(lc[0]), let c = Int(lc[1]) {
                    current.expectedError = (l, c, parts.count > 1 ? String(parts[1]) : "")
                }
            } else if let r = line.range(of: "# expect: ") {
                current.expected.append(String(line[r.upperBound...]))
            } else if line.hasSuffix("# expect:") {
                current.expected.append("")
            }
        }
        current.source = lines.joined(separator: "\n")
        out.append(current)
        return out.filter { !$0.source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }

    func testScripts() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.scriptsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "loupe" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertFalse(files.isEmpty, "no scripts found in \(Self.scriptsDirectory.path)")
        var sectionCount = 0, expectationCount = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for section in Self.sections(of: text) {
                sectionCount += 1
                expectationCount += section.expected.count + (section.expectedError == nil ? 0 : 1)
                let sink = CollectingSink()
                let interp = Library.interpreter(sink: sink, scriptDirectory: file.deletingLastPathComponent())
                var error: LoupeError? = nil
                do {
                    _ = try interp.execute(section.source, file: file.lastPathComponent, firstLine: section.firstLine)
                } catch let e as LoupeError {
                    error = e
                } catch {
                    XCTFail("\(file.lastPathComponent):\(section.firstLine): non-Loupe error \(error)")
                }
                var printed = sink.text.components(separatedBy: "\n")
                if printed.last == "" { printed.removeLast() }
                let name = "\(file.lastPathComponent) section at line \(section.firstLine)"
                if printed != section.expected {
                    let diff = zip(printed + Array(repeating: "<missing>", count: max(0, section.expected.count - printed.count)),
                                   section.expected + Array(repeating: "<none>", count: max(0, printed.count - section.expected.count)))
                        .enumerated().first { $0.element.0 != $0.element.1 }
                    XCTFail("\(name): output differs at printed line \((diff?.offset ?? 0) + 1): got \(diff.map { "«\($0.element.0)»" } ?? "?") expected \(diff.map { "«\($0.element.1)»" } ?? "?")"
                            + (error.map { "\nerror: \($0.rendered)" } ?? ""))
                }
                if let want = section.expectedError {
                    guard let e = error else { XCTFail("\(name): expected an error at \(want.line):\(want.column)"); continue }
                    let loc = e.location.map { "\($0.line):\($0.column)" } ?? "?"
                    XCTAssertEqual(loc, "\(want.line):\(want.column)", "\(name): error location; got:\n\(e.rendered)")
                    XCTAssertTrue(e.rendered.contains(want.fragment), "\(name): error text lacks «\(want.fragment)»:\n\(e.rendered)")
                } else if let e = error {
                    XCTFail("\(name): unexpected error:\n\(e.rendered)")
                }
            }
        }
        print("ScriptTests: \(files.count) files, \(sectionCount) sections, \(expectationCount) expectations")
    }
}
