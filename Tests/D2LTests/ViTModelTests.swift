import D2L
import Foundation
import NN
import Tensor
import TestSupport
import XCTest

/// The Vision Transformer of D2L/Models/ViT.swift ("Transformers for vision"): the book's shape
/// checks, PyTorch's parameter counts, the pre-LN block written out by hand, attention weights,
/// and a few SGD steps that must lower the loss.
final class ViTModelTests: XCTestCase {
    func testBookShapeChecks() {
        Tensor.manualSeed(0)
        let emb = PatchEmbedding(imgSize: 96, patchSize: 16, numHiddens: 512, inChannels: 3)
        XCTAssertEqual(emb.numPatches, 36)
        XCTAssertEqual(withNoGrad { emb(Tensor.zeros([4, 3, 96, 96])) }.shape, [4, 36, 512])
        let blk = ViTBlock(numHiddens: 24, mlpNumHiddens: 48, numHeads: 8, dropout: 0.5)
        blk.eval()
        XCTAssertEqual(withNoGrad { blk(Tensor.ones([2, 100, 24])) }.shape, [2, 100, 24])
        let net = ViT(imgSize: 28, patchSize: 7, numHiddens: 16, mlpNumHiddens: 32, numHeads: 4, numBlks: 2,
                      embDropout: 0.1, blkDropout: 0.1)
        XCTAssertEqual(withNoGrad { net(Tensor.rand([3, 1, 28, 28])) }.shape, [3, 10])
        XCTAssertEqual(net.posEmbedding.shape, [1, 17, 16])
    }

    /// torch_bench.py's ViT (nn.TransformerEncoderLayer blocks, which have attention biases)
    /// has 72,074 parameters at (28, 4, 64, 128, 4, 2) and 6,461,962 at the book's
    /// (96, 16, 512, 2048, 8, 2) (counted with PyTorch); the book's bias-free attention drops
    /// 4·d per block.
    func testParameterCountsMatchPyTorch() {
        let small = ViT(imgSize: 28, patchSize: 4, numHiddens: 64, mlpNumHiddens: 128, numHeads: 4, numBlks: 2,
                        embDropout: 0.1, blkDropout: 0.1, useBias: true)
        XCTAssertEqual(small.parameterCount, 72_074)
        let book = ViT(imgSize: 96, patchSize: 16, numHiddens: 512, mlpNumHiddens: 2048, numHeads: 8, numBlks: 2,
                       embDropout: 0.1, blkDropout: 0.1, useBias: true)
        XCTAssertEqual(book.parameterCount, 6_461_962)
        let bookNoBias = ViT(imgSize: 96, patchSize: 16, numHiddens: 512, mlpNumHiddens: 2048, numHeads: 8, numBlks: 2,
                             embDropout: 0.1, blkDropout: 0.1)
        XCTAssertEqual(bookNoBias.parameterCount, 6_461_962 - 2 * 4 * 512)
        XCTAssertEqual(small.namedParameters().prefix(4).map(\.name),
                       ["cls_token", "pos_embedding", "patch_embedding.conv.weight", "patch_embedding.conv.bias"])
    }

    /// The block is pre-LN: `y = x + MHA(LN₁x)`, `out = y + MLP(LN₂y)`, checked against the
    /// same layers called one by one; and the patch embedding's step k is patch k's pixels
    /// (row-major over the patch grid) times the kernel.
    func testBlockIsPreNormAndPatchesAreRowMajor() {
        Tensor.manualSeed(2)
        let blk = ViTBlock(numHiddens: 8, mlpNumHiddens: 16, numHeads: 2, dropout: 0)
        let x = Tensor.randn([2, 5, 8])
        let n1 = blk.ln1(x)
        let y = x + blk.attention(n1, n1, n1).output
        let expected = y + blk.mlp.dense2(blk.mlp.dense1(blk.ln2(y)).gelu())
        let r = compare(blk(x), expected, atol: 1e-6, label: "ViTBlock")
        XCTAssertTrue(r.ok, r.description)

        let emb = PatchEmbedding(imgSize: 4, patchSize: 2, numHiddens: 3)
        let img = Tensor.randn([1, 1, 4, 4])
        let out = emb(img)                                               // (1, 4, 3)
        let pixels = img.scalars, w = emb.conv.weight.value.scalars, b = emb.conv.bias!.value.scalars
        // Patch 1 is the top-right 2×2 block: rows 0–1, columns 2–3.
        let patch1 = [pixels[2], pixels[3], pixels[6], pixels[7]]
        for c in 0..<3 {
            let dot = (0..<4).reduce(b[c]) { $0 + w[c * 4 + $1] * patch1[$1] }
            XCTAssertEqual(out.scalars[1 * 3 + c], dot, accuracy: 1e-5)
        }
    }

    /// Attention weights come back per block as (B, heads, n+1, n+1), rows summing to 1, and
    /// computing them does not change the logits.
    func testAttentionWeights() {
        Tensor.manualSeed(3)
        let net = ViT(imgSize: 8, patchSize: 4, numHiddens: 8, mlpNumHiddens: 16, numHeads: 2, numBlks: 3,
                      embDropout: 0.1, blkDropout: 0.1)
        net.eval()
        let x = Tensor.rand([2, 1, 8, 8])
        let weights = withNoGrad { net.attentionWeights(x) }
        XCTAssertEqual(weights.count, 3)
        for w in weights {
            XCTAssertEqual(w.shape, [2, 2, 5, 5])
            for s in w.sum(alongAxes: [3]).scalars { XCTAssertEqual(s, 1, accuracy: 1e-5) }
        }
        XCTAssertEqual(withNoGrad { net(x) }.scalars, withNoGrad { net(x) }.scalars)
    }

    /// A tiny ViT learns which half of an 8×8 image is brighter: SGD steps on a fixed batch
    /// lower the loss well below ln 2, and every parameter gets a gradient.
    func testTrainingStepsLowerTheLoss() {
        Tensor.manualSeed(4)
        var gen = SeededGenerator(seed: 5)
        var pixels = Tensor.rand([32, 1, 8, 8], generator: &gen).scalars
        let labels = (0..<32).map { $0 % 2 }
        for i in 0..<32 { for r in 0..<8 { for c in 0..<4 { pixels[i * 64 + r * 8 + c + 4 * labels[i]] += 1 } } }
        let x = Tensor(shape: [32, 1, 8, 8], scalars: pixels)
        let net = ViT(imgSize: 8, patchSize: 4, numHiddens: 16, mlpNumHiddens: 32, numHeads: 2, numBlks: 1,
                      embDropout: 0, blkDropout: 0, numClasses: 2)
        let loss = CrossEntropyLoss(), optimizer = SGD(parameters: net.parameters(), lr: 0.1)
        var losses: [Float] = []
        for _ in 0..<30 {
            optimizer.zeroGrad()
            let l = loss(net(x), labels)
            l.backward()
            if losses.isEmpty {
                for (name, p) in net.namedParameters() { XCTAssertNotNil(p.grad, "\(name) has no gradient") }
            }
            optimizer.step()
            losses.append(l.item())
        }
        XCTAssertLessThan(losses.last!, 0.2, "losses \(losses)")
        XCTAssertLessThan(losses.last!, losses.first!)
    }
}
