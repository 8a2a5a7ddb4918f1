import D2L
import Foundation
import NN
import Tensor

/// The chapter's settings. `numEpochs` / `lr` nil: each section's book value.
struct Config {
    var numEpochs: Int?
    var lr: Float?
    var batchSize = 256
    var showProgress = true
    /// Write figures (training curves, predictions, loss plots).
    var figures = true
    var log: TextOutput = .standardOutput

    func say(_ line: String) { log.write(line + "\n") }
}

/// §4.2 (scratch, with `predictCh3`) and §4.3 (concise): lr 0.1, 10 epochs.
func runMLP(trainIter: DataIterator, testIter: DataIterator, config: Config,
            scratch: MLPScratch = MLPScratch(), concise: Sequential = mlpConcise()) -> (scratch: TrainingHistory, concise: TrainingHistory) {
    let (numEpochs, lr) = (config.numEpochs ?? 10, config.lr ?? 0.1)
    config.say("§4.2 MLP from scratch (784-256-10, W = randn·0.01): lr \(lr), batch \(config.batchSize), \(numEpochs) epochs")
    let h1 = trainCh3(net: scratch.net, trainIter: trainIter, testIter: testIter, loss: crossEntropyLoss,
                      numEpochs: numEpochs, updater: .optimizer(SGD(parameters: scratch.params, lr: lr)),
                      figure: config.figures ? "ch04-mlp-scratch" : nil, log: config.log, showProgress: config.showProgress)
    if config.figures, let p = try? predictCh3(net: scratch.net, testIter: testIter, file: "ch04-predict-mlp") {
        config.say("predictions: " + zip(getFashionMNISTLabels(p.truth), getFashionMNISTLabels(p.predicted))
            .map { "\($0) → \($1)" }.joined(separator: ", ") + "\nsaved \(p.figure.path)")
    }
    config.say("\n§4.3 MLP, concise (Flatten, Linear, ReLU, Linear; N(0, 0.01²) weights)")
    let h2 = trainCh3(net: concise, trainIter: trainIter, testIter: testIter, loss: crossEntropyLoss,
                      numEpochs: numEpochs, updater: .optimizer(SGD(parameters: concise.parameters(), lr: lr)),
                      figure: config.figures ? "ch04-mlp-concise" : nil, log: config.log, showProgress: config.showProgress)
    return (h1, h2)
}

/// §4.6: the dropout MLP (p = 0.2, 0.5), lr 0.5, 10 epochs, from scratch then concise.
func runDropout(trainIter: DataIterator, testIter: DataIterator, config: Config,
                scratch: DropoutMLPScratch = DropoutMLPScratch(),
                concise: Sequential = dropoutMLPConcise()) -> (scratch: TrainingHistory, concise: TrainingHistory) {
    let (numEpochs, lr) = (config.numEpochs ?? 10, config.lr ?? 0.5)
    config.say("§4.6 dropout from scratch (784-256-256-10, dropout 0.2 / 0.5, default init): lr \(lr), \(numEpochs) epochs")
    let h1 = trainCh3(net: scratch, trainIter: trainIter, testIter: testIter, loss: crossEntropyLoss,
                      numEpochs: numEpochs, updater: .optimizer(SGD(parameters: scratch.parameters(), lr: lr)),
                      figure: config.figures ? "ch04-dropout-scratch" : nil, log: config.log, showProgress: config.showProgress)
    config.say("\n§4.6 dropout, concise (nn Dropout layers, N(0, 0.01²) weights)")
    let h2 = trainCh3(net: concise, trainIter: trainIter, testIter: testIter, loss: crossEntropyLoss,
                      numEpochs: numEpochs, updater: .optimizer(SGD(parameters: concise.parameters(), lr: lr)),
                      figure: config.figures ? "ch04-dropout-concise" : nil, log: config.log, showProgress: config.showProgress)
    return (h1, h2)
}

/// §4.4: third-order (4 features), linear (2, underfit) and all-20-features (overfit) fits
/// with 400, 400 and 1500 epochs; prints the learned weights, saves the loss curves.
@discardableResult
func runPolynomial(config: Config, data: PolynomialData = PolynomialData()) -> [PolynomialFit] {
    let cases: [(name: String, features: Int, epochs: Int)] = [
        ("third-order polynomial (4 features, normal fit)", 4, 400),
        ("linear function (2 features, underfitting)", 2, 400),
        ("higher-order polynomial (all \(data.maxDegree) features, overfitting)", data.maxDegree, 1500),
    ]
    var fits: [PolynomialFit] = []
    config.say("§4.4 polynomial regression: true w = \(PolynomialData.trueW), \(data.nTrain) training examples")
    for (name, features, epochs) in cases {
        let s = data.split(numFeatures: features)
        let fit = trainPolynomial(trainX: s.trainX, trainY: s.trainY, testX: s.testX, testY: s.testY,
                                  numEpochs: config.numEpochs ?? epochs, lr: config.lr ?? 0.01)
        config.say("\(name): train loss \(String(format: "%.4g", fit.trainLoss.last!)), test loss \(String(format: "%.4g", fit.testLoss.last!))")
        config.say("weight: [" + fit.weight.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]")
        if config.figures {
            save(fit.epochs, fit.trainLoss, fit.testLoss, xlim: 1...Double(config.numEpochs ?? epochs),
                 file: Figures.name("ch04-polynomial", "\(features)-features"), config: config)
        }
        fits.append(fit)
    }
    return fits
}

/// §4.5: ‖w‖₂ after training with λ = 0 and 3, from scratch and concise; saves the loss curves.
@discardableResult
func runWeightDecay(config: Config, data: WeightDecayData = WeightDecayData()) -> [WeightDecayResult] {
    let (numEpochs, lr) = (config.numEpochs ?? 100, config.lr ?? 0.003)
    config.say("§4.5 weight decay: n_train 20, d 200, batch 5, lr \(lr), \(numEpochs) epochs")
    var results: [WeightDecayResult] = []
    for (kind, lambd) in [("scratch", Float(0)), ("scratch", 3), ("concise", 0), ("concise", 3)] {
        let r = kind == "scratch" ? trainWeightDecayScratch(lambd: lambd, data: data, numEpochs: numEpochs, lr: lr)
                                  : trainWeightDecayConcise(wd: lambd, data: data, numEpochs: numEpochs, lr: lr)
        config.say("\(kind) λ = \(Int(lambd)): L2 norm of w: \(String(format: "%.4f", r.wNorm)), "
                   + "train loss \(String(format: "%.3g", r.trainLoss.last ?? .nan)), test loss \(String(format: "%.3g", r.testLoss.last ?? .nan))")
        if config.figures {
            save(r.epochs, r.trainLoss, r.testLoss, xlim: 5...Double(max(numEpochs, 6)), ylim: nil,
                 file: Figures.name("ch04-weight-decay", kind, "lambda \(Int(lambd))"), config: config)
        }
        results.append(r)
    }
    return results
}

/// A log-scale train/test loss plot (the book's `Animator(yscale='log')`).
private func save(_ x: [Double], _ train: [Double], _ test: [Double], xlim: ClosedRange<Double>,
                  ylim: ClosedRange<Double>? = 1e-3...1e2, file: String, config: Config) {
    do {
        let url = try plot(x: x, y: [train, test], xlabel: "epoch", ylabel: "loss", legend: ["train", "test"],
                           xlim: xlim, ylim: ylim, yscale: .log, file: file)
        config.say("saved \(url.path)")
    } catch {
        TextOutput.standardError.write("could not save \(file): \(error)\n")
    }
}
