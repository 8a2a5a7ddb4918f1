import D2L
import Foundation
import NN
import Tensor

// The chapter's training runs: each language model of §8.5–9.4 trained with trainCh8 on the
// Time Machine characters, with the book's printed result and its spread beside ours.

/// One language model of the chapter: the section, the book's settings and results, and how to
/// build the model of each version.
struct LanguageModelRun {
    let section: String
    let title: String
    /// The versions the book trains (deep and bidirectional: concise only).
    let models: [ModelVersion]
    /// The book's learning rate.
    var lr: Float = 1
    /// The book's hidden size per version.
    let hidden: (ModelVersion) -> Int
    /// The book's printed result per version (and, for the scratch RNN, per partitioning).
    let book: (ModelVersion, _ randomIter: Bool) -> BookResult
    /// The model of a version for a vocabulary size and a hidden size.
    let build: (ModelVersion, _ vocabSize: Int, _ hidden: Int) -> RecurrentLanguageModel
    /// A remark printed after the run.
    var remark: String? = nil
}

/// A `build` that makes the scratch or the concise model.
func versions(_ scratch: @escaping (Int, Int) -> RNNModelScratch,
              _ concise: @escaping (Int, Int) -> RNNModel) -> (ModelVersion, Int, Int) -> RecurrentLanguageModel {
    { model, V, H in model == .scratch ? scratch(V, H) : concise(V, H) }
}

/// The book's results (BOOK.md §2: printed line on a GPU, spread of the perplexity over 20 builds).
let languageModelRuns: [LanguageModelRun] = [
    LanguageModelRun(
        section: "rnn", title: "§8.5–8.6 RNN", models: [.scratch, .concise],
        hidden: { $0 == .scratch ? 512 : 256 },
        book: { model, randomIter in
            switch (model, randomIter) {
            case (.scratch, false): return BookResult("perplexity 1.0, 67212.6 tokens/sec on cuda:0", spread: "perplexity 1.0–1.2")
            case (.scratch, true): return BookResult("perplexity 1.5, 65222.3 tokens/sec on cuda:0", spread: "perplexity 1.3–1.5")
            case (.concise, _): return BookResult("perplexity 1.3, 404413.8 tokens/sec on cuda:0", spread: "perplexity 1.3–1.4")
            }
        },
        build: versions(rnnScratch, rnnConcise)),
    LanguageModelRun(
        section: "gru", title: "§9.1 GRU", models: [.scratch, .concise], hidden: { _ in 256 },
        book: { model, _ in
            model == .scratch ? BookResult("perplexity 1.1, 19911.5 tokens/sec on cuda:0", spread: "perplexity 1.0–1.3")
                : BookResult("perplexity 1.0, 109423.8 tokens/sec on cuda:0", spread: "perplexity 1.0–1.1")
        },
        build: versions(gruScratch, gruConcise)),
    LanguageModelRun(
        section: "lstm", title: "§9.2 LSTM", models: [.scratch, .concise], hidden: { _ in 256 },
        book: { model, _ in
            model == .scratch ? BookResult("perplexity 1.3, 17736.0 tokens/sec on cuda:0", spread: "perplexity 1.1–1.4")
                : BookResult("perplexity 1.1, 234815.0 tokens/sec on cuda:0", spread: "perplexity 1.0–1.2")
        },
        build: versions(lstmScratch, lstmConcise)),
    LanguageModelRun(
        section: "deep-rnn", title: "§9.3 deep RNN (2-layer LSTM)", models: [.concise], lr: 2, hidden: { _ in 256 },
        book: { _, _ in BookResult("perplexity 1.0, 186005.7 tokens/sec on cuda:0", spread: "always perplexity 1.0") },
        build: { _, V, H in deepLSTM(vocabSize: V, numHiddens: H) }),
    LanguageModelRun(
        section: "bi-rnn", title: "§9.4 bidirectional RNN (2-layer BiLSTM)", models: [.concise], hidden: { _ in 256 },
        book: { _, _ in BookResult("perplexity 1.1, 131129.2 tokens/sec on cuda:0", spread: "always perplexity 1.1") },
        build: { _, V, H in biLSTM(vocabSize: V, numHiddens: H) },
        remark: "The low perplexity is an illusion: while training, the backward direction reads the characters "
            + "that follow, which a predictor does not have, so the predictions degenerate (the book's: "
            + "\"time travellerererererererererererererererererererer\").")
]

/// Trains one model of `run` with the book's settings (or the options given) and prints the
/// book's result under ours. `data` and `report` replace the Time Machine loader and standard
/// output (tests).
@discardableResult
func runLanguageModel(_ run: LanguageModelRun, _ model: ModelVersion, _ o: ChapterOptions,
                      data: (iterator: SeqDataLoader, vocab: Vocab)? = nil, report: Reporting? = nil) throws -> TrainingHistory {
    let report = report ?? o.report(section: run.section, model: model)
    let numSteps = o.parsed.int("num-steps"), randomIter = o.parsed.flag("random-iter")
    let hidden = o.parsed.isSet("hidden") ? o.parsed.int("hidden") : run.hidden(model)
    let lr = o.lr(book: run.lr), epochs = o.epochs(book: 500), theta = o.parsed.float("clip")
    let (trainIter, vocab) = try data ?? loadDataTimeMachine(batchSize: o.batchSize(book: 32), numSteps: numSteps,
                                                             useRandomIter: randomIter, seed: o.seed)
    let net = run.build(model, vocab.count, hidden)
    report.say("\n\(run.title), \(model): \(hidden) hidden units, lr \(lr), "
               + "batch \(trainIter.batchSize), \(trainIter.numSteps) steps, \(epochs) epochs, θ = \(theta), "
               + (trainIter.useRandomIter ? "random sampling" : "sequential partitioning")
               + " (\(net.parameterCount) parameters)")
    if run.section == "rnn" {   // §8.5.4 / §8.6: the untrained model's guess
        report.say("untrained: " + predictCh8("time traveller", numPreds: 10, net: net, vocab: vocab))
    }
    let updater: Updater?
    if let scratch = net as? RNNModelScratch {
        updater = .custom { sgd(scratch.params, lr: lr, batchSize: $0) }   // the book's d2l.sgd, batch size 1
    } else {
        updater = nil                                                        // torch.optim.SGD(lr)
    }
    let history = try trainCh8(net: net, trainIter: trainIter, vocab: vocab, lr: lr, numEpochs: epochs,
                               updater: updater, theta: theta, maxBatches: o.maxBatches, report: report)
    report.say(run.book(model, trainIter.useRandomIter).line)
    report.say(String(format: "%.1f s of training, %.1f tokens/sec over all epochs", history.trainingSeconds,
                      history.examplesPerSecond))
    if let remark = run.remark { report.say(remark) }
    return history
}
