import D2L
import Foundation
import NN
import Tensor

// The book's attention code from tensor primitives (§10.2–10.6). Masked softmax, scaled dot-product
// and multi-head attention (§10.3, §10.5) live in D2L (Models/AttentionScratch.swift), shared
// with the Transformer chapter.

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

/// §10.3.3 additive attention: `a(q, k) = w_vᵀ tanh(W_q q + W_k k)`.
final class AdditiveAttention: ModuleBase, Module {
    let W_k: Linear, W_q: Linear, w_v: Linear
    let dropout: Dropout
    var attentionWeights = Tensor.zeros([0])

    init(keySize: Int, querySize: Int, numHiddens: Int, dropout: Float) {
        W_k = Linear(inputSize: keySize, outputSize: numHiddens, bias: false)
        W_q = Linear(inputSize: querySize, outputSize: numHiddens, bias: false)
        w_v = Linear(inputSize: numHiddens, outputSize: 1, bias: false)
        self.dropout = Dropout(dropout)
    }
    var children: [(name: String, module: Module)] { [("W_k", W_k), ("W_q", W_q), ("w_v", w_v), ("dropout", dropout)] }

    func callAsFunction(_ queries: Tensor, _ keys: Tensor, _ values: Tensor, validLens: [Int]?) -> Tensor {
        let q = W_q(queries), k = W_k(keys)                        // (B, Q, h), (B, K, h)
        let features = (q.unsqueezed(2) + k.unsqueezed(1)).tanh()  // (B, Q, K, h)
        let scores = w_v(features).squeezed(-1)              // (B, Q, K)
        attentionWeights = maskedSoftmaxScratch(scores, validLens: validLens)
        return dropout(attentionWeights).bmm(values)               // (B, Q, dv)
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
