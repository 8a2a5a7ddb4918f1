import D2L
import Foundation
import NN
import Tensor

// The chapter's sections: one run function each (§11.1–11.4 in Intro.swift and
// GradientDescent.swift, §11.11 in LRSchedulers.swift, §11.5–11.10 here). An airfoil section
// prints its toy demonstration (Demos.swift), then trains each of the book's configurations
// from scratch (`trainCh11` with a trainer of Scratch.swift) and concisely (`trainConciseCh11`
// with an optimizer of Concise.swift), each followed by the book's printed result and spread.

/// One airfoil run of §11.5–11.10: a book configuration for one version, with the book's result.
struct AirfoilRun {
    let model: ModelVersion
    /// What the run prints first, e.g. `sgd_momentum lr 0.02 momentum 0.5` (and the legend of a comparison).
    let label: String
    /// The book's call, printed after the label (`train_sgd(lr 1.0, batch 1500, 10 epochs)`).
    var call: String? = nil
    /// Names the figure when a section has several runs of one version (`ch10-momentum-scratch-<variant>`).
    var variant: String? = nil
    /// The book's learning rate (`--lr` replaces it); nil: the algorithm has none (Adadelta from scratch).
    let lr: Float?
    /// The book's epochs and minibatch size (`--epochs`, `--batch-size` replace them).
    let epochs: Int
    var batchSize = 10
    let book: BookResult
    /// Trains on the data with (epochs, lr, max batches, report).
    let train: (DataIterator, Int, Float?, Int?, Reporting) throws -> TrainingHistory
}

/// A scratch run: `train_ch11(trainer, init_states(feature_dim), hyperparams, data_iter, feature_dim, num_epochs)`.
func scratchRun<S>(_ label: String, variant: String? = nil, _ trainer: @escaping ([Parameter], inout S, inout Hyperparams) -> Void,
                   states: @escaping (Int) -> S, _ hyperparams: Hyperparams, epochs: Int = 2, batchSize: Int = 10,
                   book: BookResult) -> AirfoilRun {
    AirfoilRun(model: .scratch, label: label, variant: variant, lr: hyperparams["lr"], epochs: epochs,
               batchSize: batchSize, book: book) { dataIter, epochs, lr, maxBatches, report in
        var hyperparams = hyperparams
        if let lr, hyperparams["lr"] != nil { hyperparams["lr"] = lr }
        return try trainCh11(trainer, states: states(5), hyperparams: hyperparams, dataIter: dataIter, featureDim: 5,
                             numEpochs: epochs, maxBatches: maxBatches, report: report)
    }
}

/// §11.5 `train_sgd(lr, batch_size, num_epochs=2)`: the scratch `sgd` with `trainCh11`.
func trainSGD(_ label: String, variant: String, lr: Float, batchSize: Int, numEpochs: Int = 2, book: BookResult) -> AirfoilRun {
    var run = scratchRun(label, variant: variant, sgd, states: { _ in () }, ["lr": lr], epochs: numEpochs, batchSize: batchSize,
                         book: book)
    run.call = "train_sgd(lr \(lr), batch \(batchSize), \(numEpochs) epochs)"
    return run
}

/// A concise run: `train_concise_ch11(trainer, {'lr': lr, …}, data_iter)`, 4 epochs.
func conciseRun(_ label: String, variant: String? = nil, lr: Float, book: BookResult,
                _ trainer: @escaping ([Parameter], Float) -> Optimizer) -> AirfoilRun {
    AirfoilRun(model: .concise, label: label, variant: variant, lr: lr, epochs: 4, book: book) { dataIter, epochs, lr, maxBatches, report in
        try trainConciseCh11({ trainer($0, lr ?? 1) }, dataIter: dataIter, numEpochs: epochs, maxBatches: maxBatches,
                             report: report)
    }
}

/// The book's printed line of an airfoil run and the final losses seen over 20 builds (BOOK.md §2b).
func bookCh11(_ printed: String, _ low: Double, _ high: Double) -> BookResult {
    BookResult(printed, spread: String(format: "final loss %.3f–%.3f", low, high))
}

