import D2L
import NN
import Tensor
import TestSupport
import XCTest
@testable import Chapter07_RNN

/// Chapter07-RNN (book §8.5–8.6, §9.1–9.4): the scratch RNN, GRU and LSTM compute what the
/// concise layers compute when given the same weights (outputs, final state, loss, gradients,
/// over several training steps with the state carried), `predictCh8` warms up on the prefix and
/// predicts greedily, and a short run of the chapter trains.
final class Chapter07Tests: XCTestCase {
    let V = 7, H = 5, B = 3, T = 4

    func randomIds(_ g: inout SeededGenerator) -> Tensor {
        Tensor(shape: [B, T], scalars: (0..<(B * T)).map { _ in Float(Int.random(in: 0..<V, using: &g)) })
    }

    /// Runs `steps` SGD steps of the concise model; before each, copies its weights into the
    /// scratch model and checks outputs, final state, loss and gradients agree.
    /// `prepare` adjusts the concise weights first (GRU); `skipGradient` (index, check) replaces
    /// the gradient comparison of one scratch parameter.
    func assertScratchEqualsConcise(_ concise: RNNModel, _ scratch: RNNModelScratch, steps: Int = 3,
                                    prepare: (RNNModel) -> Void = { _ in },
                                    special: (index: Int, check: (Tensor, Tensor) -> Void)? = nil,
                                    file: StaticString = #filePath, line: UInt = #line) {
        var g = SeededGenerator(seed: 3)
        var conciseState = concise.beginState(batchSize: B), scratchState = scratch.beginState(batchSize: B)
        XCTAssertEqual(conciseState.count, scratchState.count, file: file, line: line)
        let optimizer = SGD(parameters: concise.parameters(), lr: 0.5)
        let loss = CrossEntropyLoss()
        for s in 0..<steps {
            prepare(concise)
            copyConcise(concise, into: scratch)
            let X = randomIds(&g), y = randomIds(&g).transposed().reshaped(to: [-1])
            let (yc, sc) = concise(X, conciseState)
            let (ys, ss) = scratch(X, scratchState)
            XCTAssertEqual(yc.shape, [T * B, V], file: file, line: line)
            let out = compare(ys, yc, atol: 1e-5, label: "step \(s) outputs")
            XCTAssert(out.ok, out.description, file: file, line: line)
            for (a, b) in zip(ss, sc) {
                let c = compare(a, b.reshaped(to: [B, H]), atol: 1e-5, label: "step \(s) state")
                XCTAssert(c.ok, c.description, file: file, line: line)
            }
            let lc = loss(yc, y), ls = loss(ys, y)
            XCTAssertEqual(ls.item(), lc.item(), accuracy: 1e-5, file: file, line: line)
            optimizer.zeroGrad()
            scratch.zeroGrad()
            lc.backward()
            ls.backward()
            let expected = scratchValues(from: concise, gradients: true)
            for (i, (p, e)) in zip(scratch.params, expected).enumerated() {
                guard let got = p.grad else { XCTFail("no gradient for \(p.name ?? "?")", file: file, line: line); continue }
                if let special, special.index == i { special.check(got, e); continue }
                let c = compare(got, e, atol: 1e-5, label: "step \(s) gradient of \(p.name ?? "?")")
                XCTAssert(c.ok, c.description, file: file, line: line)
            }
            gradClipping(concise, theta: 1)
            optimizer.step()
            conciseState = sc.map { $0.detached() }
            scratchState = ss.map { $0.detached() }
        }
    }

    func testScratchRNNEqualsConcise() {
        Tensor.manualSeed(1)
        assertScratchEqualsConcise(rnnConcise(vocabSize: V, numHiddens: H), rnnScratch(vocabSize: V, numHiddens: H))
    }

    func testScratchLSTMEqualsConcise() {
        Tensor.manualSeed(2)
        assertScratchEqualsConcise(lstmConcise(vocabSize: V, numHiddens: H), lstmScratch(vocabSize: V, numHiddens: H))
    }

    /// The book's GRU computes `(R ⊙ H) W_hh`, PyTorch `r ⊙ (W_hn h + b_hn)`: the same when
    /// `W_hn` is diagonal and `b_hn` zero, so the test makes them so before each step and compares
    /// only the diagonal of that one gradient (the rest of it differs, as the formulas do).
    func testScratchGRUEqualsConciseWithDiagonalCandidateWeights() {
        Tensor.manualSeed(4)
        let H = self.H
        func prepare(_ net: RNNModel) {
            let w = net.rnn.weights[0]
            var whh = w.weightHH.value.scalars, bhh = w.biasHH!.value.scalars
            for r in 0..<H {
                for c in 0..<H where c != r { whh[(2 * H + r) * H + c] = 0 }
                bhh[2 * H + r] = 0
            }
            w.weightHH.value = Tensor(shape: [3 * H, H], scalars: whh)
            w.biasHH!.value = Tensor(shape: [3 * H], scalars: bhh)
        }
        func diagonal(_ t: Tensor) -> [Float] { (0..<H).map { t.scalars[$0 * H + $0] } }
        assertScratchEqualsConcise(gruConcise(vocabSize: V, numHiddens: H), gruScratch(vocabSize: V, numHiddens: H),
                                   prepare: prepare, special: (7, { got, expected in
                                       for (a, b) in zip(diagonal(got), diagonal(expected)) {
                                           XCTAssertEqual(a, b, accuracy: 1e-5, "diagonal of W_hh's gradient")
                                       }
                                   }))
    }

