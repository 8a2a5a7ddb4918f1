import XCTest
@testable import D2L

final class ProgressBarTests: XCTestCase {
    /// Collects everything written, with a fake clock advanced by the test.
    final class Capture {
        var text = ""
        var time = 100.0
        func output(terminal: Bool) -> TextOutput { TextOutput(isTerminal: terminal) { self.text += $0 } }
    }

    func testTerminalModeRedrawsInPlaceAndFinishesWithNewline() {
        let capture = Capture()
        let bar = ProgressBar(total: 4, title: "epoch 1/10", output: capture.output(terminal: true),
                              clock: { capture.time })
        for i in 1...3 {
            capture.time += 1
            bar.update(batch: i, examples: 256 * i, metrics: ["loss": 1.0 / Double(i), "acc": 0.5])
        }
        XCTAssertEqual(capture.text.components(separatedBy: "\r").count - 1, 3, "one redraw per update")
        XCTAssertFalse(capture.text.contains("\n"))
        XCTAssertTrue(capture.text.contains("\u{1B}[K"))
        let last = capture.text.components(separatedBy: "\r").last!
        XCTAssertTrue(last.hasPrefix("epoch 1/10  batch 3/4 [===============>    ]"), last)
        XCTAssertTrue(last.contains("loss 0.3333  acc 0.5000"), last)
        XCTAssertTrue(last.contains("256.0 examples/sec"), last)   // 768 examples in 3 s
        XCTAssertTrue(last.contains("ETA 0:01"), last)
        capture.time += 1
        bar.update(batch: 4, examples: 1024, metrics: ["loss": 0.2, "acc": 0.9])
        let final = bar.finish()
        XCTAssertTrue(capture.text.hasSuffix("\u{1B}[K\n"))
        XCTAssertTrue(final.contains("batch 4/4 [====================]"), final)
        XCTAssertTrue(final.contains("took 0:04"), final)
        let before = capture.text
        bar.finish()
        XCTAssertEqual(capture.text, before, "finish twice writes once")
    }

    func testTerminalModeThrottlesRedraws() {
        let capture = Capture()
        let bar = ProgressBar(total: 1000, output: capture.output(terminal: true), clock: { capture.time })
        for i in 1...999 { capture.time += 0.001; bar.update(batch: i) }   // 1 s in total
        let redraws = capture.text.components(separatedBy: "\r").count - 1
        XCTAssertTrue((9...12).contains(redraws), "about one redraw per 0.1 s, got \(redraws)")
    }

    func testPlainModePrintsQuartersAndOneFinalLine() {
        let capture = Capture()
        let bar = ProgressBar(total: 100, title: "epoch 2", output: capture.output(terminal: false), clock: { capture.time })
        for i in 1...100 {
            capture.time += 0.01
            bar.update(batch: i, examples: 10 * i, metrics: ["loss": 0.5])
        }
        bar.finish(metrics: ["loss": 0.25, "test acc": 0.8])
        XCTAssertFalse(capture.text.contains("\r"))
        XCTAssertFalse(capture.text.contains("\u{1B}"))
        let lines = capture.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, "25 %, 50 %, 75 % and the final line:\n\(capture.text)")
        XCTAssertTrue(lines[0].hasPrefix("epoch 2  batch  25/100 (25%)  loss 0.5000"), lines[0])
        XCTAssertTrue(lines[2].contains("(75%)"))
        XCTAssertTrue(lines[3].contains("batch 100/100 (100%)  loss 0.2500  test acc 0.8000  1000.0 examples/sec  took 0:01"),
                      lines[3])
    }

    func testPlainModeAlsoPrintsAfterAnInterval() {
        let capture = Capture()
        let bar = ProgressBar(total: 1000, output: capture.output(terminal: false), clock: { capture.time })
        bar.plainInterval = 5
        for i in 1...100 { capture.time += 1; bar.update(batch: i) }   // 10 % of the work in 100 s
        XCTAssertEqual(capture.text.split(separator: "\n").count, 20, "one line every 5 s")
    }

    func testFormatting() {
        XCTAssertEqual(formatDuration(3725), "1:02:05")
        XCTAssertEqual(formatDuration(65), "1:05")
        XCTAssertEqual(formatMetric(0.44751), "0.4475")
        XCTAssertEqual(formatMetric(5.1e-6), "5.100e-06")
        XCTAssertEqual(formatFixed(-0.00004, decimals: 4), "0.0000")
        XCTAssertEqual(formatFixed(2.5, decimals: 1), "2.5")
    }
}