/// The book's airfoil runs of a section (§11.5–11.10), scratch and concise, with its results.
func airfoilRuns(_ section: String) -> [AirfoilRun] {
    switch section {
    case "minibatch-sgd":
        return [trainSGD("gd", variant: "gd", lr: 1, batchSize: 1500, numEpochs: 10,
                         book: bookCh11("loss: 0.243, 0.055 sec/epoch", 0.242, 0.251)),
                trainSGD("sgd", variant: "sgd", lr: 0.005, batchSize: 1,
                         book: bookCh11("loss: 0.246, 0.102 sec/epoch", 0.243, 0.251)),
                trainSGD("batch size=100", variant: "batch-size-100", lr: 0.4, batchSize: 100,
                         book: bookCh11("loss: 0.243, 0.003 sec/epoch", 0.243, 0.248)),
                trainSGD("batch size=10", variant: "batch-size-10", lr: 0.05, batchSize: 10,
                         book: bookCh11("loss: 0.243, 0.013 sec/epoch", 0.242, 0.255)),
                conciseRun("SGD lr 0.01", lr: 0.01, book: bookCh11("loss: 0.243, 0.015 sec/epoch", 0.242, 0.248), sgdConcise)]
    case "momentum":
        let book = [bookCh11("loss: 0.246, 0.013 sec/epoch", 0.242, 0.247),
                    bookCh11("loss: 0.261, 0.013 sec/epoch", 0.243, 0.261),
                    bookCh11("loss: 0.245, 0.013 sec/epoch", 0.242, 0.249)]
        let scratch = zip([(Float(0.02), Float(0.5)), (0.01, 0.9), (0.005, 0.9)], book).map { hp, b in
            scratchRun("sgd_momentum lr \(hp.0) momentum \(hp.1)", variant: "lr-\(hp.0)-momentum-\(hp.1)", sgdMomentum,
                       states: initMomentumStates, ["lr": hp.0, "momentum": hp.1], book: b)
        }
        return scratch + [conciseRun("SGD lr 0.005 momentum 0.9", lr: 0.005,
                                     book: bookCh11("loss: 0.247, 0.012 sec/epoch", 0.243, 0.249), momentumConcise)]
    case "adagrad":
        return [scratchRun("adagrad lr 0.1", adagrad, states: initAdagradStates, ["lr": 0.1],
                           book: bookCh11("loss: 0.242, 0.012 sec/epoch", 0.242, 0.244)),
                conciseRun("Adagrad lr 0.1", lr: 0.1, book: bookCh11("loss: 0.242, 0.013 sec/epoch", 0.242, 0.243),
                           adagradConcise)]
    case "rmsprop":
        return [scratchRun("rmsprop lr 0.01 gamma 0.9", rmsprop, states: initRMSpropStates, ["lr": 0.01, "gamma": 0.9],
                           book: bookCh11("loss: 0.247, 0.014 sec/epoch", 0.242, 0.247)),
                conciseRun("RMSprop lr 0.01 alpha 0.9", lr: 0.01, book: bookCh11("loss: 0.244, 0.017 sec/epoch", 0.242, 0.250),
                           rmspropConcise)]
    case "adadelta":   // no learning rate in the book's Adadelta; PyTorch's lr 1.0
        return [scratchRun("adadelta rho 0.9", adadelta, states: initAdadeltaStates, ["rho": 0.9],
                           book: bookCh11("loss: 0.243, 0.014 sec/epoch", 0.242, 0.244)),
                conciseRun("Adadelta rho 0.9", lr: 1, book: bookCh11("loss: 0.243, 0.013 sec/epoch", 0.243, 0.243),
                           adadeltaConcise)]
    case "adam":       // Adam's t starts at 1; Yogi (§11.10.3) after it
        return [scratchRun("adam lr 0.01", adam, states: initAdamStates, ["lr": 0.01, "t": 1],
                           book: bookCh11("loss: 0.244, 0.015 sec/epoch", 0.242, 0.247)),
                conciseRun("Adam lr 0.01", lr: 0.01, book: bookCh11("loss: 0.254, 0.015 sec/epoch", 0.243, 0.254), adamConcise),
                scratchRun("yogi lr 0.01", variant: "yogi", yogi, states: initAdamStates, ["lr": 0.01, "t": 1],
                           book: bookCh11("loss: 0.245, 0.015 sec/epoch", 0.242, 0.245)),
                conciseRun("Yogi lr 0.01", variant: "yogi", lr: 0.01,
                           book: bookCh11("(no concise Yogi in the book; scratch) loss: 0.245", 0.242, 0.245), yogiConcise)]
    default:
        fatalError("airfoilRuns: no airfoil runs in section \(section)")
    }
}

