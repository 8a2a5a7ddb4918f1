import Foundation
import XCTest
@testable import D2L
import Tensor

final class SVGImageTests: XCTestCase {
    func testPNGChecksumsMatchKnownValues() {
        // Reference values of the standard check strings.
        XCTAssertEqual(PNGEncoder.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(PNGEncoder.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
        XCTAssertEqual(PNGEncoder.crc32(Array("IEND".utf8)), 0xAE42_6082)
    }

    func testPNGStructure() {
        let png = PNGEncoder.encode(width: 3, height: 2, pixels: [0, 128, 255, 1, 2, 3], color: .gray)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(Array(png[12..<16]), Array("IHDR".utf8))
        XCTAssertEqual(Array(png[16..<24]), [0, 0, 0, 3, 0, 0, 0, 2])
        XCTAssertEqual(Array(png.suffix(12)), [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
        // IDAT payload: zlib header, one final stored block of 2 rows × (1 filter byte + 3 pixels).
        let idat = Array(png[33...])
        XCTAssertEqual(Array(idat[4..<8]), Array("IDAT".utf8))
        let zlib = Array(idat[8..<(8 + 2 + 5 + 8 + 4)])
        XCTAssertEqual(Array(zlib.prefix(7)), [0x78, 0x01, 1, 8, 0, 0xF7, 0xFF])
        XCTAssertEqual(Array(zlib[7..<15]), [0, 0, 128, 255, 0, 1, 2, 3])
    }

    func testStoredBlocksSplitAt65535Bytes() {
        let data = [UInt8](repeating: 7, count: 70_000)
        let z = PNGEncoder.zlibStored(data)
        XCTAssertEqual(z.count, 2 + (5 + 65535) + (5 + 4465) + 4)
        XCTAssertEqual(z[2], 0, "first block is not final")
        XCTAssertEqual(z[2 + 5 + 65535], 1, "second block is final")
    }

    func testShowImagesEmbedsOneImagePerPictureWithTitles() throws {
        Tensor.manualSeed(0)
        let images = (0..<6).map { _ in Tensor.rand([28, 28]) }
        let titles = ["coat\ncoat", "shirt\nt-shirt", "bag\nbag", "sandal\nsneaker", "dress\ndress", "trouser\ntrouser"]
        let url = try showImages(images, numRows: 2, numCols: 3, titles: titles,
                                 file: figureFolder("images").appendingPathComponent("images.svg").path)
        let svg = SVGInspector(try String(contentsOf: url, encoding: .utf8))
        XCTAssertTrue(svg.isWellFormed)
        XCTAssertEqual(svg.count("image"), 6)
        XCTAssertTrue(svg.all("image").allSatisfy { $0.attributes["href"]!.hasPrefix("data:image/png;base64,iVBORw0KGgo") })
        let titleTexts = svg.all("text", where: { $0.attributes["class"] == "title" })
        XCTAssertEqual(titleTexts.count, 6)
        XCTAssertEqual(titleTexts[0].text, "coatcoat", "two tspans")
        XCTAssertEqual(svg.count("tspan"), 12)
    }

    func testShowImagesFromBatchTensor() throws {
        let batch = Tensor(shape: [4, 1, 2, 2], scalars: (0..<16).map(Float.init))
        let url = try showImages(batch: batch, numRows: 1, numCols: 3,
                                 file: figureFolder("batch").appendingPathComponent("batch.svg").path)
        XCTAssertEqual(SVGInspector(try String(contentsOf: url, encoding: .utf8)).count("image"), 3)
        XCTAssertEqual(GrayImage(width: 2, height: 1, pixels: [2, 4]).grayLevels(), [0, 255])
    }

    func testHeatmapsDrawEveryCellAndAColorBar() throws {
        let a = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) / 11 })
        let url = try showHeatmaps([[a, a], [a, a]], xlabel: "Keys", ylabel: "Queries", titles: ["Head 1", "Head 2"],
                                   figsize: (5, 4), file: figureFolder("heatmaps").appendingPathComponent("h.svg").path)
        let svg = SVGInspector(try String(contentsOf: url, encoding: .utf8))
        XCTAssertTrue(svg.isWellFormed)
        XCTAssertEqual(svg.count("rect", where: { $0.attributes["class"] == "cell" }), 4 * 12)
        XCTAssertEqual(svg.count("rect", where: { $0.attributes["class"] == "colorbar" }), 1)
        XCTAssertEqual(svg.count("linearGradient"), 1)
        let cells = svg.all("rect", where: { $0.attributes["class"] == "cell" })
        XCTAssertEqual(cells[0].attributes["fill"], "#fff5f0", "the minimum is the lightest red")
        XCTAssertEqual(cells[11].attributes["fill"], "#67000d", "the maximum is the darkest red")
        XCTAssertEqual(svg.texts.filter { $0 == "Keys" }.count, 2, "x label on the bottom row only")
        XCTAssertEqual(svg.texts.filter { $0 == "Queries" }.count, 2, "y label on the first column only")
        XCTAssertEqual(svg.texts.filter { $0 == "Head 2" }.count, 2)
    }

    func testLargeHeatmapIsEmbeddedAsPNG() {
        let big = Tensor.zeros([101, 100])
        let svg = SVGInspector(heatmapDocument([[big]], xlabel: "x", ylabel: "y", titles: [], figsize: (2.5, 2.5),
                                               cmap: .viridis).render())
        XCTAssertTrue(svg.isWellFormed)
        XCTAssertEqual(svg.count("rect", where: { $0.attributes["class"] == "cell" }), 0)
        XCTAssertEqual(svg.count("image", where: { $0.attributes["class"] == "heatmap" }), 1)
    }

    func testListLenPairHistogram() throws {
        let xs: [[String]] = [["go", "."], ["hi", "."], ["i", "lost", "."], ["he's", "calm", "."], ["run", "!"]]
        let ys: [[String]] = [["va", "!"], ["salut", "!"], ["j'ai", "perdu", "."], ["il", "est", "calme", "."], ["cours", "!"]]
        XCTAssertEqual(histogramCounts([2, 2, 3, 3, 2], lo: 2, hi: 4, bins: 2), [3, 2])
        XCTAssertEqual(histogramCounts([2, 4, 4], lo: 2, hi: 4, bins: 4), [1, 0, 0, 2], "the top edge belongs to the last bin")
        let url = try showListLenPairHist(legend: ["source", "target"], xlabel: "# tokens per sequence", ylabel: "count",
                                          xlist: xs, ylist: ys,
                                          file: figureFolder("hist").appendingPathComponent("hist.svg").path)
        let svg = SVGInspector(try String(contentsOf: url, encoding: .utf8))
        XCTAssertTrue(svg.isWellFormed)
        let bars = svg.all("rect", where: { $0.attributes["class"] == "bar" })
        XCTAssertEqual(bars.count, 2 + 3, "x lengths fill bins 2 and 3; y lengths fill 2, 3 and 4")
        XCTAssertEqual(bars.filter { $0.attributes["fill"]!.hasPrefix("url(#hatch") }.count, 3)
        XCTAssertEqual(svg.count("pattern"), 1)
        XCTAssertTrue(svg.texts.contains("source") && svg.texts.contains("target"))
    }
}
