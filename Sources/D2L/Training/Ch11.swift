import Foundation
import NN
import Tensor

// The book's chapter-11 helpers (§11.3 `train_2d` / `show_trace_2d`, §11.5 `train_ch11` /
// `train_concise_ch11`): every optimization section of Chapter10-Optimizers runs with them.

// MARK: §11.3 2-D traces

/// The state `train_2d` threads through a 2-D trainer: the point (x1, x2) and two
/// per-coordinate state variables (s1, s2) (momentum, AdaGrad's sums, …).
public typealias State2d = (x1: Double, x2: Double, s1: Double, s2: Double)

/// Book §11.3 `train_2d(trainer, steps=20)`: starts at (x1, x2, s1, s2) = (−5, −2, 0, 0), applies
/// `trainer` `steps` times, prints `epoch {steps}, x1: {x1:f}, x2: {x2:f}` (Python's `%f`: 6
/// decimals) and returns the visited points. Double precision, as the book's Python floats.
@discardableResult
public func train2d(_ trainer: (State2d) -> State2d, steps: Int = 20, log: TextOutput = .standardOutput) -> [(Double, Double)] {
    var s: State2d = (-5, -2, 0, 0)
    var results = [(s.x1, s.x2)]
    for _ in 0..<steps {
        s = trainer(s)
        results.append((s.x1, s.x2))
    }
    log.write("epoch \(steps), x1: \(String(format: "%f", s.x1)), x2: \(String(format: "%f", s.x2))\n")
    return results
}

/// Book §11.3 `show_trace_2d(f, results)`: the trace over the contour lines of `f` on
/// x1 ∈ [−5.5, 1), x2 ∈ [−3, 1) (grid step 0.1), saved as `figures/<file>.svg`.
@discardableResult
public func showTrace2d(_ f: (Double, Double) -> Double, _ results: [(Double, Double)], file: String) throws -> URL {
    let xs = stride(from: -5.5, to: 1.0, by: 0.1).map { $0 }, ys = stride(from: -3.0, to: 1.0, by: 0.1).map { $0 }
    var plot = ContourPlot(xs: xs, ys: ys, f)
    plot.trace = results
    return try plot.save(file)
}

// MARK: §11.5 airfoil training loops

/// The book's hyper-parameter dictionary (`{'lr': 0.01, 'momentum': 0.9}`); Adam's `t` lives
/// here too and the trainer increments it.
public typealias Hyperparams = [String: Float]

/// What `trainCh11` / `trainConciseCh11` record in a `TrainingHistory`:
/// - `logged`: every 200 examples, the loss over the whole data set (`animator.Y[0]`) at
///   x = epochs done (`acc` nil);
/// - `intervalSeconds`: the training time of each 200-example interval (`timer.times`);
/// - `epochs`: per epoch the mean batch loss seen while training (½-squared loss, the concise
///   loop's MSE halved to match) and the training seconds without the evaluations.
extension TrainingHistory {
    /// The last logged loss over the whole data set: the loss `train_ch11` prints.
    public var ch11Loss: Double { logged.last?.loss ?? .nan }

    /// `timer.avg()`: the mean time per logging interval (200 examples), which the book prints
    /// as "sec/epoch".
    public var secondsPerInterval: Double {
        intervalSeconds.isEmpty ? 0 : intervalSeconds.reduce(0, +) / Double(intervalSeconds.count)
    }

    /// `timer.cumsum()`: training time at each logged point (the x axis of §11.5's time plot).
    public var cumulativeSeconds: [Double] { intervalSeconds.reduce(into: []) { $0.append(($0.last ?? 0) + $1) } }

    /// The book's print: `loss: 0.243, 0.013 sec/epoch`. Keep the misnomer: the time is per
    /// 200-example logging interval, not per epoch (see `secondsPerInterval`).
    public var ch11Summary: String { String(format: "loss: %.3f, %.3f sec/epoch", ch11Loss, secondsPerInterval) }
}

