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

/// Updates parameters from their gradients (book §3.3, chapter 11). An optimizer keeps its
/// per-parameter state and defines one update (`update(_:gradient:lr:weightDecay:)`);
/// `step()` runs it for every parameter with a gradient, under `withNoGrad`.
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
    /// Updates one parameter in place from its gradient.
    func update(_ parameter: Parameter, gradient: Tensor, lr: Float, weightDecay: Float)
}

extension Optimizer {
    /// One update of every parameter that has a gradient (parameters without one are skipped).
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
}

/// Minibatch stochastic gradient descent with optional momentum and weight decay
/// (book §3.3 `torch.optim.SGD`, §4.5 weight decay, §11.6 momentum), PyTorch's rule:
///
///     g ← ∇ + λ·p          (weight decay λ: the gradient of λ/2‖p‖²)
///     v ← μ·v + g          (momentum μ; v starts as the first g)
///     p ← p − η·v
///
/// With μ = 0 it is `p ← p − η·g`. The update writes `p.value` in place.
public final class SGD: Optimizer {
    public let groups: [ParameterGroup]
    public var lr: Float
    public let momentum: Float
    public let weightDecay: Float
    /// The velocity `v` of each parameter (momentum only).
    private var velocity: [ObjectIdentifier: Tensor] = [:]

    public convenience init(parameters: [Parameter], lr: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(params: parameters)], lr: lr, momentum: momentum, weightDecay: weightDecay)
    }

    public init(groups: [ParameterGroup], lr: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.groups = groups
        self.lr = lr
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public func update(_ parameter: Parameter, gradient: Tensor, lr: Float, weightDecay: Float) {
        var g = weightDecay != 0 ? gradient + weightDecay * parameter.value.detached() : gradient
        if momentum != 0 {
            let key = ObjectIdentifier(parameter)
            if var v = velocity[key] {
                velocity[key] = nil      // drop the dictionary's reference so v updates in place
                v.addScaled(g, alpha: 1, beta: momentum)
                g = v
            } else {
                g = g.detached()
                g.makeUnique()           // the velocity must not share the gradient's buffer
            }
            velocity[key] = g
        }
        parameter.value.addScaled(g, alpha: -lr)
    }
}
