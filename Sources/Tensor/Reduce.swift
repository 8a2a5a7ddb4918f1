/// Reductions (book §2.3.6): sum, mean, max and min over any set of axes with `keepDims`,
/// and argmax/argmin along one axis.
///
/// Sums run on the `(outer, r, inner)` kernels of `ReduceKernels.swift`: the reduced axes
/// are merged into blocks of adjacent axes and each block is reduced in one pass
/// (`sum(alongAxes: [0, 2])` of `(a, b, c)` is a last-axis pass, then a column pass).
/// Max and min move the reduced axes last (a copy only when they are not already last)
/// and scan rows, remembering the index of the winner for the backward pass.
extension Tensor {
    /// Normalised, sorted, distinct axes; shape with those axes set to 1; and the result shape.
    func reductionShapes(_ axes: [Int], keepDims: Bool, op: String,
                         file: StaticString, line: UInt) -> (axes: [Int], kept: [Int], result: [Int]) {
        let ax = Array(Set(axes.map { normalizeAxis($0, rank: rank, op: op, allowScalar: true, file: file, line: line) })).sorted()
        var kept = shape
        for a in ax where a < rank { kept[a] = 1 }
        let result = keepDims ? kept : shape.enumerated().filter { !ax.contains($0.offset) }.map { $0.element }
        return (ax, kept, result)
    }

    /// Sum over `axes` (negative axes count from the end). With `keepDims` the reduced
    /// axes stay with size 1 (so the result broadcasts against `self`).
    /// Backward: the gradient broadcast back over the reduced axes.
    public func sum(alongAxes axes: [Int], keepDims: Bool = false,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (ax, kept, finalShape) = reductionShapes(axes, keepDims: keepDims, op: "sum", file: file, line: line)
        let r = Tensor(shape: finalShape, storage: Tensor.sumStorage(storage, shape: shape, axes: ax))
        let inShape = shape
        return Tensor.record("sum", r, inputs: [self]) { g, _ in
            [g.reshaped(to: kept).broadcast(to: inShape)]
        }
    }

