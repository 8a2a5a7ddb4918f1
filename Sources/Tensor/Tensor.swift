/// An n-dimensional array of `Float`s with reverse-mode automatic differentiation.
///
/// Storage is row-major and contiguous, held in a shared `TensorStorage` with
/// copy-on-write: `reshaped(to:)` returns a tensor that shares the buffer (no copy,
/// like the book's note in §2.1 that `X.reshape` shares memory), and the first write
/// through either tensor copies it.
///
/// ```swift
/// let x = Tensor.arange(12).reshaped(to: [3, 4])   // tensor([[0, 1, 2, 3], ...])
/// var w = Tensor.randn([4, 1]); w.requiresGrad = true
/// let loss = (x.matmul(w)).sum()
/// loss.backward()                                  // w.grad == x.sum(alongAxes: [0]) as a column
/// ```
///
/// Subscripts are for inspection only: element-by-element compute is orders of magnitude
/// slower than the whole-tensor ops, whose kernels are SIMD and multi-threaded.
public struct Tensor {
    /// The size of each axis. A scalar has shape `[]`.
    public private(set) var shape: [Int]
    /// The buffer (shared with views until written).
    public private(set) var storage: TensorStorage
    /// Autograd record: set for leaves with `requiresGrad` and for results of ops on them.
    var node: GradNode?

    /// Wraps an existing buffer. `storage.count` must equal the shape's element count; the
    /// shape is checked like every shape entering the library (`checkedShapeCount`).
    public init(shape: [Int], storage: TensorStorage, file: StaticString = #fileID, line: UInt = #line) {
        let n = checkedShapeCount(shape, op: "Tensor(shape:storage:)", file: file, line: line)
        shapeCheck(n == storage.count,
                   "Tensor(shape:storage:): shape \(describeShape(shape)) has \(n) elements but the storage holds \(storage.count)",
                   file: file, line: line)
        self.shape = shape
        self.storage = storage
        self.node = nil
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float], file: StaticString = #fileID, line: UInt = #line) {
        let n = checkedShapeCount(shape, op: "Tensor(shape:scalars:)", file: file, line: line)
        shapeCheck(n == scalars.count,
                   "Tensor(shape:scalars:): shape \(describeShape(shape)) needs \(n) scalars, got \(scalars.count)",
                   file: file, line: line)
        self.init(shape: shape, storage: TensorStorage(scalars), file: file, line: line)
    }

    /// A scalar (rank-0) tensor.
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// A vector.
    public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// A matrix from nested arrays; rows must have equal lengths.
    public init(_ rows: [[Float]], file: StaticString = #fileID, line: UInt = #line) {
        let cols = rows.first?.count ?? 0
        shapeCheck(rows.allSatisfy { $0.count == cols }, "Tensor([[Float]]): rows have different lengths",
                   file: file, line: line)
        self.init(shape: [rows.count, cols], scalars: rows.flatMap { $0 })
    }

    /// A rank-3 tensor from nested arrays.
    public init(_ planes: [[[Float]]], file: StaticString = #fileID, line: UInt = #line) {
        let rows = planes.first?.count ?? 0
        let cols = planes.first?.first?.count ?? 0
        shapeCheck(planes.allSatisfy { $0.count == rows && $0.allSatisfy { $0.count == cols } },
                   "Tensor([[[Float]]]): nested arrays are ragged", file: file, line: line)
        self.init(shape: [planes.count, rows, cols], scalars: planes.flatMap { $0.flatMap { $0 } })
    }

    // MARK: Basic properties

    /// Number of axes.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { storage.count }
    /// The elements in row-major order (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }

    /// The value of a one-element tensor, as a Swift `Float` (PyTorch's `item()`).
    public func item(file: StaticString = #fileID, line: UInt = #line) -> Float {
        shapeCheck(count == 1, "item(): needs a tensor with one element, got shape \(describeShape(shape))",
                   file: file, line: line)
        return storage.pointer[0]
    }

    /// Reads one element (for inspection and tests; slow for compute).
    public subscript(indices: Int...) -> Float {
        get { storage.pointer[flatIndex(indices)] }
        set {
            let i = flatIndex(indices)
            makeUnique()
            storage.pointer[i] = newValue
        }
    }

    func flatIndex(_ indices: [Int]) -> Int {
        shapeCheck(indices.count == rank,
                   "subscript: \(indices.count) indices for a tensor of shape \(describeShape(shape))",
                   file: #fileID, line: #line)
        var flat = 0
        for (i, idx) in indices.enumerated() {
            let j = idx < 0 ? idx + shape[i] : idx
            shapeCheck(j >= 0 && j < shape[i],
                       "subscript: index \(idx) out of range for axis \(i) of shape \(describeShape(shape))",
                       file: #fileID, line: #line)
            flat = flat &* shape[i] &+ j
        }
        return flat
    }

    /// True when both tensors read the same buffer (a `reshaped` view, an unwritten copy).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    // MARK: Copy-on-write access for kernels

    /// Copies the buffer if another tensor shares it, so it can be written in place.
    public mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Read-only access to the elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Write access to the elements; copies first if the buffer is shared.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    // MARK: Views

    /// The same elements with a new shape; shares the buffer (no copy). One size may be -1.
    public func reshaped(to newShape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        var target = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        shapeCheck(unknown.count <= 1, "reshape: at most one size may be -1, got \(describeShape(newShape))",
                   file: file, line: line)
        if let u = unknown.first {
            var rest = newShape
            rest.remove(at: u)
            let known = checkedShapeCount(rest, op: "reshape", file: file, line: line)
            shapeCheck(known > 0 && count % known == 0,
                       "reshape: cannot reshape \(describeShape(shape)) (\(count) elements) to \(describeShape(newShape))",
                       file: file, line: line)
            target[u] = count / known
        }
        shapeCheck(checkedShapeCount(target, op: "reshape", file: file, line: line) == count,
                   "reshape: cannot reshape \(describeShape(shape)) (\(count) elements) to \(describeShape(newShape))",
                   file: file, line: line)
        if target == shape { return self }
        var result = Tensor(shape: target, storage: storage, file: file, line: line)
        let oldShape = shape
        result = Tensor.record("reshape", result, inputs: [self]) { g, _ in [g.reshaped(to: oldShape)] }
        return result
    }

    /// `reshaped(to:)` spelled like PyTorch's `view`.
    public func view(_ newShape: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        reshaped(to: newShape, file: file, line: line)
    }

    /// Flattens axes `startAxis...` into one (PyTorch `flatten(start_dim)`), e.g. `(B, C, H, W)` → `(B, C·H·W)`.
    public func flattened(startAxis: Int = 0) -> Tensor {
        let s = normalizeAxis(startAxis, rank: rank, op: "flatten", allowScalar: true,
                              file: #fileID, line: #line)
        if rank == 0 { return reshaped(to: [1]) }
        return reshaped(to: Array(shape[..<s]) + [shapeCount(Array(shape[s...]))])
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { TensorFormatter.format(self) }
}
