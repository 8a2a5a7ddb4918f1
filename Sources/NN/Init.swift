import Tensor

/// Parameter initialisers (book §4.8 and §5.2.2, PyTorch's `nn.init`). Each one replaces
/// the parameter's values, drawing from the seeded global generator (`Tensor.manualSeed`).
///
/// ```swift
/// net.apply { m in
///     if let l = m as? Linear { Init.xavierUniform(l.weight); Init.zeros(l.bias!) }
/// }
/// ```
public enum Init {
    /// `N(mean, std²)` draws.
    public static func normal(_ p: Parameter, mean: Float = 0, std: Float = 1) {
        p.value = Tensor.normal(p.shape, mean: mean, std: std)
    }

    /// `U(low, high)` draws.
    public static func uniform(_ p: Parameter, low: Float = 0, high: Float = 1) {
        p.value = Tensor.uniform(p.shape, low: low, high: high)
    }

    /// All elements equal to `value`.
    public static func constant(_ p: Parameter, _ value: Float) { p.value = Tensor.full(p.shape, value) }
    /// All zeros.
    public static func zeros(_ p: Parameter) { constant(p, 0) }
    /// All ones.
    public static func ones(_ p: Parameter) { constant(p, 1) }

    /// Xavier/Glorot uniform (book §4.8.2.2): `U(−a, a)` with `a = gain·√(6 / (fanIn + fanOut))`,
    /// keeping the variance of activations and gradients roughly constant across layers.
    public static func xavierUniform(_ p: Parameter, gain: Float = 1) {
        let (fanIn, fanOut) = fans(p.shape)
        let a = gain * (6 / Float(fanIn + fanOut)).squareRoot()
        uniform(p, low: -a, high: a)
    }

    /// Xavier/Glorot normal: `N(0, σ²)` with `σ = gain·√(2 / (fanIn + fanOut))`.
    public static func xavierNormal(_ p: Parameter, gain: Float = 1) {
        let (fanIn, fanOut) = fans(p.shape)
        normal(p, std: gain * (2 / Float(fanIn + fanOut)).squareRoot())
    }

    /// Kaiming/He uniform for ReLU-like layers with negative slope `a`:
    /// `U(−b, b)` with `b = √(2 / (1 + a²)) · √(3 / fanIn)`.
    public static func kaimingUniform(_ p: Parameter, a: Float = 0) {
        let (fanIn, _) = fans(p.shape)
        let gain = (2 / (1 + a * a)).squareRoot()
        let bound = gain * (3 / Float(fanIn)).squareRoot()
        uniform(p, low: -bound, high: bound)
    }

    /// PyTorch's default for `nn.Linear` and `nn.Conv2d`: `kaimingUniform(a: √5)` on the
    /// weight, which is `U(−1/√fanIn, 1/√fanIn)`, and the same bound for the bias.
    public static func defaultLayer(weight: Parameter, bias: Parameter?) {
        kaimingUniform(weight, a: Float(5).squareRoot())
        if let bias = bias {
            let bound = 1 / Float(fans(weight.shape).fanIn).squareRoot()
            uniform(bias, low: -bound, high: bound)
        }
    }

    /// Fan-in and fan-out of a weight: `[out, in]` for `Linear`, `[out, in, kh, kw]` for
    /// convolutions (each multiplied by the kernel area), a vector counts as `[n]` → (n, n).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        default:
            let receptive = shape.dropFirst(2).reduce(1, *)
            return (max(1, shape[1] * receptive), max(1, shape[0] * receptive))
        }
    }
}
