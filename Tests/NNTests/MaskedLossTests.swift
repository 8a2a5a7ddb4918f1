import Foundation
import NN
import Tensor
import TestSupport
import XCTest

final class MaskedLossTests: XCTestCase {
    /// Book §9.7.2: `loss(ones(3, 4, 10), ones(3, 4), [4, 2, 0])` = [2.3026, 1.1513, 0].
    func testBookCheck() {
        let l = MaskedSoftmaxCELoss()(Tensor.ones([3, 4, 10]), Tensor.ones([3, 4]), validLen: [4, 2, 0])
        XCTAssertEqual(l.shape, [3])
        XCTAssertEqual(l.scalars[0], 2.3026, accuracy: 1e-4)
        XCTAssertEqual(l.scalars[1], 1.1513, accuracy: 1e-4)
        XCTAssertEqual(l.scalars[2], 0, accuracy: 1e-7)
    }

    func testGoldenSeqLoss() throws {
        let cases = try Golden.cases("seq_loss")
        XCTAssertEqual(cases.count, 2)
        for c in cases {
            let labels = c.intInputs["labels"]!.data
            var logits = c.input("logits")
            logits.requiresGrad = true
            let l: Tensor
            if c.name == "cross_entropy_ignore_index" {
                l = crossEntropy(logits, labels, ignoreIndex: (c.attrs["ignore_index"] as! NSNumber).intValue)
            } else {
                l = CrossEntropyLoss(reduction: .none)(logits, labels)
            }
            let fc = compare(l, c.output, label: "\(c.name) forward")
            XCTAssertTrue(fc.ok, "\(fc)")
            (c.cotangent.map { (l * $0).sum() } ?? l.sum()).backward()
            let gc = compare(logits.grad!, c.grad("logits"), label: "\(c.name) d/dlogits")
            XCTAssertTrue(gc.ok, "\(gc)")
        }
    }

    /// The book's masked loss and the concise ignore-index loss agree: the per-sequence losses
    /// sum to T times the ignore-index mean times the number of valid tokens, and so do gradients.
    func testMaskedLossEqualsIgnoreIndexCrossEntropy() {
        Tensor.manualSeed(3)
        let (B, T, V) = (3, 5, 7)
        let validLen = [5, 2, 3]
        var pred = Tensor.randn([B, T, V])
        pred.requiresGrad = true
        let labels = (0..<(B * T)).map { ($0 * 5 + 1) % V }
        let masked = MaskedSoftmaxCELoss()(pred, Tensor(shape: [B, T], scalars: labels.map { Float($0) }), validLen: validLen)
        let total = masked.sum() * Float(T)
        total.backward()
        let g1 = pred.grad!
        pred.zeroGrad()
        let ignored = labels.enumerated().map { i, l in i % T < validLen[i / T] ? l : -100 }
        let ce = crossEntropy(pred, ignored, ignoreIndex: -100) * Float(validLen.reduce(0, +))
        XCTAssertEqual(total.item(), ce.item(), accuracy: 1e-4)
        ce.backward()
        XCTAssertTrue(compare(pred.grad!, g1, atol: 1e-6, rtol: 1e-5).ok)
    }
}
