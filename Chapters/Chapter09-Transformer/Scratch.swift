import D2L
import NN
import Tensor

// The book's Transformer blocks (§10.7.2–10.7.5) from the attention chapter's scratch
// `MultiHeadAttention` (D2L Models/AttentionScratch.swift), a layer norm from primitives and the
// position-wise feed-forward network. `normFirst` swaps the residual/normalisation order for the
// exercise: post-LN `LN(x + sublayer(x))` (the book) or pre-LN `x + sublayer(LN(x))`.

/// §10.7.2 `PositionWiseFFN(ffn_num_input, ffn_num_hiddens, ffn_num_outputs)`: the same MLP at
/// every position, `dense2(relu(dense1(x)))`, `(B, T, in)` → `(B, T, out)`.
final class PositionWiseFFN: ModuleBase, Layer {
    let dense1: Linear, dense2: Linear

    init(ffnNumInput: Int, ffnNumHiddens: Int, ffnNumOutputs: Int) {
        dense1 = Linear(inputSize: ffnNumInput, outputSize: ffnNumHiddens)
        dense2 = Linear(inputSize: ffnNumHiddens, outputSize: ffnNumOutputs)
    }
    var children: [(name: String, module: Module)] { [("dense1", dense1), ("dense2", dense2)] }

    func callAsFunction(_ x: Tensor) -> Tensor { dense2(dense1(x).relu()) }
}

/// §10.7.3 layer normalisation from primitives: each position's features are normalised by their
/// own mean and biased variance, `y = γ ⊙ (x − μ)/√(σ² + ε) + β` (`NN.LayerNorm` is the fused op).
final class LayerNormScratch: ModuleBase, Layer {
    let weight: Parameter, bias: Parameter
    let eps: Float

    init(_ numFeatures: Int, eps: Float = 1e-5) {
        weight = Parameter(Tensor.ones([numFeatures]), name: "weight")
        bias = Parameter(Tensor.zeros([numFeatures]), name: "bias")
        self.eps = eps
    }
    var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let axis = x.rank - 1
        let mu = x.mean(alongAxes: [axis], keepDims: true)                    // (…, 1)
        let centered = x - mu
        let variance = (centered * centered).mean(alongAxes: [axis], keepDims: true)
        return centered / (variance + eps).sqrt() * weight.value + bias.value
    }
}

/// §10.7.3 `AddNorm(norm_shape, dropout)`: the residual connection and layer normalisation
/// around a sublayer. Post-LN (the book): `LN(x + dropout(sublayer(x)))`; pre-LN:
/// `x + dropout(sublayer(LN(x)))`.
final class AddNorm: ModuleBase, Module {
    let dropout: Dropout
    let ln: LayerNormScratch
    let normFirst: Bool

    init(_ numHiddens: Int, dropout: Float, normFirst: Bool = false) {
        self.dropout = Dropout(dropout)
        ln = LayerNormScratch(numHiddens)
        self.normFirst = normFirst
    }
    var children: [(name: String, module: Module)] { [("dropout", dropout), ("ln", ln)] }

    /// The book's `forward(X, Y)`: `LN(dropout(Y) + X)`.
    func callAsFunction(_ x: Tensor, _ y: Tensor) -> Tensor { ln(dropout(y) + x) }

    /// The residual block around `sublayer`, in this `AddNorm`'s order.
    func callAsFunction(_ x: Tensor, _ sublayer: (Tensor) -> Tensor) -> Tensor {
        normFirst ? x + dropout(sublayer(ln(x))) : self(x, sublayer(x))
    }
}

/// §10.7.4 `EncoderBlock`: multi-head self-attention (masked by the source valid lengths) and
/// the position-wise FFN, each inside an `AddNorm`. `(B, T, d)` → `(B, T, d)`.
final class EncoderBlock: ModuleBase, TransformerEncoderBlock {
    let attention: MultiHeadAttention
    let addnorm1: AddNorm, ffn: PositionWiseFFN, addnorm2: AddNorm
    var keepsAttentionWeights = false
    private(set) var attentionWeights: Tensor?

    init(numHiddens: Int, ffnNumHiddens: Int, numHeads: Int, dropout: Float, useBias: Bool = false, normFirst: Bool = false) {
        attention = MultiHeadAttention(keySize: numHiddens, querySize: numHiddens, valueSize: numHiddens,
                                       numHiddens: numHiddens, numHeads: numHeads, dropout: dropout, bias: useBias)
        addnorm1 = AddNorm(numHiddens, dropout: dropout, normFirst: normFirst)
        ffn = PositionWiseFFN(ffnNumInput: numHiddens, ffnNumHiddens: ffnNumHiddens, ffnNumOutputs: numHiddens)
        addnorm2 = AddNorm(numHiddens, dropout: dropout, normFirst: normFirst)
    }
    var children: [(name: String, module: Module)] {
        [("attention", attention), ("addnorm1", addnorm1), ("ffn", ffn), ("addnorm2", addnorm2)]
    }

