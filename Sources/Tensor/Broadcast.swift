/// Broadcasting: the one rule (NumPy/PyTorch, book §2.1.3) and its inverse for gradients.
///
/// Shapes are aligned at their last axes; two sizes are compatible when they are equal
/// or one of them is 1; missing leading axes count as 1. `(2, 3, 4)` with `(3, 1)` gives
/// `(2, 3, 4)`.

/// The broadcast shape of `a` and `b`, or a shape error naming `op` and both shapes.
public func broadcastShape(_ a: [Int], _ b: [Int], op: String,
                           file: StaticString = #fileID, line: UInt = #line) -> [Int] {
    if a == b { return a }
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        shapeCheck(da == db || da == 1 || db == 1,
                   "\(op): shapes \(describeShape(a)) and \(describeShape(b)) cannot be broadcast: "
                   + "axis \(i) has sizes \(da) and \(db)", file: file, line: line)
        out[i] = da == 1 ? db : da
    }
    return out
}

/// Strides for reading a tensor of `shape` as if it had `target` shape: broadcast axes
/// (size 1 or missing) get stride 0.
public func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = contiguousStrides(shape)
    let offset = target.count - shape.count
    var strides = [Int](repeating: 0, count: target.count)
    for i in 0..<shape.count where shape[i] != 1 {
        strides[i + offset] = own[i]
    }
    return strides
}

extension Tensor {
    /// The gradient step that undoes broadcasting: sums `grad` over the axes that
    /// broadcasting stretched, so the result has `shape` again. Every op's backward
    /// calls this one function.
    public static func unbroadcast(_ grad: Tensor, to shape: [Int]) -> Tensor {
        if grad.shape == shape { return grad }
        let offset = grad.rank - shape.count
        var axes: [Int] = Array(0..<offset)
        for i in 0..<shape.count where shape[i] == 1 && grad.shape[i + offset] != 1 {
            axes.append(i + offset)
        }
        let summed = axes.isEmpty ? grad : grad.sum(alongAxes: axes, keepDims: true)
        return summed.reshaped(to: shape)
    }

    /// A view of `self` with the broadcast `shape` materialised (a copy).
    public func broadcast(to target: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if shape == target { return self }
        let out = broadcastShape(shape, target, op: "broadcast", file: file, line: line)
        shapeCheck(out == target, "broadcast: cannot broadcast \(describeShape(shape)) to \(describeShape(target))",
                   file: file, line: line)
        return self + Tensor.zeros(target)
    }
}
