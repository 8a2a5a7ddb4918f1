import Foundation
import NN
import Tensor
import TestSupport
import XCTest
@testable import D2L

/// Book §10.3.3 and §10.4: the fused additive-attention scores against plain loops and the book's
/// composition (values and gradients); the Bahdanau decoder's shapes, masking, and equality with
/// the book's step-by-step composition (keys projected at every step, scores by broadcast → tanh →
/// `w_v`), outputs and every parameter's gradient.
final class Seq2SeqAttentionTests: XCTestCase {
    func check(_ got: Tensor, _ expected: Tensor, _ label: String, atol: Float = 1e-5,
               file: StaticString = #filePath, line: UInt = #line) {
        let c = compare(got, expected, atol: atol, label: label)
        XCTAssertTrue(c.ok, "\(c)", file: file, line: line)
    }

    /// The book's scoring MLP: `w_v(tanh(q.unsqueeze(2) + k.unsqueeze(1))).squeeze(-1)`.
    func bookScores(_ q: Tensor, _ k: Tensor, _ w: Tensor) -> Tensor {
        linear((q.unsqueezed(2) + k.unsqueezed(1)).tanh(), weight: w.reshaped(to: [1, -1]), bias: nil).squeezed(-1)
    }

    /// h = 20 runs one SIMD chunk and a scalar tail; h = 32 two chunks; h = 5 the tail only.
    func testFusedScoresMatchLoopsAndTheBooksComposition() {
        var gen = SeededGenerator(seed: 3)
        for (B, Q, K, h) in [(2, 3, 5, 20), (3, 1, 4, 32), (1, 2, 3, 5)] {
            let q = Tensor.uniform([B, Q, h], low: -1.5, high: 1.5, generator: &gen)
            let k = Tensor.uniform([B, K, h], low: -1.5, high: 1.5, generator: &gen)
            let w = Tensor.uniform([h], low: -1, high: 1, generator: &gen)
            let cot = Tensor.uniform([B, Q, K], low: -1, high: 1, generator: &gen)
            let fused = withNoGrad { Tensor.additiveAttentionScores(q, k, w: w) }
            let loops = AdditiveScoreKernels.naiveForward(q: q.scalars, k: k.scalars, w: w.scalars,
                                                          batch: B, queries: Q, keys: K, hidden: h)
            check(fused, Tensor(shape: [B, Q, K], scalars: loops), "h \(h) fused vs loops")
            check(fused, withNoGrad { bookScores(q, k, w) }, "h \(h) fused vs book")
            let gFused = autogradGradients([q, k, w], cotangent: cot) { Tensor.additiveAttentionScores($0[0], $0[1], w: $0[2]) }
            let gBook = autogradGradients([q, k, w], cotangent: cot) { bookScores($0[0], $0[1], $0[2]) }
            for (i, name) in ["q", "k", "w"].enumerated() { check(gFused[i], gBook[i], "h \(h) d/d\(name)", atol: 1e-5) }
        }
    }

    func testFusedScoresGradCheck() {
        var gen = SeededGenerator(seed: 4)
        let inputs = [Tensor.uniform([2, 2, 17], low: -1, high: 1, generator: &gen),
                      Tensor.uniform([2, 3, 17], low: -1, high: 1, generator: &gen),
                      Tensor.uniform([17], low: -1, high: 1, generator: &gen)]
        for c in gradCheck(inputs, label: "additiveAttentionScores", { Tensor.additiveAttentionScores($0[0], $0[1], w: $0[2]) }) {
            XCTAssertTrue(c.ok, "\(c)")
        }
    }

    /// BOOK.md's shape check: decoder (vocab 10, embed 8, hidden 16, 2 layers) on a (4, 7) batch.
    func testBahdanauDecoderShapes() {
        Tensor.manualSeed(0)
        let encoder = Seq2SeqEncoder(vocabSize: 10, embedSize: 8, numHiddens: 16, numLayers: 2)
        let decoder = Seq2SeqAttentionDecoder(vocabSize: 10, embedSize: 8, numHiddens: 16, numLayers: 2)
        encoder.eval()
        decoder.eval()
        let X = Tensor.zeros([4, 7])
        let state = decoder.initState(encoder(X, validLen: nil), validLen: nil)
        let (output, next) = decoder(X, state)
        XCTAssertEqual(output.shape, [4, 7, 10])
        XCTAssertEqual(Mirror(reflecting: next).children.count, 3, "the book's [enc_outputs, hidden_state, enc_valid_lens]")
        XCTAssertEqual(next.encOutputs.shape, [4, 7, 16])
        XCTAssertEqual(next.hidden.shape, [2, 4, 16])
        XCTAssertNil(next.encValidLens)
        XCTAssertEqual(decoder.attentionWeights?.shape, [4, 7, 7], "one row of weights per target step")
    }