    func testScratchParametersFollowTheBook() {
        Tensor.manualSeed(0)
        let names = { (m: RNNModelScratch) in m.params.map { $0.name ?? "" } }
        XCTAssertEqual(names(rnnScratch(vocabSize: V, numHiddens: H)), ["W_xh", "W_hh", "b_h", "W_hq", "b_q"])
        XCTAssertEqual(names(gruScratch(vocabSize: V, numHiddens: H)),
                       ["W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h", "W_hq", "b_q"])
        XCTAssertEqual(names(lstmScratch(vocabSize: V, numHiddens: H)).count, 14)
        let big = rnnScratch(vocabSize: 28, numHiddens: 512)
        XCTAssertEqual(big.params[1].shape, [512, 512])
        let std = big.params[1].value.scalars.map { $0 * $0 }.reduce(0, +) / Float(512 * 512)
        XCTAssertEqual(std.squareRoot(), 0.01, accuracy: 0.001, "weights are N(0, 1)·0.01")
        XCTAssertEqual(big.params[2].value.scalars, [Float](repeating: 0, count: 512))
    }

    func testDeepAndBidirectionalShapes() {
        Tensor.manualSeed(0)
        let deep = deepLSTM(vocabSize: V, numHiddens: H), bi = biLSTM(vocabSize: V, numHiddens: H)
        XCTAssertEqual(deep.beginState(batchSize: B).map(\.shape), [[2, B, H], [2, B, H]])
        XCTAssertEqual(bi.beginState(batchSize: B).map(\.shape), [[4, B, H], [4, B, H]])
        XCTAssertEqual(bi.linear.weight.shape, [V, 2 * H])
        var g = SeededGenerator(seed: 1)
        let (y, state) = bi(randomIds(&g), bi.beginState(batchSize: B))
        XCTAssertEqual(y.shape, [T * B, V])
        XCTAssertEqual(state.map(\.shape), [[4, B, H], [4, B, H]])
    }

    // MARK: predictCh8

    func tinyVocab() -> Vocab { Vocab(tokens: tokenize(["time traveller said filby"], token: .char)) }

    func testPredictAppendsTheArgmaxOfTheOutputLayer() {
        Tensor.manualSeed(0)
        let vocab = tinyVocab()
        let net = rnnScratch(vocabSize: vocab.count, numHiddens: 4)
        net.params[3].value = Tensor.zeros([4, vocab.count])                  // W_hq = 0: output = b_q
        var bias = [Float](repeating: 0, count: vocab.count)
        bias[vocab["e"]] = 1
        net.params[4].value = Tensor(shape: [vocab.count], scalars: bias)
        XCTAssertEqual(predictCh8("time traveller", numPreds: 5, net: net, vocab: vocab), "time travellereeeee")
        XCTAssertEqual(predictCh8("t", numPreds: 0, net: net, vocab: vocab), "t")
    }

    /// Warming up one character at a time carries the state: the first prediction equals the
    /// argmax of the last row when the whole prefix runs at once.
    func testPredictWarmsUpOnTheWholePrefix() {
        Tensor.manualSeed(5)
        let vocab = tinyVocab()
        for net in [lstmConcise(vocabSize: vocab.count, numHiddens: 8) as RecurrentLanguageModel,
                    gruScratch(vocabSize: vocab.count, numHiddens: 8)] {
            for p in net.parameters() { p.value = Tensor.randn(p.shape) }   // a model with opinions
            let prefix = "time travel"
            let ids = vocab[prefix.map { String($0) }]
            let (y, _) = net(Tensor(shape: [1, ids.count], scalars: ids.map(Float.init)), net.beginState(batchSize: 1))
            let expected = vocab.toTokens(y.argmaxIndices(axis: 1).last!)
            let predicted = predictCh8(prefix, numPreds: 3, net: net, vocab: vocab)
            XCTAssertEqual(predicted.count, prefix.count + 3)
            XCTAssertEqual(String(predicted.dropFirst(prefix.count).prefix(1)), expected)
        }
    }

    // MARK: The command line and a short run

