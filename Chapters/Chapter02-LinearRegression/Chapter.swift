import D2L
import Foundation
import Tensor

// The chapter's training run: §3.2 or §3.3, with the book's result beside ours.

/// The book's printed final losses and their spread over 20 builds (BOOK.md §2).
let bookResults: [ModelVersion: BookResult] = [
    .scratch: BookResult("epoch 3, loss 0.000051; w error [−1.38e-4, 5.79e-5], b error 0.0006",
                         spread: "final loss 0.000047–0.000054"),
    .concise: BookResult("epoch 3, loss 0.000103; w error [−0.0010, −0.0003], b error [−0.0003]",
                         spread: "final loss 0.000094–0.000112"),
]

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