/// The bookkeeping both loops share: the divergence check and the progress bar on every batch;
/// every 200 examples stop the timer, evaluate, log, restart; one `Epoch` per epoch.
struct Ch11Logger {
    var history = TrainingHistory()
    var timer = Timer()
    var n = 0
    let numEpochs: Int
    let batchesPerEpoch: Int
    let animator: Animator?
    let report: Reporting
    // the current epoch
    var epoch = 0
    var batchLoss = Accumulator(2)  // sum of batch losses × examples, examples
    var epochStart = 0.0, evaluationSeconds = 0.0
    var bar: ProgressBar?

    init(numEpochs: Int, batchesPerEpoch: Int, report: Reporting) {
        if numEpochs <= 0 { fatalError("trainCh11: numEpochs must be positive, got \(numEpochs)") }
        if batchesPerEpoch <= 0 { fatalError("trainCh11: the data iterator has no batches") }
        self.numEpochs = numEpochs
        self.batchesPerEpoch = batchesPerEpoch
        self.report = report
        animator = report.figure.map {
            Animator(xlabel: "epoch", ylabel: "loss", xlim: 0...Double(numEpochs), ylim: 0.22...0.35, file: $0)
        }
    }

    mutating func startEpoch(_ epoch: Int) {
        self.epoch = epoch
        batchLoss = Accumulator(2)
        epochStart = Timer.now()
        evaluationSeconds = 0
        bar = report.progressBar(total: batchesPerEpoch, title: "epoch \(epoch + 1)/\(numEpochs)")
    }

    /// After batch `batch` (from 0) of `batchSize` examples whose loss was `loss`; `evaluate`
    /// gives the loss over the data set.
    mutating func afterBatch(_ batch: Int, batchSize: Int, loss: Double, evaluate: () -> Double) throws {
        try checkFinite(loss, epoch: epoch + 1, batch: batch + 1)
        batchLoss.add(loss * Double(batchSize), Double(batchSize))
        bar?.update(batch: batch + 1, examples: Int(batchLoss[1]), metrics: ["loss": batchLoss[0] / batchLoss[1]])
        n += batchSize
        guard n % 200 == 0 else { return }
        history.intervalSeconds.append(timer.stop())
        let evaluationStart = Timer.now()
        let x = Double(n) / Double(batchSize) / Double(batchesPerEpoch), l = evaluate()
        history.logged.append((x, l, nil))
        animator?.add(x, l)
        evaluationSeconds += Timer.now() - evaluationStart
        timer.start()
    }

    mutating func endEpoch() {
        bar?.finish()
        history.epochs.append(TrainingHistory.Epoch(trainLoss: batchLoss[0] / batchLoss[1],
                                                    seconds: Timer.now() - epochStart - evaluationSeconds,
                                                    examples: Int(batchLoss[1])))
    }

    /// Prints the book's line (and the figure's path) and returns the history.
    mutating func finish() -> TrainingHistory {
        report.say(history.ch11Summary)
        if let animator, let url = report.save(animator) {
            history.figure = url
            report.say("saved \(url.path)")
        }
        return history
    }
}

