import Foundation
import XCTest
@testable import Chapter10_Optimizers
import D2L
import NN
import Tensor
import TestSupport

/// Chapter10-Optimizers (book chapter 11).
final class Chapter10Tests: XCTestCase {
    private func capture(_ body: (TextOutput) -> Void) -> [String] {
        var text = ""
        body(TextOutput(isTerminal: false) { text += $0 })
        return text.split(separator: "\n").map(String.init)
    }

    private func airfoil(batchSize: Int = 10, seed: UInt64) throws -> DataIterator {
        // Skips without the data set (fails instead under D2L_REQUIRE_DATA=1).
        try getDataCh11(batchSize: batchSize, hub: TestData.require(.airfoil), seed: seed).iterator
    }

    // MARK: traces equal to the book's prints

    /// §11.3: the 1-D and 2-D gradient-descent traces and Newton's method, as the book prints them.
    func testGradientDescentTracesMatchTheBook() {
        let lines = capture { runGD(log: $0, figures: false) }
        let traces = lines.filter { $0.contains("epoch") && !$0.hasPrefix("book:") }.map { $0[$0.range(of: "epoch")!.lowerBound...] }
        XCTAssertEqual(traces, ["epoch 10, x: 0.060466", "epoch 10, x: 3.486784", "epoch 10, x: 61.917364",
                                "epoch 10, x: -1.528166", "epoch 20, x1: -0.057646, x2: -0.000073",
                                "epoch 10, x: 0.000000", "epoch 10, x: 26.834133", "epoch 10, x: 7.269860"])
    }

    /// §11.6–11.8: the chapter's 2-D trainers (`gd2d`, `momentum2d`, `adagrad2d`, `rmsprop2d`) on
    /// f = 0.1·x1² + 2·x2², from (−5, −2).
    func testTwoDimensionalTracesMatchTheBook() {
        func trace(_ trainer: (State2d) -> State2d) -> String { capture { train2d(trainer, log: $0) }[0] }
        XCTAssertEqual(trace(momentum2d(eta: 0.6, beta: 0.5)), "epoch 20, x1: 0.007188, x2: 0.002553")
        XCTAssertEqual(trace(momentum2d(eta: 0.6, beta: 0.25)), "epoch 20, x1: -0.126340, x2: -0.186632")
        XCTAssertEqual(trace(gd2d(eta: 0.4)), "epoch 20, x1: -0.943467, x2: -0.000073")
        XCTAssertEqual(trace(gd2d(eta: 0.6)), "epoch 20, x1: -0.387814, x2: -1673.365109")
        XCTAssertEqual(trace(adagrad2d(eta: 0.4)), "epoch 20, x1: -2.382563, x2: -0.158591")
        XCTAssertEqual(trace(adagrad2d(eta: 2)), "epoch 20, x1: -0.002295, x2: -0.000000")
        XCTAssertEqual(trace(rmsprop2d(eta: 0.4, gamma: 0.9)), "epoch 20, x1: -0.010599, x2: 0.000000")
    }

    // MARK: scratch = concise

