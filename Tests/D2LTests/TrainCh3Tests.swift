import Foundation
import XCTest
@testable import D2L
import NN
import Tensor
import TestSupport

/// `trainEpochCh3`, `trainCh3`, `predictCh3`, `evaluateLoss` and the §3.2 helpers
/// (`linreg`, `squaredLoss`, `sgd`).
final class TrainCh3Tests: XCTestCase {
    /// A small separable 3-class problem: class k has its features centred on 2·e_k.
    private func blobs(n: Int = 96, seed: UInt64 = 3) -> (X: Tensor, y: Tensor) {
        var g = SeededGenerator(seed: seed)
        var xs: [Float] = [], ys: [Float] = []
        for i in 0..<n {
            let k = i % 3
            for j in 0..<4 { xs.append((j == k ? 2 : 0) + 0.5 * g.nextNormal()) }
            ys.append(Float(k))
        }
        return (Tensor(shape: [n, 4], scalars: xs), Tensor(ys))
    }

    /// X·W + b as a `Layer` (the scratch-model pattern: its own parameters, a literal forward pass).
    private final class Affine: Layer {
        let W: Parameter, b: Parameter
        var isTraining = true
        init(_ W0: Tensor) { W = Parameter(W0); b = Parameter(Tensor.zeros([W0.shape[1]])) }
        var ownParameters: [(name: String, parameter: Parameter)] { [("W", W), ("b", b)] }
        func callAsFunction(_ X: Tensor) -> Tensor { X.matmul(W.value) + b.value }
    }

    func testLinregAndSquaredLoss() {
        let X = Tensor([[1, 2], [3, 4]]), w = Tensor([[0.5], [-1]]), b = Tensor([2])
        XCTAssertEqual(linreg(X, w, b).scalars, [0.5, -0.5])           // 0.5 − 2 + 2, 1.5 − 4 + 2
        let l = squaredLoss(Tensor([[1], [4]]), Tensor([2, 1]))          // y is reshaped to (2, 1)
        XCTAssertEqual(l.shape, [2, 1])
        XCTAssertEqual(l.scalars, [0.5, 4.5])
    }

    /// The scratch rule (summed loss, `sgd` divides by the batch size) and the NN `SGD` on the
    /// mean loss take the same steps.
    func testScratchSGDMatchesOptimizerOnMeanLoss() {
        let (X, y) = blobs(n: 24)
        let target = y.reshaped(to: [-1, 1])
        let w0 = Tensor.normal([4, 1], mean: 0, std: 0.1, generator: &GlobalRandom.generator)
        let a = [Parameter(w0), Parameter(Tensor.zeros([1]))]
        let b = [Parameter(w0), Parameter(Tensor.zeros([1]))]
        let optimizer = SGD(parameters: b, lr: 0.05)
        for step in 0..<5 {
            let rows = Array(step * 4 ..< step * 4 + 8)
            let Xb = X.gather(indices: rows), yb = target.gather(indices: rows)
            squaredLoss(linreg(Xb, a[0].value, a[1].value), yb).sum().backward()
            sgd(a, lr: 0.05, batchSize: rows.count)
            XCTAssertNil(a[0].grad, "sgd clears the gradients")
            optimizer.zeroGrad()
            squaredLoss(linreg(Xb, b[0].value, b[1].value), yb).mean().backward()
            optimizer.step()
        }
        for (p, q) in zip(a, b) {
            let report = compare(p.value, q.value, atol: 1e-6, rtol: 1e-5, label: "scratch sgd vs SGD")
            XCTAssertTrue(report.ok, report.description)
        }
        XCTAssertNotEqual(a[0].value.scalars, w0.scalars, "the weights moved")
    }

    /// `.custom` (sum + sgd) and `.optimizer` (mean + SGD) epochs report the same loss and
    /// accuracy and leave the same parameters, on the same batches.
    func testCustomAndOptimizerUpdatersAgree() throws {
        let (X, y) = blobs()
        let iter = loadArray(features: X, labels: y, batchSize: 32, shuffle: false)
        let W0 = Tensor.normal([4, 3], mean: 0, std: 0.01, generator: &GlobalRandom.generator)
        let a = Affine(W0), b = Affine(W0)
        let (Wa, ba, Wb, bb) = (a.W, a.b, b.W, b.b)
        let loss: PerExampleLoss = { CrossEntropyLoss(reduction: .none)($0, $1) }
        let optimizer = SGD(parameters: [Wb, bb], lr: 0.3)
        for _ in 0..<3 {
            let ra = try trainEpochCh3(net: a, trainIter: iter, loss: loss,
                                       updater: .custom { sgd([Wa, ba], lr: 0.3, batchSize: $0) })
            let rb = try trainEpochCh3(net: b, trainIter: iter, loss: loss, updater: .optimizer(optimizer))
            XCTAssertEqual(ra.loss, rb.loss, accuracy: 1e-5)
            XCTAssertEqual(ra.acc, rb.acc)
        }
        XCTAssertTrue(compare(Wa.value, Wb.value, atol: 1e-6, rtol: 1e-5, label: "W").ok)
        XCTAssertTrue(compare(ba.value, bb.value, atol: 1e-6, rtol: 1e-5, label: "b").ok)
    }

