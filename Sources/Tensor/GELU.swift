/// GELU, the activation of the Vision Transformer's MLP (book "Transformers for vision",
/// Hendrycks & Gimpel 2016): `GELU(x) = x·Φ(x)` with `Φ` the standard normal CDF — PyTorch's
/// default (exact, erf-based) `F.gelu`, a smooth ReLU that lets small negative inputs through.
extension Tensor {
    /// `x·Φ(x)`, one fused SIMD kernel (`Kernels.gelu`). Backward: `g·(Φ(x) + x·φ(x))`, one
    /// fused kernel (`Kernels.geluBackward`) from the saved input.
    ///
    /// ```swift
    /// Tensor([-1, 0, 1]).gelu()   // [-0.1587, 0, 0.8413]
    /// ```
    public func gelu() -> Tensor {
        let out = TensorStorage(uninitializedCount: count)
        Kernels.gelu(storage.pointer, out.pointer, count)
        let xv = detached()
        return Tensor.record("gelu", Tensor(shape: shape, storage: out), inputs: [self]) { g, _ in
            let dx = TensorStorage(uninitializedCount: xv.count)
            Kernels.geluBackward(xv.storage.pointer, g.storage.pointer, dx.pointer, xv.count)
            return [Tensor(shape: xv.shape, storage: dx)]
        }
    }
}
