import LoupeNotebook
import XCTest
@testable import LoupeReport

/// Renders the sample report (every output kind) in headless Chromium and checks, through the DOM
/// after scripts ran, that the views drew, a hover moves the highlighted attention row, clicking a
/// head opens it, hostile tokens stayed text and no script error occurred. Saves a screenshot
/// (to $LOUPE_SCREENSHOT_DIR when set) for a person to look at.
final class BrowserTests: XCTestCase {
    static func findChromium() -> String? {
        let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin", "/snap/bin"] {
            for name in names where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") { return "\(dir)/\(name)" }
        }
        return nil
    }

    /// Runs Chromium headless on `url` with `extra` arguments; returns stdout. Fails after 90 s.
    func chromium(_ binary: String, _ url: URL, fragment: String = "", extra: [String], profile: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                             "--user-data-dir=\(profile.path)", "--virtual-time-budget=4000", "--hide-scrollbars"]
            + extra + [url.absoluteString + fragment]
        // Output goes to a file, so a large DOM can't fill a pipe and block Chromium.
        let outURL = profile.appendingPathExtension("out")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        defer { try? out.close() }
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate(); XCTFail("chromium took over 90 s") }
        process.waitUntilExit()
        let data = try Data(contentsOf: outURL)
        return String(decoding: data, as: UTF8.self)
    }

    /// The chromium binary and a fresh directory for the page and profiles (removed when the test ends);
    /// skips the test when no chromium is installed.
    func browserAndDirectory() throws -> (binary: String, dir: URL) {
        guard let binary = Self.findChromium() else {
            print("BrowserTests skipped: no chromium on PATH (Debian: apt-get install chromium)")
            throw XCTSkip("chromium is not installed")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return (binary, dir)
    }

    func attribute(_ name: String, in dom: String) -> String? {
        guard let r = dom.range(of: " \(name)=\"") else { return nil }
        let after = dom[r.upperBound...]
        return after.firstIndex(of: "\"").map { String(after[..<$0]) }
    }

    func testReportRendersAndRespondsInChromium() throws {
        let (binary, dir) = try browserAndDirectory()
        let page = dir.appendingPathComponent("index.html")
        try HTMLReport.render(try Sample.document()).write(to: page, atomically: true, encoding: .utf8)

        // One load with the page's test hooks: a real mouse event over token 3, a click on head 2.
        let dom = try chromium(binary, page, fragment: "#loupe-test-hover=3&loupe-test-head=2", extra: ["--dump-dom"],
                               profile: dir.appendingPathComponent("p1"))
        XCTAssertTrue(dom.contains("data-loupe-report=\"ready\""), "report script didn't finish")
        XCTAssertEqual(attribute("data-loupe-script-errors", in: dom), "0", scriptErrors(dom))
        XCTAssertEqual(attribute("data-loupe-views-ready", in: dom), "4")
        let mounted = dom.components(separatedBy: "data-loupe-view=\"").dropFirst()
            .filter { $0.prefix(80).contains("data-loupe-state=\"ready\"") }.map { String($0.prefix(while: { $0 != "\"" })) }
        XCTAssertEqual(mounted, ["attention-patterns", "attention-heads", "colored-tokens", "topk-tokens"])
        XCTAssertFalse(dom.contains("data-loupe-state=\"error\""))
        XCTAssertTrue(dom.contains("data-tiles-drawn=\"6\""), "every head tile drawn")
        XCTAssertTrue(dom.contains("class=\"lv-topk\""))
        XCTAssertTrue(dom.contains("data-page=\"0\""), "the long table is paged")
        XCTAssertFalse(dom.contains("<img src=\"x\""), "a hostile token became an element")
        XCTAssertTrue(dom.contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"))
        // The hover moved the highlighted row from none (-1) to token 3, and lit that token.
        XCTAssertEqual(attribute("data-loupe-test-hover", in: dom), "before=-1;after=3")
        XCTAssertEqual(attribute("data-loupe-test-head", in: dom), "selected=2")
        XCTAssertTrue(dom.contains("class=\"lv-token lv-focus\" data-i=\"3\""), "token 3 is highlighted")
        XCTAssertTrue(dom.contains("Where “ sat” [3] attends (as destination)"))

        // A screenshot to look at.
        let shot = (ProcessInfo.processInfo.environment["LOUPE_SCREENSHOT_DIR"].map { URL(fileURLWithPath: $0) } ?? dir)
            .appendingPathComponent("report-screenshot.png")
        _ = try chromium(binary, page, fragment: "#loupe-test-hover=3", extra: ["--window-size=1400,3600", "--screenshot=\(shot.path)"],
                         profile: dir.appendingPathComponent("p2"))
        let png = try Data(contentsOf: shot)
        XCTAssertGreaterThan(png.count, 20_000)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    /// The error capture itself works: a view with broken data is reported in the DOM, not swallowed.
    func testScriptErrorsAreCapturedInTheDOM() throws {
        let (binary, dir) = try browserAndDirectory()
        guard case let .view(html, svg, title) = try ColoredTokensView(tokens: ["a"], values: [1]).output else { return XCTFail() }
        let broken = html.replacingOccurrences(of: "\"tokens\":[\"a\"]", with: "\"tokens\":[\"a\"")
        XCTAssertNotEqual(broken, html)
        let doc = ReportDocument(title: "broken", sourcePath: "", cells: [
            ReportCell(kind: .code, source: "x", outputs: [.view(html: broken, fallbackSVG: svg, title: title)], executionCount: 1),
        ], loupeVersion: "0")
        let page = dir.appendingPathComponent("index.html")
        try HTMLReport.render(doc).write(to: page, atomically: true, encoding: .utf8)
        let dom = try chromium(binary, page, extra: ["--dump-dom"], profile: dir.appendingPathComponent("p"))
        XCTAssertEqual(attribute("data-loupe-script-errors", in: dom), "1")
        XCTAssertTrue(dom.contains("data-loupe-state=\"error\""))
        XCTAssertTrue(dom.contains("class=\"loupe-script-error\""))
        XCTAssertTrue(dom.contains("class=\"loupe-view-fallback\""), "the static picture stays visible")
    }

    func scriptErrors(_ dom: String) -> String {
        dom.components(separatedBy: "class=\"loupe-script-error\">").dropFirst().map { String($0.prefix(200)) }.joined(separator: "\n")
    }
}

extension BrowserTests {
    /// 1100 tokens: both attention views mount, draw every tile and answer a hover without stalling.
    func testThousandsOfTokensStaySmooth() throws {
        let (binary, dir) = try browserAndDirectory()
        let doc = try Sample.attentionReport(title: "big", sourcePath: "", tokens: (0..<1100).map { " tok\($0)" },
                                             patternHeads: 2, heads: 3, sources: ("a", "b"), attention: Sample.sparseAttention)
        let page = dir.appendingPathComponent("index.html")
        let html = HTMLReport.render(doc)
        try html.write(to: page, atomically: true, encoding: .utf8)
        let started = Date()
        let dom = try chromium(binary, page, fragment: "#loupe-test-hover=1000", extra: ["--dump-dom"], profile: dir.appendingPathComponent("p"))
        let wall = Date().timeIntervalSince(started)
        XCTAssertEqual(attribute("data-loupe-script-errors", in: dom), "0", scriptErrors(dom))
        XCTAssertEqual(attribute("data-loupe-views-ready", in: dom), "2")
        XCTAssertEqual(attribute("data-loupe-test-hover", in: dom), "before=-1;after=1000")
        XCTAssertEqual(attribute("data-tiles-drawn", in: dom), "3")
        let mounts = dom.components(separatedBy: "data-mount-ms=\"").dropFirst().compactMap { Int($0.prefix(while: { $0 != "\"" })) }
        let hover = Int(attribute("data-hover-ms", in: dom) ?? "") ?? -1
        let tiles = Int(attribute("data-tiles-ms", in: dom) ?? "") ?? -1
        print("1100-token views: page \(html.utf8.count / 1024) KiB, mount \(mounts) ms, tiles \(tiles) ms, hover \(hover) ms, chromium wall \(String(format: "%.1f", wall)) s")
        XCTAssertEqual(mounts.count, 2)
        XCTAssertLessThan(mounts.max() ?? .max, 3000, "mounting a 1100-token view took too long")
        XCTAssertLessThan(hover, 250, "a hover must feel immediate")
    }
}
