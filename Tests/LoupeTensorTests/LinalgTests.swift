import XCTest
@testable import LoupeTensor

/// The LAPACK wrappers against their definitions: U diag(S) Vh rebuilds the matrix with orthonormal U and
/// Vh and descending S; eigenvalues of known matrices (triangular, rotation), batched.
final class LinalgTests: XCTestCase {
    /// Row-major [m, k] @ [k, n] by loops.
    func product(_ a: [Float], _ b: [Float], _ m: Int, _ k: Int, _ n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { out[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return out
    }

    func testSVDRebuildsEachMatrixOfABatch() throws {
        var rng = Xoshiro256(seed: 7)
        for (m, n) in [(5, 3), (3, 5), (4, 4)] {
            let x = Tensor.randn([2, m, n], using: &rng)
            let (U, S, Vh) = try x.svd()
            let k = min(m, n)
            XCTAssertEqual(U.shape, [2, m, k]); XCTAssertEqual(S.shape, [2, k]); XCTAssertEqual(Vh.shape, [2, k, n])
            for b in 0..<2 {
                let u = try U.index([.at(b)]).toArray(), s = try S.index([.at(b)]).toArray(), vh = try Vh.index([.at(b)]).toArray()
                XCTAssertEqual(s, s.sorted(by: >))
                var us = u
                for i in 0..<m { for j in 0..<k { us[i * k + j] *= s[j] } }
                let rebuilt = product(us, vh, m, k, n), original = try x.index([.at(b)]).toArray()
                for (r, o) in zip(rebuilt, original) { XCTAssertEqual(r, o, accuracy: 1e-4) }
                let utu = product(try U.index([.at(b)]).T.contiguous().toArray(), u, k, m, k)
                for i in 0..<k { for j in 0..<k { XCTAssertEqual(utu[i * k + j], i == j ? 1 : 0, accuracy: 1e-4) } }
            }
        }
    }

    func testEigenvaluesOfTriangularAndRotationMatrices() throws {
        let x = Tensor(shape: [2, 2, 2], data: [2, 5, 0, -3, 0, -1, 1, 0])  // [[2, 5], [0, -3]] and a quarter turn
        let (re, im) = try x.eigenvalues()
        XCTAssertEqual(try re.index([.at(0)]).toArray().sorted(), [-3, 2])
        XCTAssertEqual(try im.index([.at(0)]).toArray(), [0, 0])
        XCTAssertEqual(try re.index([.at(1)]).toArray(), [0, 0])
        XCTAssertEqual(try im.index([.at(1)]).toArray().sorted(), [-1, 1])
        XCTAssertThrowsError(try Tensor(zeros: [2, 3]).eigenvalues())
        XCTAssertThrowsError(try Tensor(zeros: [3]).svd())
    }
}
