/// Shape ops (book §2.3.7, §2.1.1): transposes and permutations (materialised copies),
/// and adding or removing size-1 axes (views that share storage).
extension Tensor {
    /// The axes reordered: `result.shape[d] == shape[axes[d]]` (PyTorch `permute`).
    /// Copies the elements. Backward: the inverse permutation of the gradient.
    public func permuted(_ axes: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(axes.count == rank,
                   "permuted: \(axes.count) axes given for a tensor of shape \(describeShape(shape))", file: file, line: line)
        let ax = axes.map { normalizeAxis($0, rank: rank, op: "permuted", file: file, line: line) }
        shapeCheck(Set(ax).count == rank, "permuted: axes \(axes) are not a permutation of 0..<\(rank)", file: file, line: line)
        if ax == Array(0..<rank) { return self }
        let out = TensorStorage(uninitializedCount: count)
        Kernels.permute(storage.pointer, shape, ax, out.pointer)
        let r = Tensor(shape: ax.map { shape[$0] }, storage: out)
        var inverse = [Int](repeating: 0, count: rank)
        for (d, a) in ax.enumerated() { inverse[a] = d }
        return Tensor.record("permute", r, inputs: [self]) { g, _ in [g.permuted(inverse)] }
    }

    /// Swaps the last two axes (`X.T` for a matrix, `transpose(-1, -2)` for a batch), as a copy.
    public func transposed(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(rank >= 2, "transposed: needs at least 2 axes, got shape \(describeShape(shape))", file: file, line: line)
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes, file: file, line: line)
    }

    /// Swaps two axes (PyTorch `transpose(a, b)`), as a copy.
    public func transposed(_ a: Int, _ b: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        var axes = Array(0..<rank)
        axes.swapAt(normalizeAxis(a, rank: rank, op: "transposed", file: file, line: line),
                    normalizeAxis(b, rank: rank, op: "transposed", file: file, line: line))
        return permuted(axes, file: file, line: line)
    }

    /// Inserts a size-1 axis at `axis` (PyTorch `unsqueeze`; `-1` appends). Shares storage.
    public func expandingDims(at axis: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        shapeCheck(a >= 0 && a <= rank, "unsqueeze: axis \(axis) is out of range for shape \(describeShape(shape))",
                   file: file, line: line)
        var s = shape
        s.insert(1, at: a)
        return reshaped(to: s, file: file, line: line)
    }

    /// `expandingDims(at:)` spelled like PyTorch.
    public func unsqueezed(_ axis: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        expandingDims(at: axis, file: file, line: line)
    }

    /// Removes size-1 axes: the given one, or all of them when `axis` is nil (PyTorch `squeeze`).
    public func squeezed(_ axis: Int? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if let axis = axis {
            let a = normalizeAxis(axis, rank: rank, op: "squeeze", file: file, line: line)
            shapeCheck(shape[a] == 1, "squeeze: axis \(axis) of shape \(describeShape(shape)) has size \(shape[a]), not 1",
                       file: file, line: line)
            var s = shape
            s.remove(at: a)
            return reshaped(to: s, file: file, line: line)
        }
        return reshaped(to: shape.filter { $0 != 1 }, file: file, line: line)
    }
}
