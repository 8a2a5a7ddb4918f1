import XCTest
final class D2LTestsPlaceholder: XCTestCase { func testBuilds() {} }
