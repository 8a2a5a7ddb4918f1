import Foundation
import XCTest
@testable import Chapter09_Transformer
import D2L
import NN
import Tensor
import TestSupport

/// Chapter09-Transformer (book §10.7): the scratch blocks against golden `transformer.json` and
/// against the library layers given the same weights (outputs and gradients, both norm orders),
/// cached step-by-step decoding = the masked full pass, the book's shape checks, short runs.
final class Chapter09Tests: XCTestCase {
    func check(_ got: Tensor, _ expected: Tensor, _ label: String, atol: Float = 1e-5,
               file: StaticString = #filePath, line: UInt = #line) {
        let c = compare(got, expected, atol: atol, label: label)
        XCTAssertTrue(c.ok, "\(c)", file: file, line: line)
    }

    /// Loads golden `nn.TransformerEncoderLayer` weights into a scratch `EncoderBlock` (biases on).
    func scratchBlock(from c: GoldenCase, normFirst: Bool) -> EncoderBlock {
        let block = EncoderBlock(numHiddens: 8, ffnNumHiddens: 16, numHeads: 2, dropout: 0, useBias: true, normFirst: normFirst)
        let w = c.input("self_attn.in_proj_weight"), b = c.input("self_attn.in_proj_bias")
        for (i, l) in [block.attention.W_q, block.attention.W_k, block.attention.W_v].enumerated() {
            l.weight.value = w.slice(axis: 0, (i * 8)..<((i + 1) * 8))
            l.bias!.value = b.slice(axis: 0, (i * 8)..<((i + 1) * 8))
        }
        block.attention.W_o.weight.value = c.input("self_attn.out_proj.weight")
        block.attention.W_o.bias!.value = c.input("self_attn.out_proj.bias")
        block.ffn.dense1.weight.value = c.input("linear1.weight"); block.ffn.dense1.bias!.value = c.input("linear1.bias")
        block.ffn.dense2.weight.value = c.input("linear2.weight"); block.ffn.dense2.bias!.value = c.input("linear2.bias")
        for (i, n) in [block.addnorm1, block.addnorm2].enumerated() {
            n.ln.weight.value = c.input("norm\(i + 1).weight"); n.ln.bias.value = c.input("norm\(i + 1).bias")
        }
        return block
    }

    /// The scratch encoder block = PyTorch's `nn.TransformerEncoderLayer` (golden), both orders.
    func testScratchEncoderBlockGolden() throws {
        for (name, normFirst) in [("transformer_encoder_layer_post_ln", false), ("transformer_encoder_layer_pre_ln", true)] {
            let c = try Golden.case("transformer", name)
            let block = scratchBlock(from: c, normFirst: normFirst)
            var src = c.input("src")
            src.requiresGrad = true
            let y = block(src, validLens: nil)
            check(y, c.output, "\(name) forward")
            (y * c.cotangent!).sum().backward()
            check(src.grad!, c.grad("src"), "\(name) d/dsrc")
            check(block.ffn.dense1.weight.grad!, c.grad("linear1.weight"), "\(name) d/dlinear1.weight")
            check(block.addnorm1.ln.weight.grad!, c.grad("norm1.weight"), "\(name) d/dnorm1.weight")
            check(Tensor.concatenate([block.attention.W_q.weight.grad!, block.attention.W_k.weight.grad!,
                                      block.attention.W_v.weight.grad!]), c.grad("self_attn.in_proj_weight"),
                  "\(name) d/din_proj_weight")
        }
    }

    /// Every gradient of `scratch` (by PyTorch name) against `concise`'s.
    func checkGradients(_ scratch: [String: Tensor], _ concise: Module, _ label: String) {
        let grads = Dictionary(uniqueKeysWithValues: concise.namedParameters().map { ($0.name, $0.parameter.grad!) })
        XCTAssertEqual(Set(scratch.keys), Set(grads.keys), label)
        for (name, g) in scratch { check(g, grads[name]!, "\(label) d/d\(name)", atol: 1e-4) }
    }

