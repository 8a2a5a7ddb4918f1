import D2L
import Foundation
import NN
import Tensor

/// The book's printed final epochs and their spread over 20 builds (BOOK.md §2).
let bookResults: [ModelVersion: BookResult] = [
    .scratch: BookResult("loss 0.4475, train acc 0.848, test acc 0.836",
                         spread: "loss 0.4467–0.4479, train 0.847–0.849, test 0.816–0.836"),
    .concise: BookResult("loss 0.4481, train acc 0.848, test acc 0.828",
                         spread: "loss 0.4468–0.4484, test 0.825–0.836"),
]

/// §3.6 (scratch: `SoftmaxRegressionScratch`, the book's `sgd` as updater) or §3.7 (concise:
/// `Flatten + Linear`, `SGD`) trained with `trainCh3`, then `predictCh3` on the first test images.
/// Loads Fashion-MNIST unless `data` is given; prints the book's result under ours.
@discardableResult
func runSoftmaxRegression(_ model: ModelVersion, _ o: ChapterOptions, report: Reporting? = nil,
                          data: (train: DataIterator, test: DataIterator)? = nil) throws -> TrainingHistory {
    let report = report ?? o.report(section: model.rawValue)
    let (trainIter, testIter) = try data ?? loadDataFashionMNIST(batchSize: o.batchSize)
    let title = model == .scratch ? "§3.6 softmax regression from scratch" : "§3.7 softmax regression, concise"
    report.say("\(title): lr \(o.lr), batch \(o.batchSize), \(o.epochs) epochs")
    let net: Layer, updater: Updater, loss: PerExampleLoss
    switch model {
    case .scratch:
        let scratch = SoftmaxRegressionScratch()
        (net, updater, loss) = (scratch, scratch.updater(lr: o.lr), crossEntropy)
    case .concise:
        let concise = softmaxRegressionConcise()
        (net, updater, loss) = (concise, .optimizer(SGD(parameters: concise.parameters(), lr: o.lr)), conciseLoss)
    }
    let history = try trainCh3(net: net, trainIter: trainIter, testIter: testIter, loss: loss,
                               numEpochs: o.epochs, updater: updater, maxBatches: o.maxBatches, report: report)
    report.say(bookResults[model]!.line)
    if report.figure != nil { predict(net, testIter, file: o.figureName(model.rawValue, "predict"), report: report) }
    return history
}

/// `predictCh3` on the first 6 test images, printing the labels and the figure's path.
func predict(_ net: Layer, _ testIter: DataIterator, file: String, report: Reporting) {
    var labels = ""
    let url = Figures.saveOrWarn(file, warnings: report.warnings) {
        let p = try predictCh3(net: net, testIter: testIter, n: 6, file: file)
        labels = zip(getFashionMNISTLabels(p.truth), getFashionMNISTLabels(p.predicted))
            .map { "\($0) → \($1)" }.joined(separator: ", ")
        return p.figure
    }
    if let url { report.say("predictions: \(labels)\nsaved \(url.path)") }
}

/// §3.5: the data set's sizes, one image's shape, how long reading takes, and the first 18
/// training images with their labels (`showImages`, 2 × 9) saved as `file`.
func showDataset(hub: DataHub, file: String, report: Reporting) throws {
    var timer = Stopwatch()
    let train = try readIDXImageSet(.fashionMNIST, split: "train", hub: hub)
    let test = try readIDXImageSet(.fashionMNIST, split: "t10k", hub: hub)
    report.say("§3.5 Fashion-MNIST: \(train.count) training and \(test.count) test images of shape (1, \(train.rows), \(train.cols)); "
               + "read in \(String(format: "%.2f", timer.stop())) sec")
    let n = min(18, train.count), pixels = train.rows * train.cols
    let X = Tensor(shape: [n, train.rows, train.cols],
                   scalars: train.images.prefix(n * pixels).map { Float($0) / 255 })  // (18, 28, 28)
    let titles = getFashionMNISTLabels(train.labels.prefix(n).map { Int($0) })
    report.say("first \(n) labels: \(titles.joined(separator: ", "))")
    if let url = Figures.saveOrWarn(file, warnings: report.warnings, {
        try showImages(batch: X, numRows: 2, numCols: (n + 1) / 2, titles: titles, file: file)
    }) { report.say("saved \(url.path)") }
}
