import Foundation
import XCTest
@testable import LoupeFormats

/// Mapped files changed on disk, the registry of who maps what, and files that are not regular files.
final class MappedFileChangeTests: XCTestCase {
    func testTruncationAndWritesInPlaceAreSeenBeforeAnyRead() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("w.bin")
        try Data(repeating: 7, count: 3 * 4096).write(to: url)
        let m = try MappedFile(url: url)
        try m.checkIntact()
        XCTAssertEqual(truncate(url.path, 100), 0)
        XCTAssertThrowsError(try m.checkIntact()) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .truncated)
            XCTAssertTrue("\(e)".contains("truncated on disk after it was loaded (12288 bytes then, 100 now)"), "\(e)")
        }

        let other = dir.appendingPathComponent("v.bin")
        try Data(repeating: 1, count: 4096).write(to: other)
        let n = try MappedFile(url: other)
        let h = try FileHandle(forWritingTo: other)
        try h.write(contentsOf: Data([9, 9]))   // same size, new bytes, a later modification time
        try h.close()
        var times = [timespec(tv_sec: 1, tv_nsec: 0), timespec(tv_sec: 2, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, other.path, &times, 0), 0)
        XCTAssertThrowsError(try n.checkIntact()) { XCTAssertTrue("\($0)".contains("was written to on disk"), "\($0)") }
    }

    func testReadsOfATruncatedMappingReadZerosAndAreReported() throws {
        // the SIGBUS handler: a read of a page lost to truncation reads zeros instead of killing the
        // process, and checkIntact names the file
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("w.bin")
        try Data(repeating: 7, count: 4 * 4096).write(to: url)
        let m = try MappedFile(url: url)
        XCTAssertEqual(m.buffer[3 * 4096], 7)  // the page is mapped and read once
        XCTAssertEqual(truncate(url.path, 4096), 0)
        XCTAssertEqual(m.buffer[0], 7)  // the first page is still in the file
        XCTAssertEqual(m.buffer[2 * 4096 + 5], 0)  // faulted: zeros
        XCTAssertEqual(m.buffer[3 * 4096], 0)
        XCTAssertThrowsError(try m.checkIntact()) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .truncated)
            XCTAssertTrue("\(e)".contains("w.bin: changed on disk while it was being read"), "\(e)")
            XCTAssertTrue("\(e)".contains("2 pages of it read as zeros"), "\(e)")
        }
        // a fresh mapping of the (now shorter) file is intact
        let again = try MappedFile(url: url)
        XCTAssertNoThrow(try again.checkIntact())
    }

    func testRegistryNamesTheHolderByInodeUntilReleased() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("m.bin")
        try Data(repeating: 1, count: 64).write(to: url)
        let link = dir.appendingPathComponent("link.bin")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: url)
        XCTAssertNil(MappedFiles.holder(ofPath: url.path))
        var m: MappedFile? = try MappedFiles.holding("the model loaded from /x") { try MappedFile(url: url) }
        XCTAssertEqual(m?.holder, "the model loaded from /x")
        XCTAssertEqual(MappedFiles.holder(ofPath: url.path), "the model loaded from /x")
        XCTAssertEqual(MappedFiles.holder(ofPath: link.path), "the model loaded from /x")  // the same inode
        XCTAssertNotNil(m)
        m = nil
        XCTAssertNil(MappedFiles.holder(ofPath: url.path))
        // outside `holding`, a mapping is still listed, under a plain description
        let plain = try MappedFile(url: url)
        XCTAssertTrue(MappedFiles.holder(ofPath: url.path)?.contains("a file Loupe has open") ?? false)
        XCTAssertEqual(plain.count, 64)
    }

    func testFIFOsAndDevicesAreRefusedWithoutBlocking() throws {
        let dir = try makeTempDir(self)
        let fifo = dir.appendingPathComponent("pipe.gguf")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        let start = Date()
        XCTAssertThrowsError(try MappedFile(url: fifo)) { e in
            XCTAssertEqual((e as? FormatError)?.kind, .unreadable)
            XCTAssertTrue("\(e)".contains("is a FIFO (named pipe), not a regular file"), "\(e)")
        }
        XCTAssertThrowsError(try ModelLocator.resolve(fifo.path)) { XCTAssertTrue("\($0)".contains("FIFO"), "\($0)") }
        XCTAssertThrowsError(try MappedFile(url: URL(fileURLWithPath: "/dev/null"))) {
            XCTAssertTrue("\($0)".contains("is a character device"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testInvalidUTF8IsLocatedByOffsetLineAndColumn() throws {
        func position(_ bytes: [UInt8]) -> UTF8Text.Position? { UTF8Text.firstInvalid(bytes) }
        XCTAssertNil(position(Array("héllo\nwörld €𝄞".utf8)))
        XCTAssertEqual(position(Array("ab\ncé".utf8) + [0xFF]), UTF8Text.Position(offset: 6, line: 2, column: 3))
        XCTAssertEqual(position([0x61, 0xC0, 0x80]), UTF8Text.Position(offset: 1, line: 1, column: 2))        // overlong
        XCTAssertEqual(position([0x0A, 0xED, 0xA0, 0x80]), UTF8Text.Position(offset: 1, line: 2, column: 1)) // surrogate
        XCTAssertEqual(position([0xF4, 0x90, 0x80, 0x80]), UTF8Text.Position(offset: 0, line: 1, column: 1)) // > U+10FFFF
        XCTAssertEqual(position([0x61, 0xE2, 0x82]), UTF8Text.Position(offset: 1, line: 1, column: 2))       // cut short
        XCTAssertThrowsError(try UTF8Text.decode(Data("x = 1\nprint('caf".utf8) + Data([0xE9, 0x27, 0x29]), file: "s.loupe")) {
            XCTAssertEqual("\($0)", "s.loupe:2:11: not valid UTF-8 text: byte 0xE9 at byte offset 16")
        }
        XCTAssertEqual(try UTF8Text.decode(Data("ok ✓".utf8), file: "s"), "ok ✓")
    }
}
