import Foundation
import XCTest
@testable import D2L

final class SVGAnimatorTests: XCTestCase {
    func testAddSkipsNilAndSavesCurrentFigure() throws {
        let animator = Animator(xlabel: "epoch", legend: ["train loss", "train acc", "test acc"],
                                xlim: 1...3, ylim: 0.3...0.9)
        for epoch in 1...3 {
            for i in 1...5 { animator.add(Double(epoch - 1) + Double(i) / 5, [0.9 - 0.1 * Double(epoch), 0.5 + 0.1 * Double(epoch), nil]) }
            animator.add(Double(epoch), [nil, nil, 0.55 + 0.1 * Double(epoch)])
        }
        XCTAssertEqual(animator.X.map(\.count), [15, 15, 3])
        XCTAssertEqual(animator.Y[2], [0.65, 0.75, 0.85].map { $0 }, accuracy: 1e-12)
        XCTAssertEqual(animator.Y[0].last!, 0.6, accuracy: 1e-12)
        let url = try animator.save(to: figureFolder("animator").appendingPathComponent("animator.svg"))
        let svg = SVGInspector(try String(contentsOf: url, encoding: .utf8))
        XCTAssertTrue(svg.isWellFormed)
        XCTAssertEqual(svg.count("g", where: { $0.attributes["class"] == "series" }), 3)
        for label in ["train loss", "train acc", "test acc", "epoch"] { XCTAssertTrue(svg.texts.contains(label), label) }
    }

    func testSaveRewritesTheFileWithNewPoints() throws {
        let animator = Animator(legend: ["loss"])
        let url = figureFolder("animator-rewrite").appendingPathComponent("a.svg")
        animator.add(1, 1.0)
        try animator.save(to: url)
        XCTAssertEqual(SVGInspector(try String(contentsOf: url, encoding: .utf8)).count("polyline"), 0)
        animator.add(2, 0.5)
        try animator.save(to: url)
        XCTAssertEqual(SVGInspector(try String(contentsOf: url, encoding: .utf8)).count("polyline"), 1)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
