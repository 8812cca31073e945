import Foundation
import XCTest

/// Locates Tests/Fixtures relative to this file and reads raw fixture files.
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func data(_ relative: String) throws -> Data {
        let url = root.appendingPathComponent(relative)
        guard let d = FileManager.default.contents(atPath: url.path) else {
            throw NSError(domain: "Fixtures", code: 1, userInfo: [NSLocalizedDescriptionKey:
                "missing fixture \(url.path); regenerate with tools/gen_quant_fixtures.py"])
        }
        return d
    }

    /// Little-endian Float32 file as an array.
    static func floats(_ relative: String) throws -> [Float] {
        let d = try data(relative)
        return d.withUnsafeBytes { raw in
            (0..<(d.count / 4)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
        }
    }
}

/// Deterministic test data.
struct TestRNG {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
    mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in float() } }
}
