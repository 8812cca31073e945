import Foundation
import XCTest
@testable import LoupeFormats

/// .npy files: the writer round-trips every element type; every malformed file gives one FormatError
/// naming the file and where.
final class NpyCorruptFileTests: XCTestCase {
    func decode(_ bytes: [UInt8]) throws -> ElementArray {
        try bytes.withUnsafeBytes { try NpyFile.decode($0, file: "t.npy") }
    }

    func expect(_ bytes: [UInt8], _ kind: FormatError.Kind, says words: [String] = [], line: UInt = #line) {
        XCTAssertThrowsError(try decode(bytes), line: line) { e in
            assertFormatError(e, kind, file: "t.npy", says: words, line: line)
        }
    }

    /// A file with a hand-written header dict (version 1 unless `major` says otherwise).
    func file(_ header: String, data: [UInt8], major: UInt8 = 1, headerLength: Int? = nil) -> [UInt8] {
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
        let n = headerLength ?? header.utf8.count
        out += major == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF)] : [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24 & 0xFF)]
        return out + Array(header.utf8) + data
    }

    func testWriterRoundTripsEveryElementType() throws {
        let values: [Float] = [0, 1, -2, 3, 100, 1]
        for element in ArrayElement.allCases {
            let v: [Float] = element == .bool ? [0, 1, 1, 0, 1, 1] : element.rawValue.hasPrefix("u") ? values.map(abs) : values
            let bytes = NpyFile.encode(ElementArray(shape: [2, 3], element: element, values: v))
            let written = element == .bfloat16 ? ArrayElement.float32 : element
            XCTAssertEqual((bytes.count - written.byteSize * 6) % 64, 0, "data starts on a 64-byte boundary")
            let back = try decode(bytes)
            XCTAssertEqual(back.shape, [2, 3])
            XCTAssertEqual(back.values, v, "\(element)")
            XCTAssertEqual(back.element, written)
        }
        XCTAssertEqual(try decode(NpyFile.encode(ElementArray(shape: [], element: .float32, values: [7]))).values, [7])
        XCTAssertEqual(try decode(NpyFile.encode(ElementArray(shape: [0, 4], element: .int64, values: []))).shape, [0, 4])
    }

    func testVersionsAndFortranOrder() throws {
        let data = ElementArray.int32Bytes([1, 4, 2, 5, 3, 6])  // Fortran order of [[1, 2, 3], [4, 5, 6]]
        for major: UInt8 in [1, 2, 3] {
            let a = try decode(file("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }\n", data: data, major: major))
            XCTAssertEqual(a.values, [1, 2, 3, 4, 5, 6])
            XCTAssertEqual(a.element, .int32)
        }
    }

    func testCorruptFiles() {
        let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n"
        expect([], .truncated, says: ["magic"])
        expect(Array("PK\u{3}\u{4}NUMPY".utf8), .badMagic, says: ["magic"])
        expect(file(good, data: [], major: 9), .unsupportedVersion, says: ["version 9"])
        expect(Array(file(good, data: []).prefix(9)), .truncated, says: ["header length"])
        expect(file(good, data: [], headerLength: 60_000), .truncated, says: ["header length 60000", "past the end"])
        expect(file(good, data: [], major: 2, headerLength: Int(UInt32.max)), .truncated, says: ["past the end"])
        expect(file(good, data: [0, 0, 0]), .truncated, says: ["needs 8"])
        expect(file("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", data: []),
               .tooLarge, says: ["too large"])
        expect(file("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 3), }", data: []), .tooLarge)
        expect(file("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", data: []), .invalidValue, says: ["-1"])
        expect(file("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8)),
               .unsupportedType, says: ["<c8"])
        expect(file("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0]), .unsupportedType, says: ["big-endian"])
        expect(file("{'fortran_order': False, 'shape': (1,), }", data: []), .invalidValue, says: ["descr"])
        expect(file("{'descr': '<f4', 'fortran_order': False, }", data: []), .invalidValue, says: ["shape"])
        expect(file("\u{FF}", data: []).enumerated().map { $0.offset == 10 ? 0xFF : $0.element }, .invalidUTF8)
    }

    func testEveryPrefixOfAValidFileFailsCleanly() {
        let bytes = NpyFile.encode(ElementArray(shape: [3], element: .float64, values: [1, 2, 3]))
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try decode(Array(bytes.prefix(n))), "prefix \(n)")
        }
    }
}

extension ElementArray {
    static func int32Bytes(_ values: [Int32]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }
}
