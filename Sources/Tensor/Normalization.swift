/// Batch normalisation (book §7.5) and layer normalisation (§10.7, the Transformer's `AddNorm`)
/// as differentiable ops with fused kernels (`Kernels.batchNormForward`, `Kernels.layerNormForward`
/// and their backward passes; the math is in NormKernels.swift).
///
/// Batch norm normalises each channel with statistics over every other axis: over `(0, 2, 3)`
/// for images `(N, C, H, W)`, over `0` for features `(N, C)` (and over `(0, 2)` for `(N, C, L)`).
/// Layer norm normalises each example over its last axes.
///
/// ```swift
/// let x = Tensor.randn([256, 6, 24, 24])
/// let gamma = Tensor.ones([6]), beta = Tensor.zeros([6])
/// let bn = Tensor.batchNorm(x, gamma: gamma, beta: beta)                 // training mode
/// bn.output                                                               // (256, 6, 24, 24)
/// bn.mean, bn.variance                                                    // (6): batch statistics
/// let y = Tensor.batchNorm(x, mean: runningMean, variance: runningVar,
///                          gamma: gamma, beta: beta)                      // inference mode
/// let z = Tensor.layerNorm(h, normalizedShape: [32], gamma: g, beta: b)   // h: (…, 32)
/// ```

/// The result of training-mode batch norm: the normalised output and the batch statistics.
public struct BatchNormResult {
    /// `γ·(x − μ)/√(σ² + ε) + β`, the shape of the input; differentiable.
    public let output: Tensor
    /// The batch mean of each channel, `(C)`; a constant (no graph).
    public let mean: Tensor
    /// The biased batch variance of each channel, `(1/M) Σ (x − μ)²`, used to normalise; `(C)`.
    public let variance: Tensor
    /// Number of values per channel, `M = N·H·W`.
    public let count: Int

    /// The unbiased variance `M/(M − 1)·σ²`, which PyTorch's running variance tracks
    /// (the book's scratch `batch_norm` tracks the biased one).
    public var unbiasedVariance: Tensor { variance * (Float(count) / Float(count - 1)) }
}

extension Tensor {
    /// Training-mode batch norm (book §7.5): normalises each channel (axis 1) with the mean and
    /// the biased variance of the batch, then scales by `gamma` and shifts by `beta` (each
    /// `(C)`; nil means 1 and 0). `x` is `(N, C)`, `(N, C, L)` or `(N, C, H, W)`.
    /// Gradients flow to `x`, `gamma` and `beta` through the batch statistics.
    public static func batchNorm(_ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Float = 1e-5,
                                 file: StaticString = #fileID, line: UInt = #line) -> BatchNormResult {
        let (n, c, s) = batchNormLayout(x, gamma, beta, op: "batchNorm", file: file, line: line)
        shapeCheck(n * s > 1,
                   "batchNorm: expected more than 1 value per channel when training, got input \(describeShape(x.shape))",
                   file: file, line: line)
        let out = TensorStorage(uninitializedCount: x.count)
        let mean = TensorStorage(uninitializedCount: c), variance = TensorStorage(uninitializedCount: c)
        Kernels.batchNormForward(x.storage.pointer, n: n, c: c, s: s, gamma: gamma?.storage.pointer,
                                 beta: beta?.storage.pointer, eps: eps, out.pointer,
                                 mean: mean.pointer, variance: variance.pointer)
        let meanT = Tensor(shape: [c], storage: mean), varT = Tensor(shape: [c], storage: variance)
        let output = recordBatchNorm(x, gamma, beta, out, mean: meanT, variance: varT, eps: eps, training: true)
        return BatchNormResult(output: output, mean: meanT, variance: varT, count: n * s)
    }

    /// Inference-mode batch norm: normalises each channel with the given `mean` and `variance`
    /// (the running statistics), `γ·(x − mean)/√(variance + ε) + β`. Gradients flow to `x`,
    /// `gamma` and `beta`; the statistics are constants.
    public static func batchNorm(_ x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor?, beta: Tensor?,
                                 eps: Float = 1e-5, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (n, c, s) = batchNormLayout(x, gamma, beta, op: "batchNorm", file: file, line: line)
        shapeCheck(mean.shape == [c] && variance.shape == [c],
                   "batchNorm: mean \(describeShape(mean.shape)) and variance \(describeShape(variance.shape)) "
                   + "must be (\(c)) for input \(describeShape(x.shape))", file: file, line: line)
        let out = TensorStorage(uninitializedCount: x.count)
        Kernels.batchNormInference(x.storage.pointer, n: n, c: c, s: s, mean: mean.storage.pointer,
                                   variance: variance.storage.pointer, gamma: gamma?.storage.pointer,
                                   beta: beta?.storage.pointer, eps: eps, out.pointer)
        return recordBatchNorm(x, gamma, beta, out, mean: mean.detached(), variance: variance.detached(),
                               eps: eps, training: false)
    }

