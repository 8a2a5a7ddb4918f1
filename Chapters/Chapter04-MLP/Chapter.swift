import D2L
import Foundation
import NN
import Tensor

/// The book's printed results and their spread over 20 builds (BOOK.md §2).
let bookMLP: [ModelVersion: BookResult] = [
    .scratch: BookResult("loss 0.3845, train acc 0.863, test acc 0.823",
                         spread: "loss 0.380–0.386, train 0.863–0.867, test 0.823–0.855"),
    .concise: BookResult("loss 0.3820, train acc 0.865, test acc 0.838", spread: "loss 0.380–0.386, test 0.828–0.853"),
]
let bookDropout: [ModelVersion: BookResult] = [
    .scratch: BookResult("loss 0.3303, train acc 0.877, test acc 0.857", spread: "test 0.78–0.87"),
    .concise: BookResult("loss 0.3435, train acc 0.875, test acc 0.844", spread: "test 0.82–0.87"),
]
let bookWeightDecay: [ModelVersion: BookResult] = [
    .scratch: BookResult("L2 norm of w: 12.963 (λ = 0), 0.3557 (λ = 3)", spread: "λ = 0: 12.7–14.9, λ = 3: 0.346–0.400"),
    .concise: BookResult("L2 norm of w: 13.728 (λ = 0), 0.3891 (λ = 3)", spread: "λ = 0: 12.7–14.9, λ = 3: 0.345–0.719"),
]

/// §4.2 (scratch `MLPScratch`, then `predictCh3`) or §4.3 (concise `mlpConcise()`): lr 0.1,
/// 10 epochs with `trainCh3`; prints the book's result under ours.
@discardableResult
func runMLP(_ model: ModelVersion, _ o: ChapterOptions, report: Reporting? = nil,
            data: (train: DataIterator, test: DataIterator)? = nil) throws -> TrainingHistory {
    let report = report ?? o.report(section: "mlp", model: model)
    let net: Layer = model == .scratch ? MLPScratch() : mlpConcise()
    let title = model == .scratch ? "§4.2 MLP from scratch (784-256-10, W = randn·0.01)"
                                  : "§4.3 MLP, concise (Flatten, Linear, ReLU, Linear; N(0, 0.01²) weights)"
    let (history, testIter) = try trainClassifier(net, o, title: title, lr: 0.1, book: bookMLP[model]!,
                                                  report: report, data: data)
    if model == .scratch, report.figure != nil {
        let figure = o.figureName("mlp", "scratch", "predict")
        let url = Figures.saveOrWarn(figure, warnings: report.warnings) {
            let p = try predictCh3(net: net, testIter: testIter, file: figure)
            report.say("predictions: " + zip(getFashionMNISTLabels(p.truth), getFashionMNISTLabels(p.predicted))
                .map { "\($0) → \($1)" }.joined(separator: ", "))
            return p.figure
        }
        if let url { report.say("saved \(url.path)") }
    }
    return history
}

/// §4.6: the dropout MLP (p = 0.2, 0.5), lr 0.5, 10 epochs, from scratch (`DropoutMLPScratch`)
/// or concise (`dropoutMLPConcise()`).
@discardableResult
func runDropout(_ model: ModelVersion, _ o: ChapterOptions, report: Reporting? = nil,
                data: (train: DataIterator, test: DataIterator)? = nil) throws -> TrainingHistory {
    let net: Layer = model == .scratch ? DropoutMLPScratch() : dropoutMLPConcise()
    let title = model == .scratch ? "§4.6 dropout from scratch (784-256-256-10, dropout 0.2 / 0.5, default init)"
                                  : "§4.6 dropout, concise (nn Dropout layers, N(0, 0.01²) weights)"
    return try trainClassifier(net, o, title: title, lr: 0.5, book: bookDropout[model]!,
                               report: report ?? o.report(section: "dropout", model: model), data: data).history
}

/// The Fashion-MNIST sections' common run: load the data (unless given), print the title with
/// the settings, `trainCh3` with `SGD` and the cross-entropy, print the book's result.
private func trainClassifier(_ net: Layer, _ o: ChapterOptions, title: String, lr bookLR: Float, book: BookResult,
                             report: Reporting, data: (train: DataIterator, test: DataIterator)?) throws
    -> (history: TrainingHistory, testIter: DataIterator) {
    let (trainIter, testIter) = try data ?? loadDataFashionMNIST(batchSize: o.batchSize(book: 256))
    let (numEpochs, lr) = (o.epochs(book: 10), o.lr(book: bookLR))
    report.say("\(title): lr \(lr), batch \(trainIter.batchSize), \(numEpochs) epochs")
    let history = try trainCh3(net: net, trainIter: trainIter, testIter: testIter, loss: crossEntropyLoss,
                               numEpochs: numEpochs, updater: .optimizer(SGD(parameters: net.parameters(), lr: lr)),
                               maxBatches: o.maxBatches, report: report)
    report.say(book.line)
    return (history, testIter)
}

