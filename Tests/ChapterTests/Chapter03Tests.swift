import Foundation
import XCTest
@testable import Chapter03_SoftmaxRegression
import D2L
import NN
import Tensor
import TestSupport

/// Chapter03-SoftmaxRegression (book §3.5–3.7), on a few batches of real Fashion-MNIST.
final class Chapter03Tests: XCTestCase {
    private var captured = ""
    private var quietConfig: Config {
        var c = Config(numEpochs: 1, lr: 0.1, batchSize: 64, showProgress: false, figurePrefix: nil)
        c.log = TextOutput(isTerminal: false) { [unowned self] in self.captured += $0 }
        return c
    }

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
            let a = trainEpochCh3(net: scratch.net, trainIter: train, loss: crossEntropy, updater: scratch.updater(lr: 0.1))
            let b = trainEpochCh3(net: concise, trainIter: train, loss: conciseLoss, updater: .optimizer(trainer))
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
        let (train, test) = try fashionMNISTSubset(batchSize: 64, trainBatches: 2)
        Tensor.manualSeed(0)
        let h1 = runScratch(trainIter: train, testIter: test, config: quietConfig)
        let h2 = runConcise(trainIter: train, testIter: test, config: quietConfig)
        for h in [h1, h2] {
            XCTAssertEqual(h.trainLoss.count, 1)
            XCTAssertTrue((0.8...2.4).contains(h.trainLoss[0]), "loss \(h.trainLoss[0]) (log 10 = 2.30 at the start)")
            XCTAssertTrue((0.2...1).contains(h.testAcc[0]), "test acc \(h.testAcc[0]) (chance 0.1)")
            XCTAssertEqual(h.examplesPerEpoch, 128)
        }
        XCTAssertTrue(captured.contains("§3.6") && captured.contains("§3.7"))
        XCTAssertEqual(captured.components(separatedBy: "epoch 1, loss ").count - 1, 2)
    }

    func testDatasetSectionShowsTheFirst18Images() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ch03-\(UUID().uuidString)")
        let saved = Figures.directory
        Figures.directory = dir
        defer { Figures.directory = saved; try? FileManager.default.removeItem(at: dir) }
        var text = ""
        try showDataset(hub: TestData.require(.fashionMNIST), log: TextOutput(isTerminal: false) { text += $0 })
        XCTAssertTrue(text.contains("60000 training and 10000 test images of shape (1, 28, 28)"))
        XCTAssertTrue(text.contains("first 18 labels: ankle boot, t-shirt, t-shirt, dress"), text)
        let svg = try String(contentsOf: dir.appendingPathComponent("ch03-fashion-mnist.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<image").count - 1, 18)
    }
}
