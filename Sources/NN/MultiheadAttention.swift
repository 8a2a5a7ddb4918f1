import Tensor

/// Multi-head attention with PyTorch's `nn.MultiheadAttention` semantics (book §10.5; the
/// concise attention of the Transformer, §10.7).
///
/// The query, key and value inputs (all of size `embedDim`) are projected by the packed
/// `in_proj_weight` `[3·embedDim, embedDim]` (rows: query, key, value) and `in_proj_bias`,
/// split into `numHeads` heads of size `embedDim / numHeads`, pooled by the fused
/// `Tensor.scaledDotProductAttention` (scores `QKᵀ/√d_head`, dropout on the weights in
/// training mode), concatenated and projected by `out_proj`:
/// `MultiHead(Q, K, V) = concat(head₁, …, head_h)·W_oᵀ + b_o`, `headᵢ = softmax(Q Wᵢ^q (K Wᵢ^k)ᵀ/√d) V Wᵢ^v`.
///
/// Inputs are `(batch, steps, embedDim)` with `batchFirst: true`, else `(steps, batch, embedDim)`
/// (PyTorch's default). Masks:
/// - `keyPaddingMask` `(batch, keys)`: nonzero marks a key to ignore (PyTorch's `True`);
/// - `attnMask` `(queries, keys)` or `(batch·numHeads, queries, keys)`: added to the scores
///   (PyTorch's float mask; `−∞` hides a key, see `causalMask(_:)`).
///
/// With `needWeights` the attention weights `(batch, queries, keys)` come back too, averaged
/// over the heads (or `(batch, numHeads, queries, keys)` with `averageAttnWeights: false`).
///
/// ```swift
/// let mha = MultiheadAttention(embedDim: 8, numHeads: 2, batchFirst: true)
/// let (y, w) = mha(x, x, x, keyPaddingMask: pad)   // y (2, 4, 8), w (2, 4, 4)
/// ```
public final class MultiheadAttention: ModuleBase, Module {
    public let embedDim: Int
    public let numHeads: Int
    public let dropout: Float
    public let batchFirst: Bool
    /// `[3·embedDim, embedDim]`: the query, key and value projections stacked.
    public let inProjWeight: Parameter
    /// `[3·embedDim]`, or nil with `bias: false`.
    public let inProjBias: Parameter?
    public let outProj: Linear

