import Foundation
import XCTest
@testable import LoupeFormats

/// The safetensors writer: what it writes, SafetensorsFile reads back, for every element type.
final class SafetensorsWriterTests: XCTestCase {
    func read(_ bytes: [UInt8]) throws -> SafetensorsFile {
        try SafetensorsFile(mapped: MappedFile(copying: bytes, url: URL(fileURLWithPath: "/tmp/written.safetensors")))
    }

    func testRoundTripEveryElementType() throws {
        var tensors: [(name: String, array: ElementArray)] = []
        for element in ArrayElement.allCases {
            let values: [Float] = element == .bool ? [1, 0, 1, 1] : [0, 1, 2, 100]
            tensors.append(("t/\(element)", ElementArray(shape: [2, 2], element: element, values: values)))
        }
        tensors.append(("empty", ElementArray(shape: [0, 3], element: .float32, values: [])))
        let bytes = try SafetensorsWriter.encode(tensors, metadata: ["format": "pt"])
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(headerLength % 8, 0, "data starts on an 8-byte boundary")
        let file = try read(bytes)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(Set(file.allTensorNames), Set(tensors.map(\.name)))
        for (name, array) in tensors {
            XCTAssertEqual(try file.elementArray(name), array, name)
        }
        XCTAssertEqual(try file.loadFloat32("t/float32").toArray(), [0, 1, 2, 100])
        XCTAssertThrowsError(try file.elementArray("absent")) { XCTAssertEqual(($0 as? FormatError)?.kind, .noSuchTensor) }
    }

    func testHeaderTextIsStable() throws {
        let bytes = try SafetensorsWriter.encode([("b/x", ElementArray(shape: [1], element: .int64, values: [3])),
                                                  ("a", ElementArray(shape: [], element: .bool, values: [1]))])
        let header = String(decoding: bytes[8..<(8 + Int(bytes[0]))], as: UTF8.self)
        XCTAssertEqual(header.trimmingCharacters(in: [" "]),
                       #"{"a":{"data_offsets":[8,9],"dtype":"BOOL","shape":[]},"b\/x":{"data_offsets":[0,8],"dtype":"I64","shape":[1]}}"#)
        XCTAssertEqual(header.utf8.count % 8, 0)
        XCTAssertThrowsError(try SafetensorsWriter.encode([("__metadata__", ElementArray(shape: [], element: .bool, values: [1]))]))
    }

    func testWrittenFilesSurviveTruncation() throws {
        let bytes = try SafetensorsWriter.encode([("w", ElementArray(shape: [3], element: .float32, values: [1, 2, 3]))])
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try read(Array(bytes.prefix(n))), "prefix \(n)")
        }
    }
}
