/// Reductions (book §2.3.6): sum and mean over any set of axes, with `keepDims`.
extension Tensor {
    /// Sum over `axes` (negative axes count from the end). With `keepDims` the reduced
    /// axes stay with size 1 (so the result broadcasts against `self`).
    public func sum(alongAxes axes: [Int], keepDims: Bool = false,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ax = Set(axes.map { normalizeAxis($0, rank: rank, op: "sum", file: file, line: line) })
        var outShape = shape
        for a in ax { outShape[a] = 1 }
        let out = TensorStorage(repeating: 0, count: shapeCount(outShape))
        Kernels.sumNaive(storage.pointer, shape, out.pointer, outShape)
        let keptShape = outShape
        let finalShape = keepDims ? outShape : shape.enumerated().filter { !ax.contains($0.offset) }.map { $0.element }
        let inShape = shape
        let r = Tensor(shape: finalShape, storage: out)
        return Tensor.record("sum", r, inputs: [self]) { g, _ in
            [g.reshaped(to: keptShape).broadcast(to: inShape)]
        }
    }

    /// Sum of all elements, as a scalar.
    public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }
}

extension Kernels {
    /// Reference sum: adds every input element into its output slot (`outShape` is the
    /// input shape with reduced axes set to 1).
    public static func sumNaive(_ x: UnsafePointer<Float>, _ shape: [Int],
                                _ out: UnsafeMutablePointer<Float>, _ outShape: [Int]) {
        let n = shapeCount(shape)
        let os = broadcastStrides(outShape, to: shape)
        let rank = shape.count
        for i in 0..<n {
            var rem = i, o = 0
            for d in stride(from: rank - 1, through: 0, by: -1) {
                let k = rem % shape[d]; rem /= shape[d]
                o += k * os[d]
            }
            out[o] += x[i]
        }
    }
}
