import XCTest
@testable import D2L

final class UtilsTimerAccumulatorTests: XCTestCase {
    func testTimerRecordsMonotonicIntervals() {
        var timer = Timer()
        usleep(20_000)
        let first = timer.stop()
        XCTAssertGreaterThanOrEqual(first, 0.015)
        XCTAssertLessThan(first, 1.0)
        timer.start()
        let second = timer.stop()
        XCTAssertGreaterThanOrEqual(second, 0)
        XCTAssertEqual(timer.times.count, 2)
        XCTAssertEqual(timer.sum(), first + second, accuracy: 1e-12)
        XCTAssertEqual(timer.avg(), (first + second) / 2, accuracy: 1e-12)
        XCTAssertEqual(timer.cumsum(), [first, first + second])
        XCTAssertEqual(Timer().avg(), 0)
        let a = Timer.now(), b = Timer.now()
        XCTAssertGreaterThanOrEqual(b, a)
    }

    func testAccumulatorAddsResetsAndReads() {
        var metric = Accumulator(3)
        metric.add(1.5, 10, 256)
        metric.add([0.5, 20, 96])
        XCTAssertEqual(metric.count, 3)
        XCTAssertEqual(metric[0], 2.0)
        XCTAssertEqual(metric[1], 30)
        XCTAssertEqual(metric[2], 352)
        XCTAssertEqual(metric.data, [2, 30, 352])
        metric.reset()
        XCTAssertEqual(metric.data, [0, 0, 0])
    }
}
