import D2L
import Foundation
import Tensor

/// The chapter's command line: sections `basics` (§3.1), `scratch` (§3.2) and `concise` (§3.3);
/// `--model` picks among the two training sections too.
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter02-LinearRegression",
        overview: "Linear regression (book §3.1–3.3): from scratch, then with the NN library, on synthetic data "
            + "y = Xw + b + ε with w = [2, −3.4], b = 4.2.",
        sections: [("basics", "§3.1 vectorisation timing and the normal distribution figure"),
                   ("scratch", "§3.2 linear regression from scratch"),
                   ("concise", "§3.3 linear regression with Sequential(Linear), MSELoss, SGD")])
    command.training(epochs: 3, lr: 0.03, batchSize: 10)
    command.exercises { p in
        p.int("examples", default: 1000, help: "synthetic examples", check: .within(1...1_000_000))
    }
    return command
}

/// The book's printed final losses and their spread over 20 builds (BOOK.md §2).
let bookResults: [ModelVersion: BookResult] = [
    .scratch: BookResult("epoch 3, loss 0.000051; w error [−1.38e-4, 5.79e-5], b error 0.0006",
                         spread: "final loss 0.000047–0.000054"),
    .concise: BookResult("epoch 3, loss 0.000103; w error [−0.0010, −0.0003], b error [−0.0003]",
                         spread: "final loss 0.000094–0.000112"),
]

/// Runs the selected sections (each reseeded with `--seed`).
func runChapter(_ o: ChapterOptions) throws {
    try o.section("basics") {
        print("§3.1 Vectorization for speed")
        vectorizationDemo()
        if let url = Figures.saveOrWarn("normal distributions", {
            try plotNormalDistributions(file: o.figureName("basics", "normal-distributions"))
        }) { print("saved \(url.path)") }
    }
    for model in ModelVersion.allCases where o.trains(model) {
        try o.section(model.rawValue) { try runLinearRegression(model, o) }
    }
}

/// §3.2 or §3.3: synthetic data (1000 examples), then training; prints each epoch's loss, the
/// errors in w and b, and the book's result.
@discardableResult
func runLinearRegression(_ model: ModelVersion, _ o: ChapterOptions,
                         log: (String) -> Void = { print($0) }) throws -> LinearRegressionResult {
    let (features, labels) = syntheticData(w: trueW, b: trueB, numExamples: o.parsed.int("examples"))  // (n, 2), (n, 1)
    let title = model == .scratch ? "§3.2 from scratch" : "§3.3 concise"
    log("\n\(title): lr \(o.lr), batch \(o.batchSize), \(o.epochs) epochs")
    log("features: \(features.shape), labels: \(labels.shape); first example \(features[0, 0]), \(features[0, 1]) → \(labels[0, 0])")
    let result = model == .scratch
        ? try linearRegressionScratch(features: features, labels: labels,
                                      batches: dataIter(batchSize: o.batchSize, features: features, labels: labels),
                                      lr: o.lr, numEpochs: o.epochs, maxBatches: o.maxBatches, log: log)
        : try linearRegressionConcise(features: features, labels: labels,
                                      dataIter: loadArray(features: features, labels: labels, batchSize: o.batchSize),
                                      lr: o.lr, numEpochs: o.epochs, maxBatches: o.maxBatches, log: log)
    log("error in estimating w: \(result.wError.map { String(format: "%.6f", $0) })")
    log("error in estimating b: \(String(format: "%.6f", result.bError))")
    log(bookResults[model]!.line)
    return result
}
