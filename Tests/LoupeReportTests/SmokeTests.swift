import XCTest
@testable import LoupeReport

final class LoupeReportTestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
