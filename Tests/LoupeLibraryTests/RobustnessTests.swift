import Foundation
import XCTest
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook
import LoupeScript

/// Truncated and mangled versions of every test script must give Loupe errors, never a crash or hang.
final class RobustnessTests: XCTestCase {
    func testMangledScriptsNeverCrash() throws {
        // io/ scripts write files, and tl_demos/ ones reload the default model for every mangled copy
        // (a minute of CPU for nothing the smaller scripts don't already cover): both are left out
        let files = try ScriptTests.scriptFiles().filter {
            let path = ScriptTests.relativePath($0)
            return !path.hasPrefix("io/") && !path.hasPrefix("tl_demos/")
        }
        var runs = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let chars = Array(text)
            var cuts: [String] = []
            var i = 13
            while i < chars.count { cuts.append(String(chars[..<i])); i += max(1, chars.count / 12) }
            // swap two neighbouring characters somewhere, and drop a bracket
            if chars.count > 40 {
                var swapped = chars; swapped.swapAt(chars.count / 3, chars.count / 3 + 1); cuts.append(String(swapped))
                cuts.append(text.replacingOccurrences(of: ")", with: "", options: [], range: text.range(of: ")")))
            }
            for source in cuts {
                let interp = Library.interpreter(sink: CollectingSink())
                let box = UncheckedBox(interp)
                let timer = DispatchWorkItem { box.value.interrupt() }
                DispatchQueue.global().asyncAfter(deadline: .now() + 2, execute: timer)
                do { _ = try interp.execute(source, file: "mangled") } catch is LoupeError {} catch {
                    XCTFail("non-Loupe error \(error)")
                }
                timer.cancel()
                _ = interp.isIncomplete(source)
                runs += 1
            }
        }
        XCTAssertGreaterThan(runs, 100)
    }
}
