import Tensor

// Normalisation layers with PyTorch's semantics: `BatchNorm1d`, `BatchNorm2d` (book §7.5,
// concise implementation) and `LayerNorm` (§10.7). They call the Tensor library's fused ops
// `Tensor.batchNorm` and `Tensor.layerNorm`.

/// Batch normalisation (book §7.5), the part `BatchNorm1d` and `BatchNorm2d` share; they only
/// differ in the input ranks they accept.
///
/// In training mode (`net.train()`) each channel is normalised with the batch mean and the
/// biased batch variance, and, with `trackRunningStats`, the running statistics move toward
/// the batch's: `running = (1 − momentum)·running + momentum·batch`, where the variance is the
/// *unbiased* one (`M/(M − 1)` times the biased, `M` values per channel), as in PyTorch.
/// (The book's scratch `batch_norm` writes the same update with `momentum = 0.9` on the old
/// value and tracks the biased variance.) `momentum: nil` gives the cumulative average
/// `1/numBatchesTracked`. In evaluation mode (`net.eval()`) the running statistics are used;
/// without running statistics the batch's are used in both modes.
///
/// Parameters: `weight` (γ, ones) and `bias` (β, zeros), each `(numFeatures)`, when `affine`.
public class BatchNormLayer: ModuleBase, Layer {
    public let numFeatures: Int
    public let eps: Float
    /// The weight of the new batch statistic in the running average (PyTorch's convention);
    /// nil for a cumulative average.
    public let momentum: Float?
    public let affine: Bool
    public let trackRunningStats: Bool
    /// γ, `(numFeatures)`, or nil without `affine`.
    public let weight: Parameter?
    /// β, `(numFeatures)`, or nil without `affine`.
    public let bias: Parameter?
    /// The module buffers PyTorch names `running_mean` (zeros at start), `running_var` (the
    /// unbiased variance, ones at start) and `num_batches_tracked` (an int64 scalar): saved in
    /// the state dict and safetensors, never trained. Nil without `trackRunningStats`.
    public let runningStats: (mean: Buffer, variance: Buffer, batches: Buffer)?

    public init(numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(numFeatures > 0, "\(Self.self): numFeatures must be positive, got \(numFeatures)", file: file, line: line)
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.trackRunningStats = trackRunningStats
        weight = affine ? Parameter(Tensor.ones([numFeatures]), name: "weight") : nil
        bias = affine ? Parameter(Tensor.zeros([numFeatures]), name: "bias") : nil
        runningStats = trackRunningStats
            ? (Buffer(Tensor.zeros([numFeatures])), Buffer(Tensor.ones([numFeatures])), Buffer(int64: 0)) : nil
    }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// The running statistics under PyTorch's names (empty without `trackRunningStats`).
    public var ownBuffers: [(name: String, buffer: Buffer)] {
        guard let s = runningStats else { return [] }
        return [("running_mean", s.mean), ("running_var", s.variance), ("num_batches_tracked", s.batches)]
    }

    /// Running mean `(numFeatures)`; nil without `trackRunningStats`.
    public var runningMean: Tensor? {
        get { runningStats?.mean.value }
        set { if let s = runningStats, let newValue { s.mean.value = newValue } }
    }

    /// Running (unbiased) variance `(numFeatures)`; nil without `trackRunningStats`.
    public var runningVar: Tensor? {
        get { runningStats?.variance.value }
        set { if let s = runningStats, let newValue { s.variance.value = newValue } }
    }

    /// Number of training batches seen (PyTorch's `num_batches_tracked`; 0 without running stats).
    public var numBatchesTracked: Int {
        get { runningStats.map { Int($0.batches.int64Value) } ?? 0 }
        set { runningStats?.batches.int64Value = Int64(newValue) }
    }

    /// Resets the running statistics to zeros and ones and the batch count to 0.
    public func resetRunningStats() {
        guard let s = runningStats else { return }
        s.mean.value = Tensor.zeros([numFeatures])
        s.variance.value = Tensor.ones([numFeatures])
        s.batches.int64Value = 0
    }

    public var extraDescription: String {
        "numFeatures: \(numFeatures), eps: \(eps), momentum: \(momentum.map { "\($0)" } ?? "nil"), "
            + "affine: \(affine), trackRunningStats: \(trackRunningStats)"
    }

    /// The input ranks the layer accepts and how the error message names them.
    var acceptedRanks: (ranks: Set<Int>, text: String) { ([2, 3, 4], "2D, 3D or 4D") }

    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, file: #fileID, line: #line) }

