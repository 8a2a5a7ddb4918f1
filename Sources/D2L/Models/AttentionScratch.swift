import NN
import Tensor

// The book's attention from tensor primitives (§10.3 masked softmax and scaled dot-product
// attention, §10.5 multi-head attention): written in the attention chapter, shared here because
// the Transformer's scratch blocks (§10.7) are built from them. The library versions are
// `Tensor.maskedSoftmax`, `Tensor.scaledDotProductAttention` and `NN.MultiheadAttention`.

/// §10.3.1 `masked_softmax`: scores `(batch, queries, keys)`; keys past the valid length
/// (1-D: one per batch element, repeated per query; 2-D: one per query) are replaced by −10⁶
/// before the softmax over the last axis.
public func maskedSoftmaxScratch(_ x: Tensor, validLens: [Int]?) -> Tensor {
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

/// §10.3.2 scaled dot-product attention: `softmax(QKᵀ/√d)V`.
public final class DotProductAttention: ModuleBase, Module {
    public let dropout: Dropout
    public var attentionWeights = Tensor.zeros([0])
    public init(dropout: Float) { self.dropout = Dropout(dropout) }
    public var children: [(name: String, module: Module)] { [("dropout", dropout)] }

    public func callAsFunction(_ queries: Tensor, _ keys: Tensor, _ values: Tensor, validLens: [Int]?) -> Tensor {
        let d = Float(queries.shape[2])
        let scores = queries.bmm(keys.transposed(1, 2)) / Tensor(d.squareRoot())   // (B, Q, K)
        attentionWeights = maskedSoftmaxScratch(scores, validLens: validLens)
        return dropout(attentionWeights).bmm(values)               // (B, Q, dv)
    }
}

/// §10.5.2 `transpose_qkv`: `(B, T, H)` → `(B·heads, T, H/heads)`.
public func transposeQKV(_ x: Tensor, numHeads: Int) -> Tensor {
    let (b, t, h) = (x.shape[0], x.shape[1], x.shape[2])
    return x.reshaped(to: [b, t, numHeads, h / numHeads])          // (B, T, heads, H/heads)
        .permuted([0, 2, 1, 3])                                    // (B, heads, T, H/heads)
        .reshaped(to: [b * numHeads, t, h / numHeads])
}

/// §10.5.2 `transpose_output`, the inverse of `transposeQKV`.
public func transposeOutput(_ x: Tensor, numHeads: Int) -> Tensor {
    let (n, t, d) = (x.shape[0], x.shape[1], x.shape[2])
    return x.reshaped(to: [n / numHeads, numHeads, t, d])          // (B, heads, T, d)
        .permuted([0, 2, 1, 3])                                    // (B, T, heads, d)
        .reshaped(to: [n / numHeads, t, numHeads * d])
}

/// §10.5.2 the book's `MultiHeadAttention`: per-head projections by one `Linear` each, scaled
/// dot-product attention on `(B·heads, T, H/heads)`, concatenation, `W_o`.
public final class MultiHeadAttention: ModuleBase, Module {
    public let numHeads: Int
    public let attention: DotProductAttention
    public let W_q: Linear, W_k: Linear, W_v: Linear, W_o: Linear

    public init(keySize: Int, querySize: Int, valueSize: Int, numHiddens: Int, numHeads: Int, dropout: Float, bias: Bool = false) {
        self.numHeads = numHeads
        attention = DotProductAttention(dropout: dropout)
        W_q = Linear(inputSize: querySize, outputSize: numHiddens, bias: bias)
        W_k = Linear(inputSize: keySize, outputSize: numHiddens, bias: bias)
        W_v = Linear(inputSize: valueSize, outputSize: numHiddens, bias: bias)
        W_o = Linear(inputSize: numHiddens, outputSize: numHiddens, bias: bias)
    }
    public var children: [(name: String, module: Module)] {
        [("attention", attention), ("W_q", W_q), ("W_k", W_k), ("W_v", W_v), ("W_o", W_o)]
    }

    public func callAsFunction(_ queries: Tensor, _ keys: Tensor, _ values: Tensor, validLens: [Int]?) -> Tensor {
        let q = transposeQKV(W_q(queries), numHeads: numHeads)    // (B·heads, Q, H/heads)
        let k = transposeQKV(W_k(keys), numHeads: numHeads)       // (B·heads, K, H/heads)
        let v = transposeQKV(W_v(values), numHeads: numHeads)     // (B·heads, K, H/heads)
        let lens = validLens.map { repeatPerHead($0, batch: queries.shape[0], queries: queries.shape[1]) }
        let output = attention(q, k, v, validLens: lens)           // (B·heads, Q, H/heads)
        return W_o(transposeOutput(output, numHeads: numHeads))    // (B, Q, H)
    }

    /// The book's `torch.repeat_interleave(valid_lens, num_heads, dim=0)`: one length per batch
    /// element `(B)` becomes `(B·heads)`; one per query `(B, Q)` (flattened) becomes
    /// `(B·heads, Q)`, each batch element's row of lengths repeated once per head.
    func repeatPerHead(_ lens: [Int], batch b: Int, queries nq: Int) -> [Int] {
        if lens.count == b { return lens.flatMap { Array(repeating: $0, count: numHeads) } }
        return (0..<b).flatMap { i in
            (0..<numHeads).flatMap { _ in lens[(i * nq)..<((i + 1) * nq)] }
        }
    }
}
