import D2L
import Foundation
import NN
import Tensor

// §8.1 Sequence models: an autoregressive MLP on a noisy sine, and why k-step-ahead
// predictions built on their own outputs drift.

/// The §8.1 data: `x_t = sin(0.01 t) + ε`, `ε ~ N(0, 0.2²)`, `t = 1…T`.
func sineSequence(T: Int = 1000) -> (time: [Float], x: [Float]) {
    let time = (1...T).map(Float.init)
    let noise = Tensor.normal([T], std: 0.2).scalars
    return (time, zip(time, noise).map { Foundation.sin(0.01 * $0) + $1 })
}

/// The §8.1 features: row i is `x[i..<i+τ]`, its label `x[i+τ]`, for i in 0..<T−τ:
/// features (T−τ, τ), labels (T−τ, 1).
func laggedFeatures(_ x: [Float], tau: Int) -> (features: Tensor, labels: Tensor) {
    let n = x.count - tau
    var f = [Float](repeating: 0, count: n * tau)
    for i in 0..<n { for j in 0..<tau { f[i * tau + j] = x[i + j] } }
    return (Tensor(shape: [n, tau], scalars: f), Tensor(shape: [n, 1], scalars: Array(x[tau...])))
}

/// §8.1.2 `get_net`: Linear(τ, 10) → ReLU → Linear(10, 1), Xavier-uniform weights.
func sequenceNet(tau: Int) -> Sequential {
    let net = Sequential(Linear(inputSize: tau, outputSize: 10), ReLU(), Linear(inputSize: 10, outputSize: 1))
    xavierInitWeights(net)
    return net
}

/// §8.1.2 `train`: Adam at `lr`, the summed squared error (`MSELoss(reduction='none')`, `.sum()`)
/// backpropagated per minibatch; prints `epoch 1, loss: 0.076846` (the mean over the training set).
func trainSequence(_ net: Sequential, _ trainIter: DataIterator, epochs: Int, lr: Float,
                   report: Reporting) -> [Double] {
    let trainer = Adam(parameters: net.parameters(), lr: lr)
    let loss: PerExampleLoss = { MSELoss(reduction: .none)($0, $1) }
    var losses: [Double] = []
    for epoch in 0..<epochs {
        for (X, y) in trainIter {
            trainer.zeroGrad()
            loss(net(X), y).sum().backward()
            trainer.step()
        }
        losses.append(evaluateLoss(net: { net($0) }, dataIter: trainIter, loss: loss))
        report.say("epoch \(epoch + 1), loss: \(String(format: "%.6f", losses.last!))")
    }
    return losses
}

let bookSequence = BookResult("epoch 5, loss: 0.051650", spread: "epoch-5 loss 0.0456–0.0805")

/// §8.1: trains the autoregressive model (τ = 4, first 600 examples, batch 16, Adam lr 0.01,
/// 5 epochs), then saves the one-step, the multi-step and the 1/4/16/64-step-ahead figures.
func runSequence(_ o: ChapterOptions, report: Reporting = Reporting()) throws {
    let T = 1000, tau = 4, nTrain = 600, maxSteps = 64
    let (time, x) = sineSequence(T: T)
    let (features, labels) = laggedFeatures(x, tau: tau)
    let trainIter = loadArray(features: features.slice(axis: 0, 0..<nTrain), labels: labels.slice(axis: 0, 0..<nTrain),
                              batchSize: o.batchSize(book: 16), seed: o.seed)
    let net = sequenceNet(tau: tau)
    let epochs = o.epochs(book: 5), lr = o.lr(book: 0.01)
    report.say("\n§8.1 sequence model: x = sin(0.01 t) + N(0, 0.2²), τ = \(tau), \(nTrain) training examples, "
               + "MLP \(tau)-10-1, Adam lr \(lr), \(epochs) epochs")
    _ = trainSequence(net, trainIter, epochs: epochs, lr: lr, report: report)
    report.say(bookSequence.line)

    // One-step-ahead predictions over the whole series.
    let onestep = withNoGrad { net(features) }.scalars
    // Multi-step: from n_train + τ on, the model reads its own predictions.
    var multistep = x
    withNoGrad {
        for i in (nTrain + tau)..<T {
            multistep[i] = net(Tensor(shape: [1, tau], scalars: Array(multistep[(i - tau)..<i]))).item()
        }
    }
    // k-step-ahead: column τ+i−1 of `kstep` predicts i steps ahead from true data up to the row's start.
    let rows = T - tau - maxSteps + 1
    var kstep = [[Float]](repeating: [], count: tau + maxSteps)
    for i in 0..<tau { kstep[i] = Array(x[i..<(i + rows)]) }
    withNoGrad {
        for i in tau..<(tau + maxSteps) {
            var f = [Float](repeating: 0, count: rows * tau)
            for r in 0..<rows { for j in 0..<tau { f[r * tau + j] = kstep[i - tau + j][r] } }
            kstep[i] = net(Tensor(shape: [rows, tau], scalars: f)).scalars
        }
    }
    let figures = [
        ("data", { try plot(x: time, y: [x], xlabel: "time", ylabel: "x", xlim: 1...1000, file: $0) }),
        ("predictions", {
            try plot(xs: [time, Array(time[tau...]), Array(time[(nTrain + tau)...])],
                     ys: [x, onestep, Array(multistep[(nTrain + tau)...])], xlabel: "time", ylabel: "x",
                     legend: ["data", "1-step preds", "multistep preds"], xlim: 1...1000, file: $0)
        }),
        ("k-step", {
            let steps = [1, 4, 16, 64]
            return try plot(xs: steps.map { Array(time[(tau + $0 - 1)..<(T - maxSteps + $0)]) },
                            ys: steps.map { kstep[tau + $0 - 1] }, xlabel: "time", ylabel: "x",
                            legend: steps.map { "\($0)-step preds" }, xlim: 5...1000, file: $0)
        }),
    ] as [(String, (String) throws -> URL)]
    for (part, draw) in figures {
        let name = o.figureName("sequence", part)
        if let url = Figures.saveOrWarn(name, warnings: report.warnings, { try draw(name) }) {
            report.say("saved \(url.path)")
        }
    }
}
