import Foundation
import NN
import Tensor

/// The training loop of chapters 6 and 7 (book §6.6 `train_ch6`), for CPU.
///
/// What it does, as the book's version:
/// - re-initialises every `Conv2d` and `Linear` weight with Xavier uniform (`U(−a, a)`,
///   `a = √(6 / (fanIn + fanOut))`, §4.8.2.2); biases keep their default initialisation;
/// - minimises the mean cross-entropy with minibatch SGD at rate `lr`;
/// - logs the running train loss and accuracy to an `Animator` five times per epoch (at batch
///   `i` when `(i + 1) % (numBatches / 5) == 0`, and at the last batch), and the test accuracy
///   at the end of each epoch, then saves the figure as SVG;
/// - prints `training on cpu`, one `epoch 3, loss 0.612, train acc 0.764, test acc 0.751` line
///   per epoch (the book prints only the last), the final
///   `loss 0.469, train acc 0.823, test acc 0.779` and `55296.6 examples/sec on cpu`. The timer
///   covers the training steps only (forward, backward, update, metrics), not data loading
///   nor evaluation.
///
/// While an epoch runs, a `ProgressBar` line (batch i/n, running loss and accuracy, examples/s,
/// ETA) goes to `progress` (standard error by default).
///
/// ```swift
/// let (trainIter, testIter) = try loadDataFashionMNIST(batchSize: 256)
/// let history = trainCh6(net: net, trainIter: trainIter, testIter: testIter, numEpochs: 10, lr: 0.9)
/// print(history.final.testAcc)
/// ```
///
/// - Parameters:
///   - xavierInit: false keeps the weights the caller set (e.g. `--init normal`).
///   - maxBatches: at most this many batches per epoch, for training and for the test
///     accuracy (tests and quick runs); nil uses all of them.
///   - figure: file name of the training-curve SVG (in `Figures.directory`); nil writes none.
///   - output: where the result lines go (standard output by default).
///   - progress: where the progress line goes; nil shows none.
@discardableResult
public func trainCh6(net: Layer, trainIter: DataIterator, testIter: DataIterator, numEpochs: Int, lr: Float,
                     xavierInit: Bool = true, maxBatches: Int? = nil, figure: String? = "ch6-train",
                     output: TextOutput = .standardOutput, progress: TextOutput? = .standardError) -> TrainCh6History {
    if xavierInit { xavierInitWeights(net) }
    return trainCh6(net.callAsFunction, parameters: net.parameters(), setTraining: { net.train($0) },
                    trainIter: trainIter, testIter: testIter, numEpochs: numEpochs, lr: lr, maxBatches: maxBatches,
                    figure: figure, output: output, progress: progress)
}