/// Runs the section's airfoil runs of the versions `--model` asks for, each reseeded from
/// `--seed` (so a run prints the same numbers alone or after others): loads the data with the
/// run's minibatch size, prints the label, trains (our `loss: …, … sec/epoch` line and figure
/// `ch10-<section>-<model>[-<variant>]`), prints the book's line. `after` sees each result.
@discardableResult
func runAirfoil(_ section: String, _ o: ChapterOptions, report: Reporting? = nil,
                data: (Int) throws -> DataIterator = { try getDataCh11(batchSize: $0).iterator },
                after: (AirfoilRun, TrainingHistory) -> Void = { _, _ in }) throws -> [TrainingHistory] {
    var histories: [TrainingHistory] = []
    for run in airfoilRuns(section) where o.trains(run.model) {
        o.reseed()
        let dataIter = try data(o.batchSize(book: run.batchSize))
        let lr = run.lr.map { o.lr(book: $0) }
        let figure = run.variant.map { o.figureName(section, run.model.rawValue, $0) } ?? o.figureName(section, run.model.rawValue)
        let runReport = report ?? o.report(section: section, model: run.model).figure(o.parsed.flag("no-figures") ? nil : figure)
        runReport.say(run.label + (run.call.map { ": " + $0 } ?? "") + overrides(o) + (run.call == nil ? ":" : ""))
        let history = try run.train(dataIter, o.epochs(book: run.epochs), lr, o.maxBatches, runReport)
        runReport.say(run.book.line)
        after(run, history)
        histories.append(history)
    }
    return histories
}

/// ` (--lr 0.1, --epochs 3)`: the training options given on the command line, which replace the book's values.
func overrides(_ o: ChapterOptions) -> String {
    let given = ["lr", "epochs", "batch-size", "max-batches"].filter { o.parsed.isSet($0) }
    return given.isEmpty ? "" : " (" + given.map { "--\($0) \(o.parsed.value(of: $0))" }.joined(separator: ", ") + ")"
}

// MARK: Sections

/// §11.5: the matrix-product timing demo; GD (batch 1500, η = 1, 10 epochs), SGD (batch 1,
/// η = 0.005), minibatch 100 (η = 0.4) and 10 (η = 0.05) from scratch, with the loss-versus-time
/// figure; then `SGD(lr: 0.01)` concise.
func runMinibatchSGD(_ o: ChapterOptions, report: Reporting? = nil) throws {
    let log = (report ?? o.report(section: "minibatch-sgd")).output
    log.write("§11.5 minibatch stochastic gradient descent\n")
    runMatmulTiming(log: log)
    let scratchLabels = airfoilRuns("minibatch-sgd").filter { $0.model == .scratch }.map(\.label)
    var timePlot = LinePlot(xlabel: "time (sec)", ylabel: "loss", legend: scratchLabels, xlim: nil, ylim: 0.22...0.35,
                            xscale: .log)
    try runAirfoil("minibatch-sgd", o, report: report, after: { run, h in
        guard run.model == .scratch else { return }
        log.write(String(format: "   %d logged points, %.3f s of training in all\n", h.logged.count, h.cumulativeSeconds.last ?? 0))
        timePlot.add(x: h.cumulativeSeconds, y: h.logged.map(\.loss))
    })
    if o.trains(.scratch) && !o.parsed.flag("no-figures") { save(timePlot, o.figureName("minibatch-sgd", "time"), log) }
}

/// §11.6 momentum: the 2-D demonstrations, then the airfoil runs (η, β) = (0.02, 0.5),
/// (0.01, 0.9), (0.005, 0.9) from scratch and `SGD(lr: 0.005, momentum: 0.9)`.
func runMomentum(_ o: ChapterOptions, report: Reporting? = nil) throws {
    momentumDemos(log: (report ?? o.report(section: "momentum")).output, figures: !o.parsed.flag("no-figures"))
    try runAirfoil("momentum", o, report: report)
}

/// §11.7 AdaGrad: `adagrad_2d` with η = 0.4 and 2, then the airfoil runs (η = 0.1).
func runAdagrad(_ o: ChapterOptions, report: Reporting? = nil) throws {
    adagradDemos(log: (report ?? o.report(section: "adagrad")).output, figures: !o.parsed.flag("no-figures"))
    try runAirfoil("adagrad", o, report: report)
}

/// §11.8 RMSProp: the weights (1 − γ)γᵗ, `rmsprop_2d`, then the airfoil runs (η = 0.01, γ = 0.9).
func runRMSprop(_ o: ChapterOptions, report: Reporting? = nil) throws {
    rmspropDemos(log: (report ?? o.report(section: "rmsprop")).output, figures: !o.parsed.flag("no-figures"))
    try runAirfoil("rmsprop", o, report: report)
}

/// §11.9 Adadelta: the airfoil runs only (the book has no 2-D demo), ρ = 0.9.
func runAdadelta(_ o: ChapterOptions, report: Reporting? = nil) throws {
    (report ?? o.report(section: "adadelta")).say("§11.9 Adadelta")
    try runAirfoil("adadelta", o, report: report)
}

/// §11.10 Adam and Yogi: the airfoil runs (η = 0.01).
func runAdam(_ o: ChapterOptions, report: Reporting? = nil) throws {
    (report ?? o.report(section: "adam")).say("§11.10 Adam (and Yogi, §11.10.3)")
    try runAirfoil("adam", o, report: report)
}