    /// Each scratch state-passing trainer against its NN optimizer on the same airfoil batches, the
    /// same start and the same loss (½-squared, batch mean), step by step for one epoch. Where the
    /// conventions differ the NN optimizer gets the book's constants: AdaGrad and RMSProp put ε
    /// inside the root in the book (√(s + 1e-6)) and outside in PyTorch (√s + ε), so ε = 1e-6 there
    /// differs by < 1e-3·ε/√s; Adadelta ε = 1e-5 (same place); Adam ε = 1e-6 (same place as PyTorch).
    func testScratchTrainersMatchTheNNOptimizers() throws {
        typealias Trainer = ([Parameter], Int) -> Void     // params, step index
        func compareRun(_ name: String, tolerance: Float, scratch: @escaping () -> Trainer,
                        concise: @escaping ([Parameter]) -> Optimizer) throws {
            let dataIter = try airfoil(seed: 3)
            Tensor.manualSeed(11)
            let w0 = Tensor.normal([5, 1], mean: 0, std: 0.01), b0 = Tensor.zeros([1])
            let a = [Parameter(w0), Parameter(b0)], b = [Parameter(w0), Parameter(b0)]
            let scratchStep = scratch(), opt = concise(b)
            for (k, (X, y)) in dataIter.enumerated() {
                squaredLoss(linreg(X, a[0].value, a[1].value), y).mean().backward()
                scratchStep(a, k)
                opt.zeroGrad()
                squaredLoss(linreg(X, b[0].value, b[1].value), y).mean().backward()
                opt.step()
            }
            for (p, q) in zip(a, b) {
                let r = compare(q.value, p.value, atol: tolerance, rtol: tolerance, label: name)
                XCTAssert(r.ok, r.description)
            }
            XCTAssertNotEqual(a[0].value.scalars, w0.scalars, "\(name) moved")
        }
        try compareRun("sgd", tolerance: 1e-6, scratch: {
            var s: Void = (); var h: Hyperparams = ["lr": 0.05]
            return { p, _ in sgd(p, &s, &h) }
        }, concise: { SGD(parameters: $0, lr: 0.05) })
        try compareRun("momentum", tolerance: 1e-5, scratch: {
            var s = initMomentumStates(featureDim: 5); var h: Hyperparams = ["lr": 0.01, "momentum": 0.9]
            return { p, _ in sgdMomentum(p, &s, &h) }
        }, concise: { SGD(parameters: $0, lr: 0.01, momentum: 0.9) })
        try compareRun("adagrad", tolerance: 1e-4, scratch: {
            var s = initAdagradStates(featureDim: 5); var h: Hyperparams = ["lr": 0.1]
            return { p, _ in adagrad(p, &s, &h) }
        }, concise: { Adagrad(parameters: $0, lr: 0.1, eps: 1e-6) })
        try compareRun("rmsprop", tolerance: 1e-4, scratch: {
            var s = initRMSpropStates(featureDim: 5); var h: Hyperparams = ["lr": 0.01, "gamma": 0.9]
            return { p, _ in rmsprop(p, &s, &h) }
        }, concise: { RMSprop(parameters: $0, lr: 0.01, alpha: 0.9, eps: 1e-6) })
        try compareRun("adadelta", tolerance: 1e-5, scratch: {
            var s = initAdadeltaStates(featureDim: 5); var h: Hyperparams = ["rho": 0.9]
            return { p, _ in adadelta(p, &s, &h) }
        }, concise: { Adadelta(parameters: $0, rho: 0.9, eps: 1e-5) })
        try compareRun("adam", tolerance: 1e-5, scratch: {
            var s = initAdamStates(featureDim: 5); var h: Hyperparams = ["lr": 0.01, "t": 1]
            return { p, _ in adam(p, &s, &h) }
        }, concise: { Adam(parameters: $0, lr: 0.01, eps: 1e-6) })
        try compareRun("yogi", tolerance: 1e-5, scratch: {
            var s = initAdamStates(featureDim: 5); var h: Hyperparams = ["lr": 0.01, "t": 1]
            return { p, _ in yogi(p, &s, &h) }
        }, concise: { Yogi(parameters: $0, lr: 0.01) })
    }

    /// The two loops themselves: `trainCh11` (½-squared loss) with η and `trainConciseCh11`
    /// (MSELoss, twice the gradient, logged loss halved) with η/2 take the same steps from the same
    /// start on the same batches, so they log the same losses; 200-example logging intervals.
    func testTrainCh11EqualsTrainConciseCh11() throws {
        let w0 = Tensor([[0.01], [-0.02], [0.005], [0.0], [0.015]]), b0 = Tensor([0.1])
        let scratch = try trainCh11(sgdMomentum, states: initMomentumStates(featureDim: 5), hyperparams: ["lr": 0.01, "momentum": 0.9],
                                    dataIter: try airfoil(seed: 5), featureDim: 5, numEpochs: 1, initial: (w0, b0), report: .silent)
        let concise = try trainConciseCh11({ SGD(parameters: $0, lr: 0.005, momentum: 0.9) }, dataIter: try airfoil(seed: 5),
                                           numEpochs: 1, initial: (w0, b0), report: .silent)
        XCTAssertEqual(scratch.logged.count, 7)                          // 1500 examples / 200
        XCTAssertEqual(scratch.intervalSeconds.count, 7)
        XCTAssertEqual(scratch.logged.last!.x, 1.4 / 1.5 * 1, accuracy: 1e-9) // logged at n = 1400
        for (s, c) in zip(scratch.logged, concise.logged) { XCTAssertEqual(s.loss, c.loss, accuracy: 1e-6 * max(1, s.loss)) }
        XCTAssertLessThan(scratch.ch11Loss, 0.3)
        XCTAssert(scratch.ch11Summary.hasPrefix(String(format: "loss: %.3f, ", scratch.ch11Loss)) && scratch.ch11Summary.hasSuffix(" sec/epoch"))
        // one epoch record: all 1500 examples, the mean batch loss on the same (½-squared) scale in both loops
        XCTAssertEqual(scratch.epochs.count, 1)
        XCTAssertEqual(scratch.final.examples, 1500)
        XCTAssertEqual(scratch.final.trainLoss, concise.final.trainLoss, accuracy: 1e-5)
        XCTAssertGreaterThan(scratch.final.trainLoss, scratch.ch11Loss)   // the early batches, before training, weigh in
    }

