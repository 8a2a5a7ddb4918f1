import Tensor

/// The element types a module's state can hold: PyTorch keeps parameters and most buffers as
/// float32 and a few counters (batch norm's `num_batches_tracked`) as int64. The raw values are
/// the safetensors dtype names.
public enum StateDType: String {
    case float32 = "F32"
    case int64 = "I64"

    /// Bytes per element in a safetensors file.
    public var size: Int { self == .float32 ? 4 : 8 }
}

/// State a module keeps, saves and loads but does not train (PyTorch's `register_buffer`):
/// batch normalization's running mean and variance (book §8.5) and its batch counter.
///
/// A layer declares each buffer as a constant and lists it in `ownBuffers` under its PyTorch
/// name, as it lists its parameters in `ownParameters`; `namedBuffers()`, `stateDict()` and
/// `saveParameters(to:)` then find it:
///
/// ```swift
/// final class BatchNorm1d: ModuleBase, Layer {
///     let weight = Parameter(Tensor.ones([4]), name: "weight")
///     let bias = Parameter(Tensor.zeros([4]), name: "bias")
///     let runningMean = Buffer(Tensor.zeros([4]))          // float32, shape fixed here
///     let runningVar = Buffer(Tensor.ones([4]))
///     let numBatchesTracked = Buffer(int64: 0)              // int64 scalar, kept exactly
///     var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }
///     var ownBuffers: [(name: String, buffer: Buffer)] {
///         [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
///     }
///     func callAsFunction(_ x: Tensor) -> Tensor {
///         if isTraining {
///             let mean = x.mean(alongAxes: [0]).detached()
///             // running ← (1 − momentum)·running + momentum·batch, in place (no copy, no graph)
///             runningMean.value.addScaled(mean, alpha: 0.1, beta: 0.9)
///             numBatchesTracked.int64Value += 1
///         }
///         …
///     }
/// }
/// ```
///
/// Rules: a buffer's shape is fixed at creation (assigning another shape stops with both
/// shapes); its value never requires grad (a tracked result assigned or computed in place is
/// detached, so update with detached statistics or under `withNoGrad` to avoid building a
/// graph); in-place updates through `value` (`+=`, `addScaled`) write the buffer without a copy.
public final class Buffer {
    /// Float32 or int64.
    public let dtype: StateDType
    /// The shape, fixed at creation.
    public let shape: [Int]
    private var floats: Tensor
    private var integers: [Int64]

    /// A float32 buffer holding `value` (detached from any graph).
    public init(_ value: Tensor) {
        dtype = .float32
        shape = value.shape
        floats = value.detached()
        integers = []
    }

    /// An int64 scalar buffer, e.g. `num_batches_tracked`.
    public convenience init(int64 value: Int64) { self.init(int64Shape: [], scalars: [value]) }

    /// An int64 buffer of any shape.
    public init(int64Shape shape: [Int], scalars: [Int64], file: StaticString = #fileID, line: UInt = #line) {
        let n = checkedShapeCount(shape, op: "Buffer(int64Shape:scalars:)", file: file, line: line)
        shapeCheck(n == scalars.count, "Buffer(int64Shape:scalars:): shape \(describeShape(shape)) needs \(n) values, got \(scalars.count)",
                   file: file, line: line)
        dtype = .int64
        self.shape = shape
        floats = Tensor.zeros([0])
        integers = scalars
    }

    /// The values of a float32 buffer (for an int64 buffer, reading gives its values as
    /// `Float`s and writing is an error: use `int64Scalars`).
    public var value: Tensor {
        get { dtype == .float32 ? floats : Tensor(shape: shape, scalars: integers.map { Float($0) }) }
        set {
            check(.float32, newValue.shape)
            floats = newValue.detached()
        }
        _modify {
            check(.float32, floats.shape)
            yield &floats
            check(.float32, floats.shape)
            if floats.requiresGrad { floats = floats.detached() }
        }
    }

    /// The values of an int64 buffer, exactly.
    public var int64Scalars: [Int64] {
        get { integers }
        set {
            check(.int64, shape)
            if newValue.count != integers.count {
                fatalError("Buffer: cannot assign \(newValue.count) values to an int64 buffer of shape \(describeShape(shape))")
            }
            integers = newValue
        }
    }

    /// The value of an int64 scalar buffer (`numBatchesTracked.int64Value += 1`).
    public var int64Value: Int64 {
        get { check(.int64, []); return integers[0] }
        set { check(.int64, []); integers[0] = newValue }
    }

    /// The buffer as a state-dict entry (shares the float storage).
    public var state: StateTensor {
        dtype == .float32 ? .float32(floats) : .int64(shape: shape, scalars: integers)
    }

    /// Sets the buffer from a state-dict entry of the same dtype and shape.
    func load(_ entry: StateTensor) {
        switch entry {
        case .float32(let t): value = t
        case .int64(_, let scalars): int64Scalars = scalars
        }
    }

    private func check(_ expected: StateDType, _ newShape: [Int]) {
        if dtype != expected {
            fatalError("Buffer: this buffer holds \(dtype) values of shape \(describeShape(shape)); "
                       + (dtype == .int64 ? "use int64Scalars / int64Value" : "use value"))
        }
        if newShape != shape {
            fatalError("Buffer: cannot assign a value of shape \(describeShape(newShape)) to a buffer of shape \(describeShape(shape))")
        }
    }
}

/// One entry of a state dict and of a safetensors file: float32 data as a `Tensor`, or int64
/// data kept exactly (PyTorch writes `num_batches_tracked` as an int64 scalar).
public enum StateTensor {
    case float32(Tensor)
    case int64(shape: [Int], scalars: [Int64])

    public var dtype: StateDType {
        if case .float32 = self { return .float32 }
        return .int64
    }

    public var shape: [Int] {
        switch self {
        case .float32(let t): return t.shape
        case .int64(let shape, _): return shape
        }
    }

    /// The values as a float tensor (int64 values converted).
    public var tensor: Tensor {
        switch self {
        case .float32(let t): return t
        case .int64(let shape, let scalars): return Tensor(shape: shape, scalars: scalars.map { Float($0) })
        }
    }
}

extension Buffer: CustomStringConvertible {
    public var description: String {
        "Buffer (\(dtype)) of shape \(describeShape(shape)):\n"
            + (dtype == .float32 ? "\(floats)" : "\(integers)")
    }
}
