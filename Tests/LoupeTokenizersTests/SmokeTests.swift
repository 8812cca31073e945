import XCTest
@testable import LoupeTokenizers

final class LoupeTokenizersTestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
