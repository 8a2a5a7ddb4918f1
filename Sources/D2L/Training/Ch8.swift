import Foundation
import NN
import Tensor

// The book's chapter-8 training helpers (§8.5 `predict_ch8`, `train_epoch_ch8`, `train_ch8`),
// used by every character-level language model of chapters 8 and 9 (RNN, GRU, LSTM, deep,
// bidirectional), from scratch and concise. Gradient clipping is `NN.gradClipping`.

/// §8.5.4 `predict_ch8`: generates `numPreds` characters after `prefix`. The model first reads
/// the prefix one character at a time (warm-up: its outputs are ignored, only the state is
/// kept), then repeatedly feeds back its most likely next character (greedy argmax).
///
/// ```swift
/// predictCh8("time traveller ", numPreds: 10, net: net, vocab: vocab)   // "time traveller bbabbkabyg"
/// ```
public func predictCh8(_ prefix: String, numPreds: Int, net: RecurrentLanguageModel, vocab: Vocab) -> String {
    let chars = prefix.map { String($0) }
    if chars.isEmpty { fatalError("predictCh8: the prefix is empty; the model needs at least one character") }
    if numPreds < 0 { fatalError("predictCh8: numPreds \(numPreds) is negative") }
    return withNoGrad {
        var state = net.beginState(batchSize: 1)
        var outputs = [vocab[chars[0]]]
        func step() -> Tensor {
            let (y, s) = net(Tensor(shape: [1, 1], scalars: [Float(outputs.last!)]), state)
            state = s
            return y                                            // (1, V)
        }
        for c in chars.dropFirst() {                            // warm-up
            _ = step()
            outputs.append(vocab[c])
        }
        for _ in 0..<numPreds {                                 // predict numPreds steps
            outputs.append(step().argmaxIndices(axis: 1)[0])
        }
        return vocab.toTokens(outputs).joined()
    }
}

/// §8.5.6 `train_epoch_ch8`: one epoch of a language model. For each minibatch `(X, Y)`:
/// - the state starts at zero on the first batch, and on every batch with `useRandomIter`
///   (random batches are not continuations); otherwise it is carried over and detached, so the
///   gradient stops at the batch boundary;
/// - `ŷ, state = net(X, state)`; the loss is the mean cross-entropy over the `T·B` targets
///   `Yᵀ` flattened (time-major, as `ŷ`);
/// - backprop, `gradClipping(net, theta)`, then the update: an optimizer `step()`, or for a
///   custom updater (the scratch `sgd`) a call with batch size 1, because the loss is already a
///   mean.
///
/// Returns the epoch with `trainLoss` = mean cross-entropy per token (so `perplexity` is the
/// book's `exp(l / n)`), `examples` = tokens, `seconds` = time of the training steps.
/// - Throws: `TrainingError.nonFiniteLoss` as soon as a batch's loss is NaN or infinite.
public func trainEpochCh8<S: Sequence>(net: RecurrentLanguageModel, trainIter: S, updater: Updater,
                                       useRandomIter: Bool, theta: Float = 1, epoch: Int = 1,
                                       maxBatches: Int? = nil) throws -> TrainingHistory.Epoch
where S.Element == SeqBatch {
    net.train()
    let loss = CrossEntropyLoss()
    var state: [Tensor]? = nil
    var metric = Accumulator(2)  // sum of training loss, number of tokens
    var timer = Stopwatch()
    for (i, (X, Y)) in trainIter.prefix(maxBatches ?? .max).enumerated() {
        if state == nil || useRandomIter {
            state = net.beginState(batchSize: X.shape[0])
        } else {
            state = state!.map { $0.detached() }
        }
        let y = Y.transposed().reshaped(to: [-1])                // (T·B), time-major like ŷ
        if case .optimizer(let optimizer) = updater { optimizer.zeroGrad() }
        // Forward and backward reuse one packed copy of each weight over the 35 time steps
        // (PackedWeights.swift); the parameters change only after the scope.
        let l = Tensor.reusingPackedWeights { () -> Tensor in
            let (yHat, newState) = net(X, state!)
            state = newState
            let l = loss(yHat, y)
            l.backward()
            return l
        }
        gradClipping(net, theta: theta)
        switch updater {
        case .optimizer(let optimizer): optimizer.step()
        case .custom(let update): update(1)                    // the loss is a mean already
        }
        let batchLoss = Double(l.item())
        try checkFinite(batchLoss, epoch: epoch, batch: i + 1)
        metric.add(batchLoss * Double(y.count), Double(y.count))
    }
    let seconds = timer.stop()
    if metric[1] == 0 { fatalError("trainEpochCh8: the iterator gave no batches (corpus too short for the batch size?)") }
    return TrainingHistory.Epoch(trainLoss: metric[0] / metric[1], seconds: seconds, examples: Int(metric[1]))
}

