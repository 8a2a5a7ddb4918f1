import Tensor

// The layers of the book's concise implementations (§3.3, §3.7, §4.3, §4.6, §5.1).
// Convolution and pooling layers (`Conv2d`, `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`,
// chapter 6) live in Conv.swift; they follow the same pattern: own parameters, an
// `extraDescription`, and a `callAsFunction` that calls the Tensor library's op.

/// A fully connected layer, `y = x·Wᵀ + b` (book §3.3, PyTorch's `nn.Linear`).
///
/// `weight` has shape `[outputSize, inputSize]` and `bias` `[outputSize]`; the input may have
/// any number of leading axes, `(…, inputSize) → (…, outputSize)`. Both start as
/// `U(−1/√inputSize, 1/√inputSize)` (PyTorch's default), drawn from the seeded generator.
///
/// ```swift
/// let net = Sequential(Linear(inputSize: 2, outputSize: 1))
/// Init.normal((net[0] as! Linear).weight, std: 0.01)
/// ```
public final class Linear: ModuleBase, Layer {
    public let inputSize: Int
    public let outputSize: Int
    /// `[outputSize, inputSize]`.
    public let weight: Parameter
    /// `[outputSize]`, or nil for `bias: false`.
    public let bias: Parameter?

    public init(inputSize: Int, outputSize: Int, bias: Bool = true) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = Parameter(Tensor.zeros([outputSize, inputSize]), name: "weight")
        self.bias = bias ? Parameter(Tensor.zeros([outputSize]), name: "bias") : nil
        Init.defaultLayer(weight: weight, bias: self.bias)
    }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var extraDescription: String { "inputSize: \(inputSize), outputSize: \(outputSize), bias: \(bias != nil)" }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        callAsFunction(x, file: #fileID, line: #line)
    }

    /// `x·Wᵀ + b`; shape errors name the caller's line.
    public func callAsFunction(_ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        shapeCheck(x.rank >= 1 && x.shape.last == inputSize,
                   "Linear(inputSize: \(inputSize), outputSize: \(outputSize)): input of shape \(describeShape(x.shape)) "
                   + "must end in \(inputSize)", file: file, line: line)
        return linear(x, weight: weight.value, bias: bias?.value, file: file, line: line)
    }
}

/// Chains layers, feeding each one's output to the next (book §3.3, §5.1; `nn.Sequential`).
///
/// ```swift
/// let net = Sequential(Flatten(), Linear(inputSize: 784, outputSize: 256), ReLU(),
///                      Linear(inputSize: 256, outputSize: 10))
/// print(net)                 // nested summary
/// let first = net[1] as! Linear
/// ```
public final class Sequential: ModuleBase, Layer {
    public private(set) var layers: [Layer]

    public init(_ layers: [Layer]) { self.layers = layers }
    public convenience init(_ layers: Layer...) { self.init(layers) }

    /// Adds a layer at the end (PyTorch's `net.append`, the book's `add_module` loops).
    public func append(_ layer: Layer) { layers.append(layer) }

    public var count: Int { layers.count }
    public subscript(index: Int) -> Layer { layers[index] }

    public var children: [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element as Module) }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { h, layer in layer(h) }
    }
}

/// Flattens every axis after the first: `(B, C, H, W) → (B, C·H·W)` (book §3.7, `nn.Flatten`).
/// Shares the buffer (no copy).
public final class Flatten: ModuleBase, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened(startAxis: 1) }
}

/// Dropout (book §4.6): in training mode each element is zeroed with probability `p` and the
/// survivors are scaled by `1/(1−p)`, so the expectation is unchanged:
/// `h' = h·m/(1−p)`, `m = (u > p)`, `u ~ U(0, 1)` from the seeded global generator.
/// In evaluation mode (`net.eval()`) and for `p == 0` it is the identity; `p == 1` gives zeros.
public final class Dropout: ModuleBase, Layer {
    public let p: Float

    public init(_ p: Float, file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got \(p)", file: file, line: line)
        self.p = p
    }

    public var extraDescription: String { "p: \(p)" }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x }
        if p >= 1 { return x * Tensor.zeros(x.shape) }
        return x * Dropout.mask(x.shape, p: p, generator: &GlobalRandom.generator)
    }

    /// The scaled keep-mask: `1/(1−p)` where `u > p`, else 0.
    public static func mask(_ shape: [Int], p: Float, generator: inout SeededGenerator,
                            file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let n = checkedShapeCount(shape, op: "Dropout.mask", file: file, line: line)
        let s = TensorStorage(uninitializedCount: n)
        let scale = 1 / (1 - p)
        for i in 0..<n { s.pointer[i] = generator.nextUniform() > p ? scale : 0 }
        return Tensor(shape: shape, storage: s)
    }
}

/// `max(x, 0)` as a layer (book §4.1; the op is `x.relu()`).
public final class ReLU: ModuleBase, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// `1 / (1 + e⁻ˣ)` as a layer (book §4.1, LeNet in §6.6; the op is `x.sigmoid()`).
public final class Sigmoid: ModuleBase, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// `tanh x` as a layer (book §4.1; the op is `x.tanh()`).
public final class Tanh: ModuleBase, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.tanh() }
}
