import D2L
import Foundation
import NN
import Tensor

/// The chapter's settings (from the command line).
struct Config {
    var numEpochs = 10
    var lr: Float = 0.1
    var batchSize = 256
    /// Per-epoch progress bars on standard error.
    var showProgress = true
    /// Figure file names start with this (nil: no training-curve figures).
    var figurePrefix: String? = "ch03"
    var log: TextOutput = .standardOutput
}

/// §3.6 trained with `trainCh3`, then `predictCh3` on the first test images.
@discardableResult
func runScratch(trainIter: DataIterator, testIter: DataIterator, config: Config,
                model: SoftmaxRegressionScratch = SoftmaxRegressionScratch()) -> TrainingHistory {
    config.log.write("§3.6 softmax regression from scratch: lr \(config.lr), batch \(config.batchSize), \(config.numEpochs) epochs\n")
    let history = trainCh3(net: model.net, trainIter: trainIter, testIter: testIter, loss: crossEntropy,
                           numEpochs: config.numEpochs, updater: model.updater(lr: config.lr),
                           figure: config.figurePrefix.map { $0 + "-softmax-scratch" }, log: config.log,
                           showProgress: config.showProgress)
    if let prefix = config.figurePrefix { predict(model.net, nil, testIter, file: prefix + "-predict-scratch", log: config.log) }
    return history
}

/// §3.7 with the NN library.
@discardableResult
func runConcise(trainIter: DataIterator, testIter: DataIterator, config: Config,
                net: Sequential = softmaxRegressionConcise()) -> TrainingHistory {
    config.log.write("§3.7 softmax regression, concise: lr \(config.lr), batch \(config.batchSize), \(config.numEpochs) epochs\n")
    let trainer = SGD(parameters: net.parameters(), lr: config.lr)
    let history = trainCh3(net: net, trainIter: trainIter, testIter: testIter, loss: conciseLoss,
                           numEpochs: config.numEpochs, updater: .optimizer(trainer),
                           figure: config.figurePrefix.map { $0 + "-softmax-concise" }, log: config.log,
                           showProgress: config.showProgress)
    if let prefix = config.figurePrefix { predict({ net($0) }, net, testIter, file: prefix + "-predict-concise", log: config.log) }
    return history
}

/// `predictCh3` on the first 6 test images, printing the labels and the figure's path.
func predict(_ net: (Tensor) -> Tensor, _ module: Module?, _ testIter: DataIterator, file: String, log: TextOutput) {
    do {
        let p = try predictCh3(net: net, module: module, testIter: testIter, n: 6, file: file)
        log.write("predictions: " + zip(getFashionMNISTLabels(p.truth), getFashionMNISTLabels(p.predicted))
            .map { "\($0) → \($1)" }.joined(separator: ", ") + "\n")
        log.write("saved \(p.figure.path)\n")
    } catch {
        TextOutput.standardError.write("could not save the predictions figure: \(error)\n")
    }
}

/// §3.5: the data set's sizes, one image's shape, how long reading takes, and the first 18
/// training images with their labels (`showImages`, 2 × 9).
func showDataset(hub: DataHub, log: TextOutput) throws {
    var timer = Stopwatch()
    let train = try readIDXImageSet(.fashionMNIST, split: "train", hub: hub)
    let test = try readIDXImageSet(.fashionMNIST, split: "t10k", hub: hub)
    log.write("§3.5 Fashion-MNIST: \(train.count) training and \(test.count) test images of shape (1, \(train.rows), \(train.cols)); "
              + "read in \(String(format: "%.2f", timer.stop())) sec\n")
    let n = 18, pixels = train.rows * train.cols
    let X = Tensor(shape: [n, train.rows, train.cols],
                   scalars: train.images.prefix(n * pixels).map { Float($0) / 255 })  // (18, 28, 28)
    let titles = getFashionMNISTLabels(train.labels.prefix(n).map { Int($0) })
    let url = try showImages(batch: X, numRows: 2, numCols: 9, titles: titles, file: "ch03-fashion-mnist")
    log.write("first 18 labels: \(titles.joined(separator: ", "))\nsaved \(url.path)\n")
}