    /// The scratch blocks' gradients under PyTorch's names (`encoderLayerState` applied to grads).
    func encoderGrads(_ b: EncoderBlock) -> [String: Tensor] {
        gradsByName(encoderLayerState(b), b, names: encoderNames(b))
    }
    func decoderGrads(_ b: DecoderBlock) -> [String: Tensor] {
        gradsByName(decoderLayerState(b), b, names: decoderNames(b))
    }
    func encoderNames(_ b: EncoderBlock) -> [String: [Parameter]] {
        attentionNames(b.attention, "self_attn.").merging(normFFNNames([b.addnorm1, b.addnorm2], b.ffn)) { a, _ in a }
    }
    func decoderNames(_ b: DecoderBlock) -> [String: [Parameter]] {
        attentionNames(b.attention1, "self_attn.").merging(attentionNames(b.attention2, "multihead_attn.")) { a, _ in a }
            .merging(normFFNNames([b.addnorm1, b.addnorm2, b.addnorm3], b.ffn)) { a, _ in a }
    }
    func attentionNames(_ a: MultiHeadAttention, _ p: String) -> [String: [Parameter]] {
        [p + "in_proj_weight": [a.W_q.weight, a.W_k.weight, a.W_v.weight], p + "in_proj_bias": [a.W_q.bias!, a.W_k.bias!, a.W_v.bias!],
         p + "out_proj.weight": [a.W_o.weight], p + "out_proj.bias": [a.W_o.bias!]]
    }
    func normFFNNames(_ norms: [AddNorm], _ f: PositionWiseFFN) -> [String: [Parameter]] {
        var d = ["linear1.weight": [f.dense1.weight], "linear1.bias": [f.dense1.bias!],
                 "linear2.weight": [f.dense2.weight], "linear2.bias": [f.dense2.bias!]]
        for (i, n) in norms.enumerated() { d["norm\(i + 1).weight"] = [n.ln.weight]; d["norm\(i + 1).bias"] = [n.ln.bias] }
        return d
    }
    func gradsByName(_ state: [String: Tensor], _ m: Module, names: [String: [Parameter]]) -> [String: Tensor] {
        XCTAssertEqual(Set(state.keys), Set(names.keys))
        return names.mapValues { ps in Tensor.concatenate(ps.map { $0.grad! }) }
    }

    /// Scratch `EncoderBlock` = `NN.TransformerEncoderLayer` and scratch `DecoderBlock` =
    /// `NN.TransformerDecoderLayer` with the same weights, valid lengths as masks: outputs and
    /// every gradient, post-LN and pre-LN.
    func testScratchBlocksEqualLibraryLayers() throws {
        for normFirst in [false, true] {
            Tensor.manualSeed(11)
            let (d, heads, ffn) = (8, 2, 12)
            let lens = [3, 5]
            let scratchEnc = EncoderBlock(numHiddens: d, ffnNumHiddens: ffn, numHeads: heads, dropout: 0, useBias: true,
                                          normFirst: normFirst)
            let conciseEnc = TransformerEncoderLayer(dModel: d, nhead: heads, dimFeedforward: ffn, dropout: 0,
                                                     batchFirst: true, normFirst: normFirst)
            for m in [scratchEnc.addnorm1.ln, scratchEnc.addnorm2.ln] { m.weight.value = Tensor.randn([d]); m.bias.value = Tensor.randn([d]) }
            try conciseEnc.loadStateDict(encoderLayerState(scratchEnc))
            let x = Tensor.randn([2, 5, d])
            let ys = scratchEnc(x, validLens: lens), yc = conciseEnc(x, validLens: lens)
            check(ys, yc, "encoder normFirst \(normFirst)")
            let cot = Tensor.randn(ys.shape)
            (ys * cot).sum().backward()
            (yc * cot).sum().backward()
            checkGradients(encoderGrads(scratchEnc), conciseEnc, "encoder normFirst \(normFirst)")

            let scratchDec = DecoderBlock(numHiddens: d, ffnNumHiddens: ffn, numHeads: heads, dropout: 0, useBias: true,
                                          normFirst: normFirst)
            let conciseDec = TransformerDecoderLayer(dModel: d, nhead: heads, dimFeedforward: ffn, dropout: 0,
                                                     batchFirst: true, normFirst: normFirst)
            try conciseDec.loadStateDict(decoderLayerState(scratchDec))
            let memory = Tensor.randn([2, 5, d]), tgt = Tensor.randn([2, 4, d])
            let zs = scratchDec(tgt, encOutputs: memory, encValidLens: lens, cache: nil)
            let zc = conciseDec(tgt, encOutputs: memory, encValidLens: lens, cache: nil)
            check(zs, zc, "decoder normFirst \(normFirst)")
            let cot2 = Tensor.randn(zs.shape)
            (zs * cot2).sum().backward()
            (zc * cot2).sum().backward()
            checkGradients(decoderGrads(scratchDec), conciseDec, "decoder normFirst \(normFirst)")
        }
    }

