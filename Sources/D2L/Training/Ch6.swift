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
/// ETA) goes to `report.progress`; the result lines go to `report.output`, the figure to
/// `report.figure` (see `Reporting`).
///
/// ```swift
/// let (trainIter, testIter) = try loadDataFashionMNIST(batchSize: 256)
/// let history = try trainCh6(net: lenet(), trainIter: trainIter, testIter: testIter, numEpochs: 10, lr: 0.9)
/// print(history.final.testAcc!)
/// ```
///
/// A scratch model is passed as a `Layer` too (the chapter's `LeNetScratch`); give it
/// `xavierInit: false` if it draws its own weights.
///
/// - Parameters:
///   - xavierInit: false keeps the weights the caller set (e.g. `--init normal`).
///   - maxBatches: at most this many batches per epoch, for training and for the test
///     accuracy (tests and quick runs); nil uses all of them.
///   - lrSchedule: makes a learning-rate scheduler for the optimizer, stepped after every
///     *batch* (its "epoch" counts steps), e.g. `{ CosineAnnealingLR(optimizer: $0, tMax: steps) }`;
///     nil keeps `lr` fixed, as the book does.
/// - Throws: `TrainingError.nonFiniteLoss` as soon as a batch's loss is NaN or infinite.
@discardableResult
public func trainCh6(net: Layer, trainIter: DataIterator, testIter: DataIterator, numEpochs: Int, lr: Float,
                     xavierInit: Bool = true, maxBatches: Int? = nil,
                     lrSchedule: ((Optimizer) -> LRScheduler)? = nil,
                     report: Reporting = Reporting(figure: "ch6-train")) throws -> TrainingHistory {
    if numEpochs <= 0 { fatalError("trainCh6: numEpochs must be positive, got \(numEpochs)") }
    let numBatches = min(trainIter.count, maxBatches ?? .max)
    let testBatches = min(testIter.count, maxBatches ?? .max)
    if numBatches <= 0 { fatalError("trainCh6: the training iterator has no batches") }
    if xavierInit { xavierInitWeights(net) }
    let optimizer = SGD(parameters: net.parameters(), lr: lr)
    let scheduler = lrSchedule?(optimizer)
    let loss = CrossEntropyLoss()
    let animator = Animator(xlabel: "epoch", legend: ["train loss", "train acc", "test acc"],
                            xlim: 1...Double(max(numEpochs, 2)), file: report.figure ?? "ch6-train")
    var history = TrainingHistory()
    var timer = Timer()
    report.say("training on cpu")
    for epoch in 0..<numEpochs {
        var metric = Accumulator(3)  // sum of training loss, correct predictions, examples
        net.train()
        let bar = report.progressBar(total: numBatches, title: "epoch \(epoch + 1)/\(numEpochs)")
        let epochStart = timer.sum()
        for (i, (X, y)) in trainIter.prefix(numBatches).enumerated() {
            timer.start()
            let yHat = net(X)
            let l = loss(yHat, y)
            optimizer.zeroGrad()
            l.backward()
            optimizer.step()
            scheduler?.step()
            let n = Double(X.shape[0])
            let batchLoss = Double(l.item())
            try checkFinite(batchLoss, epoch: epoch + 1, batch: i + 1)
            metric.add(batchLoss * n, accuracy(yHat.detached(), y), n)
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
        let testAcc = evaluateAccuracy(net, testIter.prefix(testBatches))
        animator.add(Double(epoch + 1), [nil, nil, testAcc])
        let record = TrainingHistory.Epoch(trainLoss: metric[0] / metric[2], trainAcc: metric[1] / metric[2],
                                           testAcc: testAcc, seconds: timer.sum() - epochStart,
                                           examples: Int(metric[2]))
        history.epochs.append(record)
        report.say("epoch \(epoch + 1), " + record.summary())
        if let url = report.save(animator) { history.figure = url }
    }
    report.say(history.final.summary())
    report.say("\(formatFixed(history.examplesPerSecond, decimals: 1)) examples/sec on cpu")
    if let url = history.figure { report.say("saved \(url.path)") }
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
