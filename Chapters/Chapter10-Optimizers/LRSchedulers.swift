import D2L
import Foundation
import NN
import Tensor

// §11.11 learning-rate scheduling: the book's scheduler classes (functions of the epoch, set into
// the optimizer by hand) and `MultiStepLR` from NN, each training the section's small
// convolutional network on Fashion-MNIST.

/// A schedule in the book's style: called with the epoch just finished, returns the next rate.
protocol BookScheduler: AnyObject { func callAsFunction(_ numUpdate: Int) -> Float }

/// `SquareRootScheduler(lr=0.1)`: η = lr·(t + 1)^(−½).
final class SquareRootScheduler: BookScheduler {
    let lr: Float
    init(lr: Float = 0.1) { self.lr = lr }
    func callAsFunction(_ numUpdate: Int) -> Float { lr * Float(pow(Double(numUpdate) + 1, -0.5)) }
}

/// `FactorScheduler(factor=1, stop_factor_lr=1e-7, base_lr=0.1)`: every call multiplies the rate by
/// `factor`, never below `stopFactorLR` (stateful, like the book's).
final class FactorScheduler: BookScheduler {
    let factor: Float, stopFactorLR: Float
    var baseLR: Float
    init(factor: Float = 1, stopFactorLR: Float = 1e-7, baseLR: Float = 0.1) {
        self.factor = factor; self.stopFactorLR = stopFactorLR; self.baseLR = baseLR
    }
    func callAsFunction(_ numUpdate: Int) -> Float {
        baseLR = max(stopFactorLR, baseLR * factor)
        return baseLR
    }
}

/// `CosineScheduler(max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0)`:
/// linear warm-up, then `final + (base − final)(1 + cos(π(t − w)/(T − w)))/2` up to T, then `final`.
final class CosineScheduler: BookScheduler {
    let baseLROrig: Float, maxUpdate: Int, finalLR: Float, warmupSteps: Int, warmupBeginLR: Float
    var baseLR: Float
    init(maxUpdate: Int, baseLR: Float = 0.01, finalLR: Float = 0, warmupSteps: Int = 0, warmupBeginLR: Float = 0) {
        baseLROrig = baseLR; self.baseLR = baseLR; self.maxUpdate = maxUpdate; self.finalLR = finalLR
        self.warmupSteps = warmupSteps; self.warmupBeginLR = warmupBeginLR
    }
    func callAsFunction(_ epoch: Int) -> Float {
        if epoch < warmupSteps { return warmupBeginLR + (baseLROrig - warmupBeginLR) * Float(epoch) / Float(warmupSteps) }
        if epoch <= maxUpdate {
            let maxSteps = Double(maxUpdate - warmupSteps)
            baseLR = finalLR + (baseLROrig - finalLR) * Float((1 + cos(Double.pi * Double(epoch - warmupSteps) / maxSteps)) / 2)
        }
        return baseLR
    }
}

/// §11.11 `net_fn()`: a LeNet with ReLU and max pooling, PyTorch's default initialisation.
func netFn() -> Sequential {
    Sequential(Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2), ReLU(),
               MaxPool2d(kernelSize: 2, stride: 2),
               Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5), ReLU(),
               MaxPool2d(kernelSize: 2, stride: 2),
               Flatten(),
               Linear(inputSize: 16 * 5 * 5, outputSize: 120), ReLU(),
               Linear(inputSize: 120, outputSize: 84), ReLU(),
               Linear(inputSize: 84, outputSize: 10))
}

/// How a schedule drives the optimizer: an NN scheduler's `step()`, or a book scheduler whose
/// value for the finished epoch becomes the next epoch's rate.
enum Schedule {
    case none
    case nn(LRScheduler)
    case book(BookScheduler)
}

