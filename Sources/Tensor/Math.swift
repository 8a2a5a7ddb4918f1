import Foundation

/// Unary math (book §2.1.2 "operations", §4.1 activation functions) with gradients.
///
/// Each op runs one vectorised kernel (`Kernels.unary` with a `UnaryFunction`; exp, log,
/// tanh and sigmoid use the SIMD16 approximations in `VectorMath`) and records a backward
/// that is itself one fused kernel where possible.
extension Tensor {
    /// `eˣ`. Backward: `g·eˣ` (reuses the output).
    public func exp() -> Tensor {
        let r = Tensor.unaryForward(ExpFunction.self, self)
        let rv = r.detached()
        return Tensor.record("exp", r, inputs: [self]) { g, _ in [g * rv] }
    }

    /// Natural logarithm. Backward: `g / x`.
    public func log() -> Tensor {
        let r = Tensor.unaryForward(LogFunction.self, self)
        let xv = detached()
        return Tensor.record("log", r, inputs: [self]) { g, _ in [g / xv] }
    }

    /// `√x`. Backward: `g / (2√x)`.
    public func sqrt() -> Tensor {
        let r = Tensor.unaryForward(SqrtFunction.self, self)
        let rv = r.detached()
        return Tensor.record("sqrt", r, inputs: [self]) { g, _ in [g / (2 * rv)] }
    }

    /// `|x|`. Backward: `g·sign(x)` (0 at 0).
    public func abs() -> Tensor {
        let r = Tensor.unaryForward(AbsFunction.self, self)
        let xv = detached()
        return Tensor.record("abs", r, inputs: [self]) { g, _ in [Tensor.binaryForward(AbsGradFunction.self, xv, g, op: "abs backward")] }
    }

    /// `tanh x` (book §4.1.2.3). Backward: `g·(1 − tanh²x)`.
    public func tanh() -> Tensor {
        let r = Tensor.unaryForward(TanhFunction.self, self)
        let rv = r.detached()
        return Tensor.record("tanh", r, inputs: [self]) { g, _ in [Tensor.binaryForward(TanhGradFunction.self, rv, g, op: "tanh backward")] }
    }

    /// `σ(x) = 1 / (1 + e⁻ˣ)` (book §4.1.2.2). Backward: `g·σ(x)(1 − σ(x))`.
    public func sigmoid() -> Tensor {
        let r = Tensor.unaryForward(SigmoidFunction.self, self)
        let rv = r.detached()
        return Tensor.record("sigmoid", r, inputs: [self]) { g, _ in [Tensor.binaryForward(SigmoidGradFunction.self, rv, g, op: "sigmoid backward")] }
    }

    /// `max(x, 0)` (book §4.1.2.1). Backward: `g` where `x > 0`, else 0.
    public func relu() -> Tensor {
        let r = Tensor.unaryForward(ReluFunction.self, self)
        let xv = detached()
        return Tensor.record("relu", r, inputs: [self]) { g, _ in [Tensor.binaryForward(ReluGradFunction.self, xv, g, op: "relu backward")] }
    }

    /// `x²`. Backward: `2x·g`.
    public func square() -> Tensor {
        let r = Tensor.unaryForward(SquareFunction.self, self)
        let xv = detached()
        return Tensor.record("square", r, inputs: [self]) { g, _ in [2 * xv * g] }
    }

    /// `xᵖ` for a constant exponent (PyTorch `x ** p`). Integral `p` with |p| ≤ 16 uses
    /// repeated squaring (exact for negative bases); other `p` use `exp(p·log x)` (NaN for
    /// negative `x`, as in PyTorch). Backward: `p·xᵖ⁻¹·g`.
    public func pow(_ p: Float) -> Tensor {
        let out = TensorStorage(uninitializedCount: count)
        Kernels.powScalar(storage.pointer, p, out.pointer, count)
        let r = Tensor(shape: shape, storage: out)
        let xv = detached()
        return Tensor.record("pow", r, inputs: [self]) { g, _ in
            [p == 0 ? Tensor.zeros(like: g) : p * xv.pow(p - 1) * g]
        }
    }
}

extension Kernels {
    /// `out[i] = x[i]ᵖ`: exponentiation by squaring for small integral `p`, else exp/log.
    public static func powScalar(_ x: UnsafePointer<Float>, _ p: Float, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        if p == 1 { out.update(from: x, count: n); return }
        if p == 0.5 { unary(SqrtFunction.self, x, out, n); return }
        if p == p.rounded(), Swift.abs(p) <= 16 {
            let e = Int(Swift.abs(p)), invert = p < 0
            map(x, out, n, vector: { v in
                var result = SIMD16<Float>(repeating: 1), base = v, k = e
                while k > 0 { if k & 1 == 1 { result *= base }; base *= base; k >>= 1 }
                return invert ? 1 / result : result
            }, scalar: { v in
                var result: Float = 1, base = v, k = e
                while k > 0 { if k & 1 == 1 { result *= base }; base *= base; k >>= 1 }
                return invert ? 1 / result : result
            })
            return
        }
        map(x, out, n, vector: { v in VectorMath.exp(p * VectorMath.log(v)) },
            scalar: { v in Foundation.pow(v, p) })
    }

    /// Reference for `powScalar`: Foundation's `pow` per element.
    public static func powScalarNaive(_ x: UnsafePointer<Float>, _ p: Float, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { out[i] = Foundation.pow(x[i], p) }
    }
}
