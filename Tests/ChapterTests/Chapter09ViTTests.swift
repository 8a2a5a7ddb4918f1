import Foundation
import XCTest
@testable import Chapter09_Transformer
import D2L
import NN
import Tensor
import TestSupport

/// Chapter09-Transformer's `vit` section ("Transformers for vision"): the book's configuration,
/// the quick one, the shape checks it prints and the `<cls>` attention map.
final class Chapter09ViTTests: XCTestCase {
    func testBookConfigurationIsTheBooks() {
        let c = vitBookConfig
        XCTAssertEqual([c.imgSize, c.patchSize, c.numHiddens, c.mlpNumHiddens, c.numHeads, c.numBlks, c.batchSize, c.epochs],
                       [96, 16, 512, 2048, 8, 2, 128, 10])
        XCTAssertEqual([c.embDropout, c.blkDropout, c.lr], [0.1, 0.1, 0.1])
        XCTAssertNil(c.trainSize)
        XCTAssertTrue(vitQuickConfig.imgSize == 28 && 28 % vitQuickConfig.patchSize == 0)
    }

    func testShapeChecksPrintTheBooksShapes() {
        let lines = vitShapeChecks()
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].contains("(4, 36, 512)   (book: (4, 36, 512))"), lines[0])
        XCTAssertTrue(lines[1].contains("(2, 100, 24)   (book"), lines[1])
        XCTAssertTrue(lines[2].hasSuffix("(2, 10)"), lines[2])
    }

    /// The map is the `<cls>` row (query 0) without its own key, averaged over heads: one row
    /// of `numPatches` per image that sums to 1 minus the attention on `<cls>` itself.
    func testCLSAttentionIsRowZeroAveragedOverHeads() {
        Tensor.manualSeed(1)
        let net = ViT(imgSize: 8, patchSize: 4, numHiddens: 8, mlpNumHiddens: 16, numHeads: 2, numBlks: 2,
                      embDropout: 0.1, blkDropout: 0.1)
        let x = Tensor.rand([3, 1, 8, 8])
        let maps = clsAttention(net, x)
        XCTAssertTrue(net.isTraining, "clsAttention leaves the model in training mode")
        net.eval()
        let full = withNoGrad { net.attentionWeights(x) }
        XCTAssertEqual(maps.count, 2)
        for (m, w) in zip(maps, full) {
            XCTAssertEqual(m.shape, [3, 4])
            for b in 0..<3 {
                for p in 0..<4 {
                    let expected = (0..<2).map { h in w.scalars[((b * 2 + h) * 5 + 0) * 5 + 1 + p] }.reduce(0, +) / 2
                    XCTAssertEqual(m.scalars[b * 4 + p], expected, accuracy: 1e-6)
                }
            }
        }
    }
}