    /// Normalises `x`; shape errors name the caller's line.
    public func callAsFunction(_ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        let accepted = acceptedRanks
        shapeCheck(accepted.ranks.contains(x.rank),
                   "\(Self.self)(numFeatures: \(numFeatures)): expected \(accepted.text) input, got \(describeShape(x.shape))",
                   file: file, line: line)
        shapeCheck(x.shape[1] == numFeatures,
                   "\(Self.self)(numFeatures: \(numFeatures)): input \(describeShape(x.shape)) has \(x.shape[1]) channels (axis 1)",
                   file: file, line: line)
        if !isTraining, let s = runningStats {
            return Tensor.batchNorm(x, mean: s.mean.value, variance: s.variance.value, gamma: weight?.value,
                                    beta: bias?.value, eps: eps, file: file, line: line)
        }
        let r = Tensor.batchNorm(x, gamma: weight?.value, beta: bias?.value, eps: eps, file: file, line: line)
        if isTraining, let s = runningStats { updateRunningStats(s, r) }
        return r.output
    }

    /// `running ← (1 − f)·running + f·batch` for the mean and the unbiased variance, in place.
    func updateRunningStats(_ s: (mean: Buffer, variance: Buffer, batches: Buffer), _ r: BatchNormResult) {
        s.batches.int64Value += 1
        let f = momentum ?? 1 / Float(s.batches.int64Value)
        withNoGrad {
            s.mean.value.addScaled(r.mean, alpha: f, beta: 1 - f)
            s.variance.value.addScaled(r.unbiasedVariance, alpha: f, beta: 1 - f)
        }
    }
}

/// Batch norm over fully connected features `(N, C)` or sequences `(N, C, L)`, statistics over
/// every axis but 1 (book §7.5, PyTorch's `nn.BatchNorm1d`).
///
/// ```swift
/// let net = Sequential(Linear(inputSize: 256, outputSize: 120), BatchNorm1d(numFeatures: 120), Sigmoid())
/// ```
public final class BatchNorm1d: BatchNormLayer {
    override var acceptedRanks: (ranks: Set<Int>, text: String) { ([2, 3], "2D or 3D") }
}

/// Batch norm over images `(N, C, H, W)`, statistics over axes `(0, 2, 3)` (book §7.5,
/// PyTorch's `nn.BatchNorm2d`).
///
/// ```swift
/// let net = Sequential(Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5), BatchNorm2d(numFeatures: 6), Sigmoid())
/// ```
public final class BatchNorm2d: BatchNormLayer {
    override var acceptedRanks: (ranks: Set<Int>, text: String) { ([4], "4D") }
}

/// Layer normalisation (book §10.7, PyTorch's `nn.LayerNorm`): normalises each example over
/// its last axes `normalizedShape` with its own mean and biased variance,
/// `y = γ ⊙ (x − μ)/√(σ² + ε) + β`. The same in training and evaluation mode (no running
/// statistics). `weight` (γ, ones) and `bias` (β, zeros) have shape `normalizedShape`.
///
/// ```swift
/// let ln = LayerNorm(normalizedShape: [32])     // AddNorm of the Transformer, d = 32
/// let y = ln(Tensor.randn([2, 100, 32]))        // (2, 100, 32)
/// ```
public final class LayerNorm: ModuleBase, Layer {
    public let normalizedShape: [Int]
    public let eps: Float
    /// γ, or nil without `elementwiseAffine`.
    public let weight: Parameter?
    /// β, or nil without `elementwiseAffine` or with `bias: false`.
    public let bias: Parameter?

    public init(normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
                   "LayerNorm: normalizedShape \(describeShape(normalizedShape)) must be non-empty with positive sizes",
                   file: file, line: line)
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape), name: "weight") : nil
        self.bias = elementwiseAffine && bias ? Parameter(Tensor.zeros(normalizedShape), name: "bias") : nil
    }

    /// Normalises over the last axis of size `normalizedShape`.
    public convenience init(normalizedShape: Int, eps: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.init(normalizedShape: [normalizedShape], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias)
    }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    public var extraDescription: String {
        "normalizedShape: \(describeShape(normalizedShape)), eps: \(eps), elementwiseAffine: \(weight != nil)"
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, file: #fileID, line: #line) }

    /// Normalises `x`; shape errors name the caller's line.
    public func callAsFunction(_ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        Tensor.layerNorm(x, normalizedShape: normalizedShape, gamma: weight?.value, beta: bias?.value, eps: eps,
                         file: file, line: line)
    }
}
