import Foundation
import XCTest
@testable import Chapter04_MLP
import D2L
import NN
import Tensor
import TestSupport

/// Chapter04-MLP (book §4.1–4.6).
final class Chapter04Tests: XCTestCase {
    private let captured = CapturedReport()

    /// Options for a quick test run (`args` added to the command line).
    private func options(_ args: [String] = []) throws -> ChapterOptions {
        try chapterCommand().parse(["--batch-size", "64", "--no-progress"] + args)
    }

    // MARK: §4.1, §4.2 building blocks

    func testReluFromMaximumMatchesTheOp() {
        var x = Tensor([-2, -0.5, 0.5, 3])
        x.requiresGrad = true
        let y = relu(x)
        XCTAssertEqual(y.scalars, [0, 0, 0.5, 3])
        y.sum().backward()
        XCTAssertEqual(x.grad!.scalars, [0, 0, 1, 1])
    }

    func testActivationDerivativesFromAutograd() {
        for (name, f) in activations {
            let (x, y, grad) = activationCurve(f)
            XCTAssertEqual(x.count, 160, name)
            for i in stride(from: 3, to: 160, by: 17) {
                let expected: Float
                switch name {
                case "relu": expected = x[i] > 0 ? 1 : 0
                case "sigmoid": expected = y[i] * (1 - y[i])
                default: expected = 1 - y[i] * y[i]
                }
                XCTAssertEqual(grad[i], expected, accuracy: 1e-5, "\(name)'(\(x[i]))")
            }
        }
    }

    // MARK: §4.2–4.3

    /// Same weights, same batches: the scratch MLP (matmul with W (in, out), hand-made ReLU) and
    /// the concise Sequential report the same losses and end with the same parameters.
    func testMLPScratchMatchesConcise() throws {
        let (train, _) = try fashionMNISTSubset(batchSize: 64, trainBatches: 2)
        Tensor.manualSeed(5)
        let scratch = MLPScratch(), concise = mlpConcise()
        let (l1, l2) = (concise[1] as! Linear, concise[3] as! Linear)
        l1.weight.value = scratch.W1.value.transposed(); l1.bias!.value = scratch.b1.value
        l2.weight.value = scratch.W2.value.transposed(); l2.bias!.value = scratch.b2.value
        let sa = SGD(parameters: scratch.params, lr: 0.1), sb = SGD(parameters: concise.parameters(), lr: 0.1)
        for _ in 0..<3 {
            let a = try trainEpochCh3(net: scratch, trainIter: train, loss: crossEntropyLoss, updater: .optimizer(sa))
            let b = try trainEpochCh3(net: concise, trainIter: train, loss: crossEntropyLoss, updater: .optimizer(sb))
            XCTAssertEqual(a.loss, b.loss, accuracy: 1e-5)
            XCTAssertEqual(a.acc, b.acc)
        }
        for (got, want, label) in [(l1.weight.value, scratch.W1.value.transposed(), "W1"), (l1.bias!.value, scratch.b1.value, "b1"),
                                   (l2.weight.value, scratch.W2.value.transposed(), "W2"), (l2.bias!.value, scratch.b2.value, "b2")] {
            let r = compare(got, want, atol: 1e-5, rtol: 1e-4, label: label)
            XCTAssertTrue(r.ok, r.description)
        }
    }

    /// `runMLP` on 2 batches of 64 for one epoch: sane numbers for both versions.
    func testMLPMainPathOnASubset() throws {
        let data = try fashionMNISTSubset(batchSize: 64, trainBatches: 2)
        let o = try options(["--epochs", "1"])
        let h1 = try runMLP(.scratch, o, report: captured.report, data: data)
        let h2 = try runMLP(.concise, o, report: captured.report, data: data)
        for h in [h1, h2] {
            XCTAssertTrue((1.5...2.4).contains(h.trainLoss[0]), "loss \(h.trainLoss[0]) starts at log 10 = 2.30")
            XCTAssertTrue((0...1).contains(h.testAcc[0]))
        }
        XCTAssertTrue(captured.text.contains("§4.2") && captured.text.contains("§4.3"))
        XCTAssertTrue(captured.text.contains("book:  loss 0.3845, train acc 0.863, test acc 0.823"), captured.text)
    }

    // MARK: §4.6