    /// Regression: the scratch multi-head attention repeats per-query valid lengths `(B, Q)` row
    /// by row for each head (it used to repeat each element, mixing up queries and heads).
    func testScratchMultiHeadPerQueryValidLens() {
        Tensor.manualSeed(12)
        let mha = MultiHeadAttention(keySize: 8, querySize: 8, valueSize: 8, numHiddens: 8, numHeads: 2, dropout: 0)
        let x = Tensor.randn([2, 3, 8])
        let causal = mha(x, x, x, validLens: causalValidLens(batch: 2, steps: 3))
        for q in 0..<3 {   // query q sees keys 0…q: the same as attending over the first q + 1 steps only
            let prefix = x.slice(axis: 1, 0...q)
            let alone = mha(x.slice(axis: 1, q...q), prefix, prefix, validLens: nil)
            check(causal.slice(axis: 1, q...q), alone, "query \(q)")
        }
    }

    /// The decoder fed one token at a time (key/value caches, positions offset) gives what one
    /// causally masked call on the whole target gives; scratch and concise, both orders.
    func testIncrementalDecodingEqualsMaskedForward() {
        for version in [ModelVersion.scratch, .concise] {
            for normFirst in [false, true] {
                Tensor.manualSeed(13)
                let config = TransformerConfig(numHiddens: 16, ffnNumHiddens: 24, numHeads: 2, numLayers: 2, dropout: 0.1,
                                               numSteps: 6, normFirst: normFirst)
                let net = config.model(version, srcVocab: 11, tgtVocab: 13)
                net.eval()
                let src = Tensor(shape: [2, 6], scalars: (0..<12).map { Float($0 % 11) })
                let validLen = Tensor([4, 6])
                let tgt = Tensor(shape: [2, 5], scalars: (0..<10).map { Float(($0 * 5) % 13) })
                let encoded = net.encoder(src, validLen: validLen)
                let full = net.decoder(tgt, net.decoder.initState(encoded, validLen: validLen)).output
                var state = net.decoder.initState(encoded, validLen: validLen)
                var steps: [Tensor] = []
                for t in 0..<5 {
                    let (y, next) = net.decoder(tgt.slice(axis: 1, t...t), state)
                    steps.append(y)
                    state = next
                }
                XCTAssertEqual(state.keyValues.compactMap { $0?.shape }, [[2, 5, 16], [2, 5, 16]])
                check(Tensor.concatenate(steps, axis: 1), full, "\(version) normFirst \(normFirst)", atol: 1e-4)
            }
        }
    }

