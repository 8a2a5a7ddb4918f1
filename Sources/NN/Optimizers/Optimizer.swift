import Tensor

/// Parameters that share settings in an optimizer (PyTorch's parameter groups). A setting
/// left nil uses the optimizer's default; book §4.5 decays only the weight:
///
/// ```swift
/// let trainer = SGD(groups: [.init(params: [net.weight], weightDecay: 3),
///                            .init(params: [net.bias!])], lr: 0.003)
/// ```
public struct ParameterGroup {
    public var params: [Parameter]
    public var lr: Float?
    public var weightDecay: Float?

    public init(params: [Parameter], lr: Float? = nil, weightDecay: Float? = nil) {
        self.params = params
        self.lr = lr
        self.weightDecay = weightDecay
    }
}

/// Updates parameters from their gradients (book §3.3, chapter 11). The skeleton follows
/// MLX Swift's optimizers: an optimizer holds its settings and its per-parameter `state`
/// (`OptimizerState`: momentum buffers, moments, sums and step counts, created on first use)
/// and defines one rule, `update(_:gradient:lr:weightDecay:)`, for one parameter; `step()`
/// (a requirement with a default) runs it for every parameter that has a gradient.
///
/// The training step of the concise chapters:
///
/// ```swift
/// let l = loss(net(X), y)
/// optimizer.zeroGrad()
/// l.backward()
/// optimizer.step()
/// ```
public protocol Optimizer: AnyObject {
    var groups: [ParameterGroup] { get }
    /// Default learning rate (a group's `lr` overrides it); settable for schedules.
    var lr: Float { get set }
    /// Default weight decay (a group's `weightDecay` overrides it).
    var weightDecay: Float { get }
    /// The per-parameter state (saved and restored by `stateDict()` / `loadStateDict(_:)`).
    var state: OptimizerState { get }
    /// Updates one parameter in place from its gradient.
    func update(_ parameter: Parameter, gradient: Tensor, lr: Float, weightDecay: Float)
    /// One update of every parameter that has a gradient.
    func step()
}

extension Optimizer {
    /// One update of every parameter that has a gradient (parameters without one are skipped),
    /// under `withNoGrad`.
    public func step() {
        withNoGrad {
            for group in groups {
                let lr = group.lr ?? self.lr, wd = group.weightDecay ?? weightDecay
                for p in group.params {
                    guard let g = p.grad else { continue }
                    update(p, gradient: g, lr: lr, weightDecay: wd)
                }
            }
        }
    }

    /// Clears every parameter's gradient (call once per step: gradients accumulate).
    public func zeroGrad() {
        for group in groups { for p in group.params { p.zeroGrad() } }
    }

    /// All parameters of all groups.
    public var parameters: [Parameter] { groups.flatMap { $0.params } }

    /// Runs a fused kernel on the parameter's buffer (written in place), its gradient, and the
    /// state entry of the parameter (its step count already advanced by one).
    ///
    ///     sweep(p, g) { n, p, g, s in Kernels.adagradStep(n, p, g, sum: s.buffer("sum"), ...) }
    public func sweep(_ parameter: Parameter, _ gradient: Tensor,
                      _ body: (Int, UnsafeMutablePointer<Float>, UnsafePointer<Float>, OptimizerState.Entry) -> Void) {
        guard gradient.count == parameter.count else {
            fatalError("\(Self.self).step: gradient of shape \(describeShape(gradient.shape)) for a parameter of shape \(describeShape(parameter.shape))")
        }
        let entry = state.entry(for: parameter)
        entry.step += 1
        let g = gradient.storage.pointer
        parameter.value.withUnsafeMutableBufferPointer { p in body(p.count, p.baseAddress!, UnsafePointer(g), entry) }
    }
}