    /// Same seed, same input: the scratch `dropoutLayer` and NN `Dropout` drop the same elements.
    func testDropoutLayerMatchesDropoutModule() {
        let X = Tensor.arange(1, 401).reshaped(to: [20, 20])
        for p: Float in [0.2, 0.5, 0.9] {
            Tensor.manualSeed(99)
            let a = dropoutLayer(X, p)
            Tensor.manualSeed(99)
            let b = Dropout(p)(X)
            XCTAssertTrue(compare(a, b, atol: 1e-5, rtol: 1e-6, label: "p = \(p)").ok)
            let kept = a.scalars.filter { $0 != 0 }.count
            XCTAssertEqual(Double(kept) / 400, Double(1 - p), accuracy: 0.08, "p = \(p)")
            // Survivors are scaled by 1/(1 − p).
            for (v, x) in zip(a.scalars, X.scalars) where v != 0 { XCTAssertEqual(v, x / (1 - p), accuracy: 1e-3) }
        }
        XCTAssertEqual(dropoutLayer(X, 0).scalars, X.scalars)
        XCTAssertEqual(dropoutLayer(X, 1).scalars, [Float](repeating: 0, count: 400))
    }

    /// With the same weights and seed, the scratch dropout net and the concise one compute the
    /// same outputs in training mode (same masks) and in evaluation mode (no dropout).
    func testDropoutNetsAgreeWithTheSameWeightsAndSeed() {
        Tensor.manualSeed(3)
        let scratch = DropoutMLPScratch(), concise = dropoutMLPConcise()
        for (k, lin) in [scratch.lin1, scratch.lin2, scratch.lin3].enumerated() {
            let target = concise[[1, 4, 7][k]] as! Linear
            target.weight.value = lin.weight.value
            target.bias!.value = lin.bias!.value
        }
        let X = Tensor.rand([8, 1, 28, 28])
        Tensor.manualSeed(4)
        let a = scratch(X)
        Tensor.manualSeed(4)
        let b = concise(X)
        XCTAssertTrue(compare(a, b, atol: 1e-5, rtol: 1e-4, label: "training mode").ok)
        scratch.eval(); concise.eval()
        let (c, d) = (scratch(X), concise(X))
        XCTAssertTrue(compare(c, d, atol: 1e-5, rtol: 1e-4, label: "evaluation mode").ok)
        XCTAssertEqual(c.scalars, scratch(X).scalars, "deterministic without dropout")
        XCTAssertFalse(compare(a, c, atol: 1e-3, rtol: 1e-3, label: "").ok, "dropout changes the training output")
    }

    func testDropoutMainPathOnASubset() throws {
        let data = try fashionMNISTSubset(batchSize: 64, trainBatches: 2)
        let o = try options(["--epochs", "1"])
        let h1 = try runDropout(.scratch, o, report: captured.report, data: data)
        let h2 = try runDropout(.concise, o, report: captured.report, data: data)
        for h in [h1, h2] {
            XCTAssertTrue(h.trainLoss[0].isFinite && h.trainLoss[0] > 0.5 && h.trainLoss[0] < 3, "loss \(h.trainLoss[0])")
        }
    }

    // MARK: §4.4

    func testPolynomialFeaturesAndNormalFit() throws {
        Tensor.manualSeed(1)
        let data = PolynomialData(maxDegree: 20, nTrain: 100, nTest: 100)
        XCTAssertEqual(data.polyFeatures.shape, [200, 20])
        // Row k is xⁱ / i!: column 0 is 1, and i·f_i = x·f_{i−1}.
        for k in [0, 57, 199] {
            let x = data.polyFeatures[k, 1]
            XCTAssertEqual(data.polyFeatures[k, 0], 1)
            XCTAssertEqual(data.polyFeatures[k, 3] * 6, x * x * x, accuracy: 1e-4 * max(1, abs(x * x * x)))
        }
        let s = data.split(numFeatures: 4)
        XCTAssertEqual(s.trainX.shape, [100, 4])
        XCTAssertEqual(s.testY.shape, [100, 1])
        let fit = try trainPolynomial(trainX: s.trainX, trainY: s.trainY, testX: s.testX, testY: s.testY, numEpochs: 400)
        for (w, t) in zip(fit.weight, PolynomialData.trueW) { XCTAssertEqual(w, t, accuracy: 0.15) }
        XCTAssertEqual(fit.epochs.first, 1)
        XCTAssertEqual(fit.epochs.count, 21)  // epoch 1, then every 20
        XCTAssertLessThan(fit.testLoss.last!, 0.02, "noise σ² = 0.01")
        let linear = data.split(numFeatures: 2)
        let under = try trainPolynomial(trainX: linear.trainX, trainY: linear.trainY, testX: linear.testX, testY: linear.testY,
                                    numEpochs: 100)
        XCTAssertGreaterThan(under.trainLoss.last!, 1, "a line cannot fit the cubic")
    }

    // MARK: §4.5

