import D2L
import Foundation
import NN
import Tensor

// §10.4 Bahdanau attention: the seq2seq decoder of §9.7, but its context is no longer the
// encoder's last state: at every step it is the additive-attention pooling of all the encoder's
// outputs, queried by the decoder's latest top-layer hidden state, and it joins the embedded
// token as the GRU's input. The book's `Seq2SeqAttentionDecoder` (§10.4.1) and its
// `AdditiveAttention` are library classes (Sources/D2L/Models), shared with
// `Benchmarks step bahdanau`; this file is the §10.4.2 run.

/// §10.4.2: the book's encoder (embeddings 32, 32 hidden, 2 layers, dropout 0.1) with
/// `Seq2SeqAttentionDecoder`, trained on `load_data_nmt(64, 10)` with Adam (lr 0.005) for 250
/// epochs, θ = 1; the book's four sentences translated greedily with BLEU, and the heat map of
/// the attention weights of the last one (`ch08-bahdanau-attention`, keys up to its `<eos>`).
/// `data` replaces the fra-eng loader (tests).
@discardableResult
func runBahdanau(_ o: ChapterOptions, data: (iterator: NMTDataIterator, srcVocab: Vocab, tgtVocab: Vocab)? = nil,
                 report: Reporting? = nil) throws -> TrainingHistory {
    let report = report ?? o.report(section: "bahdanau")
    let (embedSize, numHiddens, numLayers, dropout, numSteps) = (32, 32, 2, Float(0.1), 10)
    let lr = o.lr(book: 0.005), epochs = o.epochs(book: 250), theta: Float = 1
    let (trainIter, srcVocab, tgtVocab) = try data ?? loadDataNMT(batchSize: o.batchSize(book: 64), numSteps: numSteps,
                                                                  seed: o.seed)
    let net = EncoderDecoder(
        Seq2SeqEncoder(vocabSize: srcVocab.count, embedSize: embedSize, numHiddens: numHiddens, numLayers: numLayers,
                       dropout: dropout),
        Seq2SeqAttentionDecoder(vocabSize: tgtVocab.count, embedSize: embedSize, numHiddens: numHiddens,
                                numLayers: numLayers, dropout: dropout))
    report.say("§10.4 Bahdanau attention: GRU encoder–decoder with additive attention, embeddings \(embedSize), "
               + "\(numHiddens) hidden, \(numLayers) layers, dropout \(dropout); \(trainIter.numExamples) pairs, vocabularies "
               + "\(srcVocab.count)/\(tgtVocab.count), batch \(trainIter.batchSize), \(numSteps) steps, Adam lr \(lr), "
               + "\(epochs) epochs, θ = \(theta) (\(net.parameterCount) parameters)")
    let history = try trainSeq2seq(net: net, dataIter: trainIter, lr: lr, numEpochs: epochs, tgtVocab: tgtVocab,
                                   theta: theta, maxBatches: o.maxBatches, report: report)
    report.say(BookResult("loss 0.021, 4948.7 tokens/sec on cuda:0", spread: "loss 0.019–0.022").line)
    report.say(String(format: "%.1f s of training, %.1f tokens/sec over all epochs", history.trainingSeconds,
                      history.examplesPerSecond))
    let lastWeights = translateExamples(net, srcVocab: srcVocab, tgtVocab: tgtVocab, numSteps: numSteps,
                                        saveAttentionWeights: true, report: report)
    report.say(BookResult("go . => va !, bleu 1.000; i lost . => j'ai perdu ., bleu 1.000; "
                          + "he's calm . => il est paresseux ., bleu 0.658; i'm home . => je suis chez moi ., bleu 1.000",
                          spread: "he's calm 0–0.658, the others 1.000").line)
    if o.parsed.flag("no-figures") || lastWeights.isEmpty { return history }
    // One row per decoding step (the `<eos>` step included), keys up to the source's `<eos>`.
    let keys = bookTranslationExamples[bookTranslationExamples.count - 1].eng.split(separator: " ").count + 1
    let steps = Tensor.concatenate(lastWeights, axis: 1)                                // (1, steps, numSteps)
    let matrix = steps.slice(axis: 2, 0..<keys).reshaped(to: [1, 1, steps.shape[1], keys])
    let name = o.figureName("bahdanau", "attention")
    if let url = Figures.saveOrWarn(name, warnings: report.warnings, {
        try showHeatmaps(matrix, xlabel: "Key positions", ylabel: "Query positions", file: name)
    }) {
        report.say("saved \(url.path)")
    }
    return history
}
