import D2L
import Foundation
import NN
import Tensor

// The book's attention code from tensor primitives (§10.2–10.6).

/// §10.3.1 `masked_softmax`: scores `(batch, queries, keys)`; keys past the valid length
/// (1-D: one per batch element, repeated per query; 2-D: one per query) are replaced by −10⁶
/// before the softmax over the last axis.
func maskedSoftmaxScratch(_ x: Tensor, validLens: [Int]?) -> Tensor {
    guard let validLens else { return x.softmax(axis: -1) }
    let shape = x.shape                                             // (B, Q, K)
    let lens = validLens.count == shape[0]
        ? validLens.flatMap { Array(repeating: $0, count: shape[1]) } // repeat_interleave over queries
        : validLens
    let flat = x.reshaped(to: [-1, shape[2]])                       // (B·Q, K)
    let keep = Tensor(shape: flat.shape, scalars: (0..<flat.count).map { Float($0 % shape[2] < lens[$0 / shape[2]] ? 1 : 0) })
    let masked = Tensor.where(keep, flat, Tensor.full(flat.shape, -1e6))
    return masked.reshaped(to: shape).softmax(axis: -1)
}

/// §10.2.4 the parametric Nadaraya–Watson model: one scalar `w`,
/// `f(q) = Σᵢ softmax(−((q − kᵢ)·w)²/2)·vᵢ`.
final class NWKernelRegression: ModuleBase, Module {
    let w = Parameter(Tensor.rand([1]), name: "w")
    var attentionWeights = Tensor.zeros([0])
    var ownParameters: [(name: String, parameter: Parameter)] { [("w", w)] }

    /// queries `(n)`, keys and values `(n, m)` → `(n)`.
    func callAsFunction(_ queries: Tensor, _ keys: Tensor, _ values: Tensor) -> Tensor {
        let q = queries.reshaped(to: [-1, 1]).broadcast(to: keys.shape)     // (n, m)
        let d = (q - keys) * w.value
        let weights = (d * d * Tensor(-0.5)).softmax(axis: 1)              // (n, m)
        attentionWeights = weights.detached()
        return weights.unsqueezed(1).bmm(values.unsqueezed(-1)).reshaped(to: [-1])  // (n)
    }
}

// §10.3.3 additive attention, `a(q, k) = w_vᵀ tanh(W_q q + W_k k)`, is the library's
// `AdditiveAttention` (D2L, beside the Bahdanau decoder that uses it).

/// §10.3.2 scaled dot-product attention: `softmax(QKᵀ/√d)V`.
final class DotProductAttention: ModuleBase, Module {
    let dropout: Dropout
    var attentionWeights = Tensor.zeros([0])
    init(dropout: Float) { self.dropout = Dropout(dropout) }
    var children: [(name: String, module: Module)] { [("dropout", dropout)] }

    func callAsFunction(_ queries: Tensor, _ keys: Tensor, _ values: Tensor, validLens: [Int]?) -> Tensor {
        let d = Float(queries.shape[2])
        let scores = queries.bmm(keys.transposed(1, 2)) / Tensor(d.squareRoot())   // (B, Q, K)
        attentionWeights = maskedSoftmaxScratch(scores, validLens: validLens)
        return dropout(attentionWeights).bmm(values)               // (B, Q, dv)
    }
}

/// §10.5.2 `transpose_qkv`: `(B, T, H)` → `(B·heads, T, H/heads)`.
func transposeQKV(_ x: Tensor, numHeads: Int) -> Tensor {
    let (b, t, h) = (x.shape[0], x.shape[1], x.shape[2])
    return x.reshaped(to: [b, t, numHeads, h / numHeads])          // (B, T, heads, H/heads)
        .permuted([0, 2, 1, 3])                                    // (B, heads, T, H/heads)
        .reshaped(to: [b * numHeads, t, h / numHeads])
}

