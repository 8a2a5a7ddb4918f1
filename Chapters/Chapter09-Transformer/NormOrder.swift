import D2L
import Foundation
import NN
import Tensor

// The exercise of §10.7: swap the order of the residual connection and layer normalisation.
// Post-LN (the book, the original Transformer): x ← LN(x + sublayer(x)). Pre-LN: x ← x +
// sublayer(LN(x)), with a final LayerNorm on each stack. The same data, seed and initial weights
// train both; what differs is where the normalisation sits on the residual path.

/// One run of the comparison.
struct NormOrderRun {
    let normFirst: Bool
    let history: TrainingHistory
    /// ‖∇‖ of each encoder block's, then each decoder block's parameters, on the first batch
    /// of the freshly initialised model.
    let initialGradNorms: (encoder: [Double], decoder: [Double])
    /// The BLEU of each of the book's four sentences.
    let bleus: [Double]
    var name: String { normFirst ? "pre-LN" : "post-LN" }
}

/// L2 norm of the gradients of `module`'s parameters.
func gradNorm(_ module: Module) -> Double {
    module.parameters().reduce(0.0) { sum, p in
        sum + (p.grad?.scalars.reduce(0.0) { $0 + Double($1) * Double($1) } ?? 0)
    }.squareRoot()
}

/// The per-block gradient norms on `batch` (teacher forcing and the masked loss as in
/// `trainSeq2seq`; dropout on), then clears the gradients.
func initialGradNorms(_ net: EncoderDecoder<TransformerEncoder, TransformerDecoder>, batch: NMTBatch,
                      tgtVocab: Vocab) -> (encoder: [Double], decoder: [Double]) {
    let (X, XValidLen, Y, YValidLen) = batch
    net.train()
    net.zeroGrad()
    let decInput = Tensor.concatenate([Tensor.full([Y.shape[0], 1], Float(tgtVocab["<bos>"])), Y.slice(axis: 1, 0..<(Y.shape[1] - 1))],
                                      axis: 1)
    MaskedSoftmaxCELoss()(net(X, decInput, validLen: XValidLen).output, Y, validLen: YValidLen).sum().backward()
    defer { net.zeroGrad() }
    return (net.encoder.blocks.map(gradNorm), net.decoder.blocks.map(gradNorm))
}

/// Trains the Transformer post-LN and pre-LN (`--model`'s first version, scratch by default) on
/// the same data and seed; prints the gradient norms per block at the start, the final losses
/// and BLEU, and writes both loss curves to one figure. `makeData` replaces fra-eng (tests).
@discardableResult
func runNormOrder(_ o: ChapterOptions, makeData: (() throws -> NMTData)? = nil,
                  config base: TransformerConfig = TransformerConfig(), report: Reporting? = nil) throws -> [NormOrderRun] {
    let report = report ?? o.report(section: "norm-order")
    let lr = o.lr(book: 0.005), epochs = o.epochs(book: 200)
    let version = chosenVersions(o).first!
    report.say("exercise: post-LN (the book) vs pre-LN, \(version.rawValue) blocks, \(base.numHiddens) hiddens, "
               + "\(base.numLayers) + \(base.numLayers) blocks, Adam lr \(lr), \(epochs) epochs, seed \(o.seed)")
    var runs: [NormOrderRun] = []
    for normFirst in [false, true] {
        o.reseed()
        var config = base
        config.normFirst = normFirst
        let (iterator, srcVocab, tgtVocab) = try makeData?() ?? loadDataNMT(batchSize: o.batchSize(book: 64),
                                                                            numSteps: config.numSteps, seed: o.seed)
        let net = config.model(version, srcVocab: srcVocab.count, tgtVocab: tgtVocab.count)
        xavierInitSeq2seq(net)
        let norms = initialGradNorms(net, batch: Array(iterator.prefix(1))[0], tgtVocab: tgtVocab)
        let name = normFirst ? "pre-LN" : "post-LN"
        report.say("\(name): gradient norm at the start, encoder blocks "
                   + norms.encoder.map { String(format: "%.3f", $0) }.joined(separator: ", ") + "; decoder blocks "
                   + norms.decoder.map { String(format: "%.3f", $0) }.joined(separator: ", "))
        let history = try trainSeq2seq(net: net, dataIter: iterator, lr: lr, numEpochs: epochs, tgtVocab: tgtVocab,
                                       initialize: false, maxBatches: o.maxBatches,
                                       report: report.figure(nil))
        let bleus = bookTranslationExamples.map { eng, fra in
            bleu(predSeq: predictSeq2seq(net: net, srcSentence: eng, srcVocab: srcVocab, tgtVocab: tgtVocab,
                                         numSteps: config.numSteps).translation, labelSeq: fra, k: 2)
        }
        runs.append(NormOrderRun(normFirst: normFirst, history: history, initialGradNorms: norms, bleus: bleus))
    }
    for run in runs {
        report.say("\(run.name): final loss \(String(format: "%.3f", run.history.final.trainLoss)), BLEU "
                   + run.bleus.map { String(format: "%.3f", $0) }.joined(separator: ", ")
                   + String(format: " (mean %.3f), %.1f s", run.bleus.reduce(0, +) / Double(run.bleus.count),
                            run.history.trainingSeconds))
    }
    if !o.parsed.flag("no-figures") {
        var plot = LinePlot(xlabel: "epoch", ylabel: "loss", legend: runs.map(\.name), yscale: .log)
        for run in runs { plot.add(x: (1...run.history.epochs.count).map(Double.init), y: run.history.trainLoss) }
        let file = o.figureName("norm-order", version.rawValue)
        if let url = Figures.saveOrWarn(file, warnings: report.warnings, { try plot.save(file) }) {
            report.say("saved \(url.path)")
        }
    }
    return runs
}

/// The model versions a Transformer section trains: `--model` when given, else the book's
/// scratch blocks only (the common default `both` would double the run).
func chosenVersions(_ o: ChapterOptions) -> [ModelVersion] {
    o.parsed.isSet("model") ? o.models : [.scratch]
}