/// The §11.11 settings: the book's 30 epochs on all 60,000 images (`--book`), or by default the
/// same 30 epochs on the first `maxBatches` batches of each shuffled epoch and `testBatches`
/// test batches, so each run takes seconds. `--epochs`, `--batch-size`, `--max-batches` replace them.
struct SchedulerConfig {
    var numEpochs = 30
    var batchSize = 256
    var maxBatches: Int? = 24
    var testBatches: Int? = 10
    var figures = true

    init() {}

    init(_ o: ChapterOptions) {
        let book = o.parsed.flag("book")
        numEpochs = o.epochs(book: 30)
        batchSize = o.batchSize(book: 256)
        maxBatches = o.parsed.isSet("max-batches") ? o.maxBatches : (book ? nil : 24)   // --max-batches 0: all
        testBatches = book ? nil : 10
        figures = !o.parsed.flag("no-figures")
    }
}

/// §11.11 `train(net, train_iter, test_iter, num_epochs, loss, trainer, device, scheduler)`:
/// minibatch SGD with `CrossEntropyLoss`, the schedule applied after each epoch; prints
/// `train loss …, train acc …, test acc … (… s)`, draws the curves into `report.figure`.
/// Returns the history and the learning rate of each epoch.
///
/// - Throws: `TrainingError.nonFiniteLoss` as soon as a batch's loss is NaN or infinite.
@discardableResult
func trainWithSchedule(_ net: Sequential, _ trainIter: DataIterator, _ testIter: DataIterator, trainer: SGD,
                       schedule: Schedule, config: SchedulerConfig, report: Reporting) throws -> (history: TrainingHistory, lrs: [Float]) {
    let loss = CrossEntropyLoss()
    let animator = Animator(xlabel: "epoch", legend: ["train loss", "train acc", "test acc"], xlim: 0...Double(config.numEpochs),
                            file: report.figure ?? "ch10-lr-scheduler")
    var history = TrainingHistory(), lrs: [Float] = []
    var timer = Timer()
    let batches = min(trainIter.count, config.maxBatches ?? Int.max)
    for epoch in 0..<config.numEpochs {
        lrs.append(trainer.lr)
        var metric = Accumulator(3)   // loss sum, correct, examples
        net.train()
        let bar = report.progressBar(total: batches, title: "epoch \(epoch + 1)/\(config.numEpochs)")
        let epochStart = timer.sum()
        timer.start()
        for (i, (X, y)) in trainIter.prefix(batches).enumerated() {
            trainer.zeroGrad()
            let yHat = net(X)
            let l = loss(yHat, y)
            l.backward()
            trainer.step()
            let batchLoss = Double(l.item())
            try checkFinite(batchLoss, epoch: epoch + 1, batch: i + 1)
            metric.add(batchLoss * Double(X.shape[0]), accuracy(yHat.detached(), y), Double(X.shape[0]))
            bar?.update(batch: i + 1, examples: Int(metric[2]), metrics: ["loss": metric[0] / metric[2], "acc": metric[1] / metric[2]])
            if (i + 1) % 50 == 0 || i + 1 == batches {
                let x = Double(epoch) + Double(i + 1) / Double(batches)
                animator.add(x, [metric[0] / metric[2], metric[1] / metric[2], nil])
                history.logged.append((x, metric[0] / metric[2], metric[1] / metric[2]))
            }
        }
        timer.stop()
        bar?.finish()
        let testBatches = config.testBatches.map { Array(testIter.prefix($0)) } ?? Array(testIter)
        let testAcc = evaluateAccuracy(net, testBatches)
        animator.add(Double(epoch + 1), [nil, nil, testAcc])
        history.epochs.append(TrainingHistory.Epoch(trainLoss: metric[0] / metric[2], trainAcc: metric[1] / metric[2], testAcc: testAcc,
                                                    seconds: timer.sum() - epochStart, examples: Int(metric[2])))
        switch schedule {
        case .none: break
        case .nn(let s): s.step()
        case .book(let s): trainer.lr = s(epoch)
        }
    }
    let last = history.final
    report.say(String(format: "train loss %.3f, train acc %.3f, test acc %.3f (%.1f s)", last.trainLoss, last.trainAcc!, last.testAcc!,
                      history.trainingSeconds))
    if let url = report.save(animator) {
        history.figure = url
        report.say("saved \(url.path)")
    }
    return (history, lrs)
}

