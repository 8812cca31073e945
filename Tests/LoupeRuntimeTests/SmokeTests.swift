import XCTest
@testable import LoupeRuntime

final class LoupeRuntimeTestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
