import Foundation

extension Tensor {
    /// Scaled dot-product attention (book §10.3.2, the pooling inside multi-head attention §10.5),
    /// fused into one kernel: scores `QKᵀ/√d` → mask → softmax → dropout → weighted sum of `V`.
    ///
    /// - `queries` `(N, Q, d)`, `keys` `(N, K, d)`, `values` `(N, K, dv)` → output `(N, Q, dv)`;
    ///   `N` is the batch (times the heads, for multi-head attention).
    /// - `validLens`: the book's masking (`N` lengths, or one per query row, `N·Q`): keys past
    ///   the length get score `−10⁶`.
    /// - `mask`: an additive float mask `(Q, K)` or `(N, Q, K)` (PyTorch's float `attn_mask`):
    ///   use `−Float.infinity` to hide a key; a row with every key hidden gets zero weights.
    /// - `dropout`: probability of zeroing an attention weight (pass 0 in evaluation mode);
    ///   the kept ones are scaled by `1/(1−p)`; the mask comes from `GlobalRandom.generator`.
    ///
    /// Returns the output (differentiable in all three inputs) and the attention weights
    /// `(N, Q, K)` before dropout (not differentiable; the book's `.attention_weights`).
    ///
    /// Backward is hand-written (`Kernels.attentionBackward`), from the stored weights: no
    /// score or softmax intermediate enters the graph.
    ///
    /// ```swift
    /// let (out, w) = Tensor.scaledDotProductAttention(q, k, v, validLens: [2, 6])
    /// ```
    public static func scaledDotProductAttention(_ queries: Tensor, _ keys: Tensor, _ values: Tensor,
                                                 validLens: [Int]? = nil, mask: Tensor? = nil, dropout: Float = 0,
                                                 file: StaticString = #fileID, line: UInt = #line)
        -> (output: Tensor, weights: Tensor) {
        let op = "scaledDotProductAttention: queries \(describeShape(queries.shape)), keys \(describeShape(keys.shape)), "
            + "values \(describeShape(values.shape))"
        shapeCheck(queries.rank == 3 && keys.rank == 3 && values.rank == 3,
                   "\(op): all three must be 3-D (batch, steps, features)", file: file, line: line)
        let (n, nq, d) = (queries.shape[0], queries.shape[1], queries.shape[2])
        let (nk, dv) = (keys.shape[1], values.shape[2])
        shapeCheck(keys.shape[0] == n && values.shape[0] == n && keys.shape[2] == d && values.shape[1] == nk,
                   "\(op): need queries (N, Q, d), keys (N, K, d) and values (N, K, dv)", file: file, line: line)
        shapeCheck(dropout >= 0 && dropout <= 1, "\(op): dropout must be in [0, 1], got \(dropout)", file: file, line: line)
        let rowLens = validLens.map {
            attentionRowLengths(scores: [n, nq, nk], validLens: $0, op: "scaledDotProductAttention", file: file, line: line)
        }
        var additiveStride = 0
        if let mask {
            shapeCheck(mask.shape == [nq, nk] || mask.shape == [n, nq, nk],
                       "\(op): mask \(describeShape(mask.shape)) must be (Q, K) = \(describeShape([nq, nk])) "
                       + "or (N, Q, K) = \(describeShape([n, nq, nk]))", file: file, line: line)
            additiveStride = mask.rank == 3 ? nq * nk : 0
        }
        var keep: TensorStorage? = nil
        if dropout > 0 {
            let s = TensorStorage(uninitializedCount: n * nq * nk)
            let scale: Float = dropout >= 1 ? 0 : 1 / (1 - dropout)
            for i in 0..<s.count { s.pointer[i] = GlobalRandom.generator.nextUniform() > dropout ? scale : 0 }
            keep = s
        }
        let maskValue = mask.map { $0.detached() }
        let out = TensorStorage(uninitializedCount: n * nq * dv)
        let weights = TensorStorage(uninitializedCount: n * nq * nk)
        let problem = { (additive: UnsafePointer<Float>?) in
            AttentionProblem(n: n, q: nq, k: nk, d: d, dv: dv, scale: 1 / Float(d).squareRoot(), rowLens: rowLens,
                             additive: additive, additiveStride: additiveStride, keep: keep.map { UnsafePointer($0.pointer) })
        }
        Kernels.attentionForward(problem(maskValue.map { UnsafePointer($0.storage.pointer) }),
                                 q: queries.storage.pointer, k: keys.storage.pointer, v: values.storage.pointer,
                                 out: out.pointer, weights: weights.pointer)
        let w = Tensor(shape: [n, nq, nk], storage: weights)
        let (qv, kv, vv) = (queries.detached(), keys.detached(), values.detached())
        let result = record("scaledDotProductAttention", Tensor(shape: [n, nq, dv], storage: out),
                            inputs: [queries, keys, values]) { g, _ in
            let dq = TensorStorage(uninitializedCount: qv.count), dk = TensorStorage(uninitializedCount: kv.count)
            let dvs = TensorStorage(uninitializedCount: vv.count)
            withExtendedLifetime((keep, maskValue)) {
                Kernels.attentionBackward(problem(nil), q: qv.storage.pointer, k: kv.storage.pointer,
                                          v: vv.storage.pointer, weights: w.storage.pointer, grad: g.storage.pointer,
                                          dq: dq.pointer, dk: dk.pointer, dv: dvs.pointer)
            }
            return [Tensor(shape: qv.shape, storage: dq), Tensor(shape: kv.shape, storage: dk),
                    Tensor(shape: vv.shape, storage: dvs)]
        }
        return (result, w)
    }
}