/// §10.5.2 `transpose_output`, the inverse of `transposeQKV`.
func transposeOutput(_ x: Tensor, numHeads: Int) -> Tensor {
    let (n, t, d) = (x.shape[0], x.shape[1], x.shape[2])
    return x.reshaped(to: [n / numHeads, numHeads, t, d])          // (B, heads, T, d)
        .permuted([0, 2, 1, 3])                                    // (B, T, heads, d)
        .reshaped(to: [n / numHeads, t, numHeads * d])
}

/// §10.5.2 the book's `MultiHeadAttention`: per-head projections by one `Linear` each, scaled
/// dot-product attention on `(B·heads, T, H/heads)`, concatenation, `W_o`.
final class MultiHeadAttention: ModuleBase, Module {
    let numHeads: Int
    let attention: DotProductAttention
    let W_q: Linear, W_k: Linear, W_v: Linear, W_o: Linear

    init(keySize: Int, querySize: Int, valueSize: Int, numHiddens: Int, numHeads: Int, dropout: Float, bias: Bool = false) {
        self.numHeads = numHeads
        attention = DotProductAttention(dropout: dropout)
        W_q = Linear(inputSize: querySize, outputSize: numHiddens, bias: bias)
        W_k = Linear(inputSize: keySize, outputSize: numHiddens, bias: bias)
        W_v = Linear(inputSize: valueSize, outputSize: numHiddens, bias: bias)
        W_o = Linear(inputSize: numHiddens, outputSize: numHiddens, bias: bias)
    }
    var children: [(name: String, module: Module)] {
        [("attention", attention), ("W_q", W_q), ("W_k", W_k), ("W_v", W_v), ("W_o", W_o)]
    }

    func callAsFunction(_ queries: Tensor, _ keys: Tensor, _ values: Tensor, validLens: [Int]?) -> Tensor {
        let q = transposeQKV(W_q(queries), numHeads: numHeads)    // (B·heads, Q, H/heads)
        let k = transposeQKV(W_k(keys), numHeads: numHeads)       // (B·heads, K, H/heads)
        let v = transposeQKV(W_v(values), numHeads: numHeads)     // (B·heads, K, H/heads)
        let lens = validLens.map { $0.flatMap { Array(repeating: $0, count: numHeads) } }  // repeat_interleave
        let output = attention(q, k, v, validLens: lens)           // (B·heads, Q, H/heads)
        return W_o(transposeOutput(output, numHeads: numHeads))    // (B, Q, H)
    }
}

/// §10.6.3 the book's `PositionalEncoding`: `X + P[:, :T, :]`, then dropout, with
/// `P[i, 2j] = sin(i/10000^{2j/d})`, `P[i, 2j+1] = cos(i/10000^{2j/d})`.
final class PositionalEncodingScratch: ModuleBase, Layer {
    let dropout: Dropout
    let P: Tensor                                                  // (1, maxLen, d)

    init(numHiddens: Int, dropout: Float, maxLen: Int = 1000) {
        self.dropout = Dropout(dropout)
        let pos = Tensor.arange(maxLen).reshaped(to: [-1, 1])      // (maxLen, 1)
        let expo = Tensor.arange(0, Float(numHiddens), step: 2) / Tensor(Float(numHiddens))
        let x = pos / Tensor.pow(Tensor(10000), expo).reshaped(to: [1, -1])   // (maxLen, d/2)
        let sin = Tensor(shape: x.shape, scalars: x.scalars.map { Foundation.sin($0) })
        let cos = Tensor(shape: x.shape, scalars: x.scalars.map { Foundation.cos($0) })
        P = Tensor.stack([sin, cos], axis: 2).reshaped(to: [1, maxLen, numHiddens])  // P[:, :, 0::2], P[:, :, 1::2]
    }
    var children: [(name: String, module: Module)] { [("dropout", dropout)] }

    func callAsFunction(_ x: Tensor) -> Tensor {
        dropout(x + P.slice(axis: 1, 0..<x.shape[1]))             // (B, T, d)
    }
}
