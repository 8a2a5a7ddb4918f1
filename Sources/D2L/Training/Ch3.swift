import Foundation
import NN
import Tensor

// The book's chapter-3 training helpers (§3.2 `linreg` / `squared_loss` / `sgd`, §3.6
// `train_epoch_ch3` / `train_ch3` / `predict_ch3`, §4.4 `evaluate_loss`). Chapters 3 and 4
// (softmax regression, MLPs, polynomial fitting, weight decay, dropout) all train with them.

// MARK: §3.2 saved helpers

/// The linear regression model of §3.2: `ŷ = Xw + b`. X: (n, d), w: (d, 1), b: (1) → (n, 1).
public func linreg(_ X: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
    X.matmul(w) + b
}

/// The squared loss of §3.2, `½(ŷ − y)²` per example (not reduced). `y` is reshaped to ŷ's shape.
public func squaredLoss(_ yHat: Tensor, _ y: Tensor) -> Tensor {
    let d = yHat - y.reshaped(to: yHat.shape)
    return d * d / 2
}

/// Minibatch stochastic gradient descent of §3.2: `p ← p − η·∇p / batchSize` for every
/// parameter, then its gradient is cleared. The losses were *summed* over the batch, so
/// dividing by the batch size gives the step of the mean loss (as `SGD` with `l.mean()`).
public func sgd(_ params: [Parameter], lr: Float, batchSize: Int) {
    withNoGrad {
        for p in params {
            guard let g = p.grad else { continue }
            p.value -= lr * g / Float(batchSize)
            p.zeroGrad()
        }
    }
}

// MARK: §3.6 training loop

/// How `trainEpochCh3` updates the parameters after each batch (the book's `updater`, which
/// is either a `torch.optim.Optimizer` or a function of the batch size).
public enum Updater {
    /// An NN optimizer: the batch loss is `l.mean()`; zero the gradients, backprop, `step()`.
    case optimizer(Optimizer)
    /// A scratch update such as `{ sgd(params, lr: 0.1, batchSize: $0) }`: the batch loss is
    /// `l.sum()`; after backprop the closure gets the batch size (and clears the gradients).
    case custom((Int) -> Void)
}

/// A per-example loss: prediction and targets → one loss per example (reduction none), e.g.
/// `{ CrossEntropyLoss(reduction: .none)($0, $1) }` or the scratch `crossEntropy`.
public typealias PerExampleLoss = (Tensor, Tensor) -> Tensor

/// What `trainCh3` measured: one entry per epoch.
public struct TrainingHistory {
    /// Mean training loss over the epoch's examples (computed while training, as the book does).
    public var trainLoss: [Double] = []
    /// Training accuracy over the epoch (while training).
    public var trainAcc: [Double] = []
    /// Test accuracy after the epoch.
    public var testAcc: [Double] = []
    /// Seconds of the training loop of each epoch (batches, forward, backward, update; not evaluation).
    public var epochSeconds: [Double] = []
    /// Training examples seen per epoch.
    public var examplesPerEpoch = 0
    /// The saved training curves, if they were written.
    public var figure: URL?

    public init() {}

    /// Training examples per second over all epochs (training loop only).
    public var examplesPerSecond: Double {
        let seconds = epochSeconds.reduce(0, +)
        return seconds > 0 ? Double(examplesPerEpoch * epochSeconds.count) / seconds : 0
    }

    /// Mean seconds per epoch of the training loop.
    public var secondsPerEpoch: Double {
        epochSeconds.isEmpty ? 0 : epochSeconds.reduce(0, +) / Double(epochSeconds.count)
    }
}

