import Tensor

/// AdaGrad (book §11.7, `torch.optim.Adagrad` with its defaults):
///
///     d ← ∇ + λ·p,   s ← s + d²,   p ← p − η'·d / (√s + ε),   η' = η / (1 + (t − 1)·lrDecay)
///
/// PyTorch puts ε = 1e-10 outside the root; the book's scratch version uses √(s + 1e-6).
/// State: `sum` (starting at `initialAccumulatorValue`).
public final class Adagrad: Optimizer {
    public let groups: [ParameterGroup]
    public var lr: Float
    public let lrDecay: Float
    public let weightDecay: Float
    public let initialAccumulatorValue: Float
    public let eps: Float
    public let state = OptimizerState()

    public init(parameters: [Parameter], lr: Float = 0.01, lrDecay: Float = 0, weightDecay: Float = 0,
                initialAccumulatorValue: Float = 0, eps: Float = 1e-10) {
        groups = [ParameterGroup(params: parameters)]
        self.lr = lr
        self.lrDecay = lrDecay
        self.weightDecay = weightDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.eps = eps
    }

    public func update(_ parameter: Parameter, gradient: Tensor, lr: Float, weightDecay: Float) {
        sweep(parameter, gradient) { n, p, g, s in
            let clr = lr / (1 + Float(s.step - 1) * lrDecay)
            Kernels.adagradStep(n, p, g, sum: s.buffer("sum", initial: initialAccumulatorValue), lr: clr, eps: eps,
                                weightDecay: weightDecay)
        }
    }
}
