import XCTest
@testable import LoupeRuntime

final class LoupeCLITestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
