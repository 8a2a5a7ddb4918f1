/// Shape errors: every op checks its operands and stops with a message that names
/// the op, the shapes involved and the caller's `file:line`, for example
/// `matmul: (2, 3) × (4, 5): inner dimensions 3 and 4 differ`.
///
/// We use `fatalError`, not `precondition`: in `-O` builds `precondition` drops its
/// message, `fatalError` always prints it.

/// Formats a shape the way the messages and `print(tensor)` show it: `(2, 3)`; a scalar is `()`.
public func describeShape(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// Stops with `message()` (prefixed by nothing; the message itself names the op) unless
/// `condition` holds. `file`/`line` should be the public API's caller location.
@inline(__always)
public func shapeCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                       file: StaticString, line: UInt) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

/// Number of elements of a shape (1 for a scalar).
@inline(__always)
public func shapeCount(_ shape: [Int]) -> Int {
    var n = 1
    for d in shape { n = n &* d }
    return n
}

/// Row-major strides of a contiguous tensor of this shape.
public func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = s
        s = s &* shape[i]
    }
    return strides
}

/// Normalises a possibly negative axis (`-1` is the last) and checks it is in range.
///
/// A scalar (rank 0) has no axis, so ops that need one (`slice`, `concatenate`, `squeeze`,
/// `gather`, `argmax`, …) reject it. Reductions pass `allowScalar: true`: like PyTorch they
/// accept axis 0 or -1 of a scalar and leave it unchanged.
public func normalizeAxis(_ axis: Int, rank: Int, op: String, allowScalar: Bool = false,
                          file: StaticString, line: UInt) -> Int {
    shapeCheck(rank > 0 || allowScalar, "\(op): a scalar (rank-0 tensor) has no axis \(axis)", file: file, line: line)
    let a = axis < 0 ? axis &+ Swift.max(rank, 1) : axis
    shapeCheck(a >= 0 && a < Swift.max(rank, 1), "\(op): axis \(axis) is out of range for a tensor of rank \(rank)",
               file: file, line: line)
    return a
}

/// The number of elements of a shape that enters the library (a creation op, a reshape, a
/// buffer): every size must be non-negative and the product (and its size in bytes) must fit
/// in `Int`, checked with an overflow-reporting multiply. Stops with the op and the shape, e.g.
/// `zeros: shape (-2, -3) has a negative size (-2 at axis 0)`.
public func checkedShapeCount(_ shape: [Int], op: String, file: StaticString, line: UInt) -> Int {
    var n = 1
    for (axis, d) in shape.enumerated() {
        shapeCheck(d >= 0, "\(op): shape \(describeShape(shape)) has a negative size (\(d) at axis \(axis))",
                   file: file, line: line)
        let (product, overflow) = n.multipliedReportingOverflow(by: d)
        shapeCheck(!overflow, "\(op): shape \(describeShape(shape)) has more elements than Int can count",
                   file: file, line: line)
        n = product
    }
    shapeCheck(n <= Int.max / MemoryLayout<Float>.stride,
               "\(op): shape \(describeShape(shape)) has \(n) elements, more bytes than Int can count",
               file: file, line: line)
    return n
}
