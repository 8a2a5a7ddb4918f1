import Foundation
import XCTest
@testable import Chapter03_SoftmaxRegression
import D2L
import NN
import Tensor
import TestSupport

/// Chapter03-SoftmaxRegression (book §3.5–3.7), on a few batches of real Fashion-MNIST.
final class Chapter03Tests: XCTestCase {
    private let captured = CapturedReport()

    func testSoftmaxAndCrossEntropyFromScratch() {
        let X = Tensor([[1, 2, 3], [0, -1, 5]])
        let p = softmax(X)
        XCTAssertTrue(compare(p, X.softmax(axis: 1), atol: 1e-6, rtol: 1e-5, label: "softmax").ok)
        XCTAssertTrue(compare(p.sum(alongAxes: [1]), Tensor([1, 1]), atol: 1e-6, rtol: 0, label: "rows sum to 1").ok)
        // The book's example: ŷ = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], y = [0, 2] → [−log 0.1, −log 0.5].
        let l = crossEntropy(Tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]), Tensor([0, 2]))
        XCTAssertTrue(compare(l, Tensor([2.3026, 0.6931]), atol: 1e-4, rtol: 0, label: "cross-entropy").ok)
    }

    /// From the same weights and on the same batches, the scratch model (softmax, −log ŷ[y],
    /// sgd on the summed loss) and the concise one (logits, CrossEntropyLoss, SGD on the mean)
    /// report the same losses and end with the same parameters.
    func testScratchMatchesConcise() throws {
        let (train, _) = try fashionMNISTSubset(batchSize: 64, trainBatches: 2)
        Tensor.manualSeed(11)
        let scratch = SoftmaxRegressionScratch()
        let concise = softmaxRegressionConcise()
        let linear = concise[1] as! Linear
        linear.weight.value = scratch.W.value.transposed()    // (10, 784) = Wᵀ
        linear.bias!.value = scratch.b.value
        let trainer = SGD(parameters: concise.parameters(), lr: 0.1)
        for _ in 0..<3 {
            let a = try trainEpochCh3(net: scratch, trainIter: train, loss: crossEntropy, updater: scratch.updater(lr: 0.1))
            let b = try trainEpochCh3(net: concise, trainIter: train, loss: conciseLoss, updater: .optimizer(trainer))
            XCTAssertEqual(a.loss, b.loss, accuracy: 1e-4)
            XCTAssertEqual(a.acc, b.acc)
        }
        let w = compare(linear.weight.value, scratch.W.value.transposed(), atol: 1e-5, rtol: 1e-4, label: "W")
        XCTAssertTrue(w.ok, w.description)
        let b = compare(linear.bias!.value, scratch.b.value, atol: 1e-5, rtol: 1e-4, label: "b")
        XCTAssertTrue(b.ok, b.description)
    }

    /// The chapter's main path on 2 batches of 64 for 1 epoch: sane losses and accuracies.
    func testMainPathOnASubset() throws {
        let data = try fashionMNISTSubset(batchSize: 64, trainBatches: 2)
        let o = try chapterCommand().parse(["--epochs", "1", "--batch-size", "64"])
        let h1 = try runSoftmaxRegression(.scratch, o, report: captured.report, data: data)
        let h2 = try runSoftmaxRegression(.concise, o, report: captured.report, data: data)
        for h in [h1, h2] {
            XCTAssertEqual(h.trainLoss.count, 1)
            XCTAssertTrue((0.8...2.4).contains(h.trainLoss[0]), "loss \(h.trainLoss[0]) (log 10 = 2.30 at the start)")
            XCTAssertTrue((0.2...1).contains(h.testAcc[0]), "test acc \(h.testAcc[0]) (chance 0.1)")
            XCTAssertEqual(h.epochs[0].examples, 128)
        }
        let text = captured.text
        XCTAssertTrue(text.contains("§3.6") && text.contains("§3.7"))
        XCTAssertEqual(text.components(separatedBy: "epoch 1, loss ").count - 1, 2)
        XCTAssertTrue(text.contains("book:  loss 0.4475, train acc 0.848, test acc 0.836 (loss 0.4467–0.4479"), text)
        XCTAssertTrue(text.contains("book:  loss 0.4481"))
    }

    func testDatasetSectionShowsTheFirst18Images() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ch03-\(UUID().uuidString)")
        let saved = Figures.directory
        Figures.directory = dir
        defer { Figures.directory = saved; try? FileManager.default.removeItem(at: dir) }
        try showDataset(hub: testDataHub(), file: "ch03-dataset", report: captured.report)
        let text = captured.text
        XCTAssertTrue(text.contains("60000 training and 10000 test images of shape (1, 28, 28)"))
        XCTAssertTrue(text.contains("first 18 labels: ankle boot, t-shirt, t-shirt, dress"), text)
        let svg = try String(contentsOf: dir.appendingPathComponent("ch03-dataset.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<image").count - 1, 18)
    }

    func testHelpListsTheCommonOptions() {
        assertListsCommonOptions(chapterCommand().usage())
    }

    /// Issue 8 §2: a section prints the same numbers alone and after another section
    /// (before: concise alone 0.4467 / 0.848 / 0.827, after scratch 0.4473 / 0.849 / 0.830).
    func testConciseAloneEqualsConciseAfterScratch() throws {
        let data = try fashionMNISTSubset(batchSize: 64, trainBatches: 2)  // unshuffled: the model draws are what differ
        func concise(after: [ModelVersion]) throws -> [Double] {
            let o = try chapterCommand().parse(["--epochs", "1"])
            var losses: [Double] = []
            try o.forEachModel { model in
                guard after.contains(model) || model == .concise else { return }
                let h = try runSoftmaxRegression(model, o, report: CapturedReport().report, data: data)
                if model == .concise { losses = h.trainLoss }
            }
            return losses
        }
        XCTAssertEqual(try concise(after: []), try concise(after: [.scratch]))
    }
}