/// §8.5.6 `train_ch8`: trains a character-level language model for `numEpochs` and samples from it.
///
/// As the book's version: SGD at rate `lr` for a concise model (`updater` nil), or the given
/// updater for a scratch model (`.custom { sgd(params, lr: lr, batchSize: $0) }`); gradients
/// clipped to norm `theta`; every 10 epochs the perplexity goes to the animator (saved as SVG to
/// `report.figure`). Prints, every `printEvery` epochs, `epoch 10, perplexity 9.4:` and the
/// prediction for "time traveller"; at the end the book's lines:
///
///     perplexity 1.0, 67212.6 tokens/sec on cpu
///     time traveller for so it will be convenient to speak of him…
///     travelleryou can show black is white by argument said filby…
///
/// The speed is the last epoch's (as the book's); `TrainingHistory.examplesPerSecond` has the
/// average over all epochs.
@discardableResult
public func trainCh8(net: RecurrentLanguageModel, trainIter: SeqDataLoader, vocab: Vocab, lr: Float, numEpochs: Int,
                     useRandomIter: Bool? = nil, updater: Updater? = nil, theta: Float = 1, printEvery: Int = 50,
                     maxBatches: Int? = nil, report: Reporting = Reporting(figure: "ch8-train")) throws -> TrainingHistory {
    if numEpochs <= 0 { fatalError("trainCh8: numEpochs must be positive, got \(numEpochs)") }
    let updater = updater ?? .optimizer(SGD(parameters: net.parameters(), lr: lr))
    let useRandomIter = useRandomIter ?? trainIter.useRandomIter
    let animator = Animator(xlabel: "epoch", ylabel: "perplexity", legend: ["train"],
                            xlim: 10...Double(max(numEpochs, 11)), file: report.figure ?? "ch8-train")
    let predict = { (prefix: String) in predictCh8(prefix, numPreds: 50, net: net, vocab: vocab) }
    var history = TrainingHistory()
    let bar = report.progressBar(total: numEpochs, title: "epochs")
    for epoch in 0..<numEpochs {
        let record = try trainEpochCh8(net: net, trainIter: trainIter, updater: updater, useRandomIter: useRandomIter,
                                       theta: theta, epoch: epoch + 1, maxBatches: maxBatches)
        history.epochs.append(record)
        bar?.update(batch: epoch + 1, examples: history.epochs.reduce(0) { $0 + $1.examples },
                    metrics: ["perplexity": record.perplexity])
        if (epoch + 1) % 10 == 0 {
            animator.add(Double(epoch + 1), [record.perplexity])
            history.logged.append((Double(epoch + 1), record.trainLoss, nil))
            if let url = report.save(animator) { history.figure = url }
        }
        if printEvery > 0 && (epoch + 1) % printEvery == 0 && epoch + 1 < numEpochs {
            report.say("epoch \(epoch + 1), perplexity \(formatFixed(record.perplexity, decimals: 1)): "
                       + predict("time traveller"))
        }
    }
    bar?.finish()
    let last = history.final
    let speed = last.seconds > 0 ? Double(last.examples) / last.seconds : 0
    report.say("perplexity \(formatFixed(last.perplexity, decimals: 1)), \(formatFixed(speed, decimals: 1)) tokens/sec on cpu")
    report.say(predict("time traveller"))
    report.say(predict("traveller"))
    if let url = report.save(animator) { history.figure = url }
    if let url = history.figure { report.say("saved \(url.path)") }
    return history
}
