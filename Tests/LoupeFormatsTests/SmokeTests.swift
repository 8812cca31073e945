import XCTest
@testable import LoupeFormats

final class LoupeFormatsTestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