    func testTrainCh3LearnsReportsAndReturnsHistory() throws {
        let (X, y) = blobs()
        let train = loadArray(features: X, labels: y, batchSize: 16, seed: 5)
        let test = loadArray(features: X, labels: y, batchSize: 50, shuffle: false)
        let net = Sequential(Linear(inputSize: 4, outputSize: 3))
        var text = ""
        let log = TextOutput(isTerminal: false) { text += $0 }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trainch3-\(UUID().uuidString)")
        let saved = Figures.directory
        Figures.directory = dir
        defer { Figures.directory = saved; try? FileManager.default.removeItem(at: dir) }
        let history = try trainCh3(net: net, trainIter: train, testIter: test,
                                   loss: { CrossEntropyLoss(reduction: .none)($0, $1) }, numEpochs: 4,
                                   updater: .optimizer(SGD(parameters: net.parameters(), lr: 0.5)),
                                   report: Reporting(output: log, progress: nil, figure: "curves"))
        XCTAssertEqual(history.trainLoss.count, 4)
        XCTAssertEqual(history.testAcc.count, 4)
        XCTAssertEqual(history.epochSeconds.count, 4)
        XCTAssertEqual(history.epochs.map(\.examples), [96, 96, 96, 96])
        XCTAssertLessThan(history.trainLoss[3], history.trainLoss[0])
        XCTAssertGreaterThan(history.testAcc[3], 0.9, "separable blobs")
        XCTAssertGreaterThan(history.examplesPerSecond, 0)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("epoch ") }.count, 4)
        let first = String(format: "epoch 1, loss %.4f, train acc %.3f, test acc %.3f",
                           history.trainLoss[0], history.trainAcc[0], history.testAcc[0])
        XCTAssertEqual(lines[0], first)
        XCTAssertTrue(lines.contains { $0.hasSuffix("examples/sec (training loop)") })
        let svg = try String(contentsOf: dir.appendingPathComponent("curves.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("train loss") && svg.contains("test acc"))
        XCTAssertEqual(history.figure?.lastPathComponent, "curves.svg")
    }

    /// Training runs in training mode, evaluation in evaluation mode.
    func testModesDuringTrainingAndEvaluation() throws {
        final class Spy: Layer {
            let linear = Linear(inputSize: 4, outputSize: 3)
            var isTraining = true
            var modes: [Bool] = []
            var children: [(name: String, module: Module)] { [("linear", linear)] }
            func callAsFunction(_ x: Tensor) -> Tensor { modes.append(isTraining); return linear(x) }
        }
        let (X, y) = blobs(n: 12)
        let iter = loadArray(features: X, labels: y, batchSize: 6, shuffle: false)
        let spy = Spy()
        spy.eval()
        try trainCh3(net: spy, trainIter: iter, testIter: iter, loss: { CrossEntropyLoss(reduction: .none)($0, $1) },
                     numEpochs: 1, updater: .optimizer(SGD(parameters: spy.parameters(), lr: 0.1)), report: .silent)
        XCTAssertEqual(spy.modes, [true, true, false, false])
    }

    func testEvaluateLossIsTheMeanPerElement() {
        let X = Tensor([[1], [2], [3], [4], [5]]), y = Tensor([[1], [1], [1], [1], [1]])
        let iter = loadArray(features: X, labels: y, batchSize: 2, shuffle: false)
        // Identity net: squared errors 0, 1, 4, 9, 16 → mean 6 (batches of 2, 2, 1 must not bias it).
        XCTAssertEqual(evaluateLoss(net: { $0 }, dataIter: iter, loss: { MSELoss(reduction: .none)($0, $1) }), 6, accuracy: 1e-6)
        XCTAssertEqual(evaluateLoss(net: { $0 }, dataIter: iter, loss: squaredLoss), 3, accuracy: 1e-6)
    }

    func testPredictCh3TitlesTrueAndPredictedLabels() throws {
        let images = Tensor.rand([8, 1, 28, 28])
        let labels = Tensor([0, 1, 2, 3, 4, 5, 6, 7])
        let iter = loadArray(features: images, labels: labels, batchSize: 8, shuffle: false)
        // Predicts class (k + 1) mod 10 for image k: a fixed one-hot score per row.
        final class Shift: Layer {
            var isTraining = true
            func callAsFunction(_ X: Tensor) -> Tensor { Tensor.oneHot((0..<X.shape[0]).map { ($0 + 1) % 10 }, depth: 10) }
        }
        let net = Shift()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("predict-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: url) }
        let p = try predictCh3(net: net, testIter: iter, n: 6, file: url.path)
        XCTAssertEqual(p.truth, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(p.predicted, [1, 2, 3, 4, 5, 6])
        let svg = try String(contentsOf: p.figure, encoding: .utf8)
        XCTAssertTrue(svg.contains("t-shirt") && svg.contains("trouser") && svg.contains("shirt"))
        XCTAssertEqual(svg.components(separatedBy: "<image").count - 1, 6)
    }

    // MARK: Divergence and regression (issue 9 items 4, 5)

    /// A NaN loss stops `trainCh3` at its first batch with `TrainingError.nonFiniteLoss`, whose
    /// message names the epoch and batch and suggests a smaller --lr.
    func testNonFiniteLossStopsTraining() {
        let (X, y) = blobs(n: 24)
        let iter = loadArray(features: X, labels: y, batchSize: 8, shuffle: false)
        let net = Affine(Tensor.full([4, 3], .nan))
        var lines = ""
        XCTAssertThrowsError(try trainCh3(net: net, trainIter: iter, testIter: iter,
                                          loss: { CrossEntropyLoss(reduction: .none)($0, $1) }, numEpochs: 3,
                                          updater: .optimizer(SGD(parameters: net.parameters(), lr: 0.1)),
                                          report: Reporting(output: TextOutput(isTerminal: false) { lines += $0 },
                                                            progress: nil))) { error in
            guard case .nonFiniteLoss(let value, let epoch, let batch)? = error as? TrainingError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(value.isNaN)
            XCTAssertEqual([epoch, batch], [1, 1])
            let message = "\(error)"
            XCTAssertTrue(message.contains("epoch 1, batch 1") && message.contains("try a smaller --lr"), message)
        }
        XCTAssertFalse(lines.contains("loss nan"), "no epoch line is printed after divergence")
        XCTAssertThrowsError(try checkFinite(.infinity, epoch: 2, batch: 7)) {
            XCTAssertEqual($0 as? TrainingError, .nonFiniteLoss(value: .infinity, epoch: 2, batch: 7))
        }
        XCTAssertNoThrow(try checkFinite(1e30, epoch: 1, batch: 1))
    }

    /// A regression epoch computes no accuracy, so NaN targets or predictions never reach a
    /// Float → Int conversion; `accuracy` itself counts non-integral labels as wrong, never traps.
    func testRegressionComputesNoAccuracyAndAccuracyNeverTraps() throws {
        let X = Tensor([[1], [2], [3], [4]]), y = Tensor([[2.5], [4.5], [6.5], [8.5]])
        let iter = loadArray(features: X, labels: y, batchSize: 2, shuffle: false)
        let net = Sequential(Linear(inputSize: 1, outputSize: 1))
        let r = try trainEpochCh3(net: net, trainIter: iter, loss: { MSELoss(reduction: .none)($0, $1) },
                                  updater: .optimizer(SGD(parameters: net.parameters(), lr: 0.01)), classification: false)
        XCTAssertNil(r.acc)
        XCTAssertTrue(r.loss.isFinite)
        XCTAssertEqual(accuracy(Tensor([.nan, .infinity, 1e30, 2, 2.5]), Tensor([.nan, 1, 1e30, 2, 2.5])), 1,
                       "only the whole, representable 2 = 2 counts")
        XCTAssertEqual(classIndices(Tensor([.nan, -.infinity, 3, 1e20])), [-1, -1, 3, -1])
        XCTAssertTrue((0...2).contains(accuracy(Tensor([[0.1, .nan], [.nan, .nan]]), Tensor([1, 0]))), "NaN scores: no trap")
    }
}
