import Foundation
import LoupeLibrary
import XCTest

/// Shards are contiguous ranges of the sorted ids that cover every item exactly once.
final class ShardSpecTests: XCTestCase {
    func testShardsPartitionTheItems() throws {
        for total in [0, 1, 7, 8, 64, 1001] {
            for n in [1, 2, 3, 8, 13] {
                var covered: [Int] = []
                for k in 0..<n {
                    let r = try ShardSpec(index: k, count: n).range(total: total)
                    XCTAssertEqual(r.lowerBound, covered.count, "shard \(k)/\(n) of \(total) starts where the last ended")
                    XCTAssertLessThanOrEqual(r.count, total / n + 1)
                    covered += Array(r)
                }
                XCTAssertEqual(covered, Array(0..<total))
            }
        }
    }

    func testParsingAndRefusals() throws {
        let spec = try ShardSpec(parsing: "3/8")
        XCTAssertEqual(spec.directoryName, "3-of-8")
        for bad in ["8/8", "-1/8", "0/0", "3", "a/b", "3/8/1"] {
            XCTAssertThrowsError(try ShardSpec(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("--shard \(bad)"), "\(error)")
            }
        }
    }

    func testDigestMatchesKnownSHA256() {
        XCTAssertEqual(Digest.sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
