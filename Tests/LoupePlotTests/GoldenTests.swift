// Golden SVGs, one per mark type: the rendered bytes must equal Tests/Fixtures/plot/golden/NAME.svg.
// Regenerate after an intended change with LOUPE_REGEN_GOLDEN=1 swift test --filter LoupePlotTests,
// then look at the files (rsvg-convert NAME.svg -o NAME.png).

import XCTest
@testable import LoupePlot

func fixturesDir() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/plot")
}

final class GoldenTests: XCTestCase {
    func testGoldenFigures() throws {
        let dir = fixturesDir().appendingPathComponent("golden")
        let regen = ProcessInfo.processInfo.environment["LOUPE_REGEN_GOLDEN"] == "1"
        for (name, make) in SampleFigures.all {
            let svg = make().svg()
            XCTAssertEqual(svg, make().svg(), "\(name): rendering is not deterministic")
            let url = dir.appendingPathComponent("\(name).svg")
            if regen {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try svg.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
                XCTFail("missing golden \(url.path); run with LOUPE_REGEN_GOLDEN=1"); continue
            }
            XCTAssertTrue(svg == golden, "\(name).svg differs from the golden file; if intended, regenerate with LOUPE_REGEN_GOLDEN=1 and look at it")
        }
    }
}
