import D2L
import Foundation
import NN
import Tensor

// §3.2 Linear regression from scratch. The model, loss and optimizer are the book's saved
// helpers `linreg`, `squaredLoss` and `sgd` (Sources/D2L/Training/Ch3.swift), written there once
// because §4.5 reuses them:
//   linreg(X, w, b)       = X·w + b                         X: (n, 2), w: (2, 1), b: (1) → (n, 1)
//   squaredLoss(ŷ, y)     = ½(ŷ − y)²                       per example, (n, 1)
//   sgd(params, lr, B)    : p ← p − η·∇p / B, then ∇p = 0   (the loss is summed over the batch)

/// The true parameters of the synthetic data (§3.2.1): y = Xw + b + ε, ε ~ N(0, 0.01²).
let trueW = Tensor([2, -3.4])
let trueB: Float = 4.2

/// What a linear-regression run learned and how the loss went.
struct LinearRegressionResult {
    /// Learned weight, (2).
    var w: [Float]
    /// Learned bias.
    var b: Float
    /// The loss over the whole training set after each epoch (the printed values).
    var epochLosses: [Float]

    /// `trueW − w` and `trueB − b`, the book's "error in estimating w / b".
    var wError: [Float] { zip(trueW.scalars, w).map { $0 - $1 } }
    var bError: Float { trueB - b }
}

/// The book's `data_iter` (§3.2.2): reads the examples in a random order, `batchSize` at a time.
/// X: (batchSize, 2), y: (batchSize, 1); the last batch keeps the remainder.
func dataIter(batchSize: Int, features: Tensor, labels: Tensor, seed: UInt64? = nil) -> DataIterator {
    DataIterator(numExamples: features.shape[0], batchSize: batchSize, shuffle: true, seed: seed) { indices in
        (features.gather(indices: indices), labels.gather(indices: indices))
    }
}

/// §3.2.3–3.2.7: w ~ N(0, 0.01²) (2, 1), b = 0, trained with `squaredLoss` summed over each
/// batch and `sgd`; after each epoch prints `epoch 1, loss 0.042790` (the mean squared loss, with ½,
/// over all examples). `batches` gives each epoch's minibatches (the book's `data_iter`), at
/// most `maxBatches` of them. A NaN or infinite batch loss throws `TrainingError.nonFiniteLoss`.
func linearRegressionScratch(features: Tensor, labels: Tensor, batches: DataIterator, lr: Float,
                             numEpochs: Int, maxBatches: Int? = nil, w initialW: Tensor? = nil,
                             log: (String) -> Void = { print($0) }) throws -> LinearRegressionResult {
    let w = Parameter(initialW ?? Tensor.normal([2, 1], mean: 0, std: 0.01))  // (2, 1)
    let b = Parameter(Tensor.zeros([1]))                                       // (1)
    let net = linreg, loss = squaredLoss
    var losses: [Float] = []
    for epoch in 0..<numEpochs {
        for (i, (X, y)) in batches.prefix(maxBatches ?? .max).enumerated() {
            let l = loss(net(X, w.value, b.value), y)  // (B, 1): ½(ŷ − y)² per example
            l.sum().backward()                         // ∇ of the summed loss
            sgd([w, b], lr: lr, batchSize: X.shape[0]) // p ← p − η·∇p / B
            try checkFinite(Double(l.sum().item()), epoch: epoch + 1, batch: i + 1)
        }
        let trainL = withNoGrad { loss(net(features, w.value, b.value), labels).mean().item() }
        losses.append(trainL)
        log("epoch \(epoch + 1), loss \(String(format: "%f", trainL))")
    }
    return LinearRegressionResult(w: w.value.scalars, b: b.value.item(), epochLosses: losses)
}
