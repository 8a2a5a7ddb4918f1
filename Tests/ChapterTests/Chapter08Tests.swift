import Foundation
import XCTest
@testable import Chapter08_Attention
import D2L
import NN
import Tensor
import TestSupport

/// Chapter08-Attention (book §10.1–10.6): golden `attention.json` against the scratch
/// code, scratch multi-head attention = `NN.MultiheadAttention`, the book's printed outputs.
final class Chapter08Tests: XCTestCase {
    func check(_ got: Tensor, _ expected: Tensor, _ label: String, atol: Float = 1e-5,
               file: StaticString = #filePath, line: UInt = #line) {
        let c = compare(got, expected, atol: atol, label: label)
        XCTAssertTrue(c.ok, "\(c)", file: file, line: line)
    }

    private func capture(_ body: (TextOutput) -> Void) -> String {
        var text = ""
        body(TextOutput(isTerminal: false) { text += $0 })
        return text
    }

    func testHelpListsCommonOptions() {
        let usage = chapterCommand().usage()
        assertListsCommonOptions(usage)
        for s in ["cues", "nadaraya-watson", "scoring", "multihead", "self-attention"] { XCTAssertTrue(usage.contains(s), s) }
        for piece in ["  bahdanau", "250 for bahdanau", "0.005 (Adam) for bahdanau", "64 for bahdanau"] {
            XCTAssertTrue(usage.contains(piece), "--help lacks \(piece)")
        }
    }

    func testGoldenMaskedSoftmaxAndScaledDotProductScratch() throws {
        let m = try Golden.case("attention", "masked_softmax")
        let lens = m.intInputs["valid_lens"]!.data
        check(maskedSoftmaxScratch(m.input("X"), validLens: lens), m.output, "masked_softmax scratch")
        check(autogradGradients([m.input("X")], cotangent: m.cotangent) { maskedSoftmaxScratch($0[0], validLens: lens) }[0],
              m.grad("X"), "masked_softmax scratch d/dX")
        let c = try Golden.case("attention", "scaled_dot_product")
        let sl = c.intInputs["valid_lens"]!.data
        let names = ["queries", "keys", "values"]
        let dot = DotProductAttention(dropout: 0)
        let f: ([Tensor]) -> Tensor = { dot($0[0], $0[1], $0[2], validLens: sl) }
        check(withNoGrad { f(names.map { c.input($0) }) }, c.output, "scaled_dot_product scratch")
        for (n, g) in zip(names, autogradGradients(names.map { c.input($0) }, cotangent: c.cotangent, f)) {
            check(g, c.grad(n), "scratch d/d\(n)")
        }
    }

    func testGoldenAdditive() throws {
        let c = try Golden.case("attention", "additive")
        let lens = c.intInputs["valid_lens"]!.data
        let net = AdditiveAttention(keySize: 2, querySize: 20, numHiddens: 8, dropout: 0)
        try net.loadStateDict(["W_k.weight": c.input("W_k"), "W_q.weight": c.input("W_q"), "w_v.weight": c.input("w_v")])
        var xs = ["queries", "keys", "values"].map { name -> Tensor in var t = c.input(name); t.requiresGrad = true; return t }
        let y = net(xs[0], xs[1], xs[2], validLens: lens)
        check(y, c.output, "additive")
        (y * c.cotangent!).sum().backward()
        for (i, n) in ["queries", "keys", "values"].enumerated() { check(xs[i].grad!, c.grad(n), "additive d/d\(n)") }
        check(net.W_k.weight.grad!, c.grad("W_k"), "d/dW_k")
        check(net.W_q.weight.grad!, c.grad("W_q"), "d/dW_q")
        check(net.w_v.weight.grad!, c.grad("w_v"), "d/dw_v")
        xs[0].requiresGrad = false
    }

    func testGoldenMultiheadScratch() throws {
        let c = try Golden.case("attention", "multihead_2heads")
        let lens = c.intInputs["valid_lens"]!.data
        let net = MultiHeadAttention(keySize: 6, querySize: 6, valueSize: 6, numHiddens: 8, numHeads: 2, dropout: 0)
        try net.loadStateDict(["W_q.weight": c.input("W_q"), "W_k.weight": c.input("W_k"),
                               "W_v.weight": c.input("W_v"), "W_o.weight": c.input("W_o")])
        let names = ["queries", "keys", "values"]
        var xs = names.map { name -> Tensor in var t = c.input(name); t.requiresGrad = true; return t }
        let y = net(xs[0], xs[1], xs[2], validLens: lens)
        check(y, c.output, "multihead_2heads")
        (y * c.cotangent!).sum().backward()
        for (i, n) in names.enumerated() { check(xs[i].grad!, c.grad(n), "multihead d/d\(n)") }
        for (n, l) in [("W_q", net.W_q), ("W_k", net.W_k), ("W_v", net.W_v), ("W_o", net.W_o)] {
            check(l.weight.grad!, c.grad(n), "multihead d/d\(n)")
        }
        xs[0].requiresGrad = false
    }