    func callAsFunction(_ x: Tensor, validLens: [Int]?) -> Tensor {
        let y = addnorm1(x) { attention($0, $0, $0, validLens: validLens) }
        if keepsAttentionWeights { attentionWeights = perHead(attention, batch: x.shape[0]) }
        return addnorm2(y) { ffn($0) }
    }
}

/// The scratch attention's last weights `(B·heads, Q, K)` as `(B, heads, Q, K)`.
func perHead(_ attention: MultiHeadAttention, batch: Int) -> Tensor {
    let w = attention.attention.attentionWeights
    return w.reshaped(to: [batch, attention.numHeads, w.shape[1], w.shape[2]])
}

/// §10.7.5 `DecoderBlock`: masked multi-head self-attention over `[cache; x]` (the book's
/// `state[2][i]`; query `t₀ + i` sees keys `0…t₀ + i`), multi-head attention over the encoder
/// outputs (masked by `enc_valid_lens`), the position-wise FFN, each inside an `AddNorm`.
final class DecoderBlock: ModuleBase, TransformerDecoderBlock {
    let attention1: MultiHeadAttention, addnorm1: AddNorm
    let attention2: MultiHeadAttention, addnorm2: AddNorm
    let ffn: PositionWiseFFN, addnorm3: AddNorm
    var keepsAttentionWeights = false
    private(set) var selfAttentionWeights: Tensor?
    private(set) var crossAttentionWeights: Tensor?

    init(numHiddens: Int, ffnNumHiddens: Int, numHeads: Int, dropout: Float, useBias: Bool = false, normFirst: Bool = false) {
        func mha() -> MultiHeadAttention {
            MultiHeadAttention(keySize: numHiddens, querySize: numHiddens, valueSize: numHiddens,
                               numHiddens: numHiddens, numHeads: numHeads, dropout: dropout, bias: useBias)
        }
        attention1 = mha()
        addnorm1 = AddNorm(numHiddens, dropout: dropout, normFirst: normFirst)
        attention2 = mha()
        addnorm2 = AddNorm(numHiddens, dropout: dropout, normFirst: normFirst)
        ffn = PositionWiseFFN(ffnNumInput: numHiddens, ffnNumHiddens: ffnNumHiddens, ffnNumOutputs: numHiddens)
        addnorm3 = AddNorm(numHiddens, dropout: dropout, normFirst: normFirst)
    }
    var children: [(name: String, module: Module)] {
        [("attention1", attention1), ("addnorm1", addnorm1), ("attention2", attention2), ("addnorm2", addnorm2),
         ("ffn", ffn), ("addnorm3", addnorm3)]
    }

    func callAsFunction(_ x: Tensor, encOutputs: Tensor, encValidLens: [Int]?, cache: Tensor?) -> Tensor {
        let (b, steps, offset) = (x.shape[0], x.shape[1], cache?.shape[1] ?? 0)
        let keyValues = cache.map { Tensor.concatenate([$0, x], axis: 1) } ?? x      // (B, t₀ + T, d)
        let decValidLens = causalValidLens(batch: b, steps: steps, offset: offset)
        let y: Tensor
        if addnorm1.normFirst {
            let kv = addnorm1.ln(keyValues)                                           // LN of the cached inputs too
            y = x + addnorm1.dropout(attention1(addnorm1.ln(x), kv, kv, validLens: decValidLens))
        } else {
            y = addnorm1(x, attention1(x, keyValues, keyValues, validLens: decValidLens))
        }
        let z = addnorm2(y) { attention2($0, encOutputs, encOutputs, validLens: encValidLens) }
        if keepsAttentionWeights {
            selfAttentionWeights = perHead(attention1, batch: b)
            crossAttentionWeights = perHead(attention2, batch: b)
        }
        return addnorm3(z) { ffn($0) }
    }
}

/// The book's scratch Transformer: `TransformerEncoder` and `TransformerDecoder` (D2L) holding
/// `numLayers` scratch blocks each; pre-LN stacks get a final layer norm.
func transformerScratch(srcVocab: Int, tgtVocab: Int, numHiddens: Int, ffnNumHiddens: Int, numHeads: Int,
                        numLayers: Int, dropout: Float, normFirst: Bool = false,
                        useBias: Bool = false) -> EncoderDecoder<TransformerEncoder, TransformerDecoder> {
    let encoder = TransformerEncoder(vocabSize: srcVocab, numHiddens: numHiddens, dropout: dropout, blocks: (0..<numLayers).map { _ in
        EncoderBlock(numHiddens: numHiddens, ffnNumHiddens: ffnNumHiddens, numHeads: numHeads, dropout: dropout,
                     useBias: useBias, normFirst: normFirst)
    }, finalNorm: normFirst)
    let decoder = TransformerDecoder(vocabSize: tgtVocab, numHiddens: numHiddens, dropout: dropout, blocks: (0..<numLayers).map { _ in
        DecoderBlock(numHiddens: numHiddens, ffnNumHiddens: ffnNumHiddens, numHeads: numHeads, dropout: dropout,
                     useBias: useBias, normFirst: normFirst)
    }, finalNorm: normFirst)
    return EncoderDecoder(encoder, decoder)
}
