import D2L
import Foundation
import NN
import Tensor

// §10.7 the Transformer: the book's shape checks, then the encoder–decoder trained on fra-eng
// (d 32, FFN 64, 4 heads, 2 + 2 blocks, dropout 0.1, Adam 0.005, 200 epochs, batch 64, θ = 1),
// the four translations with BLEU, and the attention heat maps of the last one.

/// The fra-eng batches and vocabularies (`loadDataNMT(64, 10)`; tests pass a tiny set).
typealias NMTData = (iterator: NMTDataIterator, srcVocab: Vocab, tgtVocab: Vocab)

/// The book's Transformer configuration (§10.7.6).
struct TransformerConfig {
    var numHiddens = 32, ffnNumHiddens = 64, numHeads = 4, numLayers = 2
    var dropout: Float = 0.1
    var numSteps = 10
    var normFirst = false

    /// The model of `version` on these vocabularies.
    func model(_ version: ModelVersion, srcVocab: Int, tgtVocab: Int) -> EncoderDecoder<TransformerEncoder, TransformerDecoder> {
        switch version {
        case .scratch:
            return transformerScratch(srcVocab: srcVocab, tgtVocab: tgtVocab, numHiddens: numHiddens, ffnNumHiddens: ffnNumHiddens,
                                      numHeads: numHeads, numLayers: numLayers, dropout: dropout, normFirst: normFirst)
        case .concise:
            return conciseTransformer(srcVocab: srcVocab, tgtVocab: tgtVocab, numHiddens: numHiddens, ffnNumHiddens: ffnNumHiddens,
                                      numHeads: numHeads, numLayers: numLayers, dropout: dropout, normFirst: normFirst)
        }
    }

    var summary: String {
        "d \(numHiddens), FFN \(ffnNumHiddens), \(numHeads) heads, \(numLayers) + \(numLayers) blocks, dropout \(dropout), "
            + (normFirst ? "pre-LN" : "post-LN")
    }
}

/// §10.7.2–10.7.5's shape checks (and §10.7.3's layer norm vs batch norm); returns the shapes
/// `[FFN, EncoderBlock, TransformerEncoder, DecoderBlock]`.
@discardableResult
func printShapeChecks(_ report: Reporting) -> [[Int]] {
    let ffn = PositionWiseFFN(ffnNumInput: 4, ffnNumHiddens: 4, ffnNumOutputs: 8)
    let ffnShape = withNoGrad { ffn(Tensor.ones([2, 3, 4])) }.shape
    report.say("PositionWiseFFN(4, 4, 8) on ones(2, 3, 4): \(describeShape(ffnShape))")
    let x = Tensor([[1, 2], [2, 3]] as [[Float]])
    let ln = LayerNormScratch(2), bn = BatchNorm1d(numFeatures: 2)
    func rows(_ t: Tensor) -> String { "[" + t.scalars.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]" }
    report.say("layer norm on [[1, 2], [2, 3]]: \(rows(withNoGrad { ln(x) })), batch norm: \(rows(withNoGrad { bn(x) }))")
    let validLens = [3, 2]
    let block = EncoderBlock(numHiddens: 24, ffnNumHiddens: 48, numHeads: 8, dropout: 0.5)
    block.eval()
    let blockShape = withNoGrad { block(Tensor.ones([2, 100, 24]), validLens: validLens) }.shape
    report.say("EncoderBlock(24, 48 FFN, 8 heads) on ones(2, 100, 24), valid lens [3, 2]: \(describeShape(blockShape))")
    let encoder = transformerScratch(srcVocab: 200, tgtVocab: 200, numHiddens: 24, ffnNumHiddens: 48, numHeads: 8,
                                     numLayers: 2, dropout: 0.5)
    encoder.eval()
    let encoded = withNoGrad { encoder.encoder(Tensor.ones([2, 100]), validLen: Tensor([3, 2])) }
    report.say("TransformerEncoder(200, 24, 48 FFN, 8 heads, 2 layers) on ones(2, 100): \(describeShape(encoded.output.shape))")
    let decoderBlock = DecoderBlock(numHiddens: 24, ffnNumHiddens: 48, numHeads: 8, dropout: 0.5)
    decoderBlock.eval()
    let decoded = withNoGrad {
        decoderBlock(Tensor.ones([2, 100, 24]), encOutputs: encoded.output, encValidLens: validLens, cache: nil)
    }
    report.say("DecoderBlock(24, 48 FFN, 8 heads) on ones(2, 100, 24) and the encoder's output: \(describeShape(decoded.shape))")
    report.say(BookResult("torch.Size([2, 3, 8]); torch.Size([2, 100, 24]) (encoder block, encoder, decoder block)").line)
    return [ffnShape, blockShape, encoded.output.shape, decoded.shape]
}

