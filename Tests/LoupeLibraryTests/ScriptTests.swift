import Foundation
import XCTest
import LoupeReport
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// Runs every Tests/Scripts/<feature>/<behaviour>.loupe (folders walked recursively). A file is split into
/// sections at `# %%` lines; each section runs in a fresh interpreter whose script directory is the file's
/// folder. `# expect: text` lines give the printed lines in order; `# expect error: LINE:COL fragment` says
/// the section must stop with an error at that place (LINE counts from the top of the file) whose message
/// (or hint) contains the fragment. A file without any expectation fails: it could never catch a change.
final class ScriptTests: XCTestCase {
    static var scriptsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts")
    }

    /// Every .loupe file under Tests/Scripts, in order of relative path.
    static func scriptFiles() throws -> [URL] {
        let root = scriptsDirectory.standardizedFileURL
        guard let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: root.path])
        }
        return walk.compactMap { $0 as? URL }.filter { $0.pathExtension == "loupe" }
            .sorted { relativePath($0) < relativePath($1) }
    }

    /// The file's path below Tests/Scripts, e.g. `errors/syntax/unclosed_paren.loupe`.
    static func relativePath(_ file: URL) -> String {
        let root = scriptsDirectory.standardizedFileURL.path + "/"
        let path = file.standardizedFileURL.path
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : file.lastPathComponent
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
        let files = try Self.scriptFiles()
        XCTAssertFalse(files.isEmpty, "no scripts found in \(Self.scriptsDirectory.path)")
        var sectionCount = 0, expectationCount = 0
        for file in files {
            let path = Self.relativePath(file)
            let sections = Self.sections(of: try String(contentsOf: file, encoding: .utf8))
            let expectations = sections.reduce(0) { $0 + $1.expected.count + ($1.expectedError == nil ? 0 : 1) }
            if expectations == 0 { XCTFail("\(path): no `# expect:` or `# expect error:` line, so it cannot fail") }
            sectionCount += sections.count
            expectationCount += expectations
            for section in sections { check(section, of: file, path: path) }
        }
        print("ScriptTests: \(files.count) files, \(sectionCount) sections, \(expectationCount) expectations")
    }

    /// Runs one section in a fresh interpreter and compares its output and error with the expectations.
    private func check(_ section: Section, of file: URL, path: String) {
        let sink = CollectingSink()
        let interp = Library.interpreter(sink: sink, scriptDirectory: file.deletingLastPathComponent())
        var error: LoupeError? = nil
        do {
            _ = try interp.execute(section.source, file: path, firstLine: section.firstLine)
        } catch let e as LoupeError {
            error = e
        } catch {
            XCTFail("\(path):\(section.firstLine): non-Loupe error \(error)")
        }
        var printed = sink.text.components(separatedBy: "\n")
        if printed.last == "" { printed.removeLast() }
        let name = "\(path):\(section.firstLine)"
        if printed != section.expected {
            let diff = zip(printed + Array(repeating: "<missing>", count: max(0, section.expected.count - printed.count)),
                           section.expected + Array(repeating: "<none>", count: max(0, printed.count - section.expected.count)))
                .enumerated().first { $0.element.0 != $0.element.1 }
            XCTFail("\(name): output differs at printed line \((diff?.offset ?? 0) + 1): got \(diff.map { "«\($0.element.0)»" } ?? "?") expected \(diff.map { "«\($0.element.1)»" } ?? "?")"
                    + (error.map { "\nerror: \($0.rendered)" } ?? ""))
        }
        if let want = section.expectedError {
            let place = "\(path):\(want.line):\(want.column)"
            guard let e = error else { XCTFail("\(place): expected an error here, got none"); return }
            let loc = e.location.map { "\($0.line):\($0.column)" } ?? "?"
            XCTAssertEqual(loc, "\(want.line):\(want.column)", "\(place): error location; got:\n\(e.rendered)")
            XCTAssertTrue(e.rendered.contains(want.fragment), "\(place): error text lacks «\(want.fragment)»:\n\(e.rendered)")
        } else if let e = error {
            XCTFail("\(name): unexpected error:\n\(e.rendered)")
        }
    }
}
