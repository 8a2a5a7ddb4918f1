import Tensor

/// Adam (book §11.10, `torch.optim.Adam` with its defaults), at step t = 1, 2, …:
///
///     d ← ∇ + λ·p,   v ← β₁·v + (1 − β₁)·d,   s ← β₂·s + (1 − β₂)·d²,
///     v̂ = v / (1 − β₁ᵗ),   ŝ = s / (1 − β₂ᵗ),   p ← p − η·v̂ / (√ŝ + ε)
///
/// ε = 1e-8 outside the root (the book's scratch Adam uses ε = 1e-6 at the same place).
/// State: `exp_avg` (v), `exp_avg_sq` (s).
public class Adam: Optimizer {
    public let groups: [ParameterGroup]
    public var lr: Float
    public let beta1: Float
    public let beta2: Float
    public let eps: Float
    public let weightDecay: Float
    /// AdamW's decoupled weight decay instead of the L2 term.
    public let decoupledWeightDecay: Bool
    /// Yogi's additive second moment instead of Adam's moving average.
    public internal(set) var additiveSecondMoment = false
    public let state = OptimizerState()

    public init(parameters: [Parameter], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        groups = [ParameterGroup(params: parameters)]
        self.lr = lr
        (beta1, beta2) = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public func update(_ parameter: Parameter, gradient: Tensor, lr: Float, weightDecay: Float) {
        sweep(parameter, gradient) { n, p, g, s in
            Kernels.adamStep(n, p, g, expAvg: s.buffer("exp_avg"), expAvgSq: s.buffer("exp_avg_sq"), lr: lr,
                             beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay,
                             decoupled: decoupledWeightDecay, step: s.step, yogi: additiveSecondMoment)
        }
    }
}

/// AdamW (Loshchilov & Hutter; `torch.optim.AdamW` with its defaults, weight decay 0.01):
/// Adam whose weight decay is decoupled from the moments, `p ← p·(1 − η·λ)` before the Adam step.
public final class AdamW: Adam {
    public init(parameters: [Parameter], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
                weightDecay: Float = 1e-2) {
        super.init(parameters: parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                   decoupledWeightDecay: true)
    }
}

/// Yogi (book §11.10.3; Zaheer et al. 2018): Adam whose second moment moves additively,
///
///     s ← s + (1 − β₂)·sign(d² − s)·d²
///
/// so it cannot grow as fast when the gradients' scale jumps. Not in PyTorch; the defaults are
/// the book's (η = 0.01, ε = 1e-3, s starting at 0). State: `exp_avg`, `exp_avg_sq`, as Adam's.
public final class Yogi: Adam {
    public init(parameters: [Parameter], lr: Float = 0.01, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-3,
                weightDecay: Float = 0) {
        super.init(parameters: parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay)
        additiveSecondMoment = true
    }
}