/// §10.7.6: trains the book's Transformer (scratch blocks unless `--model concise` or `both`;
/// `--norm-first` for pre-LN) on fra-eng, translates the four sentences and writes the loss curve
/// and the attention heat maps of the last translation. `data` replaces fra-eng (tests).
@discardableResult
func runTransformer(_ o: ChapterOptions, data: NMTData? = nil, config: TransformerConfig? = nil,
                    report: Reporting? = nil) throws -> [TrainingHistory] {
    let report = report ?? o.report(section: "transformer")
    report.say("§10.7 the Transformer")
    printShapeChecks(report)
    var config = config ?? TransformerConfig()
    if o.parsed.flag("norm-first") { config.normFirst = true }
    let lr = o.lr(book: 0.005), epochs = o.epochs(book: 200), theta: Float = 1
    let (trainIter, srcVocab, tgtVocab) = try data ?? loadDataNMT(batchSize: o.batchSize(book: 64),
                                                                  numSteps: config.numSteps, seed: o.seed)
    var histories: [TrainingHistory] = []
    for version in chosenVersions(o) {
        o.reseed()
        let net = config.model(version, srcVocab: srcVocab.count, tgtVocab: tgtVocab.count)
        report.say("\(version.rawValue): \(config.summary); \(trainIter.numExamples) pairs, vocabularies "
                   + "\(srcVocab.count)/\(tgtVocab.count), batch \(trainIter.batchSize), \(config.numSteps) steps, Adam lr \(lr), "
                   + "\(epochs) epochs, θ = \(theta) (\(net.parameterCount) parameters)")
        let modelReport = report.figure(o.writesFigures ? o.figureName("transformer", version.rawValue) : nil)
        let history = try trainSeq2seq(net: net, dataIter: trainIter, lr: lr, numEpochs: epochs, tgtVocab: tgtVocab,
                                       theta: theta, maxBatches: o.maxBatches, report: modelReport)
        report.say(BookResult("loss 0.030, 5202.9 tokens/sec on cuda:0", spread: "loss 0.030–0.033").line)
        report.say(String(format: "%.1f s of training, %.1f tokens/sec over all epochs", history.trainingSeconds,
                          history.examplesPerSecond))
        translateExamples(net, srcVocab: srcVocab, tgtVocab: tgtVocab, numSteps: config.numSteps, report: report)
        report.say(BookResult("go . => va !, bleu 1.000; i lost . => j'ai perdu ., bleu 1.000; "
                              + "he's calm . => il est calme ., bleu 1.000; i'm home . => je suis chez moi ., bleu 1.000",
                              spread: "i lost / he's calm occasionally miss").line)
        if !o.parsed.flag("no-figures") {
            saveAttentionHeatmaps(net, sentence: bookTranslationExamples.last!.eng, srcVocab: srcVocab, tgtVocab: tgtVocab,
                                  numSteps: config.numSteps, report: report) { o.figureName("transformer", version.rawValue, $0) }
        }
        histories.append(history)
    }
    return histories
}

/// The attention weights of one translation: the encoder's self-attention per block
/// `(1, heads, T_src, T_src)`, and, from one masked decoder pass over `<bos>` + the translation
/// (which equals the step-by-step decoding), the decoder's self-attention `(1, heads, T, T)` and
/// encoder–decoder attention `(1, heads, T, T_src)` per block.
func translationAttention(_ net: EncoderDecoder<TransformerEncoder, TransformerDecoder>, sentence: String,
                          srcVocab: Vocab, tgtVocab: Vocab, numSteps: Int)
    -> (translation: String, encoder: [Tensor], decoderSelf: [Tensor], decoderCross: [Tensor]) {
    let (translation, _) = predictSeq2seq(net: net, srcSentence: sentence, srcVocab: srcVocab, tgtVocab: tgtVocab,
                                          numSteps: numSteps)
    net.eval()
    net.encoder.keepAttentionWeights(true)
    net.decoder.keepAttentionWeights(true)
    defer { net.encoder.keepAttentionWeights(false); net.decoder.keepAttentionWeights(false) }
    return withNoGrad {
        let words = sentence.lowercased().split(separator: " ").map(String.init)
        let ids = truncatePad(srcVocab[words] + [srcVocab["<eos>"]], numSteps, srcVocab["<pad>"])
        let validLen = Tensor([Float(words.count + 1)])
        let encoded = net.encoder(Tensor(shape: [1, numSteps], scalars: ids.map(Float.init)), validLen: validLen)
        let output = translation.isEmpty ? [] : tgtVocab[translation.split(separator: " ").map(String.init)]
        let target = [tgtVocab["<bos>"]] + output + [tgtVocab["<eos>"]]
        let decInput = Array(target.dropLast())                          // the tokens fed while decoding
        _ = net.decoder(Tensor(shape: [1, decInput.count], scalars: decInput.map(Float.init)),
                        net.decoder.initState(encoded, validLen: validLen))
        return (translation, net.encoder.attentionWeights, net.decoder.selfAttentionWeights,
                net.decoder.crossAttentionWeights)
    }
}

/// Heat maps of `translationAttention` (rows: blocks, columns: heads), as the book's figures
/// for "i'm home .": `figureName("encoder")`, `("decoder-self")`, `("decoder-encoder")`.
func saveAttentionHeatmaps(_ net: EncoderDecoder<TransformerEncoder, TransformerDecoder>, sentence: String,
                           srcVocab: Vocab, tgtVocab: Vocab, numSteps: Int, report: Reporting,
                           figureName: (String) -> String) {
    let a = translationAttention(net, sentence: sentence, srcVocab: srcVocab, tgtVocab: tgtVocab, numSteps: numSteps)
    let heads = a.encoder.first?.shape[1] ?? 0
    let titles = (1...max(heads, 1)).map { "Head \($0)" }
    for (suffix, weights, ylabel) in [("encoder", a.encoder, "Query positions"),
                                      ("decoder-self", a.decoderSelf, "Query positions"),
                                      ("decoder-encoder", a.decoderCross, "Query positions")] where !weights.isEmpty {
        let grid = Tensor.concatenate(weights, axis: 0)                  // (blocks, heads, Q, K)
        let file = figureName(suffix)
        if let url = Figures.saveOrWarn(file, warnings: report.warnings, {
            try showHeatmaps(grid, xlabel: "Key positions", ylabel: ylabel, titles: titles, figsize: (7, 3.5), file: file)
        }) {
            report.say("saved \(url.path) (\(sentence) => \(a.translation): \(describeShape(grid.shape)))")
        }
    }
}