    /// Every step's weights sum to 1 over the valid source positions and are 0 past them; the
    /// query changes with the step, so the rows differ.
    func testBahdanauAttentionWeightsAreMasked() throws {
        Tensor.manualSeed(1)
        let encoder = Seq2SeqEncoder(vocabSize: 10, embedSize: 8, numHiddens: 16, numLayers: 2)
        let decoder = Seq2SeqAttentionDecoder(vocabSize: 10, embedSize: 8, numHiddens: 16, numLayers: 2)
        encoder.eval()
        decoder.eval()
        let lens = [3, 7, 1, 5]
        let X = Tensor(shape: [4, 7], scalars: (0..<28).map { Float($0 * 7 % 10) })
        let validLen = Tensor(lens.map(Float.init))
        let state = decoder.initState(encoder(X, validLen: validLen), validLen: validLen)
        XCTAssertEqual(state.encValidLens, lens)
        _ = decoder(X.slice(axis: 1, 0..<5), state)
        let w = try XCTUnwrap(decoder.attentionWeights)
        XCTAssertEqual(w.shape, [4, 5, 7])
        let a = w.scalars
        for b in 0..<4 {
            for t in 0..<5 {
                let row = Array(a[(b * 5 + t) * 7..<(b * 5 + t + 1) * 7])
                XCTAssertEqual(row.prefix(lens[b]).reduce(0, +), 1, accuracy: 1e-5, "batch \(b) step \(t)")
                XCTAssertEqual(row.dropFirst(lens[b]), Array(repeating: 0, count: 7 - lens[b])[...], "batch \(b) step \(t)")
            }
        }
        let row0 = Array(a[7..<14]), row1 = Array(a[14..<21])  // batch 0, steps 1 and 2
        XCTAssertNotEqual(row0, row1, "each step queries with its own hidden state")
    }

    /// The book's forward, written out with the decoder's own layers: at every step the keys are
    /// projected again and scored by the broadcast composition; the GRU input is built by
    /// permutes as in the book's `torch.cat((context, x), dim=-1).permute(1, 0, 2)`.
    func bookDecoder(_ d: Seq2SeqAttentionDecoder, _ x: Tensor, _ state: Seq2SeqAttentionDecoder.State) -> Tensor {
        let embedded = d.embedding(x).permuted([1, 0, 2])
        let (L, B, H) = (state.hidden.shape[0], state.hidden.shape[1], state.hidden.shape[2])
        var hidden = state.hidden, outputs: [Tensor] = []
        let a = d.attention
        for t in 0..<embedded.shape[0] {
            let query = hidden.slice(axis: 0, (L - 1)..<L).reshaped(to: [B, 1, H])
            let scores = a.w_v((a.W_q(query).unsqueezed(2) + a.W_k(state.encOutputs).unsqueezed(1)).tanh()).squeezed(-1)
            let context = Tensor.maskedSoftmax(scores, validLens: state.encValidLens).bmm(state.encOutputs)
            let step = embedded.slice(axis: 0, t..<(t + 1)).permuted([1, 0, 2])
            let (output, next) = d.rnn(Tensor.concatenate([context, step], axis: 2).permuted([1, 0, 2]), hidden)
            hidden = next
            outputs.append(output)
        }
        return d.dense(Tensor.concatenate(outputs, axis: 0)).permuted([1, 0, 2])
    }

    func testDecoderMatchesTheBooksComposition() {
        Tensor.manualSeed(5)
        let encoder = Seq2SeqEncoder(vocabSize: 12, embedSize: 8, numHiddens: 16, numLayers: 2)
        let decoder = Seq2SeqAttentionDecoder(vocabSize: 12, embedSize: 8, numHiddens: 16, numLayers: 2)
        encoder.eval()
        decoder.eval()
        let X = Tensor(shape: [3, 6], scalars: (0..<18).map { Float($0 * 5 % 12) })
        let Y = Tensor(shape: [3, 6], scalars: (0..<18).map { Float($0 * 7 % 12) })
        let validLen = Tensor([6, 2, 4])
        var gen = SeededGenerator(seed: 6)
        let cot = Tensor.uniform([3, 6, 12], low: -1, high: 1, generator: &gen)
        let parameters = decoder.parameters() + encoder.parameters()
        func run(_ f: (Seq2SeqAttentionDecoder.State) -> Tensor) -> (Tensor, [Tensor]) {
            for p in parameters { p.zeroGrad() }
            let y = f(decoder.initState(encoder(X, validLen: validLen), validLen: validLen))
            (y * cot).sum().backward()
            return (y.detached(), parameters.map { $0.grad ?? Tensor.zeros($0.value.shape) })
        }
        let (ours, ourGrads) = run { decoder(Y, $0).output }
        let (book, bookGrads) = run { bookDecoder(decoder, Y, $0) }
        check(ours, book, "logits")
        XCTAssertGreaterThan(ourGrads.map { $0.scalars.map(abs).max()! }.max()!, 0)
        for (p, (g, e)) in zip(parameters, zip(ourGrads, bookGrads)) { check(g, e, "d/d\(p.name ?? "?")", atol: 1e-5) }
    }
}
