import Foundation
import XCTest
@testable import LoupeScript

/// Hostile input: nesting past the limits is a located "too deeply nested" error (never a stack
/// overflow), and long lines, many f-string fields and deep indentation take linear time.
final class NestingLimitTests: XCTestCase {
    func error(_ source: String) -> SyntaxError? {
        do { _ = try Parser.parse(source, file: "s.loupe"); return nil } catch { return error as? SyntaxError }
    }

    func check(_ source: String, _ line: Int, _ column: Int, _ fragment: String, testLine: UInt = #line) {
        guard let e = error(source) else { return XCTFail("no error", line: testLine) }
        XCTAssertEqual("\(e.location.line):\(e.location.column)", "\(line):\(column)", e.message, line: testLine)
        XCTAssertTrue(e.message.contains(fragment), e.message, line: testLine)
    }

    func testBracketsIndentationAndRecursionAreBounded() {
        let x = "x = "
        check(String(repeating: "(", count: 1000), 1, 201, "too deeply nested: more than 200 open brackets")
        check(x + String(repeating: "[", count: 500) + String(repeating: "]", count: 500), 1, 205, "open brackets")
        check(x + String(repeating: "-", count: 1000) + "1", 1, 204, "too deeply nested: more than 200 levels")
        check(x + String(repeating: "not ", count: 1000) + "True", 1, 801, "more than 200 levels")
        check(x + String(repeating: "2**", count: 1000) + "1", 1, 603, "more than 200 levels")
        check(x + String(repeating: "lambda: ", count: 1000) + "1", 1, 1605, "more than 200 levels")
        let blocks = (0..<1000).map { String(repeating: " ", count: $0) + "if True:\n" }.joined()
        check("y = 1\n" + blocks + String(repeating: " ", count: 1000) + "pass\n", 103, 102, "more than 100 levels of indentation")
        // within the limits, fine
        XCTAssertNil(error(x + String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150)))
        XCTAssertNil(error((0..<90).map { String(repeating: " ", count: $0) + "if x:\n" }.joined() + String(repeating: " ", count: 90) + "pass\n"))
    }

    func testLeftNestedChainsAreBoundedByTreeDepth() {
        let x = "x = "
        check(x + "1" + String(repeating: "+1", count: 5000), 1, 2004, "an expression more than 1000 levels deep")
        check(x + "a" + String(repeating: ".b", count: 3000), 1, 2005, "more than 1000 levels deep")
        check(x + "f" + String(repeating: "()", count: 3000), 1, 2004, "more than 1000 levels deep")
        check(x + "a" + String(repeating: "[0]", count: 3000), 1, 3003, "more than 1000 levels deep")
        check(x + "a" + String(repeating: " or a", count: 2000), 1, 5002, "more than 1000 levels deep")
        let long = x + "1" + String(repeating: "+1", count: 900)  // a long but legal line
        XCTAssertEqual((try? Parser.parse(long, file: "s"))?.count, 1)
    }

    func testLongLinesAndManyFieldsTakeLinearTime() throws {
        // 5 000 f-string fields on one line: quadratic work here took over ten seconds
        let fields = "x = f'" + String(repeating: "{a}", count: 5000) + "'\n"
        var start = Date()
        _ = try Parser.parse(fields, file: "s")
        let manyFields = Date().timeIntervalSince(start)
        let wide = "x = [" + String(repeating: "1, ", count: 10_000) + "]\n" + String(repeating: "y = 1\n", count: 5000)
        start = Date()
        _ = try Parser.parse(wide, file: "s")
        XCTAssertLessThan(manyFields, 10)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        // an error at the end of a 20 000-column line shows a window of it around the caret
        guard let e = error("x = '" + String(repeating: "a", count: 20_000) + "\n") else { return XCTFail() }
        XCTAssertLessThan(e.rendered.count, 400)
        guard let far = error("x = " + String(repeating: "a + ", count: 5000) + ")\n") else { return XCTFail() }
        XCTAssertEqual(far.location.column, 20_005)
        let lines = far.rendered.split(separator: "\n")
        XCTAssertEqual(lines[2].count - 4, lines[1].firstIndex(of: ")").map { lines[1].distance(from: lines[1].startIndex, to: $0) - 3 }, far.rendered)
    }

    /// Mutated copies of the language test scripts, with a fixed seed: each parses or fails with a
    /// located error, in well under a second each. `tools/fuzz_scripts.py` runs thousands through the binary.
    func testMutatedScriptsParseOrFailWithALocation() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts")
        let files = (FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
            .filter { $0.pathExtension == "loupe" }.sorted { $0.path < $1.path }
        XCTAssertGreaterThan(files.count, 100)
        var rng = SplitMix(seed: 14)
        var tried = 0, failed = 0
        let start = Date()
        for _ in 0..<300 {
            let text = try String(contentsOf: files[rng.next(files.count)], encoding: .utf8)
            let source = mutate(Array(text), &rng)
            let lineCount = source.split(separator: "\n", omittingEmptySubsequences: false).count
            tried += 1
            do { _ = try Parser.parse(source, file: "m.loupe") } catch let e as SyntaxError {
                failed += 1
                XCTAssertTrue((1...lineCount + 1).contains(e.location.line) && e.location.column >= 1, e.rendered)
                XCTAssertTrue(e.rendered.hasPrefix("m.loupe:\(e.location.line):\(e.location.column): "))
            }
        }
        XCTAssertEqual(tried, 300)
        XCTAssertGreaterThan(failed, 50)
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
    }

    func mutate(_ chars: [Character], _ rng: inout SplitMix) -> String {
        var c = chars
        let at = c.isEmpty ? 0 : rng.next(c.count)
        switch rng.next(6) {
        case 0:
            let pool = Array("()[]{}:,.=+-*\\'\"#\n \tfx0")
            for _ in 0..<4 where !c.isEmpty { c[rng.next(c.count)] = pool[rng.next(pool.count)] }
        case 1: c.insert(contentsOf: Array(repeating: Array("([{-")[rng.next(4)], count: 250 + rng.next(1000)), at: at)
        case 2: c.insert(contentsOf: Array(String(repeating: " + 1", count: 1000 + rng.next(1000))), at: at)
        case 3: c.append(contentsOf: (0..<(50 + rng.next(100))).flatMap { Array(String(repeating: " ", count: $0) + "while x:\n") })
        case 4: c.insert(contentsOf: Array(String(repeating: ".a", count: 500 + rng.next(1000))), at: at)
        default: c.removeSubrange(at..<min(c.count, at + rng.next(40)))
        }
        return String(c)
    }
}

/// A small deterministic generator for the mutations.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
