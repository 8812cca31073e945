import XCTest
@testable import LoupeAnalysis

final class LoupeAnalysisTestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
