import XCTest
@testable import LoupeScript

final class LoupeScriptTestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
