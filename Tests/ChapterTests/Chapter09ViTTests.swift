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

/// The scratch ViT (patches by reshape and matmul, the chapter's LayerNormScratch, the attention
/// chapter's MultiHeadAttention) equals the concise one given the same weights: logits and the
/// gradient of every corresponding weight.
final class Chapter09ViTScratchTests: XCTestCase {
    /// A tiny configuration's concise model and a scratch model given its weights.
    func tinyPair() -> (ViTConfig, ViT, ViTScratch) {
        let config = ViTConfig(imgSize: 8, patchSize: 4, numHiddens: 8, mlpNumHiddens: 16, numHeads: 2, numBlks: 2,
                               embDropout: 0.1, blkDropout: 0.1, lr: 0.1, batchSize: 4, epochs: 1)
        let net = config.concise(), scratch = config.scratch()
        copyWeights(from: net, to: scratch)
        return (config, net, scratch)
    }

    func testScratchEqualsConciseWithTheSameWeights() {
        Tensor.manualSeed(6)
        let (config, net, scratch) = tinyPair()
        net.eval()
        scratch.eval()
        let x = Tensor.rand([3, 1, 8, 8]), labels = [0, 3, 7]
        let loss = CrossEntropyLoss()
        let lc = loss(net(x), labels), ls = loss(scratch(x), labels)
        XCTAssertEqual(lc.item(), ls.item(), accuracy: 1e-5)
        lc.backward()
        ls.backward()
        func same(_ a: Tensor?, _ b: Tensor?, _ label: String) {
            guard let a, let b else { return XCTFail("\(label): missing gradient") }
            let r = compare(a.reshaped(to: [-1]), b.reshaped(to: [-1]), atol: 1e-5, rtol: 1e-3, label: label)
            XCTAssertTrue(r.ok, r.description)
        }
        same(net.patchEmbedding.conv.weight.grad, scratch.patchEmbedding.W.grad, "patch kernel")
        same(net.clsToken.grad, scratch.clsToken.grad, "cls token")
        same(net.posEmbedding.grad, scratch.posEmbedding.grad, "position embedding")
        for (i, (c, s)) in zip(net.blks, scratch.blks).enumerated() {
            let d = config.numHiddens, g = c.attention.inProjWeight.grad!
            same(g.slice(axis: 0, 0..<d), s.attention.W_q.weight.grad, "block \(i) W_q")
            same(g.slice(axis: 0, 2 * d..<3 * d), s.attention.W_v.weight.grad, "block \(i) W_v")
            same(c.attention.outProj.weight.grad, s.attention.W_o.weight.grad, "block \(i) W_o")
            same(c.ln1.weight!.grad, s.ln1.weight.grad, "block \(i) ln1")
            same(c.mlp.dense1.weight.grad, s.mlp.dense1.weight.grad, "block \(i) dense1")
        }
    }

    /// Attention maps from the scratch model have the concise model's layout and values.
    func testScratchAttentionWeightsMatchConcise() {
        Tensor.manualSeed(7)
        let (config, net, scratch) = tinyPair()
        let x = Tensor.rand([2, 1, 8, 8])
        for (a, b) in zip(clsAttention(net, x), clsAttention(scratch, x)) {
            let r = compare(a, b, atol: 1e-6, label: "cls attention")
            XCTAssertTrue(r.ok, r.description)
        }
        XCTAssertTrue(vitScratchCheck(config).contains("largest logit difference"))
    }
}
