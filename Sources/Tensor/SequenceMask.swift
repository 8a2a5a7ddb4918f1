/// The book's `sequence_mask` (§9.7.2): for `x` of shape `(B, T, …)`, every entry at a time step
/// `t ≥ validLen[b]` of sequence `b` becomes `value`; the first `validLen[b]` steps are kept. It
/// marks the padding after `<eos>` so the loss ignores it.
///
/// ```swift
/// sequenceMask(Tensor([[1, 2, 3], [4, 5, 6]]), validLen: [1, 2])   // [[1, 0, 0], [4, 5, 0]]
/// ```
///
/// Unlike the book's version it returns a new tensor (the input is not changed). Backward: the
/// gradient of the kept entries, zero for the replaced ones.
public func sequenceMask(_ x: Tensor, validLen: [Int], value: Float = 0,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    shapeCheck(x.rank >= 2 && x.shape[0] == validLen.count,
               "sequenceMask: x \(describeShape(x.shape)) must be (batch, steps, …) with one valid length per sequence, "
               + "got \(validLen.count)", file: file, line: line)
    let (B, T) = (x.shape[0], x.shape[1])
    let inner = shapeCount(Array(x.shape.dropFirst(2)))
    /// Calls `body(start, count)` for the masked run of each sequence.
    func forEachMaskedRun(_ body: (Int, Int) -> Void) {
        for b in 0..<B {
            let keep = min(Swift.max(validLen[b], 0), T)
            body((b &* T &+ keep) &* inner, (T &- keep) &* inner)
        }
    }
    let out = x.storage.copy()
    forEachMaskedRun { start, n in (out.pointer + start).update(repeating: value, count: n) }
    let shape = x.shape
    return Tensor.record("sequenceMask", Tensor(shape: shape, storage: out), inputs: [x]) { g, _ in
        let d = g.storage.copy()
        forEachMaskedRun { start, n in (d.pointer + start).update(repeating: 0, count: n) }
        return [Tensor(shape: shape, storage: d)]
    }
}

/// `sequenceMask` with the valid lengths in a tensor of whole-number `Float`s.
public func sequenceMask(_ x: Tensor, validLen: Tensor, value: Float = 0,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    sequenceMask(x, validLen: validLen.scalars.map { Int($0) }, value: value, file: file, line: line)
}
