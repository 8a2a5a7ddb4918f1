import D2L
import Foundation
import NN
import Tensor

// §9.5 the English–French data set, §9.6–9.7 a GRU encoder–decoder trained on it, §9.8 beam
// search: the book's machine-translation sections.

/// §9.5: the raw and preprocessed text, tokens, the length histogram, the full source
/// vocabulary, `truncate_pad` and the first minibatch of `load_data_nmt(2, 8)`.
func runMachineTranslationData(_ o: ChapterOptions, hub: DataHub = .shared, report: Reporting = Reporting(),
                               saveFigure: Bool = true) throws {
    report.say("\n§9.5 machine translation and the data set")
    let raw = try readDataNMT(hub: hub)
    report.say(String(raw.prefix(75)))
    let text = preprocessNMT(raw)
    report.say(String(text.prefix(80)))
    let (source, target) = tokenizeNMT(text)
    let quoted = { (lines: ArraySlice<[String]>) in
        "[" + lines.map { "[" + $0.map { "'\($0)'" }.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
    }
    report.say("source[:6]: " + quoted(source.prefix(6)))
    report.say("target[:6]: " + quoted(target.prefix(6)))
    let name = o.figureName("mt-data", "lengths")
    if saveFigure, let url = Figures.saveOrWarn(name, warnings: report.warnings, {
        try showListLenPairHist(legend: ["source", "target"], xlabel: "# tokens per sequence", ylabel: "count",
                                xlist: source, ylist: target, file: name)
    }) {
        report.say("saved \(url.path)")
    }
    let srcVocab = Vocab(tokens: source, minFreq: 2, reservedTokens: ["<pad>", "<bos>", "<eos>"])
    report.say("len(src_vocab): \(srcVocab.count)")
    report.say("truncate_pad(src_vocab[source[0]], 10, pad): \(truncatePad(srcVocab[source[0]], 10, srcVocab["<pad>"]))")
    let (iterator, _, _) = try loadDataNMT(batchSize: 2, numSteps: 8, hub: hub, seed: o.seed)
    if let (X, XValidLen, Y, YValidLen) = iterator.first(where: { _ in true }) {
        report.say("X: \(rows(X))")
        report.say("valid lengths for X: \(XValidLen.scalars.map { Int($0) })")
        report.say("Y: \(rows(Y))")
        report.say("valid lengths for Y: \(YValidLen.scalars.map { Int($0) })")
    }
    report.say(BookResult("len(src_vocab) 10012; truncate_pad → [47, 4, 1, 1, 1, 1, 1, 1, 1, 1]; first batch e.g. "
                          + "X [[7, 43, 4, 3, 1, 1, 1, 1], [44, 23, 4, 3, 1, 1, 1, 1]], valid [4, 4]; "
                          + "Y [[6, 7, 40, 4, 3, 1, 1, 1], [0, 5, 3, 1, 1, 1, 1, 1]], valid [5, 3] (shuffled: the batch varies)").line)
}

/// §9.7 (and §9.8): the book's GRU encoder–decoder — embeddings 32, 32 hidden units, 2 layers,
/// dropout 0.1 — trained on `load_data_nmt(64, 10)` with Adam (lr 0.005) for 300 epochs, then
/// the book's four sentences translated greedily and, with `--beam k` > 1, by beam search.
/// `data` replaces the fra-eng loader (tests).
@discardableResult
func runSeq2seq(_ o: ChapterOptions, data: (iterator: NMTDataIterator, srcVocab: Vocab, tgtVocab: Vocab)? = nil,
                report: Reporting? = nil) throws -> TrainingHistory {
    let report = report ?? o.report(section: "seq2seq")
    let embedSize = 32, numLayers = 2, dropout: Float = 0.1
    let numHiddens = o.parsed.isSet("hidden") ? o.parsed.int("hidden") : 32
    let numSteps = o.parsed.isSet("num-steps") ? o.parsed.int("num-steps") : 10
    let lr = o.lr(book: 0.005), epochs = o.epochs(book: 300), theta = o.parsed.float("clip")
    let beam = o.parsed.int("beam")
    let (trainIter, srcVocab, tgtVocab) = try data ?? loadDataNMT(batchSize: o.batchSize(book: 64), numSteps: numSteps,
                                                                  seed: o.seed)
    let net = EncoderDecoder(
        Seq2SeqEncoder(vocabSize: srcVocab.count, embedSize: embedSize, numHiddens: numHiddens, numLayers: numLayers,
                       dropout: dropout),
        Seq2SeqDecoder(vocabSize: tgtVocab.count, embedSize: embedSize, numHiddens: numHiddens, numLayers: numLayers,
                       dropout: dropout))
    report.say("\n§9.7 sequence to sequence learning: GRU encoder–decoder, embeddings \(embedSize), \(numHiddens) hidden, "
               + "\(numLayers) layers, dropout \(dropout); \(trainIter.numExamples) pairs, vocabularies "
               + "\(srcVocab.count)/\(tgtVocab.count), batch \(trainIter.batchSize), \(numSteps) steps, Adam lr \(lr), "
               + "\(epochs) epochs, θ = \(theta) (\(net.parameterCount) parameters)")
    let history = try trainSeq2seq(net: net, dataIter: trainIter, lr: lr, numEpochs: epochs, tgtVocab: tgtVocab,
                                   theta: theta, maxBatches: o.maxBatches, report: report)
    report.say(BookResult("loss 0.019, 12745.1 tokens/sec on cuda:0", spread: "loss 0.019–0.021").line)
    report.say(String(format: "%.1f s of training, %.1f tokens/sec over all epochs", history.trainingSeconds,
                      history.examplesPerSecond))
    report.say("greedy search (§9.7.4):")
    translateExamples(net, srcVocab: srcVocab, tgtVocab: tgtVocab, numSteps: numSteps, beamSize: 1, report: report)
    report.say(BookResult("go . => va !, bleu 1.000; i lost . => j'ai perdu ., bleu 1.000; "
                          + "he's calm . => il est riche ., bleu 0.658; i'm home . => je suis en retard ?, bleu 0.447",
                          spread: "he's calm 0–0.658, i'm home 0.38–1.0").line)
    if beam > 1 {
        report.say("beam search, k = \(beam), score log P / L^0.75 (§9.8.3):")
        translateExamples(net, srcVocab: srcVocab, tgtVocab: tgtVocab, numSteps: numSteps, beamSize: beam, report: report)
    }
    // The book's decoder takes its context from the state it is given, which after the first
    // predicted token is its own state, not the encoder's (d2l-en issue #2134). Same weights,
    // context kept:
    net.decoder.keepsEncoderContext = true
    report.say("greedy search with the encoder's context at every step (the fix of d2l-en #2134):")
    translateExamples(net, srcVocab: srcVocab, tgtVocab: tgtVocab, numSteps: numSteps, beamSize: 1, report: report)
    if beam > 1 {
        report.say("beam search, k = \(beam), with the encoder's context:")
        translateExamples(net, srcVocab: srcVocab, tgtVocab: tgtVocab, numSteps: numSteps, beamSize: beam, report: report)
    }
    net.decoder.keepsEncoderContext = false
    return history
}
