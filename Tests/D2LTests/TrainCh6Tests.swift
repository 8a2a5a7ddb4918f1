import D2L
import Foundation
import NN
import Tensor
import XCTest

/// `trainCh6` (book §6.6 `train_ch6`): it trains (the loss falls), prints the book's lines,
/// logs five points per epoch, re-initialises only Conv2d/Linear weights, honours `maxBatches`.
final class TrainCh6Tests: XCTestCase {
    /// 8×8 images whose label says which half (left 0, right 1) is brighter.
    private func halvesData(_ n: Int, seed: UInt64) -> (X: Tensor, y: Tensor) {
        var g = SeededGenerator(seed: seed)
        var pixels = Tensor.rand([n, 1, 8, 8], generator: &g).scalars
        var labels: [Float] = []
        for i in 0..<n {
            let label = i % 2
            for r in 0..<8 { for c in 0..<4 { pixels[i * 64 + r * 8 + c + 4 * label] += 1 } }
            labels.append(Float(label))
        }
        return (Tensor(shape: [n, 1, 8, 8], scalars: pixels), Tensor(labels))
    }

    private func smallNet() -> Sequential {
        Sequential(Conv2d(inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1), ReLU(),
                   MaxPool2d(kernelSize: 2), Flatten(), Linear(inputSize: 64, outputSize: 2))
    }

    private func capture() -> (TextOutput, () -> String) {
        final class Box { var text = "" }
        let box = Box()
        return (TextOutput(isTerminal: false) { box.text += $0 }, { box.text })
    }

    func testTrainingReducesTheLossAndPrintsTheBookLines() throws {
        Tensor.manualSeed(1)
        let train = halvesData(64, seed: 2), test = halvesData(32, seed: 3)
        let trainIter = loadArray(features: train.X, labels: train.y, batchSize: 16, seed: 4)
        let testIter = loadArray(features: test.X, labels: test.y, batchSize: 16, shuffle: false)
        let (out, text) = capture()
        let history = try trainCh6(net: smallNet(), trainIter: trainIter, testIter: testIter, numEpochs: 3, lr: 0.1,
                                   report: Reporting(output: out, progress: nil))
        XCTAssertEqual(history.epochs.count, 3)
        XCTAssertLessThan(history.epochs[2].trainLoss, history.epochs[0].trainLoss)
        XCTAssertGreaterThan(history.final.testAcc!, 0.9)
        XCTAssertEqual(history.epochs.map(\.examples), [64, 64, 64])
        XCTAssertGreaterThan(history.examplesPerSecond, 0)
        // 4 batches per epoch: logged after every batch (numBatches / 5 == 0 → every one).
        XCTAssertEqual(history.logged.count, 12)
        XCTAssertEqual(history.logged.last!.x, 3, accuracy: 1e-12)
        let lines = text().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "training on cpu")
        XCTAssert(lines[1].hasPrefix("epoch 1, loss "), lines[1])
        XCTAssertEqual(lines[4], history.final.summary())
        XCTAssert(lines[4].range(of: #"^loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}$"#,
                                 options: .regularExpression) != nil, lines[4])
        XCTAssert(lines[5].range(of: #"^\d+\.\d examples/sec on cpu$"#, options: .regularExpression) != nil, lines[5])
    }

    func testMaxBatchesLimitsTrainingAndLogsFivePointsPerEpoch() throws {
        Tensor.manualSeed(1)
        let data = halvesData(120, seed: 5)
        let iter = loadArray(features: data.X, labels: data.y, batchSize: 4, seed: 6)  // 30 batches
        let (out, _) = capture()
        let history = try trainCh6(net: smallNet(), trainIter: iter, testIter: iter, numEpochs: 2, lr: 0.05,
                                   maxBatches: 10, report: Reporting(output: out, progress: nil))
        XCTAssertEqual(history.epochs.map(\.examples), [40, 40])
        // 10 batches: logged at batches 2, 4, 6, 8, 10 of each epoch.
        XCTAssertEqual(history.logged.map(\.x), [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0].map { $0 },
                       "x positions")
    }

    func testXavierReinitialisesWeightsButNotBiases() {
        Tensor.manualSeed(7)
        let net = smallNet()
        let conv = net[0] as! Conv2d, linear = net[4] as! Linear
        let (convBias, linearBias) = (conv.bias!.value.scalars, linear.bias!.value.scalars)
        let convWeight = conv.weight.value.scalars
        xavierInitWeights(net)
        XCTAssertEqual(conv.bias!.value.scalars, convBias)
        XCTAssertEqual(linear.bias!.value.scalars, linearBias)
        XCTAssertNotEqual(conv.weight.value.scalars, convWeight)
        // Xavier bound for the conv weight [4, 1, 3, 3]: √(6 / (9 + 36)).
        let bound = (6 / Float(9 + 36)).squareRoot()
        XCTAssert(conv.weight.value.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(conv.weight.value.scalars.map(abs).max()!, bound / 2)
    }

    func testFigureIsWrittenAndReported() throws {
        Tensor.manualSeed(1)
        let data = halvesData(16, seed: 8)
        let iter = loadArray(features: data.X, labels: data.y, batchSize: 8, seed: 9)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trainch6-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (out, text) = capture()
        let history = try trainCh6(net: smallNet(), trainIter: iter, testIter: iter, numEpochs: 1, lr: 0.1,
                                   report: Reporting(output: out, progress: nil,
                                                     figure: dir.appendingPathComponent("curve.svg").path))
        let url = try XCTUnwrap(history.figure)
        XCTAssert(FileManager.default.fileExists(atPath: url.path))
        XCTAssert(text().hasSuffix("saved \(url.path)\n"), text())
        XCTAssert(try String(contentsOf: url, encoding: .utf8).contains("test acc"))
    }

    /// Issue 9 item 4: a learning rate that makes the loss blow up stops `trainCh6` with
    /// `TrainingError.nonFiniteLoss` naming the epoch and batch (before: `loss nan` and exit 0).
    func testDivergenceStopsWithEpochAndBatch() {
        Tensor.manualSeed(1)
        let data = halvesData(64, seed: 5)
        let iter = loadArray(features: data.X, labels: data.y, batchSize: 8, seed: 6)
        let (out, text) = capture()
        XCTAssertThrowsError(try trainCh6(net: smallNet(), trainIter: iter, testIter: iter, numEpochs: 3, lr: 1e30,
                                          report: Reporting(output: out, progress: nil))) { error in
            guard case .nonFiniteLoss(_, let epoch, let batch)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(epoch, 1)
            XCTAssertGreaterThan(batch, 1, "the first batch's loss is finite; the step blows up the weights")
            XCTAssertTrue("\(error)".contains("epoch 1, batch \(batch)"))
        }
        XCTAssertFalse(text().contains("nan"), text())
    }

    /// A figure that cannot be written (the folder is a regular file) is one warning; training goes on.
    func testUnwritableFigureWarnsAndContinues() throws {
        Tensor.manualSeed(1)
        let data = halvesData(16, seed: 8)
        let iter = loadArray(features: data.X, labels: data.y, batchSize: 8, seed: 9)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-dir-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (out, _) = capture(), (warnings, warned) = capture()
        let history = try trainCh6(net: smallNet(), trainIter: iter, testIter: iter, numEpochs: 2, lr: 0.1,
                                   report: Reporting(output: out, progress: nil,
                                                     figure: file.appendingPathComponent("curve.svg").path,
                                                     warnings: warnings))
        XCTAssertEqual(history.epochs.count, 2)
        XCTAssertNil(history.figure)
        XCTAssertTrue(warned().contains("is a file, not a folder"), warned())
    }
}