/// `trainCh6` for a model that is a plain function of its parameters (the from-scratch LeNet):
/// `forward` maps a batch `(B, 1, 28, 28)` to logits `(B, 10)`, `parameters` are updated by SGD.
/// No weights are re-initialised (the scratch model draws its own); `setTraining` switches
/// training/evaluation mode if the model has one.
@discardableResult
public func trainCh6(_ forward: (Tensor) -> Tensor, parameters: [Parameter], setTraining: (Bool) -> Void = { _ in },
                     trainIter: DataIterator, testIter: DataIterator, numEpochs: Int, lr: Float,
                     maxBatches: Int? = nil, figure: String? = "ch6-train",
                     output: TextOutput = .standardOutput, progress: TextOutput? = .standardError) -> TrainCh6History {
    precondition(numEpochs > 0, "trainCh6: numEpochs must be positive, got \(numEpochs)")
    let numBatches = min(trainIter.count, maxBatches ?? .max)
    let testBatches = min(testIter.count, maxBatches ?? .max)
    precondition(numBatches > 0, "trainCh6: the training iterator has no batches")
    let optimizer = SGD(parameters: parameters, lr: lr)
    let loss = CrossEntropyLoss()
    let animator = Animator(xlabel: "epoch", legend: ["train loss", "train acc", "test acc"],
                            xlim: 1...Double(max(numEpochs, 2)), file: figure ?? "ch6-train")
    var history = TrainCh6History()
    var timer = Stopwatch()
    output.write("training on cpu\n")
    for epoch in 0..<numEpochs {
        var metric = Accumulator(3)  // sum of training loss, correct predictions, examples
        setTraining(true)
        let bar = progress.map { ProgressBar(total: numBatches, title: "epoch \(epoch + 1)/\(numEpochs)", output: $0) }
        let epochStart = timer.sum()
        for (i, (X, y)) in trainIter.prefix(numBatches).enumerated() {
            timer.start()
            let yHat = forward(X)
            let l = loss(yHat, y)
            optimizer.zeroGrad()
            l.backward()
            optimizer.step()
            let n = Double(X.shape[0])
            metric.add(Double(l.item()) * n, accuracy(yHat.detached(), y), n)
            timer.stop()
            let (trainLoss, trainAcc) = (metric[0] / metric[2], metric[1] / metric[2])
            bar?.update(batch: i + 1, examples: Int(metric[2]), metrics: ["loss": trainLoss, "acc": trainAcc])
            if (i + 1) % max(numBatches / 5, 1) == 0 || i == numBatches - 1 {
                let x = Double(epoch) + Double(i + 1) / Double(numBatches)
                animator.add(x, [trainLoss, trainAcc, nil])
                history.logged.append((x, trainLoss, trainAcc))
            }
        }
        bar?.finish()
        setTraining(false)
        let testAcc = evaluateAccuracy(forward, testIter.prefix(testBatches))
        animator.add(Double(epoch + 1), [nil, nil, testAcc])
        let record = TrainCh6History.Epoch(trainLoss: metric[0] / metric[2], trainAcc: metric[1] / metric[2],
                                           testAcc: testAcc, seconds: timer.sum() - epochStart,
                                           examples: Int(metric[2]))
        history.epochs.append(record)
        output.write("epoch \(epoch + 1), " + record.summary + "\n")
        if let figure {
            history.figure = try? animator.save()
            if history.figure == nil { output.write("warning: could not write figure \(figure)\n") }
        }
    }
    history.trainingSeconds = timer.sum()
    output.write(history.final.summary + "\n")
    output.write("\(formatFixed(history.examplesPerSecond, decimals: 1)) examples/sec on cpu\n")
    if let url = history.figure { output.write("saved \(url.path)\n") }
    return history
}

/// Xavier-uniform initialisation of every `Conv2d` and `Linear` weight in `net` (what
/// `train_ch6` applies with `net.apply(init_weights)`); biases are left as they are.
public func xavierInitWeights(_ net: Module) {
    net.apply { m in
        if let conv = m as? Conv2d { Init.xavierUniform(conv.weight) }
        if let linear = m as? Linear { Init.xavierUniform(linear.weight) }
    }
}

/// What `trainCh6` measured: one record per epoch, the five-per-epoch log points, and the
/// time spent in training steps.
public struct TrainCh6History {
    /// The numbers of one epoch.
    public struct Epoch {
        /// Mean training loss over the epoch's examples (the running value at its end).
        public var trainLoss: Double
        /// Fraction of the epoch's training examples classified correctly (while training).
        public var trainAcc: Double
        /// Fraction of the test set classified correctly after the epoch.
        public var testAcc: Double
        /// Seconds spent in training steps during the epoch.
        public var seconds: Double
        /// Training examples seen in the epoch.
        public var examples: Int
        /// `loss 0.469, train acc 0.823, test acc 0.779`.
        public var summary: String {
            "loss \(formatFixed(trainLoss, decimals: 3)), train acc \(formatFixed(trainAcc, decimals: 3)), "
                + "test acc \(formatFixed(testAcc, decimals: 3))"
        }
    }
    public var epochs: [Epoch] = []
    /// The animator's train points: x in epochs (fractional), running loss and accuracy.
    public var logged: [(x: Double, loss: Double, acc: Double)] = []
    /// Total seconds in training steps over all epochs.
    public var trainingSeconds: Double = 0
    /// Where the training-curve SVG was written, if it was.
    public var figure: URL?
    public init() {}
    /// The last epoch (what the book prints).
    public var final: Epoch { epochs[epochs.count - 1] }
    /// Training examples per second of training-step time, over all epochs.
    public var examplesPerSecond: Double {
        trainingSeconds > 0 ? Double(epochs.reduce(0) { $0 + $1.examples }) / trainingSeconds : 0
    }
    /// Mean seconds of training steps per epoch.
    public var secondsPerEpoch: Double { epochs.isEmpty ? 0 : trainingSeconds / Double(epochs.count) }
}
