import Tensor

/// A trainable tensor owned by a layer (PyTorch's `nn.Parameter`, book §5.2).
///
/// A `Parameter` is a class, so a layer, the model's `parameters()` list and the optimizer
/// all refer to the same object: the optimizer updates `value` in place and every holder
/// sees the change. Using one `Parameter` (or one layer) in two places ties the weights
/// (book §5.2.3): the gradients of both uses add up in its single `.grad`.
///
/// ```swift
/// let w = Parameter(Tensor.randn([3, 4]) * 0.01, name: "weight")
/// let y = x.matmul(w.value)        // records the graph through w
/// y.sum().backward()
/// print(w.grad!)                   // ∂y.sum()/∂w
/// ```
public final class Parameter {
    /// The current values. Always a leaf with `requiresGrad == true` and its own gradient.
    /// Assigning a tensor (e.g. from an initialiser, or another parameter's `value`) makes a
    /// fresh leaf of it, so two parameters never share a `.grad` by accident; the buffer itself
    /// is shared copy-on-write. Updates in place under `withNoGrad`, such as
    /// `value -= lr * g`, write the buffer without copying it and keep the gradient.
    ///
    /// The shape is fixed when the parameter is created: assigning a value of another shape
    /// stops with both shapes (`Linear(inputSize: 5, outputSize: 3).weight.value = <3×6>` is
    /// an error here, not a confusing `matmul` error later).
    public var value: Tensor {
        get { storedValue }
        set {
            checkShape(newValue.shape)
            storedValue = Parameter.leaf(newValue)
        }
        _modify {
            yield &storedValue
            checkShape(storedValue.shape)
            if !(storedValue.requiresGrad && storedValue.isLeaf) { storedValue = Parameter.leaf(storedValue) }
        }
    }

    private var storedValue: Tensor
    private let fixedShape: [Int]

    private func checkShape(_ newShape: [Int]) {
        if newShape != fixedShape {
            fatalError("Parameter\(name.map { " '\($0)'" } ?? ""): cannot assign a value of shape \(describeShape(newShape)) "
                       + "to a parameter of shape \(describeShape(fixedShape))")
        }
    }

    /// `t` cut from any graph and made a new leaf that requires grad.
    private static func leaf(_ t: Tensor) -> Tensor {
        var v = t.detached()
        v.requiresGrad = true
        return v
    }

    /// Optional label (used in messages; module names come from `namedParameters()`).
    public var name: String?

    /// Wraps `value` (detached from any graph) as a trainable leaf.
    public init(_ value: Tensor, name: String? = nil) {
        storedValue = Parameter.leaf(value)
        fixedShape = value.shape
        self.name = name
    }

    /// The gradient accumulated by `backward()`, or nil before the first one / after `zeroGrad()`.
    public var grad: Tensor? { value.grad }

    /// The shape of `value`.
    public var shape: [Int] { value.shape }

    /// Number of scalars.
    public var count: Int { value.count }

    /// Clears the gradient (the next `backward()` starts from zero).
    public func zeroGrad() { value.zeroGrad() }
}

extension Parameter: CustomStringConvertible {
    public var description: String {
        "Parameter\(name.map { " \($0)" } ?? "") of shape \(describeShape(shape)):\n\(value)"
    }
}
