import Tensor

/// Minibatch stochastic gradient descent with optional momentum and weight decay
/// (book §3.3 `torch.optim.SGD`, §4.5 weight decay, §11.4–11.6), PyTorch's rule:
///
///     d ← ∇ + λ·p                  (weight decay λ: the gradient of λ/2‖p‖²)
///     b ← μ·b + (1 − τ)·d          (momentum μ, dampening τ; b starts as the first d)
///     d ← d + μ·b  (Nesterov)  or  d ← b
///     p ← p − η·d
///
/// With μ = 0 it is `p ← p − η·d`. One fused pass writes `p` (and `b`) in place.
/// State: `momentum_buffer`.
public final class SGD: Optimizer {
    public let groups: [ParameterGroup]
    public var lr: Float
    public let momentum: Float
    public let dampening: Float
    public let nesterov: Bool
    public let weightDecay: Float
    public let state = OptimizerState()

    public convenience init(parameters: [Parameter], lr: Float, momentum: Float = 0, dampening: Float = 0,
                            weightDecay: Float = 0, nesterov: Bool = false) {
        self.init(groups: [ParameterGroup(params: parameters)], lr: lr, momentum: momentum, dampening: dampening,
                  weightDecay: weightDecay, nesterov: nesterov)
    }

    public init(groups: [ParameterGroup], lr: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        if nesterov && (momentum <= 0 || dampening != 0) {
            fatalError("SGD: Nesterov momentum needs momentum > 0 and dampening 0 (got momentum \(momentum), dampening \(dampening))")
        }
        self.groups = groups
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func update(_ parameter: Parameter, gradient: Tensor, lr: Float, weightDecay: Float) {
        sweep(parameter, gradient) { n, p, g, s in
            let first = !s.has("momentum_buffer")
            Kernels.sgdStep(n, p, g, buffer: momentum != 0 ? s.buffer("momentum_buffer") : nil, lr: lr,
                            momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov,
                            firstStep: first)
        }
    }
}
