import D2L
import Foundation
import NN
import Tensor

// The airfoil runs of §11.5–11.10: each algorithm from scratch (`trainCh11`, 2 epochs, batch 10)
// and concisely (`trainConciseCh11`, 4 epochs), with the book's hyper-parameters and its printed
// result beside ours.

/// The book's printed result of one run and the range seen over 20 builds (../shared/BOOK.md §2b).
struct BookResult {
    let printed: String
    let spread: ClosedRange<Double>
    var line: String {
        "book:  \(printed) (final loss \(String(format: "%.3f–%.3f", spread.lowerBound, spread.upperBound)) over 20 builds)"
    }
}

/// One airfoil run: scratch (`trainCh11` with a state-passing trainer) or concise (an NN optimizer).
struct AirfoilRun {
    enum Kind { case scratch, concise }
    let kind: Kind
    let label: String
    let book: BookResult
    let train: (DataIterator, String?, TextOutput) -> Ch11History
}

/// What every airfoil section shares: the options, the data, and the report.
struct AirfoilContext {
    var model = "both"
    var figures = true
    var log: TextOutput = .standardOutput
    var seed: UInt64 = 0

    func wants(_ kind: AirfoilRun.Kind) -> Bool {
        model == "both" || (model == "scratch" && kind == .scratch) || (model == "concise" && kind == .concise)
    }

    /// Runs each wanted run on `getDataCh11(batchSize:)`, printing ours then the book's.
    @discardableResult
    func run(_ section: String, _ runs: [AirfoilRun], batchSize: Int = 10) throws -> [String: Ch11History] {
        var results: [String: Ch11History] = [:]
        for r in runs where wants(r.kind) {
            Tensor.manualSeed(seed)
            let (dataIter, _) = try getDataCh11(batchSize: batchSize)
            log.write("\(r.label):\n")
            let figure = figures ? Figures.name("ch10", section, r.kind == .scratch ? "scratch" : "concise", r.label) : nil
            results[r.label] = r.train(dataIter, figure, log)
            log.write(r.book.line + "\n")
        }
        return results
    }
}

/// A scratch run of `trainCh11`.
func scratchRun<S>(_ label: String, _ trainer: @escaping ([Parameter], inout S, inout Hyperparams) -> Void,
                   states: @escaping (Int) -> S, _ hyperparams: Hyperparams, numEpochs: Int = 2,
                   book: BookResult) -> AirfoilRun {
    AirfoilRun(kind: .scratch, label: label, book: book) { dataIter, figure, log in
        trainCh11(trainer, states: states(5), hyperparams: hyperparams, dataIter: dataIter, featureDim: 5,
                  numEpochs: numEpochs, figure: figure, log: log)
    }
}

/// A concise run of `trainConciseCh11`.
func conciseRun(_ label: String, _ trainer: @escaping ([Parameter]) -> Optimizer, book: BookResult) -> AirfoilRun {
    AirfoilRun(kind: .concise, label: label, book: book) { dataIter, figure, log in
        trainConciseCh11(trainer, dataIter: dataIter, figure: figure, log: log)
    }
}

/// §11.6 momentum on the airfoil data: (η, β) = (0.02, 0.5), (0.01, 0.9), (0.005, 0.9), then
/// `SGD(lr: 0.005, momentum: 0.9)`.
func runMomentumAirfoil(_ ctx: AirfoilContext) throws {
    let book = [BookResult(printed: "loss: 0.246, 0.013 sec/epoch", spread: 0.242...0.247),
                BookResult(printed: "loss: 0.261, 0.013 sec/epoch", spread: 0.243...0.261),
                BookResult(printed: "loss: 0.245, 0.013 sec/epoch", spread: 0.242...0.249)]
    let runs = zip([(Float(0.02), Float(0.5)), (0.01, 0.9), (0.005, 0.9)], book).map { hp, b in
        scratchRun("sgd_momentum lr \(hp.0) momentum \(hp.1)", sgdMomentum, states: initMomentumStates,
                   ["lr": hp.0, "momentum": hp.1], book: b)
    }
    try ctx.run("momentum", runs + [conciseRun("SGD lr 0.005 momentum 0.9", { SGD(parameters: $0, lr: 0.005, momentum: 0.9) },
                                               book: BookResult(printed: "loss: 0.247, 0.012 sec/epoch", spread: 0.243...0.249))])
}

/// §11.7 AdaGrad, η = 0.1.
func runAdagradAirfoil(_ ctx: AirfoilContext) throws {
    try ctx.run("adagrad", [
        scratchRun("adagrad lr 0.1", adagrad, states: initAdagradStates, ["lr": 0.1],
                   book: BookResult(printed: "loss: 0.242, 0.012 sec/epoch", spread: 0.242...0.244)),
        conciseRun("Adagrad lr 0.1", { Adagrad(parameters: $0, lr: 0.1) },
                   book: BookResult(printed: "loss: 0.242, 0.013 sec/epoch", spread: 0.242...0.243)),
    ])
}

/// §11.8 RMSProp, η = 0.01, γ = 0.9.
func runRMSpropAirfoil(_ ctx: AirfoilContext) throws {
    try ctx.run("rmsprop", [
        scratchRun("rmsprop lr 0.01 gamma 0.9", rmsprop, states: initRMSpropStates, ["lr": 0.01, "gamma": 0.9],
                   book: BookResult(printed: "loss: 0.247, 0.014 sec/epoch", spread: 0.242...0.247)),
        conciseRun("RMSprop lr 0.01 alpha 0.9", { RMSprop(parameters: $0, lr: 0.01, alpha: 0.9) },
                   book: BookResult(printed: "loss: 0.244, 0.017 sec/epoch", spread: 0.242...0.250)),
    ])
}

/// §11.9 Adadelta, ρ = 0.9 (no learning rate; PyTorch's default lr 1.0).
func runAdadeltaAirfoil(_ ctx: AirfoilContext) throws {
    try ctx.run("adadelta", [
        scratchRun("adadelta rho 0.9", adadelta, states: initAdadeltaStates, ["rho": 0.9],
                   book: BookResult(printed: "loss: 0.243, 0.014 sec/epoch", spread: 0.242...0.244)),
        conciseRun("Adadelta rho 0.9", { Adadelta(parameters: $0, rho: 0.9) },
                   book: BookResult(printed: "loss: 0.243, 0.013 sec/epoch", spread: 0.243...0.243)),
    ])
}

/// §11.10 Adam (η = 0.01; t starts at 1) and Yogi.
func runAdamAirfoil(_ ctx: AirfoilContext) throws {
    try ctx.run("adam", [
        scratchRun("adam lr 0.01", adam, states: initAdamStates, ["lr": 0.01, "t": 1],
                   book: BookResult(printed: "loss: 0.244, 0.015 sec/epoch", spread: 0.242...0.247)),
        conciseRun("Adam lr 0.01", { Adam(parameters: $0, lr: 0.01) },
                   book: BookResult(printed: "loss: 0.254, 0.015 sec/epoch", spread: 0.243...0.254)),
        scratchRun("yogi lr 0.01", yogi, states: initAdamStates, ["lr": 0.01, "t": 1],
                   book: BookResult(printed: "loss: 0.245, 0.015 sec/epoch", spread: 0.242...0.245)),
        conciseRun("Yogi lr 0.01", { Yogi(parameters: $0, lr: 0.01) },
                   book: BookResult(printed: "(no concise Yogi in the book; scratch) loss: 0.245", spread: 0.242...0.245)),
    ])
}