    /// Runs the `(outer, r, inner)` sum kernel once per block of adjacent reduced axes.
    static func sumStorage(_ input: TensorStorage, shape: [Int], axes: [Int]) -> TensorStorage {
        // Groups of adjacent axes with the same reduced/kept status (size-1 axes dropped).
        var groups: [(size: Int, reduced: Bool)] = []
        for (d, s) in shape.enumerated() where s != 1 {
            let red = axes.contains(d)
            if let last = groups.last, last.reduced == red { groups[groups.count - 1].size &*= s }
            else { groups.append((s, red)) }
        }
        if shapeCount(shape) == 0 {
            return TensorStorage(repeating: 0, count: shapeCount(shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }))
        }
        var current = input
        var reducedAny = false
        while let j = groups.lastIndex(where: { $0.reduced }) {
            let outer = groups[..<j].reduce(1) { $0 &* $1.size }
            let inner = groups[(j + 1)...].reduce(1) { $0 &* $1.size }
            let out = TensorStorage(uninitializedCount: outer &* inner)
            Kernels.sum(current.pointer, outer: outer, r: groups[j].size, inner: inner, out.pointer)
            current = out
            groups.remove(at: j)
            reducedAny = true
        }
        return reducedAny ? current : input.copy()
    }

    /// Sum of all elements, as a scalar.
    public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }

    /// Mean over `axes`: the sum divided by the number of elements reduced.
    public func mean(alongAxes axes: [Int], keepDims: Bool = false,
                     file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (ax, _, _) = reductionShapes(axes, keepDims: keepDims, op: "mean", file: file, line: line)
        let n = ax.reduce(1) { $1 < rank ? $0 * shape[$1] : $0 }   // axis 0 of a scalar reduces nothing
        return sum(alongAxes: ax, keepDims: keepDims, file: file, line: line) * (1 / Float(n))
    }

    /// Mean of all elements, as a scalar.
    public func mean() -> Tensor { mean(alongAxes: Array(0..<rank)) }

    /// Maximum over `axes`. Backward: the gradient goes to the first maximal element of
    /// each reduced group (as PyTorch's `max(dim)`).
    public func max(alongAxes axes: [Int], keepDims: Bool = false,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        extremum(axes, keepDims: keepDims, isMax: true, file: file, line: line)
    }

    /// Minimum over `axes`; the gradient goes to the first minimal element.
    public func min(alongAxes axes: [Int], keepDims: Bool = false,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        extremum(axes, keepDims: keepDims, isMax: false, file: file, line: line)
    }

    /// Largest element, as a scalar.
    public func max() -> Tensor { max(alongAxes: Array(0..<rank)) }
    /// Smallest element, as a scalar.
    public func min() -> Tensor { min(alongAxes: Array(0..<rank)) }

    /// The layout max/min work in: reduced axes moved last, as `(rows, n)`.
    func reducedLast(_ axes: [Int]) -> (perm: [Int], moved: Tensor, rows: Int, n: Int) {
        let ax = axes.filter { $0 < rank }   // axis 0 of a scalar reduces nothing
        let keptAxes = (0..<rank).filter { !ax.contains($0) }
        let perm = keptAxes + ax
        let moved = withNoGrad { detached().permuted(perm) }
        let n = ax.reduce(1) { $0 * shape[$1] }
        return (perm, moved, n == 0 ? 0 : count / n, n)
    }

    func extremum(_ axes: [Int], keepDims: Bool, isMax: Bool, file: StaticString, line: UInt) -> Tensor {
        let name = isMax ? "max" : "min"
        let (ax, kept, finalShape) = reductionShapes(axes, keepDims: keepDims, op: name, file: file, line: line)
        let (perm, moved, rows, n) = reducedLast(ax)
        shapeCheck(n > 0, "\(name): cannot reduce over an empty axis of shape \(describeShape(shape))", file: file, line: line)
        let values = TensorStorage(uninitializedCount: rows)
        var indices = [Int](repeating: 0, count: rows)
        // `values` is scratch the kernel writes: keep it (and `moved`) alive until the kernel returns.
        withExtendedLifetime((values, moved)) {
            indices.withUnsafeMutableBufferPointer { ip in
                Kernels.argReduceRows(moved.storage.pointer, rows: rows, n: n, isMax: isMax, values.pointer, ip.baseAddress!)
            }
        }
        let r = Tensor(shape: finalShape, storage: values)
        let movedShape = moved.shape
        var inverse = [Int](repeating: 0, count: rank)
        for (d, a) in perm.enumerated() { inverse[a] = d }
        _ = kept
        return Tensor.record(name, r, inputs: [self]) { g, _ in
            // Scatter each gradient to the winner of its row, then undo the permutation.
            let gs = TensorStorage(repeating: 0, count: rows * n)
            for row in 0..<rows { gs.pointer[row &* n &+ indices[row]] = g.storage.pointer[row] }
            return [Tensor(shape: movedShape, storage: gs).permuted(inverse)]
        }
    }

    /// Index of the largest element along `axis` (first one on ties), as a `Float` tensor
    /// with that axis removed (or kept with size 1). Like PyTorch's `argmax(dim)`.
    public func argmax(axis: Int, keepDims: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        argExtremum(axis, keepDims: keepDims, isMax: true, file: file, line: line)
    }

    /// Index of the smallest element along `axis` (first one on ties), as a `Float` tensor.
    public func argmin(axis: Int, keepDims: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        argExtremum(axis, keepDims: keepDims, isMax: false, file: file, line: line)
    }

    /// `argmax(axis:)` as Swift integers in row-major order of the remaining axes.
    public func argmaxIndices(axis: Int, file: StaticString = #fileID, line: UInt = #line) -> [Int] {
        argIndices(axis, isMax: true, file: file, line: line).indices
    }

    func argIndices(_ axis: Int, isMax: Bool, file: StaticString, line: UInt) -> (indices: [Int], rows: Int) {
        let a = normalizeAxis(axis, rank: rank, op: isMax ? "argmax" : "argmin", file: file, line: line)
        let (_, moved, rows, n) = reducedLast(rank == 0 ? [] : [a])
        shapeCheck(n > 0, "\(isMax ? "argmax" : "argmin"): axis \(axis) of shape \(describeShape(shape)) is empty", file: file, line: line)
        var indices = [Int](repeating: 0, count: rows)
        let values = TensorStorage(uninitializedCount: rows)
        // `values` is scratch the kernel writes: keep it (and `moved`) alive until the kernel returns.
        withExtendedLifetime((values, moved)) {
            indices.withUnsafeMutableBufferPointer { ip in
                Kernels.argReduceRows(moved.storage.pointer, rows: rows, n: n, isMax: isMax, values.pointer, ip.baseAddress!)
            }
        }
        return (indices, rows)
    }

    func argExtremum(_ axis: Int, keepDims: Bool, isMax: Bool, file: StaticString, line: UInt) -> Tensor {
        let (ax, _, finalShape) = reductionShapes(rank == 0 ? [] : [axis], keepDims: keepDims,
                                                  op: isMax ? "argmax" : "argmin", file: file, line: line)
        _ = ax
        let (indices, _) = argIndices(axis, isMax: isMax, file: file, line: line)
        return Tensor(shape: finalShape, scalars: indices.map { Float($0) })
    }
}
