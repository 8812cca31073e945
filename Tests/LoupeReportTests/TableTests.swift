import LoupeNotebook
import XCTest
@testable import LoupeReport

final class TableTests: XCTestCase {
    func testNumericColumnsRightAligned() {
        let html = TableRenderer.html(columns: ["name", "value", "pct"], rows: [["a", "1.5", "10%"], ["b", "-2e-3", "nan"], ["c", "", "3%"]], totalRows: 3)
        XCTAssertTrue(html.contains("<th>name</th><th class=\"num\">value</th><th class=\"num\">pct</th>"))
        XCTAssertTrue(html.contains("<td>a</td><td class=\"num\">1.5</td>"))
        XCTAssertTrue(html.contains("3 rows × 3 columns"))
    }

    func testLongTablesArePagedAndCounted() {
        let rows = (0..<120).map { ["\($0)"] }
        let html = TableRenderer.html(columns: ["i"], rows: rows, totalRows: 2_509_053)
        XCTAssertEqual(html.components(separatedBy: "<tbody class=\"loupe-page\"").count - 1, 3)
        XCTAssertEqual(html.components(separatedBy: " hidden>").count - 1, 2, "pages after the first start hidden")
        XCTAssertTrue(html.contains("2,509,053 rows × 1 column · first 120 shown"))
        XCTAssertTrue(html.contains("data-total-rows=\"2509053\""))
    }

    func testRaggedRowsAndEscaping() {
        let html = TableRenderer.html(columns: ["a"], rows: [["<x>", "extra"], []], totalRows: 2)
        XCTAssertTrue(html.contains("<td>&lt;x&gt;</td><td>extra</td>"))
        XCTAssertTrue(html.contains("<tr><td></td><td></td></tr>"))
    }

    func testPlainTextTable() {
        let text = TableRenderer.text(columns: ["tok", "p"], rows: [["cat", "0.5"], ["a", "0.25"]], totalRows: 2)
        XCTAssertEqual(text, "tok     p\ncat   0.5\na    0.25\n\n[2 rows × 2 columns]")
        let long = TableRenderer.text(columns: ["i"], rows: (0..<30).map { ["\($0)"] }, totalRows: 100, maxRows: 4)
        XCTAssertEqual(long.split(separator: "\n").map(String.init), [" i", " 0", " 1", "...", "28", "29", "[100 rows × 1 column · first 30 shown]"])
    }

    func testGrouping() {
        XCTAssertEqual(TableRenderer.grouped(0), "0")
        XCTAssertEqual(TableRenderer.grouped(999), "999")
        XCTAssertEqual(TableRenderer.grouped(1000), "1,000")
        XCTAssertEqual(TableRenderer.grouped(-1234567), "-1,234,567")
    }
}

extension TableTests {
    func testCappedTableForNotebooks() {
        let html = TableRenderer.html(columns: ["i"], rows: (0..<120).map { ["\($0)"] }, totalRows: 120, maxRows: 50)
        XCTAssertEqual(html.components(separatedBy: "<tr>").count - 1, 51, "header + 50 rows")
        XCTAssertFalse(html.contains(" hidden>"))
        XCTAssertTrue(html.contains("120 rows × 1 column · first 50 shown"))
    }
}