/// One epoch of training (book §3.6 `train_epoch_ch3`): for each batch, ŷ = net(X), the
/// per-example losses l = loss(ŷ, y), then an update with `updater` (see `Updater`).
/// Returns the mean loss and the accuracy over the epoch's examples.
///
/// - Parameters:
///   - module: the net as a module, if it is one: it is put in training mode (dropout on).
///   - progress: an optional bar, updated after every batch with the running loss and accuracy.
public func trainEpochCh3(net: (Tensor) -> Tensor, module: Module? = nil, trainIter: DataIterator,
                          loss: PerExampleLoss, updater: Updater,
                          progress: ProgressBar? = nil) -> (loss: Double, acc: Double) {
    module?.train()
    var metric = Accumulator(3)  // sum of losses, correct predictions, examples
    var batch = 0
    for (X, y) in trainIter {
        let yHat = net(X)
        let l = loss(yHat, y)
        switch updater {
        case .optimizer(let optimizer):
            optimizer.zeroGrad()
            l.mean().backward()
            optimizer.step()
        case .custom(let update):
            l.sum().backward()
            update(X.shape[0])
        }
        metric.add(Double(l.detached().sum().item()), accuracy(yHat.detached(), y), Double(y.count))
        batch += 1
        progress?.update(batch: batch, examples: Int(metric[2]),
                         metrics: ["loss": metric[0] / metric[2], "acc": metric[1] / metric[2]])
    }
    return (metric[0] / metric[2], metric[1] / metric[2])
}

/// `trainEpochCh3` for a module net (`Sequential`, a custom `Layer`).
public func trainEpochCh3(net: Layer, trainIter: DataIterator, loss: PerExampleLoss, updater: Updater,
                          progress: ProgressBar? = nil) -> (loss: Double, acc: Double) {
    trainEpochCh3(net: { net($0) }, module: net, trainIter: trainIter, loss: loss, updater: updater,
                  progress: progress)
}

/// Test accuracy of a closure net, in evaluation mode if `module` is given.
func evaluateAccuracy(_ net: (Tensor) -> Tensor, module: Module?, _ dataIter: DataIterator) -> Double {
    guard let module else { return evaluateAccuracy(net, dataIter) }
    let wasTraining = module.isTraining
    module.eval()
    defer { module.train(wasTraining) }
    return evaluateAccuracy(net, dataIter)
}

/// Trains for `numEpochs` (book §3.6 `train_ch3`) and reports each epoch.
///
/// Per epoch: a progress bar on standard error while the batches run, then on `log` a line
/// `epoch 1, loss 0.7859, train acc 0.749, test acc 0.782`; the animator (train loss, train
/// acc, test acc; x in [1, numEpochs], y in [0.3, 0.9]) is rewritten to `figures/<figure>.svg`.
/// At the end: seconds per epoch and examples/sec of the training loop (evaluation excluded)
/// and the figure's path. Unlike the book it does not assert on the result; it returns the
/// history for the caller to check.
///
/// ```swift
/// let history = trainCh3(net: { net($0) }, module: net, trainIter: train, testIter: test,
///                        loss: { CrossEntropyLoss(reduction: .none)($0, $1) }, numEpochs: 10,
///                        updater: .optimizer(SGD(parameters: net.parameters(), lr: 0.1)))
/// ```
///
/// - Parameters:
///   - figure: file name of the training curves (nil: no figure).
///   - log: where the per-epoch lines go (standard output by default).
///   - showProgress: draw a progress bar per epoch on standard error.
@discardableResult
public func trainCh3(net: (Tensor) -> Tensor, module: Module? = nil, trainIter: DataIterator,
                     testIter: DataIterator, loss: PerExampleLoss, numEpochs: Int, updater: Updater,
                     figure: String? = "train-ch3", log: TextOutput = .standardOutput,
                     showProgress: Bool = true) -> TrainingHistory {
    let animator = Animator(xlabel: "epoch", legend: ["train loss", "train acc", "test acc"],
                            xlim: 1...Double(max(numEpochs, 2)), ylim: 0.3...0.9, file: figure ?? "train-ch3")
    var history = TrainingHistory()
    history.examplesPerEpoch = trainIter.numExamples
    for epoch in 0..<numEpochs {
        let bar = showProgress ? ProgressBar(total: max(trainIter.count, 1), title: "epoch \(epoch + 1)/\(numEpochs)") : nil
        var timer = Timer()
        let (trainLoss, trainAcc) = trainEpochCh3(net: net, module: module, trainIter: trainIter, loss: loss,
                                                  updater: updater, progress: bar)
        history.epochSeconds.append(timer.stop())
        bar?.finish()
        let testAcc = evaluateAccuracy(net, module: module, testIter)
        history.trainLoss.append(trainLoss)
        history.trainAcc.append(trainAcc)
        history.testAcc.append(testAcc)
        log.write("epoch \(epoch + 1), loss \(formatFixed(trainLoss, decimals: 4)), "
                  + "train acc \(formatFixed(trainAcc, decimals: 3)), test acc \(formatFixed(testAcc, decimals: 3))\n")
        animator.add(Double(epoch + 1), [trainLoss, trainAcc, testAcc])
        if figure != nil { history.figure = try? animator.save() }
    }
    log.write("\(formatFixed(history.secondsPerEpoch, decimals: 3)) sec/epoch, "
              + "\(formatFixed(history.examplesPerSecond, decimals: 1)) examples/sec (training loop)\n")
    if let url = history.figure { log.write("saved \(url.path)\n") }
    return history
}

