import D2L
import NN
import Tensor

// The sequence models of `Benchmarks step`, with torch_bench.py's `SEQ` shapes: random token ids
// `(batch, steps)` as input `X` and target `Y`, mean cross-entropy over the `batch × steps`
// targets, gradient clipping to norm 1, then the optimizer; throughput in tokens (`batch × steps`).

/// `(batch, steps)` random token ids in `0..<vocab` (whole-number `Float`s, `torch.randint`'s role).
func randomTokens(_ batch: Int, _ steps: Int, vocab: Int, generator: inout SeededGenerator) -> Tensor {
    Tensor(shape: [batch, steps], scalars: (0..<(batch * steps)).map { _ in Float(Int(generator.next() % UInt64(vocab))) })
}

/// A sequence model entry: `makeLoss` builds the model on the ids `X`, `Y` and returns its
/// parameters and the loss of one forward pass; the step is zeroGrad, backward, clip to 1, step.
func sequenceModel(_ name: String, batch: Int, steps: Int, vocab: Int,
                   optimizer makeOptimizer: @escaping ([Parameter]) -> Optimizer,
                   _ makeLoss: @escaping (_ X: Tensor, _ Y: Tensor) -> (parameters: [Parameter], loss: () -> Tensor)) -> StepModel {
    StepModel(name: name, perStep: batch * steps, unit: "tokens", shape: "batch \(batch), \(steps) steps") {
        Tensor.manualSeed(0)
        var gen = SeededGenerator(seed: 1)
        let X = randomTokens(batch, steps, vocab: vocab, generator: &gen)
        let Y = randomTokens(batch, steps, vocab: vocab, generator: &gen)
        let (parameters, loss) = makeLoss(X, Y)
        let optimizer = makeOptimizer(parameters)
        return {
            optimizer.zeroGrad()
            loss().backward()
            _ = gradClipping(parameters, theta: 1)
            optimizer.step()
        }
    }
}

/// Book §8.6, §9.1–9.4: a character-level language model (`RNNModel`: one-hot over 28
/// characters, the recurrent layer, `Linear` to the vocabulary), batch 32 × 35 steps, SGD.
func charModel(_ name: String, lr: Float, _ layer: @escaping () -> RNNBase) -> StepModel {
    sequenceModel(name, batch: 32, steps: 35, vocab: 28, optimizer: { SGD(parameters: $0, lr: lr) }) { X, Y in
        let net = RNNModel(layer(), vocabSize: 28)
        let y = Y.transposed().reshaped(to: [-1])          // time-major, as the model's logits
        let loss = CrossEntropyLoss()
        return (net.parameters(), { loss(net(X, net.beginState(batchSize: X.shape[0])).output, y) })
    }
}

/// Book §9.7: the GRU encoder–decoder (embed 32, hidden 32, 2 layers, dropout 0.1) on a
/// 200-token vocabulary, batch 64 × 10 steps, teacher-forced on `Y`, masked softmax
/// cross-entropy (every token valid, averaged: torch_bench's `F.cross_entropy`), Adam 0.005.
func seq2seqModel() -> StepModel {
    let (batch, steps, vocab) = (64, 10, 200)
    return sequenceModel("seq2seq", batch: batch, steps: steps, vocab: vocab,
                         optimizer: { Adam(parameters: $0, lr: 0.005) }) { X, Y in
        let net = EncoderDecoder(
            Seq2SeqEncoder(vocabSize: vocab, embedSize: 32, numHiddens: 32, numLayers: 2, dropout: 0.1),
            Seq2SeqDecoder(vocabSize: vocab, embedSize: 32, numHiddens: 32, numLayers: 2, dropout: 0.1))
        let loss = MaskedSoftmaxCELoss()
        let validLen = [Int](repeating: steps, count: batch)
        return (net.parameters(), { loss(net(X, Y, validLen: nil).output, Y, validLen: validLen).mean() })
    }
}

/// Book §10.7: the Transformer (d 32, FFN 64, 4 heads, 2 + 2 blocks, dropout 0.1, post-LN) on a
/// 200-token vocabulary, batch 64 × 10 steps, teacher-forced on `Y` with the causal mask, no
/// padding masks (torch_bench's `nn.Transformer` gets none), mean cross-entropy over every token,
/// Adam 0.005. Library blocks (`conciseTransformer`); torch_bench's `nn.Transformer` also has a
/// final LayerNorm on each stack, which the book's (post-LN) model does not.
func transformerModel() -> StepModel {
    let (batch, steps, vocab) = (64, 10, 200)
    return sequenceModel("transformer", batch: batch, steps: steps, vocab: vocab,
                         optimizer: { Adam(parameters: $0, lr: 0.005) }) { X, Y in
        let net = conciseTransformer(srcVocab: vocab, tgtVocab: vocab, numHiddens: 32, ffnNumHiddens: 64, numHeads: 4,
                                     numLayers: 2, dropout: 0.1)
        let loss = MaskedSoftmaxCELoss()
        let validLen = [Int](repeating: steps, count: batch)
        return (net.parameters(), { loss(net(X, Y, validLen: nil).output, Y, validLen: validLen).mean() })
    }
}
