/// Attention pooling ops (book §10.3, §10.5): the masked softmax of the scoring functions and a
/// fused scaled dot-product attention.
///
/// Masking follows the book's `masked_softmax`: for each row of scores (the last axis), the
/// entries at key positions `j ≥ validLen` are *replaced* by `−10⁶` before the softmax, so they
/// get (numerically) zero weight, and a row with no valid key becomes uniform. `validLens` is
/// either one length per batch element (the book's 1-D case, repeated for every query of that
/// element) or one per row (the book's 2-D case, `(batch, queries)` flattened).
extension Tensor {
    /// The value that masked scores are replaced with (the book's `value=-1e6`).
    public static let attentionMaskValue: Float = -1e6

    /// The book's `masked_softmax(X, valid_lens)` (§10.3.1): `x` is `(batch, …, keys)` (the book
    /// uses `(batch, queries, keys)`); `validLens` holds `batch` lengths (1-D, repeated per
    /// query) or one per row of the last axis (2-D, `batch·queries` lengths); nil means no mask.
    ///
    /// ```swift
    /// Tensor.maskedSoftmax(Tensor.rand([2, 2, 4]), validLens: [2, 3])
    /// // first batch: weight only on keys 0–1; second: keys 0–2
    /// ```
    ///
    /// Backward: the softmax's, with zero gradient for the replaced scores.
    public static func maskedSoftmax(_ x: Tensor, validLens: [Int]?,
                                     file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard let validLens else { return x.softmax(file: file, line: line) }
        let rowLens = attentionRowLengths(scores: x.shape, validLens: validLens, op: "maskedSoftmax",
                                          file: file, line: line)
        let n = x.shape[x.rank - 1]
        let out = x.storage.copy()
        for (row, len) in rowLens.enumerated() where len < n {
            (out.pointer + (row &* n &+ Swift.max(len, 0))).update(repeating: attentionMaskValue, count: n - Swift.max(len, 0))
        }
        let shape = x.shape
        let masked = record("maskedFill", Tensor(shape: shape, storage: out), inputs: [x]) { g, _ in
            let d = g.storage.copy()
            for (row, len) in rowLens.enumerated() where len < n {
                (d.pointer + (row &* n &+ Swift.max(len, 0))).update(repeating: 0, count: n - Swift.max(len, 0))
            }
            return [Tensor(shape: shape, storage: d)]
        }
        return masked.softmax(file: file, line: line)
    }

    /// `maskedSoftmax` with the valid lengths in a tensor of whole-number `Float`s (1-D or 2-D).
    public static func maskedSoftmax(_ x: Tensor, validLens: Tensor?,
                                     file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        maskedSoftmax(x, validLens: validLens.map { $0.scalars.map { Int($0) } }, file: file, line: line)
    }

    /// One valid length per row of the last axis of `scores`, from per-batch or per-row lengths.
    static func attentionRowLengths(scores shape: [Int], validLens: [Int], op: String,
                                    file: StaticString, line: UInt) -> [Int] {
        shapeCheck(shape.count >= 2, "\(op): scores \(describeShape(shape)) need at least (batch, keys)",
                   file: file, line: line)
        let n = shape[shape.count - 1]
        let rows = n == 0 ? 0 : shapeCount(shape) / n
        let batch = shape[0]
        if validLens.count == rows { return validLens }
        shapeCheck(validLens.count == batch,
                   "\(op): \(validLens.count) valid lengths for scores \(describeShape(shape)): give one per batch "
                   + "element (\(batch)) or one per query row (\(rows))", file: file, line: line)
        let perBatch = batch == 0 ? 0 : rows / batch
        return validLens.flatMap { Array(repeating: $0, count: perBatch) }
    }
}
