import NN
import Tensor

// Book §10.3.3 "Additive attention": when queries and keys have different lengths, score each
// (query, key) pair with a one-hidden-layer MLP, `a(q, k) = w_vᵀ tanh(W_q q + W_k k)`, then pool
// the values with the masked softmax of the scores (§10.3.1).

/// §10.3.3 the book's `AdditiveAttention(num_hiddens, dropout)` with bias-free `W_k`
/// `(h, keySize)`, `W_q` `(h, querySize)`, `w_v` `(1, h)` and dropout on the weights:
///
///     a(q_i, k_j) = w_vᵀ tanh(W_q q_i + W_k k_j)        scores (B, Q, K)
///     α = masked_softmax(a, validLens),   output = dropout(α) · V     (B, Q, d_v)
///
/// The middle line is one op, `Tensor.additiveAttentionScores` (one kernel forward, one
/// backward, instead of broadcast-add → tanh → `w_v` → squeeze, each with its own `(B, Q, K, h)`
/// temporary). `projectKeys` and `attend(projectedQueries:projectedKeys:…)` split the call
/// so a decoder that queries the same keys at every step (§10.4) projects them once.
///
/// ```swift
/// let attention = AdditiveAttention(keySize: 2, querySize: 20, numHiddens: 8, dropout: 0.1)
/// let y = attention(queries, keys, values, validLens: [2, 6])   // (2, 1, 20), (2, 10, 2), (2, 10, 4) → (2, 1, 4)
/// ```
public final class AdditiveAttention: ModuleBase, Module {
    public let W_k: Linear, W_q: Linear, w_v: Linear
    public let dropout: Dropout
    /// The weights `α` `(B, Q, K)` of the last call (before dropout).
    public private(set) var attentionWeights = Tensor.zeros([0])

    public init(keySize: Int, querySize: Int, numHiddens: Int, dropout: Float) {
        W_k = Linear(inputSize: keySize, outputSize: numHiddens, bias: false)
        W_q = Linear(inputSize: querySize, outputSize: numHiddens, bias: false)
        w_v = Linear(inputSize: numHiddens, outputSize: 1, bias: false)
        self.dropout = Dropout(dropout)
    }

    public var children: [(name: String, module: Module)] {
        [("W_k", W_k), ("W_q", W_q), ("w_v", w_v), ("dropout", dropout)]
    }

    /// queries `(B, Q, querySize)`, keys `(B, K, keySize)`, values `(B, K, d_v)` → `(B, Q, d_v)`;
    /// `validLens`: one per batch element or one per query (nil: every key).
    public func callAsFunction(_ queries: Tensor, _ keys: Tensor, _ values: Tensor, validLens: [Int]?) -> Tensor {
        attend(projectedQueries: W_q(queries), projectedKeys: projectKeys(keys), values: values, validLens: validLens)
    }

    /// `W_k k` for keys `(B, K, keySize)` → `(B, K, h)`.
    public func projectKeys(_ keys: Tensor) -> Tensor { W_k(keys) }

    /// The rest of the forward pass from `W_q q` `(B, Q, h)` and `W_k k` `(B, K, h)`.
    public func attend(projectedQueries q: Tensor, projectedKeys k: Tensor, values: Tensor, validLens: [Int]?) -> Tensor {
        let scores = Tensor.additiveAttentionScores(q, k, w: w_v.weight.value.reshaped(to: [-1]))   // (B, Q, K)
        attentionWeights = Tensor.maskedSoftmax(scores, validLens: validLens)
        return dropout(attentionWeights).bmm(values)                                                 // (B, Q, d_v)
    }
}
