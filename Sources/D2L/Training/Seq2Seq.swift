import Foundation
import NN
import Tensor

// The book's sequence-to-sequence training and prediction (§9.7.3 `train_seq2seq`, §9.7.4
// `predict_seq2seq`) and beam search (§9.8), for any `EncoderDecoder`.

/// §9.7.3 `train_seq2seq`: trains an encoder–decoder on (X, X_valid_len, Y, Y_valid_len) batches.
///
/// As the book's: xavier-uniform on the Linear and GRU weights (`xavierInitSeq2seq`), Adam at
/// rate `lr`, teacher forcing — the decoder reads `<bos>` followed by `Y[:, :-1]` and must
/// predict `Y` — with `MaskedSoftmaxCELoss` masked by `Y_valid_len` (which counts `<eos>`),
/// `l.sum().backward()`, gradients clipped to norm `theta`. Every 10 epochs the loss per token
/// (summed sequence losses / valid tokens) goes to the animator, saved to `report.figure`. At
/// the end it prints the book's line, with the speed of the last epoch:
///
///     loss 0.019, 12745.1 tokens/sec on cpu
///
/// Returns one `TrainingHistory.Epoch` per epoch (`trainLoss` = that loss per token,
/// `examples` = valid target tokens). `initialize: false` keeps the current weights (tests).
/// - Throws: `TrainingError.nonFiniteLoss` as soon as a batch's loss is NaN or infinite.
@discardableResult
public func trainSeq2seq<E, D, S: Sequence>(net: EncoderDecoder<E, D>, dataIter: S, lr: Float, numEpochs: Int,
                                            tgtVocab: Vocab, theta: Float = 1, initialize: Bool = true,
                                            maxBatches: Int? = nil,
                                            report: Reporting = Reporting(figure: "seq2seq-train")) throws -> TrainingHistory
where S.Element == NMTBatch {
    if numEpochs <= 0 { fatalError("trainSeq2seq: numEpochs must be positive, got \(numEpochs)") }
    if initialize { xavierInitSeq2seq(net) }
    let optimizer = Adam(parameters: net.parameters(), lr: lr)
    let loss = MaskedSoftmaxCELoss()
    let bos = Float(tgtVocab["<bos>"])
    net.train()
    let animator = Animator(xlabel: "epoch", ylabel: "loss", legend: ["train"],
                            xlim: 10...Double(max(numEpochs, 11)), file: report.figure ?? "seq2seq-train")
    var history = TrainingHistory()
    let bar = report.progressBar(total: numEpochs, title: "epochs")
    for epoch in 0..<numEpochs {
        var timer = Stopwatch()
        var metric = Accumulator(2)  // sum of training loss, number of tokens
        for (i, batch) in dataIter.prefix(maxBatches ?? .max).enumerated() {
            let (X, XValidLen, Y, YValidLen) = batch
            optimizer.zeroGrad()
            let T = Y.shape[1]
            let decInput = Tensor.concatenate([Tensor.full([Y.shape[0], 1], bos), Y.slice(axis: 1, 0..<(T - 1))],
                                              axis: 1)                       // teacher forcing
            let (yHat, _) = net(X, decInput, validLen: XValidLen)
            let l = loss(yHat, Y, validLen: YValidLen).sum()
            l.backward()
            gradClipping(net, theta: theta)
            optimizer.step()
            let batchLoss = Double(l.item())
            try checkFinite(batchLoss, epoch: epoch + 1, batch: i + 1)
            metric.add(batchLoss, Double(YValidLen.scalars.reduce(0, +)))
        }
        let seconds = timer.stop()
        if metric[1] == 0 { fatalError("trainSeq2seq: the iterator gave no batches") }
        let record = TrainingHistory.Epoch(trainLoss: metric[0] / metric[1], seconds: seconds, examples: Int(metric[1]))
        history.epochs.append(record)
        bar?.update(batch: epoch + 1, examples: history.epochs.reduce(0) { $0 + $1.examples },
                    metrics: ["loss": record.trainLoss])
        if (epoch + 1) % 10 == 0 {
            animator.add(Double(epoch + 1), [record.trainLoss])
            history.logged.append((Double(epoch + 1), record.trainLoss, nil))
            if let url = report.save(animator) { history.figure = url }
        }
    }
    bar?.finish()
    let last = history.final
    let speed = last.seconds > 0 ? Double(last.examples) / last.seconds : 0
    report.say("loss \(formatFixed(last.trainLoss, decimals: 3)), \(formatFixed(speed, decimals: 1)) tokens/sec on cpu")
    if let url = report.save(animator) { history.figure = url }
    if let url = history.figure { report.say("saved \(url.path)") }
    return history
}

