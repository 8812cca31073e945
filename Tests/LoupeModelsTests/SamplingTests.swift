import XCTest
@testable import LoupeModels

/// Top-p as Meta's sample_top_p (mask where cumsum − prob > p) and TransformerLens (remove a token when the
/// mass before it exceeds p) keep it: a token stays while the probability before it is at most p.
final class SamplingTests: XCTestCase {
    func testTopPKeepsTokensWhileTheMassBeforeIsAtMostP() {
        let probs = [0.5, 0.25, 0.125, 0.125]   // exact in binary: the boundary cases are exact
        // cumsum − prob (mass before): 0, 0.5, 0.75, 0.875.
        XCTAssertEqual(HookedTransformer.topPCount(probs, p: 0.49), 1)
        XCTAssertEqual(HookedTransformer.topPCount(probs, p: 0.5), 2)     // 0.5 > 0.5 is false: kept
        XCTAssertEqual(HookedTransformer.topPCount(probs, p: 0.75), 3)
        XCTAssertEqual(HookedTransformer.topPCount(probs, p: 0.9), 4)
        XCTAssertEqual(HookedTransformer.topPCount(probs, p: 1), 4)
        XCTAssertEqual(HookedTransformer.topPCount([1], p: 0.1), 1)
    }
}
