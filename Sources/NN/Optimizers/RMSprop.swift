import Tensor

/// RMSProp (book §11.8, `torch.optim.RMSprop` with its defaults):
///
///     d ← ∇ + λ·p,   s ← α·s + (1 − α)·d²,   p ← p − η·d / (√s + ε)
///
/// `centered` divides by `√(s − a²) + ε` with `a` the running mean of d; `momentum` μ > 0
/// keeps `b ← μ·b + d / (√s + ε)` and steps `p ← p − η·b`. PyTorch puts ε = 1e-8 outside the
/// root; the book's scratch version uses √(s + 1e-6). State: `square_avg`, `grad_avg`
/// (centered), `momentum_buffer` (momentum).
public final class RMSprop: Optimizer {
    public let groups: [ParameterGroup]
    public var lr: Float
    public let alpha: Float
    public let eps: Float
    public let weightDecay: Float
    public let momentum: Float
    public let centered: Bool
    public let state = OptimizerState()

    public init(parameters: [Parameter], lr: Float = 0.01, alpha: Float = 0.99, eps: Float = 1e-8,
                weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false) {
        groups = [ParameterGroup(params: parameters)]
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
    }

    public func update(_ parameter: Parameter, gradient: Tensor, lr: Float, weightDecay: Float) {
        sweep(parameter, gradient) { n, p, g, s in
            Kernels.rmspropStep(n, p, g, squareAvg: s.buffer("square_avg"),
                                gradAvg: centered ? s.buffer("grad_avg") : nil,
                                buffer: momentum > 0 ? s.buffer("momentum_buffer") : nil,
                                lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum)
        }
    }
}
