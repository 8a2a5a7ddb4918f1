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
    /// The current values. Always a leaf with `requiresGrad == true`: assigning a new tensor
    /// (e.g. from an initialiser) detaches it from any graph and makes it a leaf again.
    /// Updates under `withNoGrad` such as `value -= lr * g` write the buffer in place.
    public var value: Tensor {
        didSet {
            if !(value.requiresGrad && value.isLeaf) {
                value = value.detached()
                value.requiresGrad = true
            }
        }
    }

    /// Optional label (used in messages; module names come from `namedParameters()`).
    public var name: String?

    /// Wraps `value` (detached from any graph) as a trainable leaf.
    public init(_ value: Tensor, name: String? = nil) {
        var v = value.detached()
        v.requiresGrad = true
        self.value = v
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