    /// A short scratch Adam run lands in the book's range (§11.10: 0.242–0.247 over 20 builds).
    func testAdamScratchReachesTheBookLoss() throws {
        Tensor.manualSeed(0)
        let h = try trainCh11(adam, states: initAdamStates(featureDim: 5), hyperparams: ["lr": 0.01, "t": 1],
                              dataIter: try airfoil(seed: 0), featureDim: 5, report: .silent)
        XCTAssertEqual(h.ch11Loss, 0.245, accuracy: 0.006)
    }

    // MARK: the command line

    /// `--help` lists the options every chapter has.
    func testHelpListsCommonOptions() {
        let usage = chapterCommand().usage()
        assertListsCommonOptions(usage)
        for piece in ["lr-scheduler", "minibatch-sgd", "--book", "--no-figures"] { XCTAssert(usage.contains(piece), piece) }
    }

    /// Sections are positional, anywhere, several at once; `--model` selects the airfoil runs.
    func testSectionsAndModels() throws {
        let o = try chapterCommand().parse(["--epochs", "1", "gd", "--model", "concise", "adam"])
        XCTAssert(o.runs("gd") && o.runs("adam"))
        XCTAssertFalse(o.runs("momentum"))
        XCTAssertEqual(o.models, [.concise])
        XCTAssertEqual(o.epochs(book: 4), 1)
        let all = try chapterCommand().parse([])
        for s in ["intro", "convexity", "gd", "sgd", "minibatch-sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam",
                  "lr-scheduler"] { XCTAssert(all.runs(s), s) }
        XCTAssertEqual(all.models, [.scratch, .concise])
        XCTAssertEqual(all.lr(book: 0.005), 0.005)
        // figure names: ch10-<section>-<model>, plus the flags that differ from their defaults
        XCTAssertEqual(o.figureName("adam", "concise"), "ch10-adam-concise-epochs-1")
        XCTAssertEqual(all.figureName("momentum", "scratch", "lr-0.02-momentum-0.5"), "ch10-momentum-scratch-lr-0.02-momentum-0.5")
        // §11.11: quick by default, the book's full epochs with --book, --max-batches 0 means all
        let quick = SchedulerConfig(try chapterCommand().parse(["lr-scheduler"]))
        XCTAssertEqual([quick.numEpochs, quick.batchSize, quick.maxBatches, quick.testBatches], [30, 256, 24, 10])
        let book = SchedulerConfig(try chapterCommand().parse(["lr-scheduler", "--book"]))
        XCTAssertNil(book.maxBatches)
        XCTAssertNil(book.testBatches)
        XCTAssertNil(SchedulerConfig(try chapterCommand().parse(["--max-batches", "0", "lr-scheduler"])).maxBatches)
        XCTAssertEqual(SchedulerConfig(try chapterCommand().parse(["--max-batches", "5", "--epochs", "2"])).maxBatches, 5)
    }

    /// Each airfoil run reseeds from `--seed` (weights and the data order): a section prints the
    /// same numbers alone or after other work that used the generator.
    func testAirfoilRunsAreReproducible() throws {
        let o = try chapterCommand().parse(["adagrad", "--no-figures", "--epochs", "1"])
        _ = try airfoil(seed: 0)    // skips without the data set
        let data = { (batchSize: Int) in try getDataCh11(batchSize: batchSize, hub: TestData.require(.airfoil)).iterator }
        let alone = try runAirfoil("adagrad", o, report: .silent, data: data)
        Tensor.manualSeed(99)
        _ = Tensor.randn([100])
        let after = try runAirfoil("adagrad", o, report: .silent, data: data)
        XCTAssertEqual(alone.count, 2)   // scratch and concise
        for (a, b) in zip(alone, after) { XCTAssertEqual(a.logged.map(\.loss), b.logged.map(\.loss)) }
        let reseeded = try chapterCommand().parse(["adagrad", "--no-figures", "--epochs", "1", "--seed", "1"])
        XCTAssertNotEqual(try runAirfoil("adagrad", reseeded, report: .silent, data: data)[0].ch11Loss, alone[0].ch11Loss)
    }