    func testGoldenPositionalEncodingScratch() throws {
        let c = try Golden.case("attention", "positional_encoding")
        let pe = PositionalEncodingScratch(numHiddens: 8, dropout: 0)
        check(pe(Tensor.zeros([1, 6, 8])), c.output, "positional_encoding scratch")
        check(PositionalEncodingScratch(numHiddens: 32, dropout: 0).P,
              PositionalEncoding.table(steps: 1000, numHiddens: 32), "scratch table = library table", atol: 1e-4)
    }

    /// The book's `MultiHeadAttention` with biases and `NN.MultiheadAttention` given the same
    /// weights: equal outputs and equal gradients of inputs and weights, valid lengths given as
    /// a key padding mask.
    func testScratchMultiHeadEqualsLibrary() throws {
        Tensor.manualSeed(4)
        let (e, h) = (12, 3)
        let scratch = MultiHeadAttention(keySize: e, querySize: e, valueSize: e, numHiddens: e, numHeads: h,
                                         dropout: 0, bias: true)
        let library = MultiheadAttention(embedDim: e, numHeads: h, batchFirst: true)
        let w = Tensor.concatenate([scratch.W_q.weight.value, scratch.W_k.weight.value, scratch.W_v.weight.value])
        let b = Tensor.concatenate([scratch.W_q.bias!.value, scratch.W_k.bias!.value, scratch.W_v.bias!.value])
        try library.loadStateDict(["in_proj_weight": w, "in_proj_bias": b,
                                   "out_proj.weight": scratch.W_o.weight.value, "out_proj.bias": scratch.W_o.bias!.value])
        let q = Tensor.randn([2, 4, e]), kv = Tensor.randn([2, 6, e]), lens = [3, 5]
        let cot = Tensor.randn([2, 4, e])
        let gs = autogradGradients([q, kv], cotangent: cot) { scratch($0[0], $0[1], $0[1], validLens: lens) }
        let gl = autogradGradients([q, kv], cotangent: cot) {
            library($0[0], $0[1], $0[1], keyPaddingMask: keyPaddingMask(validLens: lens, keys: 6)).output
        }
        check(withNoGrad { library(q, kv, kv, keyPaddingMask: keyPaddingMask(validLens: lens, keys: 6)).output },
              withNoGrad { scratch(q, kv, kv, validLens: lens) }, "outputs")
        check(gl[0], gs[0], "d/dqueries")
        check(gl[1], gs[1], "d/dkeys-values")
        // Weight gradients from one loss each.
        scratch.zeroGrad(); library.zeroGrad()
        (scratch(q, kv, kv, validLens: lens) * cot).sum().backward()
        (library(q, kv, kv, keyPaddingMask: keyPaddingMask(validLens: lens, keys: 6)).output * cot).sum().backward()
        check(library.inProjWeight.grad!, Tensor.concatenate([scratch.W_q.weight.grad!, scratch.W_k.weight.grad!,
                                                               scratch.W_v.weight.grad!]), "d/din_proj_weight")
        check(library.inProjBias!.grad!, Tensor.concatenate([scratch.W_q.bias!.grad!, scratch.W_k.bias!.grad!,
                                                              scratch.W_v.bias!.grad!]), "d/din_proj_bias")
        check(library.outProj.weight.grad!, scratch.W_o.weight.grad!, "d/dout_proj.weight")
    }

    func testScoringPrintsTheBookOutputs() {
        Tensor.manualSeed(0)
        let toy = ScoringToy()
        let additive = AdditiveAttention(keySize: 2, querySize: 20, numHiddens: 8, dropout: 0.1)
        additive.eval()
        let expected = Tensor(shape: [2, 1, 4], scalars: [2, 3, 4, 5, 10, 11, 12, 13])
        check(additive(Tensor.randn([2, 1, 20]), toy.keys, toy.values, validLens: toy.validLens), expected, "additive")
        let dot = DotProductAttention(dropout: 0.5)
        dot.eval()
        let q = Tensor.randn([2, 1, 2])
        check(dot(q, toy.keys, toy.values, validLens: toy.validLens), expected, "dot product scratch")
        check(dotProductAttentionConcise(q, toy.keys, toy.values, validLens: toy.validLens).output, expected, "fused")
        let text = capture { runScoring(log: $0, figures: false, models: [.scratch, .concise]) }
        XCTAssertTrue(text.contains("DotProductAttention (scratch)"), text)
    }

