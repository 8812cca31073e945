import XCTest
import Foundation
@testable import LoupeTensor

/// The kernels' parallel loop: every index exactly once, also with gaps (parked workers) and nesting.
final class ParallelForTests: XCTestCase {
    final class Counts: @unchecked Sendable {
        let p: UnsafeMutablePointer<Int>
        let n: Int
        let lock = NSLock()
        init(_ n: Int) { self.n = n; p = .allocate(capacity: n); p.initialize(repeating: 0, count: n) }
        deinit { p.deallocate() }
        func hit(_ i: Int) { lock.lock(); p[i] += 1; lock.unlock() }
        var all: [Int] { Array(UnsafeBufferPointer(start: p, count: n)) }
    }

    func testEveryIndexOnceIncludingNestedAndAfterParking() {
        for round in 0..<300 {
            let n = 1 + round % 9
            let c = Counts(n)
            ParallelFor.run(n) { c.hit($0) }
            XCTAssertEqual(c.all, Array(repeating: 1, count: n), "round \(round)")
            if round == 150 { Thread.sleep(forTimeInterval: 0.01) }  // let workers park, then wake them
        }
        let outer = Counts(4 * 5)
        ParallelFor.run(4) { i in ParallelFor.run(5) { j in outer.hit(i * 5 + j) } }
        XCTAssertEqual(outer.all, Array(repeating: 1, count: 20))
    }
}
