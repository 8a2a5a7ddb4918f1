import Foundation
import NN
import Tensor
import TestSupport
import XCTest
@testable import D2L

/// An encoder that hands its input on (the hand-built decoder below ignores it).
final class PassThroughEncoder: ModuleBase, Encoder {
    func callAsFunction(_ x: Tensor, validLen: Tensor?) -> Tensor { x }
}

/// A decoder whose next-token distribution depends only on the token it reads, from a fixed table
/// of probabilities (rows: previous token, columns: next token; vocabulary
/// `<unk> <pad> <bos> <eos> a b`). Its logits are the log-probabilities.
final class TableDecoder: ModuleBase, Decoder {
    let table: [Int: [Float]]
    init(_ table: [Int: [Float]]) { self.table = table }
    func initState(_ encoderOutput: Tensor, validLen: Tensor?) -> Tensor { Tensor.zeros([1]) }
    func callAsFunction(_ x: Tensor, _ state: Tensor) -> (output: Tensor, state: Tensor) {
        let previous = Int(x.scalars.last!)
        guard let p = table[previous] else { fatalError("TableDecoder: no row for token \(previous)") }
        return (Tensor(shape: [1, 1, p.count], scalars: p.map { Foundation.log($0) }), state + 1)
    }
}

final class Seq2SeqTests: XCTestCase {
    let reserved = ["<pad>", "<bos>", "<eos>"]

    /// BOOK.md: `Seq2SeqEncoder(10, 8, 16, 2)` on zeros (4, 7) → output (7, 4, 16), state
    /// (2, 4, 16); the decoder's output (4, 7, 10) and state (2, 4, 16).
    func testShapesOfTheBook() {
        Tensor.manualSeed(0)
        let encoder = Seq2SeqEncoder(vocabSize: 10, embedSize: 8, numHiddens: 16, numLayers: 2)
        let decoder = Seq2SeqDecoder(vocabSize: 10, embedSize: 8, numHiddens: 16, numLayers: 2)
        encoder.eval(); decoder.eval()
        let X = Tensor.zeros([4, 7])
        let encoded = encoder(X, validLen: nil)
        XCTAssertEqual(encoded.output.shape, [7, 4, 16])
        XCTAssertEqual(encoded.state.shape, [2, 4, 16])
        let (output, state) = decoder(X, decoder.initState(encoded, validLen: nil))
        XCTAssertEqual(output.shape, [4, 7, 10])
        XCTAssertEqual(state.hidden.shape, [2, 4, 16])
        XCTAssertEqual(decoder.rnn.inputSize, 8 + 16, "the context (H = 16) is concatenated to the embedding (8)")
        let net = EncoderDecoder(encoder, decoder)
        XCTAssertEqual(net(X, X, validLen: nil).output.shape, [4, 7, 10])
        XCTAssertEqual(net.namedParameters().first?.name, "encoder.embedding.weight")
    }

