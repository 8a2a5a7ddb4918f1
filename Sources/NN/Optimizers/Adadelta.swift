import Tensor

/// Adadelta (book §11.9, `torch.optim.Adadelta` with its defaults):
///
///     d ← ∇ + λ·p,   s ← ρ·s + (1 − ρ)·d²,   Δp = √(Δ + ε) / √(s + ε) · d,
///     Δ ← ρ·Δ + (1 − ρ)·Δp²,   p ← p − η·Δp
///
/// ε sits inside both roots, as in the book (which uses ε = 1e-5 and no η, i.e. η = 1).
/// State: `square_avg`, `acc_delta`.
public final class Adadelta: Optimizer {
    public let groups: [ParameterGroup]
    public var lr: Float
    public let rho: Float
    public let eps: Float
    public let weightDecay: Float
    public let state = OptimizerState()

    public init(parameters: [Parameter], lr: Float = 1.0, rho: Float = 0.9, eps: Float = 1e-6, weightDecay: Float = 0) {
        groups = [ParameterGroup(params: parameters)]
        self.lr = lr
        self.rho = rho
        self.eps = eps
        self.weightDecay = weightDecay
    }

    public func update(_ parameter: Parameter, gradient: Tensor, lr: Float, weightDecay: Float) {
        sweep(parameter, gradient) { n, p, g, s in
            Kernels.adadeltaStep(n, p, g, squareAvg: s.buffer("square_avg"), accDelta: s.buffer("acc_delta"),
                                 lr: lr, rho: rho, eps: eps, weightDecay: weightDecay)
        }
    }
}