    /// A diverging `--lr` stops the run at the first non-finite batch loss with one line
    /// (`TrainingError`, which `ChapterCommand.run` prints before exiting 1), instead of
    /// printing `loss: nan`.
    func testDivergingLearningRateStops() throws {
        let o = try chapterCommand().parse(["momentum", "--model", "scratch", "--lr", "10", "--no-figures"])
        let captured = CapturedReport()
        let dataIter = try airfoil(seed: 0)
        XCTAssertThrowsError(try runAirfoil("momentum", o, report: captured.report, data: { _ in dataIter })) { error in
            guard case TrainingError.nonFiniteLoss(_, let epoch, let batch)? = error as? TrainingError else {
                return XCTFail("expected nonFiniteLoss, got \(error)")
            }
            XCTAssertEqual(epoch, 1)
            XCTAssertGreaterThan(batch, 1)
            XCTAssert("\(error)".contains("try a smaller --lr"))
        }
        XCTAssert(captured.text.hasPrefix("sgd_momentum lr 0.02 momentum 0.5 (--lr 10.0):"), captured.text)
        XCTAssertFalse(captured.text.contains("nan"))
        // the concise loop checks too
        XCTAssertThrowsError(try trainConciseCh11({ SGD(parameters: $0, lr: 10) }, dataIter: dataIter, report: .silent))
    }

    // MARK: schedules

    /// §11.11's scheduler classes against hand-computed values.
    func testBookSchedulers() {
        let sq = SquareRootScheduler(lr: 0.1)
        XCTAssertEqual(sq(0), 0.1, accuracy: 1e-7)
        XCTAssertEqual(sq(3), 0.05, accuracy: 1e-7)           // 0.1 / √4
        let factor = FactorScheduler(factor: 0.9, stopFactorLR: 1e-2, baseLR: 2.0)
        let lrs = (0..<50).map { factor($0) }
        XCTAssertEqual(lrs[0], 1.8, accuracy: 1e-6)
        XCTAssertEqual(lrs[1], 1.62, accuracy: 1e-6)
        XCTAssertEqual(lrs[49], 2 * pow(0.9, 50), accuracy: 1e-6)   // 0.0103, just above the floor
        XCTAssertEqual(factor(50), 0.01, accuracy: 1e-7)              // 2·0.9⁵¹ < 0.01: clipped
        let cosine = CosineScheduler(maxUpdate: 20, baseLR: 0.3, finalLR: 0.01)
        XCTAssertEqual(cosine(0), 0.3, accuracy: 1e-6)
        XCTAssertEqual(cosine(10), 0.155, accuracy: 1e-6)     // 0.01 + 0.29·(1 + cos(π/2))/2
        XCTAssertEqual(cosine(20), 0.01, accuracy: 1e-6)
        XCTAssertEqual(cosine(25), 0.01, accuracy: 1e-6)      // after max_update: the last value (stateful, as the book's)
        let warm = CosineScheduler(maxUpdate: 20, baseLR: 0.3, finalLR: 0.01, warmupSteps: 5)
        for (e, v) in [0, 0.06, 0.12, 0.18, 0.24, 0.3].enumerated() { XCTAssertEqual(warm(e), Float(v), accuracy: 1e-6) }
        XCTAssertEqual(warm(20), 0.01, accuracy: 1e-6)
        // the NN scheduler gives the same cosine curve
        let nn = CosineAnnealingLR(optimizer: SGD(parameters: [Parameter(Tensor([0]))], lr: 0.3), tMax: 20, etaMin: 0.01, warmupEpochs: 5)
        let book = CosineScheduler(maxUpdate: 20, baseLR: 0.3, finalLR: 0.01, warmupSteps: 5)
        for e in 0..<25 { XCTAssertEqual(nn.lr(at: e), book(e), accuracy: 1e-6, "epoch \(e)") }
    }
}
