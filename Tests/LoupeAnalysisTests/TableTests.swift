import Foundation
import XCTest
@testable import LoupeAnalysis

final class TableTests: XCTestCase {
    func sample() throws -> Table {
        try Table(columnNames: ["layer", "head", "token", "attn"], rows: [
            [.int(0), .int(1), .string("the"), .double(0.5)],
            [.int(0), .int(0), .string(","), .double(0.25)],
            [.int(1), .int(0), .string("the"), .double(0.125)],
            [.int(0), .int(1), .string("the"), .double(1)],
        ])
    }

    func testTypesAreInferredPerColumn() throws {
        let t = try sample()
        XCTAssertEqual(t.columns.map(\.typeName), ["int", "int", "str", "float"])
        XCTAssertEqual(t.rowCount, 4)
    }

    func testCountByMatchesHandCount() throws {
        let counts = try sample().countBy(["layer", "head"])
        XCTAssertEqual(counts.rowCount, 3)
        XCTAssertEqual((0..<3).map { counts.row($0) }, [
            [.int(0), .int(0), .int(1)], [.int(0), .int(1), .int(2)], [.int(1), .int(0), .int(1)],
        ])
    }

    func testGroupByAggregates() throws {
        let g = try sample().groupBy(["token"], aggregate: [("attn", .mean), ("layer", .nunique)])
        XCTAssertEqual(g.columnNames, ["token", "attn", "layer"])
        XCTAssertEqual(g.row(0), [.string(","), .double(0.25), .int(1)])
        XCTAssertEqual(g.row(1), [.string("the"), .double((0.5 + 0.125 + 1) / 3), .int(2)])
    }

    func testSortIsStableAndMultiKey() throws {
        let s = try sample().sorted(by: [("layer", true), ("attn", false)])
        XCTAssertEqual(try s.column("attn"), .double([1, 0.5, 0.25, 0.125]))
    }

    func testFilterHeadTail() throws {
        let t = try sample()
        let c = try t.columnIndex("token")
        let f = t.filter { t.value(row: $0, column: c) == .string("the") }
        XCTAssertEqual(f.rowCount, 3)
        XCTAssertEqual(t.head(2).rowCount, 2)
        XCTAssertEqual(t.tail(1).row(0), [.int(0), .int(1), .string("the"), .double(1)])
    }

    func testJoinInnerAndLeft() throws {
        let names = try Table(columnNames: ["token", "rank"], rows: [[.string("the"), .int(1)]])
        let inner = try sample().join(names, on: ["token"])
        XCTAssertEqual(inner.rowCount, 3)
        XCTAssertEqual(inner.columnNames.last, "rank")
        let left = try sample().join(names, on: ["token"], kind: .left)
        XCTAssertEqual(left.rowCount, 4)
    }

    func testUnknownColumnSuggestsNearest() throws {
        XCTAssertThrowsError(try sample().column("atn")) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'attn'"), "\(error)")
        }
    }

    func testMismatchedColumnsAreAnError() {
        XCTAssertThrowsError(try Table(columns: [("a", .int([1, 2])), ("b", .int([1]))]))
        XCTAssertThrowsError(try Table(columns: [("a", .int([1])), ("a", .int([1]))]))
    }

    func testCSVRoundTripWithHostileStrings() throws {
        let t = try Table(columnNames: ["s", "x"], rows: [
            [.string("a,b"), .double(0.1)],
            [.string("say \"hi\"\nthere"), .double(-2.5e-7)],
            [.string(" lead"), .double(3)],
        ])
        let text = t.csv()
        XCTAssertTrue(text.hasPrefix("s,x\n\"a,b\",0.1\n\"say \"\"hi\"\"\nthere\",-2.5e-07\n"), text)
        let back = try Table.parseCSV(text)
        XCTAssertEqual(back, t)
    }

    func testCSVErrorsNameTheLine() {
        XCTAssertThrowsError(try Table.parseCSV("a,b\n1,2\n3\n", source: "x.csv")) { e in
            XCTAssertTrue("\(e)".contains("x.csv:3"), "\(e)")
        }
        XCTAssertThrowsError(try Table.parseCSV("a\n\"open\n", source: "y.csv"))
    }

    func testSQLiteRoundTrip() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-table-\(UUID()).sqlite")
        defer { try? FileManager.default.removeItem(at: url) }
        let t = try sample()
        try t.writeSQLite(to: url, table: "attn")
        let back = try Table.readSQLite(url, query: "SELECT * FROM attn WHERE layer = 0 ORDER BY attn")
        XCTAssertEqual(back.rowCount, 3)
        XCTAssertEqual(try back.column("attn"), .double([0.25, 0.5, 1]))
        XCTAssertEqual(try back.column("token"), .string([",", "the", "the"]))
    }

    func testTextPreviewElidesMiddle() throws {
        let t = try Table(columns: [("i", .int(Array(0..<100)))])
        let text = TableFormat.text(t)
        XCTAssertTrue(text.contains("..."))
        XCTAssertTrue(text.hasSuffix("[100 rows x 1 columns]"))
        XCTAssertFalse(text.contains(" 50\n"))
    }
}