/// The source side of a prediction (book §9.7.4): `sentence` lowercased and split at single
/// spaces, mapped to ids, `<eos>` appended, padded/truncated to `numSteps`, as a `(1, numSteps)`
/// batch, with the valid length = number of words + 1 (the `<eos>`) as `(1)`.
func seq2seqSource(_ sentence: String, srcVocab: Vocab, numSteps: Int) -> (X: Tensor, validLen: Tensor) {
    let words = sentence.lowercased().split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    let ids = srcVocab[words] + [srcVocab["<eos>"]]
    let row = truncatePad(ids, numSteps, srcVocab["<pad>"])
    return (Tensor(shape: [1, numSteps], scalars: row.map(Float.init)), Tensor([Float(ids.count)]))
}

/// §9.7.4 `predict_seq2seq` and §9.8 beam search: translates one sentence.
///
/// The encoder reads the sentence (see `seq2seqSource`, with `enc_valid_len` = words + 1), the
/// decoder starts from `initState` and `<bos>` and emits at most `numSteps` tokens, stopping at
/// `<eos>` (not included in the result).
///
/// - `beamSize` 1 (default): the book's greedy search, each step's most likely token `argmax P`.
/// - `beamSize` k > 1 (§9.8.3): beam search. At each step every live hypothesis is extended by
///   every token, and the k extensions with the highest `log P(y₁…y_t | c)` are kept; one that
///   ends in `<eos>` leaves the beam as a finished candidate, the others stay live (so the beam
///   narrows as hypotheses finish; it stops when none is live or after `numSteps`). Among the
///   finished candidates and the hypotheses still live at the end, the result maximises the
///   book's length-normalised score `1/L^α · log P(y₁…y_L | c)` (§9.8.3), with `L` the number of
///   tokens scored (`<eos>` included) and α = `alpha`. k = 1 gives the greedy search's result.
///
/// Returns the translation (tokens joined by spaces) and, with `saveAttentionWeights`, the
/// decoder's `attentionWeights` of every step of the chosen output (empty for decoders without
/// attention).
public func predictSeq2seq<E, D>(net: EncoderDecoder<E, D>, srcSentence: String, srcVocab: Vocab, tgtVocab: Vocab,
                                 numSteps: Int, beamSize: Int = 1, alpha: Double = 0.75,
                                 saveAttentionWeights: Bool = false) -> (translation: String, attentionWeights: [Tensor]) {
    if numSteps <= 0 { fatalError("predictSeq2seq: numSteps must be positive, got \(numSteps)") }
    if beamSize <= 0 { fatalError("predictSeq2seq: beamSize must be positive, got \(beamSize)") }
    net.eval()
    return withNoGrad {
        let (encX, validLen) = seq2seqSource(srcSentence, srcVocab: srcVocab, numSteps: numSteps)
        let state = net.decoder.initState(net.encoder(encX, validLen: validLen), validLen: validLen)
        let bos = tgtVocab["<bos>"], eos = tgtVocab["<eos>"]
        let (tokens, weights) = beamSize == 1
            ? greedySearch(net.decoder, state: state, bos: bos, eos: eos, numSteps: numSteps, save: saveAttentionWeights)
            : beamSearch(net.decoder, state: state, bos: bos, eos: eos, numSteps: numSteps, beamSize: beamSize,
                         alpha: alpha, save: saveAttentionWeights)
        return (tgtVocab.toTokens(tokens).joined(separator: " "), weights)
    }
}

/// One decoder step on a single token: the logits `(V)` and the next state.
func decodeStep<D: Decoder>(_ decoder: D, _ token: Int, _ state: D.State) -> (logits: Tensor, state: D.State) {
    let (y, s) = decoder(Tensor(shape: [1, 1], scalars: [Float(token)]), state)
    return (y.reshaped(to: [-1]), s)
}