    /// The book's shape checks.
    func testShapeChecks() {
        Tensor.manualSeed(0)
        let shapes = printShapeChecks(.silent)
        XCTAssertEqual(shapes, [[2, 3, 8], [2, 100, 24], [2, 100, 24], [2, 100, 24]])
        let captured = CapturedReport()
        printShapeChecks(captured.report)
        XCTAssertTrue(captured.text.contains("layer norm on [[1, 2], [2, 3]]: [-1.0000, 1.0000, -1.0000, 1.0000], "
                                             + "batch norm: [-1.0000, -1.0000, 1.0000, 1.0000]"), captured.text)
    }

    /// Pre-LN stacks end in a layer norm; the scratch and concise models have the sizes they should.
    func testModelStructure() {
        let post = TransformerConfig().model(.concise, srcVocab: 184, tgtVocab: 201)
        XCTAssertNil(post.encoder.norm)
        var pre = TransformerConfig()
        pre.normFirst = true
        XCTAssertNotNil(pre.model(.scratch, srcVocab: 184, tgtVocab: 201).decoder.norm)
        let scratch = TransformerConfig().model(.scratch, srcVocab: 184, tgtVocab: 201)
        // Attention without biases (the book's use_bias=False): 4·32² per attention, 3 attentions per 2 blocks … plus
        // the concise model's attention biases 4·32 per attention.
        XCTAssertEqual(post.parameterCount - scratch.parameterCount, 6 * 4 * 32)
    }

    /// A short run of the section on the book's four pairs: the loss falls, lines and heat maps.
    func testShortTransformerRun() throws {
        let data = tinyNMTData(bookNMTPairs)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ch09-transformer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let saved = Figures.directory
        Figures.directory = dir
        defer { Figures.directory = saved; try? FileManager.default.removeItem(at: dir) }
        let o = try chapterCommand().parse(["transformer", "--epochs", "30", "--lr", "0.01", "--no-progress"])
        o.reseed()
        let captured = CapturedReport()
        let histories = try runTransformer(o, data: data, report: captured.report)
        XCTAssertEqual(histories.count, 1)
        XCTAssertLessThan(histories[0].final.trainLoss, histories[0].epochs[0].trainLoss * 0.5)
        for piece in ["scratch: d 32, FFN 64, 4 heads, 2 + 2 blocks, dropout 0.1, post-LN", " tokens/sec on cpu",
                      "\ngo . => ", ", bleu ", "book:  loss 0.030, 5202.9 tokens/sec on cuda:0"] {
            XCTAssertTrue(captured.text.contains(piece), "missing \(piece) in\n\(captured.text)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["ch09-transformer-scratch-decoder-encoder-epochs-30-lr-0.01.svg",
                               "ch09-transformer-scratch-decoder-self-epochs-30-lr-0.01.svg",
                               "ch09-transformer-scratch-encoder-epochs-30-lr-0.01.svg",
                               "ch09-transformer-scratch-epochs-30-lr-0.01.svg"])
    }

    /// The exercise on the four pairs: both orders train from the same start, report gradient
    /// norms, and the figure has both curves.
    func testShortNormOrderRun() throws {
        let o = try chapterCommand().parse(["norm-order", "--epochs", "10", "--lr", "0.01", "--no-progress", "--no-figures"])
        let captured = CapturedReport()
        let runs = try runNormOrder(o, makeData: { tinyNMTData(bookNMTPairs) }, report: captured.report)
        XCTAssertEqual(runs.map(\.name), ["post-LN", "pre-LN"])
        for run in runs {
            XCTAssertEqual(run.initialGradNorms.encoder.count, 2)
            XCTAssertTrue(run.initialGradNorms.encoder.allSatisfy { $0 > 0 && $0.isFinite })
            XCTAssertLessThan(run.history.final.trainLoss, run.history.epochs[0].trainLoss)
        }
        XCTAssertNotEqual(runs[0].history.epochs[0].trainLoss, runs[1].history.epochs[0].trainLoss)
        XCTAssertTrue(captured.text.contains("pre-LN: final loss "), captured.text)
    }
}