/// §4.4: third-order (4 features), linear (2, underfit) and all-20-features (overfit) fits
/// with 400, 400 and 1500 epochs; prints the learned weights, saves the loss curves.
@discardableResult
func runPolynomial(_ o: ChapterOptions, report: Reporting? = nil,
                   data: PolynomialData = PolynomialData()) throws -> [PolynomialFit] {
    let report = report ?? o.report(section: "polynomial")
    let cases: [(name: String, features: Int, epochs: Int)] = [
        ("third-order polynomial (4 features, normal fit)", 4, 400),
        ("linear function (2 features, underfitting)", 2, 400),
        ("higher-order polynomial (all \(data.maxDegree) features, overfitting)", data.maxDegree, 1500),
    ]
    var fits: [PolynomialFit] = []
    report.say("§4.4 polynomial regression: true w = \(PolynomialData.trueW), \(data.nTrain) training examples")
    for (name, features, epochs) in cases {
        let s = data.split(numFeatures: features)
        let numEpochs = o.epochs(book: epochs)
        let fit = try trainPolynomial(trainX: s.trainX, trainY: s.trainY, testX: s.testX, testY: s.testY,
                                      numEpochs: numEpochs, lr: o.lr(book: 0.01), batchSize: o.batchSize(book: 10),
                                      maxBatches: o.maxBatches)
        report.say("\(name): train loss \(String(format: "%.4g", fit.trainLoss.last!)), test loss \(String(format: "%.4g", fit.testLoss.last!))")
        report.say("weight: [" + fit.weight.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]")
        if report.figure != nil {
            save(fit.epochs, fit.trainLoss, fit.testLoss, xlim: 1...Double(max(numEpochs, 2)),
                 file: o.figureName("polynomial", "\(features)-features"), report: report)
        }
        fits.append(fit)
    }
    return fits
}

/// §4.5: ‖w‖₂ after training with λ = 0 and 3, from scratch or concise, on the same data;
/// saves the loss curves and prints the book's norms.
@discardableResult
func runWeightDecay(_ model: ModelVersion, _ o: ChapterOptions, report: Reporting? = nil) throws -> [WeightDecayResult] {
    let report = report ?? o.report(section: "weight-decay", model: model)
    let data = WeightDecayData(batchSize: o.batchSize(book: 5))
    let (numEpochs, lr) = (o.epochs(book: 100), o.lr(book: 0.003))
    report.say("§4.5 weight decay, \(model): n_train 20, d 200, batch \(data.batchSize), lr \(lr), \(numEpochs) epochs")
    var results: [WeightDecayResult] = []
    for lambd: Float in [0, 3] {
        let r = model == .scratch ? try trainWeightDecayScratch(lambd: lambd, data: data, numEpochs: numEpochs, lr: lr)
                                  : try trainWeightDecayConcise(wd: lambd, data: data, numEpochs: numEpochs, lr: lr)
        report.say("\(model) λ = \(Int(lambd)): L2 norm of w: \(String(format: "%.4f", r.wNorm)), "
                   + "train loss \(String(format: "%.3g", r.trainLoss.last ?? .nan)), test loss \(String(format: "%.3g", r.testLoss.last ?? .nan))")
        if report.figure != nil {
            save(r.epochs, r.trainLoss, r.testLoss, xlim: 5...Double(max(numEpochs, 6)), ylim: nil,
                 file: o.figureName("weight-decay", model.rawValue, "lambda-\(Int(lambd))"), report: report)
        }
        results.append(r)
    }
    report.say(bookWeightDecay[model]!.line)
    return results
}

/// A log-scale train/test loss plot (the book's `Animator(yscale='log')`).
private func save(_ x: [Double], _ train: [Double], _ test: [Double], xlim: ClosedRange<Double>,
                  ylim: ClosedRange<Double>? = 1e-3...1e2, file: String, report: Reporting) {
    if let url = Figures.saveOrWarn(file, warnings: report.warnings, {
        try plot(x: x, y: [train, test], xlabel: "epoch", ylabel: "loss", legend: ["train", "test"],
                 xlim: xlim, ylim: ylim, yscale: .log, file: file)
    }) { report.say("saved \(url.path)") }
}