/// The book's greedy decoding: feed back `argmax` until `<eos>` or `numSteps` tokens.
func greedySearch<D: Decoder>(_ decoder: D, state: D.State, bos: Int, eos: Int, numSteps: Int,
                              save: Bool) -> (tokens: [Int], attention: [Tensor]) {
    var state = state, token = bos
    var output: [Int] = [], weights: [Tensor] = []
    for _ in 0..<numSteps {
        let step = decodeStep(decoder, token, state)
        state = step.state
        token = step.logits.argmaxIndices(axis: 0)[0]
        if save, let w = decoder.attentionWeights { weights.append(w) }
        if token == eos { break }
        output.append(token)
    }
    return (output, weights)
}

/// A hypothesis of the beam: its tokens (without `<bos>`), `log P` of them, the decoder state
/// after them and the attention weights of each step.
struct BeamHypothesis<State> {
    var tokens: [Int]
    var logProb: Double
    var state: State
    var attention: [Tensor]

    /// §9.8.3: `1/L^α · log P`, `L` = tokens scored.
    func score(alpha: Double) -> Double { logProb / Foundation.pow(Double(tokens.count), alpha) }
}

/// §9.8.3 beam search (see `predictSeq2seq`). Ties keep the earlier hypothesis and the smaller
/// token id, as `argmax` does.
func beamSearch<D: Decoder>(_ decoder: D, state: D.State, bos: Int, eos: Int, numSteps: Int, beamSize k: Int,
                            alpha: Double, save: Bool) -> (tokens: [Int], attention: [Tensor]) {
    var live = [BeamHypothesis(tokens: [], logProb: 0, state: state, attention: [])]
    var finished: [BeamHypothesis<D.State>] = []
    for _ in 0..<numSteps {
        var extensions: [(parent: Int, token: Int, logProb: Double)] = []
        var states: [D.State] = [], weights: [Tensor?] = []
        for (i, h) in live.enumerated() {
            let step = decodeStep(decoder, h.tokens.last ?? bos, h.state)
            states.append(step.state)
            weights.append(save ? decoder.attentionWeights : nil)
            for (v, lp) in step.logits.logSoftmax(axis: 0).scalars.enumerated() {
                extensions.append((i, v, h.logProb + Double(lp)))
            }
        }
        // Stable: equal log-probabilities keep (parent, token) order.
        let best = extensions.enumerated().sorted {
            $0.element.logProb != $1.element.logProb ? $0.element.logProb > $1.element.logProb : $0.offset < $1.offset
        }.prefix(k).map(\.element)
        var next: [BeamHypothesis<D.State>] = []
        for e in best {
            let parent = live[e.parent]
            let h = BeamHypothesis(tokens: parent.tokens + [e.token], logProb: e.logProb, state: states[e.parent],
                                   attention: parent.attention + (weights[e.parent].map { [$0] } ?? []))
            if e.token == eos { finished.append(h) } else { next.append(h) }
        }
        live = next
        if live.isEmpty { break }
    }
    let candidates = finished + live
    var chosen = candidates[0]
    for c in candidates.dropFirst() where c.score(alpha: alpha) > chosen.score(alpha: alpha) { chosen = c }
    let tokens = chosen.tokens.last == eos ? Array(chosen.tokens.dropLast()) : chosen.tokens
    return (tokens, chosen.attention)
}

/// The book's four test sentences and their references (§9.7.4, reused in §10.4 and §10.7).
public let bookTranslationExamples: [(eng: String, fra: String)] = [
    ("go .", "va !"), ("i lost .", "j'ai perdu ."), ("he's calm .", "il est calme ."), ("i'm home .", "je suis chez moi ."),
]

/// Translates each of the book's sentences and prints `go . => va !, bleu 1.000` (BLEU with
/// k = 2, as the book). Returns the attention weights of the last translation when
/// `saveAttentionWeights` is set (empty otherwise).
@discardableResult
public func translateExamples<E, D>(_ net: EncoderDecoder<E, D>, srcVocab: Vocab, tgtVocab: Vocab, numSteps: Int,
                                    beamSize: Int = 1, saveAttentionWeights: Bool = false,
                                    report: Reporting) -> [Tensor] {
    var lastWeights: [Tensor] = []
    for (eng, fra) in bookTranslationExamples {
        let (translation, weights) = predictSeq2seq(net: net, srcSentence: eng, srcVocab: srcVocab, tgtVocab: tgtVocab,
                                                    numSteps: numSteps, beamSize: beamSize,
                                                    saveAttentionWeights: saveAttentionWeights)
        report.say("\(eng) => \(translation), bleu " + String(format: "%.3f", bleu(predSeq: translation, labelSeq: fra, k: 2)))
        lastWeights = weights
    }
    return lastWeights
}