    func testMultiheadShapes() {
        XCTAssertEqual(runMultihead(log: TextOutput(isTerminal: false) { _ in }, models: [.scratch, .concise],
                                    selfAttention: false), [[2, 4, 100], [2, 4, 100]])
        XCTAssertEqual(runMultihead(log: TextOutput(isTerminal: false) { _ in }, models: [.scratch, .concise],
                                    selfAttention: true), [[2, 4, 100], [2, 4, 100]])
    }

    func testNadarayaWatsonTrainsAndLossFalls() {
        Tensor.manualSeed(0)
        var losses: [Float] = []
        let text = capture { losses = runNadarayaWatson(log: $0, figures: false) }
        XCTAssertEqual(losses.count, 5)
        XCTAssertLessThan(losses.last!, losses.first!, text)
        XCTAssertTrue(losses.allSatisfy(\.isFinite))
        XCTAssertTrue(text.contains("epoch 5, loss"), text)
    }

    func testPositionalEncodingBinaryLines() {
        let text = capture { runPositionalEncoding(log: $0, figures: false, models: [.scratch]) }
        XCTAssertTrue(text.contains("5 in binary is 101"), text)
        XCTAssertTrue(text.contains("0 in binary is 000"), text)
    }

    /// Every section with figures on writes its named heat maps and plots.
    func testSectionsWriteTheirFigures() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ch08-figures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let saved = Figures.directory
        Figures.directory = dir
        defer { Figures.directory = saved; try? FileManager.default.removeItem(at: dir) }
        Tensor.manualSeed(0)
        _ = capture { log in
            runCues(log: log, figures: true)
            runNadarayaWatson(log: log, figures: true)
            runScoring(log: log, figures: true, models: [.scratch, .concise])
            runPositionalEncoding(log: log, figures: true, models: [.concise])
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["ch08-cues-eye.svg", "ch08-nadaraya-watson-average.svg",
                               "ch08-nadaraya-watson-nonparametric-weights.svg", "ch08-nadaraya-watson-nonparametric.svg",
                               "ch08-nadaraya-watson-parametric-weights.svg", "ch08-nadaraya-watson-parametric.svg",
                               "ch08-scoring-additive.svg", "ch08-scoring-dot-product-concise.svg",
                               "ch08-scoring-dot-product-scratch.svg",
                               "ch08-self-attention-positional-encoding-heatmap.svg",
                               "ch08-self-attention-positional-encoding.svg"])
    }

    // MARK: §10.4 Bahdanau attention

    // The decoder's shape, masking and book-composition tests are in D2LTests/Seq2SeqAttentionTests.

    /// A short run on four of the book's pairs: the loss falls, the book's lines are printed and
    /// the heat map of the last translation is written.
    func testShortBahdanauRunLossFallsAndWritesHeatmap() throws {
        let (iterator, srcVocab, tgtVocab) = tinyNMTData(bookNMTPairs)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ch08-bahdanau-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let saved = Figures.directory
        Figures.directory = dir
        defer { Figures.directory = saved; try? FileManager.default.removeItem(at: dir) }
        let o = try chapterCommand().parse(["bahdanau", "--epochs", "40", "--lr", "0.01", "--no-progress"])
        o.reseed()
        let captured = CapturedReport()
        let history = try runBahdanau(o, data: (iterator, srcVocab, tgtVocab), report: captured.report)
        XCTAssertEqual(history.epochs.count, 40)
        XCTAssertLessThan(history.final.trainLoss, history.epochs[0].trainLoss * 0.5)
        let text = captured.text
        for piece in ["additive attention, embeddings 32, 32 hidden, 2 layers, dropout 0.1", "Adam lr 0.01, 40 epochs",
                      " tokens/sec on cpu", "book:  loss 0.021, 4948.7 tokens/sec on cuda:0 (loss 0.019–0.022 over 20 builds)",
                      "\ngo . => ", "\ni'm home . => ", ", bleu ", "book:  go . => va !, bleu 1.000", "saved "] {
            XCTAssertTrue(text.contains(piece), "missing \(piece) in\n\(text)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(names.filter { $0.hasPrefix("ch08-bahdanau-attention") && $0.hasSuffix(".svg") }.count, 1, "\(names)")
    }
}
