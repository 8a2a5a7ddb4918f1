import Foundation
import Tensor
import XCTest
@testable import D2L

final class IDXTests: XCTestCase {
    func header(_ magic: [UInt8], _ dims: [UInt32]) -> [UInt8] {
        magic + dims.flatMap { d in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: d >> $0) } }
    }

    func testParsesImagesAndLabels() throws {
        let images = try IDXArray(bytes: header([0, 0, 8, 3], [2, 2, 3]) + Array(0..<12), expectedDims: 3, file: "x")
        XCTAssertEqual(images.shape, [2, 2, 3]); XCTAssertEqual(images.data, Array(0..<12))
        let labels = try IDXArray(bytes: header([0, 0, 8, 1], [3]) + [7, 8, 9], expectedDims: 1, file: "y")
        XCTAssertEqual(labels.data, [7, 8, 9])
    }

    func testEdgeCases() {
        func message(_ bytes: [UInt8], _ dims: Int) -> String {
            do { _ = try IDXArray(bytes: bytes, expectedDims: dims, file: "f.idx"); return "no error" } catch { return "\(error)" }
        }
        XCTAssert(message(header([0, 0, 8, 1], [3]) + [1, 2, 3], 3).contains("magic number 0x00000801, expected 0x00000803"))
        XCTAssert(message([0, 0, 8], 1).contains("too short"))
        XCTAssert(message(header([0, 0, 8, 3], [2, 2]), 3).contains("too short"))
        XCTAssert(message(header([0, 0, 8, 1], [4]) + [1, 2, 3], 1).contains("need 4 data bytes, found 3"))
        XCTAssert(message(header([0, 0, 8, 1], [2]) + [1, 2, 3], 1).contains("need 2 data bytes, found 3"))
        XCTAssert(message(header([0, 0, 8, 3], [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]), 3).contains("overflow"))
        XCTAssert(message(header([0, 0, 8, 3], [0, 5, 5]), 3) == "no error", "zero images is valid")
        XCTAssert(message([], 1).hasPrefix("bad IDX file f.idx"))
    }

    func testFuzzIDXForBoundedTime() {
        var g = SeededGenerator(seed: 11)
        let valid = header([0, 0, 8, 3], [2, 3, 3]) + [UInt8](repeating: 5, count: 18)
        let deadline = Date().addingTimeInterval(0.5)
        var runs = 0
        while Date() < deadline {
            var b = Array(valid.prefix(Int(g.next() % UInt64(valid.count + 1))))
            for _ in 0..<(g.next() % 3) where !b.isEmpty { b[Int(g.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: g.next()) }
            _ = try? IDXArray(bytes: b, expectedDims: Int(g.next() % 4), file: "fuzz")
            runs += 1
        }
        XCTAssertGreaterThan(runs, 1000)
    }
}