    /// The context is the top layer of the state the decoder is given: changing the bottom layer
    /// of a one-step decoder's state changes only the recurrence, changing the top layer also
    /// changes the input. Checked against a decoder run by hand.
    func testContextIsTheTopLayerOfTheStateRepeatedOverTime() {
        Tensor.manualSeed(1)
        let decoder = Seq2SeqDecoder(vocabSize: 6, embedSize: 3, numHiddens: 4, numLayers: 2)
        decoder.eval()
        let X = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 0])
        let state = Tensor.randn([2, 2, 4])
        let (y, s) = decoder(X, Seq2SeqDecoder.State(hidden: state, encoderContext: Tensor.zeros([1, 2, 4])))
        let embedded = decoder.embedding(X).permuted([1, 0, 2])
        let context = state.slice(axis: 0, 1..<2).broadcast(to: [3, 2, 4])
        let (out, hand) = decoder.rnn(Tensor.concatenate([embedded, context], axis: 2), state)
        let expected = decoder.dense(out).permuted([1, 0, 2])
        XCTAssert(compare(y, expected, atol: 1e-6).ok)
        XCTAssert(compare(s.hidden, hand, atol: 1e-6).ok)
    }

    /// With `keepsEncoderContext`, decoding one token at a time gives the logits of one
    /// teacher-forced call; the book's decoder (context from the state passed in) does not.
    func testStepwiseDecodingEqualsOneCallOnlyWithTheEncoderContext() {
        Tensor.manualSeed(4)
        let net = EncoderDecoder(Seq2SeqEncoder(vocabSize: 9, embedSize: 4, numHiddens: 6, numLayers: 2),
                                 Seq2SeqDecoder(vocabSize: 7, embedSize: 4, numHiddens: 6, numLayers: 2))
        net.eval()
        let src = Tensor(shape: [1, 5], scalars: [3, 4, 5, 2, 1]), tgt = Tensor(shape: [1, 4], scalars: [2, 5, 6, 4])
        let whole = net(src, tgt, validLen: nil).output                       // (1, 4, 7)
        func stepwise() -> Tensor {
            var state = net.decoder.initState(net.encoder(src, validLen: nil), validLen: nil)
            var outputs: [Tensor] = []
            for t in 0..<4 {
                let (y, s) = net.decoder(tgt.slice(axis: 1, t..<(t + 1)), state)
                outputs.append(y)
                state = s
            }
            return Tensor.concatenate(outputs, axis: 1)
        }
        XCTAssertFalse(compare(stepwise(), whole, atol: 1e-4).ok, "the book's decoder changes its context after step 1")
        net.decoder.keepsEncoderContext = true
        let c = compare(stepwise(), whole, atol: 1e-5)
        XCTAssert(c.ok, c.description)
    }

    func testXavierInitTouchesLinearAndGRUWeightsOnly() {
        Tensor.manualSeed(2)
        let decoder = Seq2SeqDecoder(vocabSize: 50, embedSize: 8, numHiddens: 16, numLayers: 2)
        let embeddingBefore = decoder.embedding.weight.value.scalars
        let biasBefore = decoder.rnn.weights[0].biasIH!.value.scalars
        for w in decoder.rnn.weights { Init.zeros(w.weightHH) }
        xavierInitSeq2seq(decoder)
        XCTAssertEqual(decoder.embedding.weight.value.scalars, embeddingBefore)
        XCTAssertEqual(decoder.rnn.weights[0].biasIH!.value.scalars, biasBefore)
        let bound = Float((6.0 / Double(16 + 48)).squareRoot())      // weight_hh (48, 16)
        let whh = decoder.rnn.weights[1].weightHH.value.scalars
        XCTAssert(whh.allSatisfy { abs($0) <= bound } && whh.contains { $0 != 0 })
        let dense = decoder.dense.weight.value.scalars, denseBound = Float((6.0 / Double(16 + 50)).squareRoot())
        XCTAssert(dense.allSatisfy { abs($0) <= denseBound } && dense.max()! > denseBound * 0.8)
    }

    /// Greedy and beam search disagree on a hand-built decoder (vocabulary
    /// `<unk>0 <pad>1 <bos>2 <eos>3 a4 b5`, next-token probabilities depending on the last token):
    ///
    ///     after <bos>: a .5, b .4, <eos> .04, the others .02 each
    ///     after a:     <eos> .54, a .2, b .2, the others .02 each
    ///     after b:     <eos> .95, the others .01 each
    ///
    /// Greedy: <bos> → a (.5) → <eos> (.54): "a", log P = ln .5 + ln .54 = −1.3093.
    /// Beam, k = 2: step 1 keeps a (ln .5 = −0.6931) and b (ln .4 = −0.9163). Step 2's best
    /// extensions are b <eos> (−0.9163 + ln .95 = −0.9676) and a <eos> (−1.3093), both finished, so
    /// the beam is empty. Scores with L = 2, α = 0.75 (2^0.75 = 1.6818): b → −0.5753,
    /// a → −0.7785, so beam search returns "b" — the more likely sentence (.38 against .27) that
    /// greedy search missed. With k = 3, step 1 also keeps <eos> (ln .04 = −3.22, L = 1), which
    /// scores −3.22: still "b".
    func testBeamSearchFindsWhatGreedySearchMisses() {
        let table: [Int: [Float]] = [2: [0.02, 0.02, 0.02, 0.04, 0.5, 0.4],
                                     4: [0.02, 0.02, 0.02, 0.54, 0.2, 0.2],
                                     5: [0.01, 0.01, 0.01, 0.95, 0.01, 0.01]]
        let net = EncoderDecoder(PassThroughEncoder(), TableDecoder(table))
        let srcVocab = Vocab(tokens: [["go"]], reservedTokens: reserved)
        let tgtVocab = Vocab(tokens: [["a", "b"]], reservedTokens: reserved)
        XCTAssertEqual(tgtVocab[["<eos>", "a", "b"]], [3, 4, 5])
        func translate(_ k: Int) -> String {
            predictSeq2seq(net: net, srcSentence: "go .", srcVocab: srcVocab, tgtVocab: tgtVocab, numSteps: 10,
                           beamSize: k).translation
        }
        XCTAssertEqual(translate(1), "a")
        XCTAssertEqual(translate(2), "b")
        XCTAssertEqual(translate(3), "b")
        XCTAssertEqual(greedySearch(net.decoder, state: Tensor.zeros([1]), bos: 2, eos: 3, numSteps: 10, save: false).tokens,
                       beamSearch(net.decoder, state: Tensor.zeros([1]), bos: 2, eos: 3, numSteps: 10, beamSize: 1,
                                  alpha: 0.75, save: false).tokens, "k = 1 is greedy search")
        // With no <eos> in reach the beam runs numSteps and returns its best live hypothesis.
        let row: [Float] = [0.1, 0.1, 0.1, 0, 0.6, 0.1]
        let loop = Dictionary(uniqueKeysWithValues: [0, 1, 2, 4, 5].map { ($0, row) })
        let looping = EncoderDecoder(PassThroughEncoder(), TableDecoder(loop))
        XCTAssertEqual(predictSeq2seq(net: looping, srcSentence: "go", srcVocab: srcVocab, tgtVocab: tgtVocab,
                                      numSteps: 3, beamSize: 2).translation, "a a a")
    }

    /// A tiny parallel corpus as `load_data_nmt` would give it, one batch of all pairs.
    func tinyData(numSteps: Int) -> (iterator: NMTDataIterator, srcVocab: Vocab, tgtVocab: Vocab) {
        let pairs = [("go .", "va !"), ("i lost .", "j'ai perdu ."), ("he's calm .", "il est calme ."),
                     ("i'm home .", "je suis chez moi ."), ("go .", "va !"), ("i lost .", "j'ai perdu .")]
        let source = pairs.map { $0.0.split(separator: " ").map(String.init) }
        let target = pairs.map { $0.1.split(separator: " ").map(String.init) }
        let srcVocab = Vocab(tokens: source, reservedTokens: reserved), tgtVocab = Vocab(tokens: target, reservedTokens: reserved)
        let (srcArray, srcValid) = buildArrayNMT(source, vocab: srcVocab, numSteps: numSteps)
        let (tgtArray, tgtValid) = buildArrayNMT(target, vocab: tgtVocab, numSteps: numSteps)
        let iterator = NMTDataIterator(numExamples: pairs.count, batchSize: pairs.count, shuffle: false) { idx in
            (gatherRows(srcArray, idx), gatherRows(srcValid, idx), gatherRows(tgtArray, idx), gatherRows(tgtValid, idx))
        }
        return (iterator, srcVocab, tgtVocab)
    }

    func testShortTrainingLowersTheLossAndLearnsTheTinyCorpus() throws {
        Tensor.manualSeed(3)
        let (iterator, srcVocab, tgtVocab) = tinyData(numSteps: 6)
        let net = EncoderDecoder(
            Seq2SeqEncoder(vocabSize: srcVocab.count, embedSize: 16, numHiddens: 32, numLayers: 2),
            Seq2SeqDecoder(vocabSize: tgtVocab.count, embedSize: 16, numHiddens: 32, numLayers: 2))
        let captured = CapturedLines()
        let history = try trainSeq2seq(net: net, dataIter: iterator, lr: 0.01, numEpochs: 300, tgtVocab: tgtVocab,
                                       report: captured.report)
        XCTAssertEqual(history.epochs.count, 300)
        XCTAssertEqual(history.logged.count, 30, "logged every 10 epochs")
        XCTAssertEqual(history.final.examples, 3 + 4 + 5 + 6 + 3 + 4, "valid target tokens, <eos> included")
        XCTAssertLessThan(history.final.trainLoss, history.epochs[0].trainLoss * 0.2)
        XCTAssertTrue(captured.text.hasPrefix("loss "), captured.text)
        XCTAssertTrue(captured.text.contains(" tokens/sec on cpu"), captured.text)
        for (eng, fra) in [("go .", "va !"), ("i'm home .", "je suis chez moi .")] {
            for k in [1, 3] {
                let (translation, weights) = predictSeq2seq(net: net, srcSentence: eng, srcVocab: srcVocab,
                                                            tgtVocab: tgtVocab, numSteps: 6, beamSize: k,
                                                            saveAttentionWeights: true)
                XCTAssertEqual(translation, fra, "k = \(k)")
                XCTAssertTrue(weights.isEmpty, "no attention in this decoder")
            }
        }
        XCTAssertFalse(net.isTraining, "prediction puts the net in evaluation mode")
    }

    func testSourceOfAPrediction() {
        let vocab = Vocab(tokens: [["go", "."]], reservedTokens: reserved)
        let (X, validLen) = seq2seqSource("Go .", srcVocab: vocab, numSteps: 5)
        XCTAssertEqual(X.shape, [1, 5])
        XCTAssertEqual(X.scalars, [Float(vocab["go"]), Float(vocab["."]), 3, 1, 1])
        XCTAssertEqual(validLen.scalars, [3], "words + <eos>")
    }
}

/// A `Reporting` that collects the lines, with no progress bar and no figure.
final class CapturedLines {
    var text = ""
    var report: Reporting {
        let sink = TextOutput(isTerminal: false) { self.text += $0 }
        return Reporting(output: sink, progress: nil, figure: nil, warnings: sink)
    }
}