    /// PyTorch's initialisation: `in_proj_weight` Xavier-uniform, both biases zero, `out_proj`'s
    /// weight `Linear`'s default.
    public init(embedDim: Int, numHeads: Int, dropout: Float = 0, bias: Bool = true, batchFirst: Bool = false,
                file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0,
                   "MultiheadAttention: embedDim \(embedDim) must be a positive multiple of numHeads \(numHeads)",
                   file: file, line: line)
        shapeCheck(dropout >= 0 && dropout <= 1, "MultiheadAttention: dropout must be in [0, 1], got \(dropout)",
                   file: file, line: line)
        (self.embedDim, self.numHeads, self.dropout, self.batchFirst) = (embedDim, numHeads, dropout, batchFirst)
        inProjWeight = Parameter(Tensor.zeros([3 * embedDim, embedDim]), name: "in_proj_weight")
        inProjBias = bias ? Parameter(Tensor.zeros([3 * embedDim]), name: "in_proj_bias") : nil
        outProj = Linear(inputSize: embedDim, outputSize: embedDim, bias: bias)
        super.init()
        Init.xavierUniform(inProjWeight)
        if let b = outProj.bias { Init.zeros(b) }
    }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("in_proj_weight", inProjWeight)] + (inProjBias.map { [("in_proj_bias", $0)] } ?? [])
    }
    public var children: [(name: String, module: Module)] { [("out_proj", outProj)] }
    public var extraDescription: String {
        "embedDim: \(embedDim), numHeads: \(numHeads), dropout: \(dropout), batchFirst: \(batchFirst)"
    }

    /// A causal (subsequent-position) mask `(n, n)`: `−∞` above the diagonal, 0 elsewhere, so
    /// query `i` sees keys `0…i` (the Transformer decoder's self-attention in training).
    public static func causalMask(_ n: Int) -> Tensor {
        var m = [Float](repeating: 0, count: n * n)
        for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { m[i * n + j] = -.infinity } }
        return Tensor(shape: [n, n], scalars: m)
    }

    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil,
                               needWeights: Bool = true, attnMask: Tensor? = nil, averageAttnWeights: Bool = true,
                               file: StaticString = #fileID, line: UInt = #line) -> (output: Tensor, weights: Tensor?) {
        let name = "MultiheadAttention(embedDim: \(embedDim), numHeads: \(numHeads))"
        shapeCheck(query.rank == 3 && key.rank == 3 && value.rank == 3
                   && [query, key, value].allSatisfy { $0.shape[2] == embedDim } && key.shape == value.shape,
                   "\(name): query \(describeShape(query.shape)), key \(describeShape(key.shape)), value "
                   + "\(describeShape(value.shape)) must be 3-D, end in \(embedDim), key and value alike",
                   file: file, line: line)
        let (q, k, v) = batchFirst ? (query, key, value)
            : (query.transposed(0, 1), key.transposed(0, 1), value.transposed(0, 1))
        let (b, nq, nk, e, h) = (q.shape[0], q.shape[1], k.shape[1], embedDim, numHeads)
        shapeCheck(k.shape[0] == b, "\(name): query and key batch sizes differ", file: file, line: line)
        /// Projection `i` (0 query, 1 key, 2 value) split into heads: `(b·h, steps, e/h)`.
        func project(_ x: Tensor, _ i: Int) -> Tensor {
            let w = inProjWeight.value.slice(axis: 0, i * e..<(i + 1) * e)
            let y = linear(x, weight: w, bias: inProjBias?.value.slice(axis: 0, i * e..<(i + 1) * e))
            let t = x.shape[1]
            return y.reshaped(to: [b, t, h, e / h]).permuted([0, 2, 1, 3]).reshaped(to: [b * h, t, e / h])
        }
        let mask = combinedMask(keyPaddingMask, attnMask, batch: b, queries: nq, keys: nk, name: name,
                                file: file, line: line)
        let (heads, weights) = Tensor.scaledDotProductAttention(project(q, 0), project(k, 1), project(v, 2),
                                                                mask: mask, dropout: isTraining ? dropout : 0,
                                                                file: file, line: line)
        let concat = heads.reshaped(to: [b, h, nq, e / h]).permuted([0, 2, 1, 3]).reshaped(to: [b, nq, e])
        let out = outProj(concat, file: file, line: line)
        var w: Tensor? = nil
        if needWeights {
            let perHead = weights.reshaped(to: [b, h, nq, nk])
            w = averageAttnWeights ? perHead.mean(alongAxes: [1]) : perHead
        }
        return (batchFirst ? out : out.transposed(0, 1), w)
    }

    /// The additive mask for the fused op: `attnMask` as given, plus `−∞` at padded keys.
    private func combinedMask(_ padding: Tensor?, _ attn: Tensor?, batch b: Int, queries nq: Int, keys nk: Int,
                              name: String, file: StaticString, line: UInt) -> Tensor? {
        let n = b * numHeads
        if let attn {
            shapeCheck(attn.shape == [nq, nk] || attn.shape == [n, nq, nk],
                       "\(name): attnMask \(describeShape(attn.shape)) must be \(describeShape([nq, nk])) or "
                       + "\(describeShape([n, nq, nk]))", file: file, line: line)
        }
        guard let padding else { return attn }
        shapeCheck(padding.shape == [b, nk],
                   "\(name): keyPaddingMask \(describeShape(padding.shape)) must be (batch, keys) = \(describeShape([b, nk]))",
                   file: file, line: line)
        let pad = padding.scalars, a = attn?.scalars, shared = attn?.rank == 2
        var m = [Float](repeating: 0, count: n * nq * nk)
        for z in 0..<n {
            for i in 0..<nq {
                for j in 0..<nk {
                    let at = z * nq * nk + i * nk + j
                    let base = a.map { $0[shared ? i * nk + j : at] } ?? 0
                    m[at] = pad[(z / numHeads) * nk + j] != 0 ? -.infinity : base
                }
            }
        }
        return Tensor(shape: [n, nq, nk], scalars: m)
    }
}