/// Book §11.5 `train_ch11(trainer_fn, states, hyperparams, data_iter, feature_dim, num_epochs=2)`:
/// linear regression `linreg(X, w, b)` with w ~ N(0, 0.01²) of shape (featureDim, 1) and b = 0
/// (or `initial` weights), loss `squaredLoss` (with ½) averaged over the batch; after each
/// backward pass `trainerFn(params, &states, &hyperparams)` updates `[w, b]` and clears their
/// gradients. Prints `loss: 0.243, 0.013 sec/epoch` (`TrainingHistory.ch11Summary`) to
/// `report.output`, draws the loss every 200 examples into `report.figure`.
///
/// - Parameter maxBatches: at most this many batches per epoch (nil: all).
/// - Throws: `TrainingError.nonFiniteLoss` as soon as a batch's loss is NaN or infinite.
@discardableResult
public func trainCh11<States>(_ trainerFn: ([Parameter], inout States, inout Hyperparams) -> Void,
                              states: States, hyperparams: Hyperparams, dataIter: DataIterator, featureDim: Int,
                              numEpochs: Int = 2, maxBatches: Int? = nil, initial: (w: Tensor, b: Tensor)? = nil,
                              report: Reporting = Reporting()) throws -> TrainingHistory {
    let w = Parameter(initial?.w ?? Tensor.normal([featureDim, 1], mean: 0, std: 0.01), name: "w")
    let b = Parameter(initial?.b ?? Tensor.zeros([1]), name: "b")
    let net = { (X: Tensor) in linreg(X, w.value, b.value) }
    var states = states, hyperparams = hyperparams
    let numBatches = min(dataIter.count, maxBatches ?? .max)
    var logger = Ch11Logger(numEpochs: numEpochs, batchesPerEpoch: numBatches, report: report)
    for epoch in 0..<numEpochs {
        logger.startEpoch(epoch)
        for (i, (X, y)) in dataIter.prefix(numBatches).enumerated() {
            let l = squaredLoss(net(X), y).mean()
            l.backward()
            trainerFn([w, b], &states, &hyperparams)
            try logger.afterBatch(i, batchSize: X.shape[0], loss: Double(l.item())) {
                evaluateLoss(net: net, dataIter: dataIter, loss: squaredLoss)
            }
        }
        logger.endEpoch()
    }
    return logger.finish()
}

/// Book §11.5 `train_concise_ch11(trainer_fn, hyperparams, data_iter, num_epochs=4)`:
/// `Sequential(Linear(5, 1))` with weight ~ N(0, 0.01²) and the default bias (or `initial`,
/// w as (featureDim, 1)), `MSELoss(reduction: .none)` averaged for the backward pass (no ½, so
/// the gradients are twice `trainCh11`'s), `trainer` the NN optimizer. The logged loss is
/// `evaluate_loss / 2`, comparable with the ½-squared loss of `trainCh11`; so is each epoch's
/// `trainLoss`. Reports as `trainCh11`.
///
/// - Throws: `TrainingError.nonFiniteLoss` as soon as a batch's loss is NaN or infinite.
@discardableResult
public func trainConciseCh11(_ trainer: ([Parameter]) -> Optimizer, dataIter: DataIterator, featureDim: Int = 5,
                             numEpochs: Int = 4, maxBatches: Int? = nil, initial: (w: Tensor, b: Tensor)? = nil,
                             report: Reporting = Reporting()) throws -> TrainingHistory {
    let linear = Linear(inputSize: featureDim, outputSize: 1)
    let net = Sequential(linear)
    Init.normal(linear.weight, std: 0.01)
    if let initial {
        linear.weight.value = initial.w.reshaped(to: [1, featureDim])
        linear.bias!.value = initial.b
    }
    let optimizer = trainer(net.parameters())
    let loss = MSELoss(reduction: .none)
    let perExample: PerExampleLoss = { loss($0, $1.reshaped(to: $0.shape)) }
    let numBatches = min(dataIter.count, maxBatches ?? .max)
    var logger = Ch11Logger(numEpochs: numEpochs, batchesPerEpoch: numBatches, report: report)
    for epoch in 0..<numEpochs {
        logger.startEpoch(epoch)
        for (i, (X, y)) in dataIter.prefix(numBatches).enumerated() {
            optimizer.zeroGrad()
            let out = net(X)
            let l = perExample(out, y).mean()
            l.backward()
            optimizer.step()
            try logger.afterBatch(i, batchSize: X.shape[0], loss: Double(l.item()) / 2) {
                evaluateLoss(net: { net($0) }, dataIter: dataIter, loss: perExample) / 2
            }
        }
        logger.endEpoch()
    }
    return logger.finish()
}
