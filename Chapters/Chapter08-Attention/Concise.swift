import D2L
import NN
import Tensor

// The library versions (§10.3, §10.5, §10.6): the fused scaled dot-product attention op,
// PyTorch-style `MultiheadAttention` and the `PositionalEncoding` layer. (`keyPaddingMask(validLens:keys:)`
// turning the book's valid lengths into PyTorch's mask is in D2L, shared with the Transformer.)

/// §10.3.2 concise: one fused op (scores → mask → softmax → weighted sum); returns the output
/// and the attention weights.
func dotProductAttentionConcise(_ queries: Tensor, _ keys: Tensor, _ values: Tensor,
                                validLens: [Int]?) -> (output: Tensor, weights: Tensor) {
    Tensor.scaledDotProductAttention(queries, keys, values, validLens: validLens)
}

/// §10.5 concise: `nn.MultiheadAttention(num_hiddens, num_heads, dropout, bias=False, batch_first=True)`.
func multiHeadAttentionConcise(numHiddens: Int, numHeads: Int, dropout: Float) -> MultiheadAttention {
    MultiheadAttention(embedDim: numHiddens, numHeads: numHeads, dropout: dropout, bias: false, batchFirst: true)
}