/// `trainCh3` for a module net: training mode while training, evaluation mode while testing.
@discardableResult
public func trainCh3(net: Layer, trainIter: DataIterator, testIter: DataIterator, loss: PerExampleLoss,
                     numEpochs: Int, updater: Updater, figure: String? = "train-ch3",
                     log: TextOutput = .standardOutput, showProgress: Bool = true) -> TrainingHistory {
    trainCh3(net: { net($0) }, module: net, trainIter: trainIter, testIter: testIter, loss: loss,
             numEpochs: numEpochs, updater: updater, figure: figure, log: log, showProgress: showProgress)
}

// MARK: §3.6.7 prediction

/// What `predictCh3` shows: the true and predicted classes of the first `n` test images.
public struct Predictions {
    public var truth: [Int]
    public var predicted: [Int]
    /// The image grid, titled "true\npredicted" with the Fashion-MNIST label names.
    public var figure: URL
}

/// Book §3.6.7 `predict_ch3`: classifies the first `n` images of the first test batch and
/// saves them in one row titled with the true and the predicted label.
@discardableResult
public func predictCh3(net: (Tensor) -> Tensor, module: Module? = nil, testIter: DataIterator, n: Int = 6,
                       file: String = "predict-ch3") throws -> Predictions {
    var batches = testIter.makeIterator()
    guard let (X, y) = batches.next() else {
        fatalError("predictCh3: the test iterator is empty")
    }
    let wasTraining = module?.isTraining ?? false
    module?.eval()
    defer { if wasTraining { module?.train() } }
    let predicted = withNoGrad { net(X).argmaxIndices(axis: 1) }
    let truth = y.labelIndices
    let k = min(n, truth.count)
    let titles = zip(getFashionMNISTLabels(Array(truth.prefix(k))), getFashionMNISTLabels(Array(predicted.prefix(k))))
        .map { "\($0)\n\($1)" }
    let url = try showImages(batch: X.slice(axis: 0, 0..<k), numRows: 1, numCols: k, titles: titles, file: file)
    return Predictions(truth: Array(truth.prefix(k)), predicted: Array(predicted.prefix(k)), figure: url)
}

// MARK: §4.4

/// Book §4.4 `evaluate_loss`: the mean of the per-example losses of `net` over a data set
/// (sum of all loss elements / their number), without recording the graph.
public func evaluateLoss(net: (Tensor) -> Tensor, dataIter: DataIterator, loss: PerExampleLoss) -> Double {
    var metric = Accumulator(2)  // sum of losses, number of losses
    withNoGrad {
        for (X, y) in dataIter {
            let l = loss(net(X), y)
            metric.add(Double(l.sum().item()), Double(l.count))
        }
    }
    return metric[0] / metric[1]
}
