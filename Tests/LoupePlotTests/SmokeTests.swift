import XCTest
@testable import LoupePlot

final class LoupePlotTestsSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