    /// Records the backward pass of either batch norm mode.
    static func recordBatchNorm(_ x: Tensor, _ gamma: Tensor?, _ beta: Tensor?, _ out: TensorStorage,
                                mean: Tensor, variance: Tensor, eps: Float, training: Bool) -> Tensor {
        let c = x.shape[1], n = x.shape[0], s = shapeCount(Array(x.shape.dropFirst(2)))
        let xv = x.detached(), gv = gamma?.detached()
        let inputs = [x] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
        let hasGamma = gamma != nil, hasBeta = beta != nil
        return record("batchNorm", Tensor(shape: x.shape, storage: out), inputs: inputs) { g, needs in
            affineNormGradients(xv.shape, parameterShape: [c], hasGamma: hasGamma, hasBeta: hasBeta, needs: needs) {
                dx, dg, db in
                Kernels.batchNormBackward(xv.storage.pointer, g.storage.pointer, n: n, c: c, s: s,
                                          mean: mean.storage.pointer, variance: variance.storage.pointer,
                                          gamma: gv?.storage.pointer, eps: eps, training: training,
                                          dx: dx, dgamma: dg, dbeta: db)
            }
        }
    }

    /// Checks a batch norm input and its affine parameters; returns `(N, C, S)`.
    static func batchNormLayout(_ x: Tensor, _ gamma: Tensor?, _ beta: Tensor?, op: String,
                                file: StaticString, line: UInt) -> (Int, Int, Int) {
        shapeCheck(x.rank >= 2,
                   "\(op): input \(describeShape(x.shape)) must have a batch and a channel axis, (N, C), (N, C, L) or (N, C, H, W)",
                   file: file, line: line)
        let c = x.shape[1]
        for (name, p) in [("gamma", gamma), ("beta", beta)] {
            if let p {
                shapeCheck(p.shape == [c], "\(op): \(name) \(describeShape(p.shape)) must be (\(c)), one per channel of "
                           + "input \(describeShape(x.shape))", file: file, line: line)
            }
        }
        return (x.shape[0], c, shapeCount(Array(x.shape.dropFirst(2))))
    }

    /// Layer norm (Ba et al. 2016; book §10.7 `nn.LayerNorm(normalized_shape)`): normalises over
    /// the trailing axes given by `normalizedShape` with each example's mean and biased variance,
    /// then applies the elementwise `gamma` and `beta` (each of shape `normalizedShape`; nil
    /// means 1 and 0): `y = γ ⊙ (x − μ)/√(σ² + ε) + β`.
    public static func layerNorm(_ x: Tensor, normalizedShape: [Int], gamma: Tensor?, beta: Tensor?,
                                 eps: Float = 1e-5, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let k = normalizedShape.count
        shapeCheck(k >= 1 && x.rank >= k && Array(x.shape.suffix(k)) == normalizedShape,
                   "layerNorm: input \(describeShape(x.shape)) must end in the normalized shape \(describeShape(normalizedShape))",
                   file: file, line: line)
        for (name, p) in [("gamma", gamma), ("beta", beta)] {
            if let p {
                shapeCheck(p.shape == normalizedShape,
                           "layerNorm: \(name) \(describeShape(p.shape)) must have the normalized shape \(describeShape(normalizedShape))",
                           file: file, line: line)
            }
        }
        let d = shapeCount(normalizedShape), rows = d == 0 ? 0 : x.count / d
        let out = TensorStorage(uninitializedCount: x.count)
        let stats = TensorStorage(uninitializedCount: 2 * rows)   // mean, then rstd
        Kernels.layerNormForward(x.storage.pointer, rows: rows, d: d, gamma: gamma?.storage.pointer,
                                 beta: beta?.storage.pointer, eps: eps, out.pointer,
                                 mean: stats.pointer, rstd: stats.pointer + rows)
        let xv = x.detached(), gv = gamma?.detached()
        let inputs = [x] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
        let hasGamma = gamma != nil, hasBeta = beta != nil
        return record("layerNorm", Tensor(shape: x.shape, storage: out), inputs: inputs) { g, needs in
            affineNormGradients(xv.shape, parameterShape: normalizedShape, hasGamma: hasGamma, hasBeta: hasBeta,
                                needs: needs) { dx, dg, db in
                Kernels.layerNormBackward(xv.storage.pointer, g.storage.pointer, rows: rows, d: d,
                                          mean: stats.pointer, rstd: stats.pointer + rows, gamma: gv?.storage.pointer,
                                          dx: dx, dgamma: dg, dbeta: db)
            }
        }
    }

    /// The gradients of a normalisation op with inputs `[x, gamma?, beta?]`: allocates the ones
    /// autograd needs, lets `kernel` write them (nil pointers for the others) and wraps them.
    static func affineNormGradients(_ xShape: [Int], parameterShape: [Int], hasGamma: Bool, hasBeta: Bool,
                                    needs: [Bool],
                                    _ kernel: (UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?,
                                               UnsafeMutablePointer<Float>?) -> Void) -> [Tensor?] {
        let p = shapeCount(parameterShape)
        let wantG = hasGamma && needs[1], wantB = hasBeta && needs[hasGamma ? 2 : 1]
        let dx = needs[0] ? TensorStorage(uninitializedCount: shapeCount(xShape)) : nil
        let dg = wantG ? TensorStorage(uninitializedCount: p) : nil
        let db = wantB ? TensorStorage(uninitializedCount: p) : nil
        kernel(dx?.pointer, dg?.pointer, db?.pointer)
        var grads: [Tensor?] = [dx.map { Tensor(shape: xShape, storage: $0) }]
        if hasGamma { grads.append(dg.map { Tensor(shape: parameterShape, storage: $0) }) }
        if hasBeta { grads.append(db.map { Tensor(shape: parameterShape, storage: $0) }) }
        return grads
    }
}
