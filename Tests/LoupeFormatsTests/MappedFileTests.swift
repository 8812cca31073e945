import Foundation
import XCTest
@testable import LoupeFormats

final class MappedFileTests: XCTestCase {
    func testMapsBytesAndReportsMissingFiles() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("x.bin")
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: url)
        let m = try MappedFile(url: url)
        XCTAssertEqual(Array(m.buffer), [1, 2, 3, 4, 5, 6, 7, 8, 9])

        var r = ByteReader(m.buffer, file: url.path)
        XCTAssertEqual(try r.u8("a"), 1)
        XCTAssertEqual(try r.u32("b"), 0x0504_0302)  // little-endian whatever the host
        XCTAssertThrowsError(try r.u64("c")) { e in
            let err = e as? FormatError
            XCTAssertEqual(err?.kind, .truncated)
            XCTAssertEqual(err?.offset, 5)
            XCTAssertTrue("\(e)".contains("c needs 8 bytes but only 4 are left"), "\(e)")
        }
        XCTAssertEqual(try r.u32("d"), 0x0908_0706)  // a failed read does not move the cursor

        XCTAssertThrowsError(try MappedFile(url: dir.appendingPathComponent("missing.bin"))) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .notFound)
            XCTAssertTrue("\(e)".contains("missing.bin"), "\(e)")
        }
        XCTAssertThrowsError(try MappedFile(url: dir)) { XCTAssertEqual(($0 as? FormatError)?.kind, .unreadable) }
        let empty = dir.appendingPathComponent("empty.bin")
        try Data().write(to: empty)
        XCTAssertEqual(try MappedFile(url: empty).count, 0)
        XCTAssertThrowsError(try GGUFFile(url: empty)) { XCTAssertEqual(($0 as? FormatError)?.kind, .truncated) }
        XCTAssertThrowsError(try SafetensorsFile(url: empty)) { XCTAssertEqual(($0 as? FormatError)?.kind, .truncated) }
    }

    func testCountsAreCheckedAgainstWhatIsLeft() throws {
        var b = Bytes()
        b.u64(3)
        b.raw([0, 0, 0, 0, 0, 0])
        try b.data.withUnsafeBytes { raw in
            var r = ByteReader(raw, file: "f")
            XCTAssertThrowsError(try r.count("n", minBytesEach: 4)) { e in
                XCTAssertEqual((e as? FormatError)?.kind, .tooLarge)
            }
            r = ByteReader(raw, file: "f")
            XCTAssertEqual(try r.count("n", minBytesEach: 2), 3)
        }
    }
}
