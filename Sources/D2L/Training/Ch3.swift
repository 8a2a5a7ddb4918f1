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

/// One epoch of training (book §3.6 `train_epoch_ch3`): `net` in training mode; for each
/// batch ŷ = net(X), the per-example losses l = loss(ŷ, y), then an update with `updater`
/// (see `Updater`). Returns the mean loss over the epoch's examples and, for a classifier,
/// the training accuracy (`classification: false` for regression: no accuracy is computed).
///
/// - Parameters:
///   - epoch: the epoch's number (from 1), for the divergence message.
///   - maxBatches: train on at most this many batches (nil: all).
///   - progress: an optional bar, updated after every batch with the running loss and accuracy.
/// - Throws: `TrainingError.nonFiniteLoss` as soon as a batch's loss is NaN or infinite.
@discardableResult
public func trainEpochCh3(net: Layer, trainIter: DataIterator, loss: PerExampleLoss, updater: Updater,
                          epoch: Int = 1, classification: Bool = true, maxBatches: Int? = nil,
                          progress: ProgressBar? = nil) throws -> (loss: Double, acc: Double?) {
    net.train()
    var metric = Accumulator(3)  // sum of losses, correct predictions, examples
    var batch = 0
    for (X, y) in trainIter.prefix(maxBatches ?? .max) {
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
        batch += 1
        let batchLoss = Double(l.detached().sum().item())
        try checkFinite(batchLoss, epoch: epoch, batch: batch)
        metric.add(batchLoss, classification ? accuracy(yHat.detached(), y) : 0, Double(y.shape.first ?? 1))
        progress?.update(batch: batch, examples: Int(metric[2]),
                         metrics: classification ? ["loss": metric[0] / metric[2], "acc": metric[1] / metric[2]]
                                                 : ["loss": metric[0] / metric[2]])
    }
    return (metric[0] / metric[2], classification ? metric[1] / metric[2] : nil)
}

/// Trains a classifier for `numEpochs` (book §3.6 `train_ch3`) and reports each epoch.
///
/// Per epoch: a progress bar on `report.progress` while the batches run, then on
/// `report.output` a line `epoch 1, loss 0.7859, train acc 0.749, test acc 0.782`; the
/// animator (train loss, train acc, test acc; x in [1, numEpochs], y in [0.3, 0.9]) is
/// rewritten to `report.figure`. At the end: seconds per epoch and examples/sec of the training
/// loop (evaluation excluded) and the figure's path. Unlike the book it does not assert on the
/// result; it returns the history for the caller to check.
///
/// ```swift
/// let history = try trainCh3(net: net, trainIter: train, testIter: test,
///                            loss: { CrossEntropyLoss(reduction: .none)($0, $1) }, numEpochs: 10,
///                            updater: .optimizer(SGD(parameters: net.parameters(), lr: 0.1)),
///                            report: Reporting(figure: "ch03-concise"))
/// ```
///
/// `net` is a `Layer`: training mode while training, evaluation mode while testing.
/// `maxBatches` limits the training and the test batches of each epoch (quick runs and tests).
/// - Throws: `TrainingError.nonFiniteLoss` when a batch's loss is NaN or infinite.
@discardableResult
public func trainCh3(net: Layer, trainIter: DataIterator, testIter: DataIterator, loss: PerExampleLoss,
                     numEpochs: Int, updater: Updater, maxBatches: Int? = nil,
                     report: Reporting = Reporting(figure: "train-ch3")) throws -> TrainingHistory {
    let numBatches = min(trainIter.count, maxBatches ?? .max)
    let animator = Animator(xlabel: "epoch", legend: ["train loss", "train acc", "test acc"],
                            xlim: 1...Double(max(numEpochs, 2)), ylim: 0.3...0.9, file: report.figure ?? "train-ch3")
    var history = TrainingHistory()
    for epoch in 0..<numEpochs {
        let bar = report.progressBar(total: numBatches, title: "epoch \(epoch + 1)/\(numEpochs)")
        var timer = Timer()
        let (trainLoss, trainAcc) = try trainEpochCh3(net: net, trainIter: trainIter, loss: loss, updater: updater,
                                                      epoch: epoch + 1, maxBatches: maxBatches, progress: bar)
        let seconds = timer.stop()
        bar?.finish()
        let testAcc = evaluateAccuracy(net, testIter.prefix(maxBatches ?? .max))
        let examples = min(trainIter.numExamples, numBatches * trainIter.batchSize)
        let record = TrainingHistory.Epoch(trainLoss: trainLoss, trainAcc: trainAcc, testAcc: testAcc,
                                           seconds: seconds, examples: examples)
        history.epochs.append(record)
        report.say("epoch \(epoch + 1), " + record.summary(lossDecimals: 4))
        animator.add(Double(epoch + 1), [trainLoss, trainAcc, testAcc])
        if let url = report.save(animator) { history.figure = url }
    }
    report.say("\(formatFixed(history.secondsPerEpoch, decimals: 3)) sec/epoch, "
               + "\(formatFixed(history.examplesPerSecond, decimals: 1)) examples/sec (training loop)")
    if let url = history.figure { report.say("saved \(url.path)") }
    return history
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
public func predictCh3(net: Layer, testIter: DataIterator, n: Int = 6,
                       file: String = "predict-ch3") throws -> Predictions {
    var batches = testIter.makeIterator()
    guard let (X, y) = batches.next() else {
        fatalError("predictCh3: the test iterator is empty")
    }
    let wasTraining = net.isTraining
    net.eval()
    defer { net.train(wasTraining) }
    let predicted = withNoGrad { net(X).argmaxIndices(axis: 1) }
    let truth = classIndices(y)
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
