import Foundation
import NN
import Tensor
import TestSupport
import XCTest

/// `TransformerEncoderLayer` against golden `transformer.json` (PyTorch's
/// `nn.TransformerEncoderLayer`, post-LN and pre-LN, output and every weight's gradient), and
/// `TransformerDecoderLayer`: PyTorch's parameter names, the norm orders, and cached step-by-step
/// decoding = one causally masked call.
final class TransformerLayerTests: XCTestCase {
    func check(_ got: Tensor, _ expected: Tensor, _ label: String, atol: Float = 1e-5,
               file: StaticString = #filePath, line: UInt = #line) {
        let c = compare(got, expected, atol: atol, label: label)
        XCTAssertTrue(c.ok, "\(c)", file: file, line: line)
    }

    func checkEncoderGolden(_ name: String, normFirst: Bool) throws {
        let c = try Golden.case("transformer", name)
        let layer = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true,
                                            normFirst: normFirst)
        var weights = c.inputs
        var src = weights.removeValue(forKey: "src")!
        src.requiresGrad = true
        try layer.loadStateDict(weights)
        let y = layer(src)
        check(y, c.output, "\(name) forward")
        (y * c.cotangent!).sum().backward()
        check(src.grad!, c.grad("src"), "\(name) d/dsrc")
        XCTAssertEqual(layer.namedParameters().count, 12)
        for (pname, p) in layer.namedParameters() { check(p.grad!, c.grad(pname), "\(name) d/d\(pname)") }
    }

    func testEncoderLayerPostLNGolden() throws {
        try checkEncoderGolden("transformer_encoder_layer_post_ln", normFirst: false)
    }

    func testEncoderLayerPreLNGolden() throws {
        try checkEncoderGolden("transformer_encoder_layer_pre_ln", normFirst: true)
    }

    func testDecoderLayerNamesAndBias() {
        let layer = TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16)
        XCTAssertEqual(layer.namedParameters().map(\.name), [
            "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "multihead_attn.in_proj_weight", "multihead_attn.in_proj_bias", "multihead_attn.out_proj.weight",
            "multihead_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
            "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight", "norm3.bias"])
        XCTAssertEqual(TransformerEncoderLayer(dModel: 8, nhead: 2, bias: false).namedParameters().map(\.name),
                       ["self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight", "linear2.weight",
                        "norm1.weight", "norm2.weight"])
    }

    /// The decoder layer from its parts, written out: post-LN and pre-LN.
    func testDecoderLayerMatchesItsDefinition() {
        for normFirst in [false, true] {
            Tensor.manualSeed(3)
            let layer = TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 12, dropout: 0, batchFirst: true,
                                                normFirst: normFirst)
            for (_, p) in layer.namedParameters() where p.shape.count == 1 { p.value = Tensor.randn(p.shape) }
            let tgt = Tensor.randn([2, 4, 8]), memory = Tensor.randn([2, 5, 8])
            let causal = MultiheadAttention.causalMask(4)
            let y = layer(tgt, memory: memory, tgtMask: causal)
            func sa(_ x: Tensor) -> Tensor { layer.selfAttn(x, x, x, attnMask: causal).output }
            func ca(_ x: Tensor) -> Tensor { layer.multiheadAttn(x, memory, memory).output }
            func ff(_ x: Tensor) -> Tensor { layer.linear2(layer.linear1(x).relu()) }
            var x = tgt
            if normFirst {
                x = x + sa(layer.norm1(x)); x = x + ca(layer.norm2(x)); x = x + ff(layer.norm3(x))
            } else {
                x = layer.norm1(x + sa(x)); x = layer.norm2(x + ca(x)); x = layer.norm3(x + ff(x))
            }
            check(y, x, "normFirst \(normFirst)")
        }
    }

    /// One token at a time with the layer's own inputs as the cache = one causally masked call.
    func testDecoderLayerCacheEqualsMaskedCall() {
        for normFirst in [false, true] {
            Tensor.manualSeed(4)
            let layer = TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 12, batchFirst: true, normFirst: normFirst)
            layer.eval()
            let tgt = Tensor.randn([2, 5, 8]), memory = Tensor.randn([2, 3, 8])
            let pad = Tensor([[0, 0, 1], [0, 0, 0]] as [[Float]])
            let full = layer(tgt, memory: memory, tgtMask: MultiheadAttention.causalMask(5), memoryKeyPaddingMask: pad)
            var steps: [Tensor] = []
            for t in 0..<5 {
                let cache = t == 0 ? nil : tgt.slice(axis: 1, 0..<t)
                steps.append(layer(tgt.slice(axis: 1, t..<(t + 1)), memory: memory, memoryKeyPaddingMask: pad, cache: cache))
            }
            check(Tensor.concatenate(steps, axis: 1), full, "normFirst \(normFirst)")
            let unmasked = layer(tgt, memory: memory, memoryKeyPaddingMask: pad)
            XCTAssertFalse(compare(unmasked, full, label: "no mask").ok, "the mask must matter")
        }
    }

    func testSequenceFirstLayoutAndDescription() {
        Tensor.manualSeed(5)
        let a = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0)
        let b = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true)
        try! b.loadStateDict(Dictionary(uniqueKeysWithValues: a.namedParameters().map { ($0.name, $0.parameter.value) }))
        let x = Tensor.randn([2, 3, 8])
        check(a(x.transposed(0, 1)).transposed(0, 1), b(x), "(T, B, d) = batch-first")
        XCTAssertTrue(a.description.contains("activation: relu"))
        let tanh = TransformerEncoderLayer(dModel: 8, nhead: 2, activation: TransformerActivation("tanh") { $0.tanh() })
        XCTAssertTrue(tanh.description.contains("activation: tanh"))
    }
}
