import XCTest
import LoupeReport
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook

/// Tables shown as a cell's value: a report table with an index column, the first and last rows of
/// long tables and the total row count.
final class AnalysisTableTests: XCTestCase {
    func testLongTableDisplaysFirstAndLastRows() throws {
        let sink = CollectingSink()
        let interp = Library.interpreter(sink: sink, scriptDirectory: nil)
        let v = try interp.execute("table({\"i\": range(100), \"sq\": [x * x for x in range(100)]})", file: "t.loupe", firstLine: 1)
        guard let v, case let .table(columns, rows, total)? = interp.display(v) else { return XCTFail("not a table output") }
        XCTAssertEqual(columns, ["", "i", "sq"])
        XCTAssertEqual(total, 100)
        XCTAssertEqual(rows.count, 21)
        XCTAssertEqual(rows[0], ["0", "0", "0"])
        XCTAssertEqual(rows[10], ["…", "…", "…"])
        XCTAssertEqual(rows[20], ["99", "99", "9801"])
    }

    func testShortTableDisplaysAllRowsWithPandasNumbers() throws {
        let sink = CollectingSink()
        let interp = Library.interpreter(sink: sink, scriptDirectory: nil)
        let v = try interp.execute("table({\"attn\": [0.5, 0.125], \"tok\": [\"a\\n\", \"b\"]})", file: "t.loupe", firstLine: 1)
        guard let v, case let .table(_, rows, total)? = interp.display(v) else { return XCTFail("not a table output") }
        XCTAssertEqual(total, 2)
        XCTAssertEqual(rows, [["0", "0.500000", "a\\n"], ["1", "0.125000", "b"]])
    }
}