/// Plots a schedule's rates over `epochs` (the book's `d2l.plot(arange(n), [scheduler(t) for t …])`).
func plotSchedule(_ lrs: [Float], file: String, log: TextOutput) {
    var plot = LinePlot(xlabel: "epoch", ylabel: "learning rate")
    plot.add(x: (0..<lrs.count).map(Double.init), y: lrs.map(Double.init))
    save(plot, file, log)
}

/// §11.11: the network trained with no schedule (η = 0.3), `SquareRootScheduler(0.1)`,
/// `MultiStepLR` (η = 0.5, milestones 15 and 30, γ = 0.5), `CosineScheduler(20, 0.3, 0.01)` without
/// and with 5 warm-up epochs; `FactorScheduler(0.9, 1e-2, 2.0)` is only plotted (50 epochs).
/// Each run is reseeded from `--seed`; `--lr` replaces every run's rate.
func runLRScheduler(_ o: ChapterOptions, report: Reporting? = nil) throws {
    let config = SchedulerConfig(o)
    let base = report ?? o.report(section: "lr-scheduler")
    let log = base.output
    log.write("§11.11 learning-rate scheduling: \(config.numEpochs) epochs, batch \(config.batchSize)"
              + (config.maxBatches.map { ", the first \($0) batches of each epoch and \(config.testBatches.map(String.init) ?? "all") test batches (--book: all)" } ?? ", all batches")
              + "\n")
    func run(_ name: String, lr: Float, _ makeSchedule: (SGD) -> Schedule) throws {
        o.reseed()
        let (trainIter, testIter) = try loadDataFashionMNIST(batchSize: config.batchSize)
        let net = netFn()
        let trainer = SGD(parameters: net.parameters(), lr: o.lr(book: lr))
        log.write("\(name): ")
        let runReport = report ?? base.figure(config.figures ? o.figureName("lr-scheduler", "concise", name) : nil)
        let r = try trainWithSchedule(net, trainIter, testIter, trainer: trainer, schedule: makeSchedule(trainer), config: config,
                                      report: runReport)
        if config.figures { plotSchedule(r.lrs, file: o.figureName("lr-scheduler", name, "schedule"), log: log) }
    }
    try run("none", lr: 0.3) { _ in .none }
    try run("square root", lr: 0.1) { _ in .book(SquareRootScheduler(lr: 0.1)) }
    let factor = FactorScheduler(factor: 0.9, stopFactorLR: 1e-2, baseLR: 2.0)
    let factorLRs = (0..<50).map { factor($0) }
    log.write("FactorScheduler(0.9, stop 1e-2, base 2.0) over 50 epochs: " + factorLRs.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: ", ")
              + String(format: ", …, %.4f\n", factorLRs.last!))
    if config.figures { plotSchedule(factorLRs, file: o.figureName("lr-scheduler", "factor", "schedule"), log: log) }
    try run("multi factor", lr: 0.5) { .nn(MultiStepLR(optimizer: $0, milestones: [15, 30], gamma: 0.5)) }
    try run("cosine", lr: 0.3) { _ in .book(CosineScheduler(maxUpdate: 20, baseLR: 0.3, finalLR: 0.01)) }
    try run("cosine warmup", lr: 0.3) { _ in .book(CosineScheduler(maxUpdate: 20, baseLR: 0.3, finalLR: 0.01, warmupSteps: 5)) }
    book("the book prints each run's train loss / acc and test acc without recording them here (../shared/BOOK.md has no §11.11 numbers); compare the curves' shapes", log)
}
