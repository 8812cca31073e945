import XCTest
@testable import LoupeTensor

final class LoupeTensorTestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
