import Foundation
import XCTest
@testable import D2L

final class SVGLinePlotTests: XCTestCase {
    func testPlotWritesOnePolylinePerSeriesWithLegend() throws {
        let x = (0..<50).map { Double($0) / 10 }
        let url = try plot(x: x, y: [x.map { $0 * $0 }, x.map { 2 * $0 - 3 }, x.map { sin($0) }],
                           xlabel: "x", ylabel: "f(x)", legend: ["f(x)", "tangent", "sin"],
                           file: figureFolder("plot").appendingPathComponent("three-series.svg").path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.path))
        let svg = SVGInspector(try String(contentsOf: url, encoding: .utf8))
        XCTAssertTrue(svg.isWellFormed, "\(String(describing: svg.parseError))")
        XCTAssertEqual(svg.count("polyline"), 3)
        XCTAssertEqual(svg.count("g", where: { $0.attributes["class"] == "series" }), 3)
        for label in ["f(x)", "tangent", "sin", "x"] { XCTAssertTrue(svg.texts.contains(label), label) }
        // Book formats: solid C0, magenta dashed, green dash-dot.
        let lines = svg.all("polyline")
        XCTAssertEqual(lines[0].attributes["stroke"], "#1f77b4")
        XCTAssertNil(lines[0].attributes["stroke-dasharray"])
        XCTAssertEqual(lines[1].attributes["stroke"], "#bf00bf")
        XCTAssertNotNil(lines[1].attributes["stroke-dasharray"])
        XCTAssertEqual(lines[2].attributes["stroke"], "#008000")
        XCTAssertEqual(svg.count("g", where: { $0.attributes["class"] == "legend" }), 1)
        // 3.5 × 2.5 inches at the default 120 dpi.
        let root = svg.all("svg")[0]
        XCTAssertEqual(root.attributes["width"], "420")
        XCTAssertEqual(root.attributes["height"], "300")
    }

    func testLimitsClipLinesToTheFrame() {
        var figure = LinePlot(xlim: 0...1, ylim: 0...1)
        figure.add(x: [0.0, 0.5, 1.0], y: [0.0, 5.0, 0.0])   // the peak leaves the frame
        let svg = SVGInspector(figure.svg())
        XCTAssertTrue(svg.isWellFormed)
        let frame = svg.all("rect", where: { $0.attributes["class"] == "frame" })[0]
        let top = Double(frame.attributes["y"]!)!, height = Double(frame.attributes["height"]!)!
        let lines = svg.all("polyline")
        XCTAssertEqual(lines.count, 2, "clipping splits the line where it leaves the frame")
        for line in lines {
            for pair in line.attributes["points"]!.split(separator: " ") {
                let y = Double(pair.split(separator: ",")[1])!
                XCTAssertGreaterThanOrEqual(y, top - 0.01)
                XCTAssertLessThanOrEqual(y, top + height + 0.01)
            }
        }
    }

    func testLogScaleSkipsNonPositiveValues() {
        var figure = LinePlot(yscale: .log)
        figure.add(x: [1.0, 2, 3, 4, 5, 6], y: [100.0, 10, 0, -1, 0.1, 0.01])
        let text = figure.svg()
        let svg = SVGInspector(text)
        XCTAssertTrue(svg.isWellFormed)
        XCTAssertFalse(text.contains("nan") || text.contains("inf"))
        let lines = svg.all("polyline")
        XCTAssertEqual(lines.count, 2, "0 and −1 break the line into two runs")
        XCTAssertEqual(lines.map { $0.attributes["points"]!.split(separator: " ").count }, [2, 2])
        // Decade labels 10^-2 … 10^2 are drawn as "10" with a superscript exponent.
        XCTAssertTrue(svg.texts.contains("10−2"))
        XCTAssertTrue(svg.texts.contains("102"))
    }

    func testLogScaleAllNonPositiveStillWritesAFigure() {
        var figure = LinePlot(xscale: .log, yscale: .log)
        figure.add(x: [0.0, -1], y: [0.0, 0])
        let svg = SVGInspector(figure.svg())
        XCTAssertTrue(svg.isWellFormed)
        XCTAssertEqual(svg.count("polyline"), 0)
    }

    func testLinearTicksAreNiceAndUniform() {
        let ticks = Axis.linearTicks(0.3, 0.9, maxTicks: 7)
        XCTAssertEqual(ticks.map(\.label), ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"].map { TickLabel.text($0) })
        let epochs = Axis.linearTicks(1, 10, maxTicks: 8)
        XCTAssertEqual(epochs.map(\.value), [2, 4, 6, 8, 10])
        let negative = Axis.linearTicks(-1, 1, maxTicks: 5)
        XCTAssertEqual(negative.map(\.label), ["−1.0", "−0.5", "0.0", "0.5", "1.0"].map { TickLabel.text($0) })
    }

    func testMarkersOnlyFormatDrawsNoLine() {
        var figure = LinePlot(fmts: ["o"])
        figure.add(x: [1.0, 2, 3], y: [1.0, 4, 9])
        let svg = SVGInspector(figure.svg())
        XCTAssertEqual(svg.count("polyline"), 0)
        XCTAssertEqual(svg.count("circle"), 3)
    }

    func testFormatParsing() {
        XCTAssertEqual(PlotFormat("m--"), PlotFormat(color: "#bf00bf", lineStyle: .dashed))
        XCTAssertEqual(PlotFormat("g-."), PlotFormat(color: "#008000", lineStyle: .dashDot))
        XCTAssertEqual(PlotFormat("r:"), PlotFormat(color: "#ff0000", lineStyle: .dotted))
        XCTAssertEqual(PlotFormat("bo"), PlotFormat(color: "#0000ff", lineStyle: nil, marker: .circle))
        XCTAssertEqual(PlotFormat("x-"), PlotFormat(color: nil, lineStyle: .solid, marker: .cross))
    }

    func testFigureNames() {
        XCTAssertEqual(Figures.name("Chapter04", "weight decay", "λ=3"), "chapter04-weight-decay-3")
        XCTAssertTrue(Figures.url("a/b/c").path.hasSuffix("a/b/c.svg"))
        XCTAssertEqual(Figures.url("loss").lastPathComponent, "loss.svg")
        XCTAssertEqual(Figures.url("loss.svg").deletingLastPathComponent().path, Figures.directory.path)
    }

    func testXMLSpecialCharactersAreEscaped() {
        var figure = LinePlot(xlabel: "a < b & \"c\"", legend: ["x<y"])
        figure.add(x: [0.0, 1], y: [0.0, 1])
        let svg = SVGInspector(figure.svg())
        XCTAssertTrue(svg.isWellFormed)
        XCTAssertTrue(svg.texts.contains("a < b & \"c\""))
        XCTAssertTrue(svg.texts.contains("x<y"))
    }
}
