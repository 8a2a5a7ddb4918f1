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

/// What `trainCh11` / `trainConciseCh11` logged: every 200 examples, the loss over the whole
/// data set (`animator.Y[0]`) at x = epochs done, and the training time of each 200-example
/// interval (`timer.times`).
public struct Ch11History {
    public var epochs: [Double] = []
    public var losses: [Double] = []
    public var intervalSeconds: [Double] = []
    /// The last logged loss.
    public var finalLoss: Double { losses.last ?? .nan }
    /// `timer.avg()`: the mean time per logging interval (200 examples), which the book prints
    /// as "sec/epoch".
    public var secondsPerInterval: Double { intervalSeconds.isEmpty ? 0 : intervalSeconds.reduce(0, +) / Double(intervalSeconds.count) }
    /// `timer.cumsum()`: training time at each logged point (the x axis of §11.5's time plot).
    public var cumulativeSeconds: [Double] { intervalSeconds.reduce(into: []) { $0.append(($0.last ?? 0) + $1) } }
    /// The book's print: `loss: 0.243, 0.013 sec/epoch`. Keep the misnomer: the time is per
    /// 200-example logging interval, not per epoch (see `secondsPerInterval`).
    public var summary: String { String(format: "loss: %.3f, %.3f sec/epoch", finalLoss, secondsPerInterval) }
}

/// The logging both loops share: every 200 examples, stop the timer, evaluate, log, restart.
struct Ch11Logger {
    var history = Ch11History()
    var timer = Stopwatch()
    var n = 0
    let batchesPerEpoch: Int
    let animator: Animator?

    init(numEpochs: Int, batchesPerEpoch: Int, figure: String?) {
        self.batchesPerEpoch = batchesPerEpoch
        animator = figure.map { Animator(xlabel: "epoch", ylabel: "loss", xlim: 0...Double(numEpochs), ylim: 0.22...0.35, file: $0) }
    }

    /// After a batch of `batchSize` examples; `evaluate` gives the loss over the data set.
    mutating func afterBatch(batchSize: Int, evaluate: () -> Double) {
        n += batchSize
        guard n % 200 == 0 else { return }
        history.intervalSeconds.append(timer.stop())
        let x = Double(n) / Double(batchSize) / Double(batchesPerEpoch), loss = evaluate()
        history.epochs.append(x)
        history.losses.append(loss)
        animator?.add(x, loss)
        timer.start()
    }

    func finish(log: TextOutput) -> Ch11History {
        log.write(history.summary + "\n")
        if let animator { do { log.write("saved \(try animator.save().path)\n") } catch { log.write("could not save the figure: \(error)\n") } }
        return history
    }
}

/// Book §11.5 `train_ch11(trainer_fn, states, hyperparams, data_iter, feature_dim, num_epochs=2)`:
/// linear regression `linreg(X, w, b)` with w ~ N(0, 0.01²) of shape (featureDim, 1) and b = 0
/// (or `initial` weights), loss `squaredLoss` (with ½) averaged over the batch; after each
/// backward pass `trainerFn(params, &states, &hyperparams)` updates `[w, b]` and clears their
/// gradients. Logs and prints as `Ch11History.summary`.
@discardableResult
public func trainCh11<States>(_ trainerFn: ([Parameter], inout States, inout Hyperparams) -> Void,
                              states: States, hyperparams: Hyperparams, dataIter: DataIterator, featureDim: Int,
                              numEpochs: Int = 2, initial: (w: Tensor, b: Tensor)? = nil, figure: String? = nil,
                              log: TextOutput = .standardOutput) -> Ch11History {
    let w = Parameter(initial?.w ?? Tensor.normal([featureDim, 1], mean: 0, std: 0.01), name: "w")
    let b = Parameter(initial?.b ?? Tensor.zeros([1]), name: "b")
    let net = { (X: Tensor) in linreg(X, w.value, b.value) }
    var states = states, hyperparams = hyperparams
    var logger = Ch11Logger(numEpochs: numEpochs, batchesPerEpoch: dataIter.count, figure: figure)
    for _ in 0..<numEpochs {
        for (X, y) in dataIter {
            let l = squaredLoss(net(X), y).mean()
            l.backward()
            trainerFn([w, b], &states, &hyperparams)
            logger.afterBatch(batchSize: X.shape[0]) { evaluateLoss(net: net, dataIter: dataIter, loss: squaredLoss) }
        }
    }
    return logger.finish(log: log)
}

/// Book §11.5 `train_concise_ch11(trainer_fn, hyperparams, data_iter, num_epochs=4)`:
/// `Sequential(Linear(5, 1))` with weight ~ N(0, 0.01²) and the default bias (or `initial`,
/// w as (featureDim, 1)), `MSELoss(reduction: .none)` averaged for the backward pass (no ½, so
/// the gradients are twice `trainCh11`'s), `trainer` the NN optimizer. The logged loss is
/// `evaluate_loss / 2`, comparable with the ½-squared loss of `trainCh11`.
@discardableResult
public func trainConciseCh11(_ trainer: ([Parameter]) -> Optimizer, dataIter: DataIterator, featureDim: Int = 5,
                             numEpochs: Int = 4, initial: (w: Tensor, b: Tensor)? = nil, figure: String? = nil,
                             log: TextOutput = .standardOutput) -> Ch11History {
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
    var logger = Ch11Logger(numEpochs: numEpochs, batchesPerEpoch: dataIter.count, figure: figure)
    for _ in 0..<numEpochs {
        for (X, y) in dataIter {
            optimizer.zeroGrad()
            let out = net(X)
            perExample(out, y).mean().backward()
            optimizer.step()
            logger.afterBatch(batchSize: X.shape[0]) { evaluateLoss(net: { net($0) }, dataIter: dataIter, loss: perExample) / 2 }
        }
    }
    return logger.finish(log: log)
}