    func testHelpListsTheCommonAndLanguageModelOptions() {
        let usage = chapterCommand().usage()
        assertListsCommonOptions(usage)
        for piece in ["--hidden <int>", "--num-steps <int>", "--random-iter", "--clip <float>", "rnn", "gru", "lstm",
                      "deep-rnn", "bi-rnn"] {
            XCTAssertTrue(usage.contains(piece), "--help lacks \(piece)")
        }
    }

    func testBookDefaults() throws {
        let o = try chapterCommand().parse([])
        XCTAssertEqual([o.epochs(book: 500), o.batchSize(book: 32), o.parsed.int("num-steps")], [500, 32, 35])
        XCTAssertEqual(o.lr(book: languageModelRuns[3].lr), 2)   // deep-rnn
        XCTAssertEqual(o.lr(book: languageModelRuns[0].lr), 1)
        XCTAssertEqual(languageModelRuns[0].hidden(.scratch), 512)
        XCTAssertEqual(languageModelRuns[0].hidden(.concise), 256)
    }

    func testShortRunLowersThePerplexityAndPrintsTheBookLines() throws {
        let text = String(repeating: "the time traveller for so it will be convenient to speak of him ", count: 20)
        let tokens = tokenize([text], token: .char)
        let vocab = Vocab(tokens: tokens)
        let corpus = vocab[tokens[0]]
        for model in [ModelVersion.scratch, .concise] {
            let o = try chapterCommand().parse(["--epochs", "12", "--hidden", "24", "--num-steps", "8",
                                                "--batch-size", "8", "--no-progress"])
            o.reseed()
            let data = (SeqDataLoader(corpus: corpus, vocab: vocab, batchSize: 8, numSteps: 8, useRandomIter: false, seed: 1),
                        vocab)
            let captured = CapturedReport()
            let history = try runLanguageModel(languageModelRuns[0], model, o, data: data, report: captured.report)
            XCTAssertEqual(history.epochs.count, 12)
            XCTAssertLessThan(history.final.perplexity, history.epochs[0].perplexity * 0.6, "\(model)")
            XCTAssertTrue(captured.text.contains("tokens/sec on cpu"), captured.text)
            XCTAssertTrue(captured.text.contains("\ntime traveller"), captured.text)
            XCTAssertTrue(captured.text.contains("\ntraveller"), captured.text)
            XCTAssertTrue(captured.text.contains("book:  perplexity"), captured.text)
        }
    }
}

/// The §8.1–8.3 helpers on small inputs (the book's facts on the full data are in
/// `TimeMachineTests`).
final class Chapter07DataTests: XCTestCase {
    func testLaggedFeaturesAndLabels() {
        let (f, l) = laggedFeatures((0..<10).map(Float.init), tau: 4)
        XCTAssertEqual(f.shape, [6, 4])
        XCTAssertEqual(Array(f.scalars[0..<8]), [0, 1, 2, 3, 1, 2, 3, 4])
        XCTAssertEqual(l.shape, [6, 1])
        XCTAssertEqual(l.scalars, [4, 5, 6, 7, 8, 9])
    }

    func testSequenceModelLearnsTheSine() throws {
        Tensor.manualSeed(0)
        let (_, x) = sineSequence(T: 300)
        let (f, l) = laggedFeatures(x, tau: 4)
        let net = sequenceNet(tau: 4)
        let losses = trainSequence(net, loadArray(features: f, labels: l, batchSize: 16, seed: 0), epochs: 5, lr: 0.01,
                                   report: .silent)
        XCTAssertEqual(losses.count, 5)
        XCTAssertLessThan(losses[4], 0.1, "the noise alone has variance 0.04; \(losses)")
    }

    func testNgramsAndTheirPrintedFrequencies() {
        let words = "the time traveller the time machine the time traveller".split(separator: " ").map(String.init)
        XCTAssertEqual(ngrams(words, 3).count, 7)
        XCTAssertEqual(ngrams(words, 2).first, "the time")
        XCTAssertEqual(ngrams(["a"], 2), [])
        XCTAssertEqual(topFrequencies(Vocab(tokens: ngrams(words, 3)), 2), "(the, time, traveller) 2, (time, traveller, the) 1")
        XCTAssertEqual(topFrequencies(Vocab(tokens: words), 1), "the 3")
    }

    func testZipfPointsKeepTheStepsAndThinTheTail() {
        let freqs = (0..<20_000).map { Double(20_000 / ($0 + 1)) }
        let (rank, freq) = zipfPoints(freqs)
        XCTAssertEqual(Array(rank.prefix(100)), (1...100).map(Double.init))
        XCTAssertEqual(rank.last, 20_000)
        XCTAssertLessThan(rank.count, 2_000)
        for (r, f) in zip(rank, freq) { XCTAssertEqual(f, freqs[Int(r) - 1]) }
        // every place where the frequency changes is kept
        let kept = Set(rank)
        for i in 1..<freqs.count where freqs[i] != freqs[i - 1] { XCTAssertTrue(kept.contains(Double(i + 1)), "rank \(i + 1)") }
    }
}
