import Foundation
import XCTest
import LoupeTensor
@testable import LoupeModels

/// Reference activations written by tools/gen_model_fixtures.py: <name>.json (index) + <name>.bin (f32).
struct ReferenceFixture {
    let meta: [String: Any]
    let index: [String: (offset: Int, shape: [Int])]
    let data: [Float]

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/models")
    }

    init(_ name: String) throws {
        let dir = ReferenceFixture.directory
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(name + ".json"))) as! [String: Any]
        meta = json["meta"] as! [String: Any]
        var idx: [String: (Int, [Int])] = [:]
        for (k, v) in json["tensors"] as! [String: Any] {
            let o = v as! [String: Any]
            idx[k] = ((o["offset"] as! NSNumber).intValue, (o["shape"] as! [NSNumber]).map(\.intValue))
        }
        index = idx
        let bytes = try Data(contentsOf: dir.appendingPathComponent(name + ".bin"))
        data = bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    func has(_ key: String) -> Bool { index[key] != nil }

    func tensor(_ key: String) -> Tensor? {
        guard let (o, shape) = index[key] else { return nil }
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, data: Array(data[o..<(o + n)]))
    }

    func ints(_ key: String) -> [Int] { (meta[key] as! [NSNumber]).map(\.intValue) }
    func intLists(_ key: String) -> [[Int]] { (meta[key] as! [[NSNumber]]).map { $0.map(\.intValue) } }

    static func modelDirectory(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// max |a − b| / max(1, max |b|); equal infinities count as equal. Nil when shapes differ.
func relativeMaxDiff(_ a: Tensor, _ b: Tensor, where keep: ((Int) -> Bool)? = nil) -> Float? {
    guard a.shape == b.shape else { return nil }
    let x = a.toArray(), y = b.toArray()
    var diff: Float = 0, scale: Float = 1
    for i in 0..<x.count where keep?(i) ?? true {
        if y[i].isInfinite || x[i].isInfinite {
            if x[i] != y[i] { return .infinity }
            continue
        }
        diff = max(diff, abs(x[i] - y[i]))
        scale = max(scale, abs(y[i]))
    }
    return diff / scale
}

func assertClose(_ a: Tensor, _ b: Tensor, _ label: String, tol: Float = 1e-4, report: inout [String],
                 where keep: ((Int) -> Bool)? = nil, file: StaticString = #filePath, line: UInt = #line) {
    guard let d = relativeMaxDiff(a, b, where: keep) else {
        XCTFail("\(label): shape \(a.shape) vs reference \(b.shape)", file: file, line: line)
        return
    }
    report.append(String(format: "%-44@ %.2e", label as NSString, d))
    XCTAssertLessThanOrEqual(d, tol, "\(label): max relative difference \(d)", file: file, line: line)
}
