import Foundation
import XCTest
@testable import LoupeTensor

/// `TorchGenerator` against torch's CPU generator: Tests/Fixtures/rng/torch_rng.json, made by
/// tools/gen_rng_fixtures.py, holds torch's values for seeded sequences of draws.
final class TorchRNGTests: XCTestCase {
    /// Units in the last place between two floats of the same sign (0 when equal).
    static func ulps(_ a: Float, _ b: Float) -> Int {
        if a == b { return 0 }
        func ordered(_ x: Float) -> Int64 {
            let bits = Int64(Int32(bitPattern: x.bitPattern))
            return bits < 0 ? Int64(Int32.min) - bits : bits
        }
        return Int(abs(ordered(a) - ordered(b)))
    }

    /// Runs one fixture op on `g`; nil for ops that draw nothing.
    static func draw(_ op: [String: Any], _ g: TorchGenerator) throws -> [Float]? {
        let int = { (k: String) in (op[k] as? NSNumber)?.intValue ?? 0 }
        let dbl = { (k: String) in (op[k] as? NSNumber)?.doubleValue ?? 0 }
        switch op["op"] as? String ?? "" {
        case "rand": return Tensor.torchRand([int("size")], using: g).toArray()
        case "randn": return Tensor.torchRandn([int("size")], using: g).toArray()
        case "normal_": return Tensor.torchRandn([int("size")], mean: dbl("mean"), std: dbl("std"), using: g).toArray()
        case "normal_strided":
            let base = Tensor(zeros: [int("size"), 2])
            let column = try base.select(dim: 1, index: 0)   // [size], stride 2
            column.fillNormal(mean: 0, std: 1, using: g)
            return column.toArray()
        case "uniform_":
            let t = Tensor(zeros: [int("size")])
            t.fillUniform(from: dbl("from"), to: dbl("to"), using: g)
            return t.toArray()
        case "randint": return try Tensor.torchRandint(Int64(int("low")), Int64(int("high")), [int("size")], using: g).toArray()
        case "randperm": return try Tensor.torchRandperm(int("n"), using: g).toArray()
        case "multinomial":
            let rows = (op["probs"] as? [[NSNumber]]) ?? [(op["probs"] as? [NSNumber]) ?? []]
            let flat = rows.flatMap { $0.map { $0.floatValue } }
            let probs = Tensor(shape: op["probs"] is [[NSNumber]] ? [rows.count, rows[0].count] : [flat.count], data: flat)
            return try Tensor.torchMultinomial(probs, int("n"), replacement: (op["replacement"] as? Bool) ?? false, using: g).toArray()
        case "manual_seed": g.manualSeed(UInt64(int("seed"))); return nil
        case let other: throw NSError(domain: "TorchRNGTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "unknown op \(other)"])
        }
    }

    func testMatchesTorchCPUGenerator() throws {
        let json = try JSONSerialization.jsonObject(with: try Fixtures.data("rng/torch_rng.json")) as? [String: Any]
        let cases = try XCTUnwrap(json?["cases"] as? [[String: Any]])
        var worst: [String: (delta: Float, ulps: Int, count: Int)] = [:]
        for c in cases {
            let g = TorchGenerator()
            if let seed = c["seed"] as? NSNumber { g.manualSeed(seed.uint64Value) }
            for op in try XCTUnwrap(c["ops"] as? [[String: Any]]) {
                guard let got = try Self.draw(op, g) else { continue }
                let want = try XCTUnwrap(op["values"] as? [NSNumber]).map { $0.floatValue }
                let name = op["op"] as? String ?? "?"
                XCTAssertEqual(got.count, want.count, "\(name) seed \(c["seed"] ?? "default")")
                var w = worst[name] ?? (0, 0, 0)
                for (a, b) in zip(got, want) {
                    w.delta = max(w.delta, abs(a - b))
                    w.ulps = max(w.ulps, Self.ulps(a, b))
                }
                w.count += got.count
                worst[name] = w
                XCTAssertEqual(Self.ulps(got.first ?? 0, want.first ?? 0), 0, "\(name) size \(got.count) seed \(c["seed"] ?? "default"): first value")
            }
        }
        for (name, w) in worst.sorted(by: { $0.key < $1.key }) {
            print("torch rng \(name): \(w.count) values, max |Δ| \(w.delta), max \(w.ulps) ulp")
            XCTAssertEqual(w.ulps, 0, "\(name) differs from torch by up to \(w.ulps) ulp")
        }
    }

    /// MT19937's reference output: the 10000th draw after seeding with 5489 is 4123659995 (C++11's check value).
    func testMersenneTwisterCheckValue() {
        var mt = MT19937(seed: 5489)
        var last: UInt32 = 0
        for _ in 0..<10_000 { last = mt.next32() }
        XCTAssertEqual(last, 4_123_659_995)
    }

    func testRandom64IsTwoDrawsHighFirst() {
        let a = TorchGenerator(seed: 9), b = TorchGenerator(seed: 9)
        let hi = a.random(), lo = a.random()
        XCTAssertEqual(b.random64(), UInt64(hi) << 32 | UInt64(lo))
    }

    func testRandintRefusesRangesPastFloat32Integers() {
        let g = TorchGenerator(seed: 0)
        XCTAssertThrowsError(try Tensor.torchRandint(0, 1 << 30, [3], using: g))
        XCTAssertThrowsError(try Tensor.torchRandint(5, 5, [3], using: g))
        XCTAssertThrowsError(try Tensor.torchRandperm(-1, using: g))
    }
}
