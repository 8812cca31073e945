import XCTest
@testable import LoupeModels

final class LoupeModelsTestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