    /// The book's setting is tiny (20 examples, 100 epochs): run it whole; ‖w‖ is large without
    /// decay and small with λ = 3, from scratch and concise.
    func testWeightDecayNorms() throws {
        let o = try chapterCommand().parse([])
        var results: [WeightDecayResult] = []
        try o.forEachModel { results += try runWeightDecay($0, o, report: captured.report) }
        XCTAssertEqual(results.count, 4)
        let norms = results.map(\.wNorm)
        XCTAssertTrue((9...18).contains(norms[0]), "scratch λ=0: \(norms[0]) (book 12.96)")
        XCTAssertTrue((0.25...0.5).contains(norms[1]), "scratch λ=3: \(norms[1]) (book 0.356)")
        XCTAssertTrue((9...18).contains(norms[2]), "concise λ=0: \(norms[2]) (book 13.73)")
        XCTAssertTrue((0.25...0.8).contains(norms[3]), "concise λ=3: \(norms[3]) (book 0.389)")
        XCTAssertLessThan(results[1].testLoss.last!, results[0].testLoss.last!, "decay generalises better")
        XCTAssertEqual(results[0].epochs.count, 20)
    }

    /// The concise weight decay (SGD group with wd) takes the scratch steps when the scratch
    /// loss matches MSE's scale: ½(ŷ−y)²·2 + λ‖w‖²/2 ↔ (ŷ−y)² with decay λ.
    func testWeightDecayGroupMatchesThePenalty() {
        let X = Tensor.randn([10, 3]), y = Tensor.randn([10, 1])
        let w0 = Tensor.randn([3, 1])
        let w = Parameter(w0), b = Parameter(Tensor.zeros([1]))
        let net = Sequential(Linear(inputSize: 3, outputSize: 1))
        let layer = net[0] as! Linear
        layer.weight.value = w0.transposed(); layer.bias!.value = Tensor.zeros([1])
        let trainer = SGD(groups: [ParameterGroup(params: [layer.weight], weightDecay: 3), ParameterGroup(params: [layer.bias!])],
                          lr: 0.01)
        for _ in 0..<4 {
            (squaredLoss(linreg(X, w.value, b.value), y) * 2 + 3 * l2Penalty(w.value)).sum().backward()
            sgd([w, b], lr: 0.01, batchSize: 10)
            trainer.zeroGrad()
            MSELoss(reduction: .none)(net(X), y).mean().backward()
            trainer.step()
        }
        XCTAssertTrue(compare(layer.weight.value, w.value.transposed(), atol: 1e-5, rtol: 1e-4, label: "w").ok)
        XCTAssertTrue(compare(layer.bias!.value, b.value, atol: 1e-5, rtol: 1e-4, label: "b").ok)
    }

    func testHelpListsTheCommonOptions() {
        let usage = chapterCommand().usage()
        assertListsCommonOptions(usage)
        XCTAssertTrue(usage.contains("default: mlp)"), usage)
        XCTAssertFalse(usage.contains("default: run all"))
    }

    /// Issue 9 item 5: diverging regressions stop with a `TrainingError` instead of trapping in
    /// a Float → Int conversion of the accuracy (before: SIGILL in `labelIndices`).
    func testDivergingRegressionsStopWithAMessage() throws {
        let wd = try chapterCommand().parse(["weight-decay", "--lr", "0.1"])
        wd.reseed()
        XCTAssertThrowsError(try runWeightDecay(.concise, wd, report: CapturedReport().report)) {
            XCTAssertTrue($0 is TrainingError, "\($0)")
        }
        let fast = try chapterCommand().parse(["weight-decay", "--lr", "1"])
        XCTAssertThrowsError(try runWeightDecay(.scratch, fast, report: CapturedReport().report)) {
            XCTAssertTrue($0 is TrainingError, "\($0)")
        }
        let poly = try chapterCommand().parse(["polynomial", "--lr", "5"])  // (0.5 diverges only at epoch 1475)
        XCTAssertThrowsError(try runPolynomial(poly, report: CapturedReport().report)) {
            XCTAssertTrue("\($0)".contains("training diverged"), "\($0)")
        }
    }

    /// Issue 9 item 13: with the figures folder a regular file, the activations section warns
    /// once per figure and goes on (before: exit 1 with raw Foundation text).
    func testActivationsWithAnUnwritableFolderWarn() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ch04-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        let saved = Figures.directory
        Figures.directory = file
        defer { Figures.directory = saved; try? FileManager.default.removeItem(at: file) }
        var warnings = ""
        let urls = plotActivations(warnings: TextOutput(isTerminal: false) { warnings += $0 })
        XCTAssertEqual(urls, [])
        XCTAssertEqual(warnings.components(separatedBy: "is a file, not a folder").count - 1, 6, warnings)
    }
}
