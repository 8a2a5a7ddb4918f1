import Foundation
import NN
import Tensor
import TestSupport
import XCTest

/// `MultiheadAttention` (PyTorch semantics) against golden `transformer.json`
/// `nn_multihead_attention_key_padding`, and `PositionalEncoding` against `attention.json`.
final class MultiheadAttentionTests: XCTestCase {
    func check(_ got: Tensor, _ expected: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let c = compare(got, expected, label: label)
        XCTAssertTrue(c.ok, "\(c)", file: file, line: line)
    }

    func testKeyPaddingGolden() throws {
        let c = try Golden.case("transformer", "nn_multihead_attention_key_padding")
        let mha = MultiheadAttention(embedDim: 8, numHeads: 2, batchFirst: true)
        var state = c.inputs
        var x = ["query", "key", "value"].map { name -> Tensor in
            var t = state.removeValue(forKey: name)!
            t.requiresGrad = true
            return t
        }
        try mha.loadStateDict(state)
        let pad = c.intInputs["key_padding_mask"]!
        let mask = Tensor(shape: pad.shape, scalars: pad.data.map(Float.init))
        let (y, w) = mha(x[0], x[1], x[2], keyPaddingMask: mask)
        check(y, c.output, "forward")
        (y * c.cotangent!).sum().backward()
        for (i, name) in ["query", "key", "value"].enumerated() { check(x[i].grad!, c.grad(name), "d/d\(name)") }
        XCTAssertEqual(Set(mha.namedParameters().map { $0.name }),
                       ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
        for (name, p) in mha.namedParameters() { check(p.grad!, c.grad(name), "d/d\(name)") }
        // Averaged weights: rows sum to 1, padded keys of the second sequence get none.
        let ws = w!.scalars
        XCTAssertEqual(w!.shape, [2, 4, 5])
        for row in 0..<8 { XCTAssertEqual(ws[row * 5..<row * 5 + 5].reduce(0, +), 1, accuracy: 1e-5) }
        for i in 0..<4 { XCTAssertEqual(ws[20 + i * 5 + 3], 0); XCTAssertEqual(ws[20 + i * 5 + 4], 0) }
        x[0].requiresGrad = false
    }

    func testSequenceFirstLayoutAndCausalMask() {
        Tensor.manualSeed(2)
        let mha = MultiheadAttention(embedDim: 6, numHeads: 3)
        let x = Tensor.randn([2, 5, 6])
        let batchFirst = MultiheadAttention(embedDim: 6, numHeads: 3, batchFirst: true)
        try! batchFirst.loadStateDict(Dictionary(uniqueKeysWithValues: mha.namedParameters().map { ($0.name, $0.parameter.value) }))
        let causal = MultiheadAttention.causalMask(5)
        let (a, wa) = mha(x.transposed(0, 1), x.transposed(0, 1), x.transposed(0, 1), attnMask: causal,
                          averageAttnWeights: false)
        let (b, _) = batchFirst(x, x, x, attnMask: causal)
        check(a.transposed(0, 1), b, "(T, B, E) layout = batch-first")
        XCTAssertEqual(wa!.shape, [2, 3, 5, 5])
        XCTAssertEqual(wa!.scalars[1], 0, "query 0 cannot see key 1")
        XCTAssertEqual(mha(x, x, x, needWeights: false).weights == nil, true)
    }

    func testPositionalEncodingGolden() throws {
        let c = try Golden.case("attention", "positional_encoding")
        check(PositionalEncoding.table(steps: 6, numHiddens: 8), c.output, "table")
        let pe = PositionalEncoding(numHiddens: 8, dropout: 0.5)
        pe.eval()
        check(pe(Tensor.zeros([2, 6, 8])).slice(axis: 0, 1..<2), c.output, "layer adds P (eval: no dropout)")
    }
}
