import D2L
import NN
import Tensor

// Book §7.5 batch normalization and §7.6 the residual block, from tensor primitives.
// The concise versions are `NN.BatchNorm2d`/`BatchNorm1d` and `D2L.Residual`; tests check that
// both give the same numbers.

// MARK: §7.5 Batch normalization from scratch

/// The book's `batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum)` (§7.5.3).
///
/// Training: normalise with the minibatch statistics — for a dense layer's `(N, C)` over axis
/// 0, for a convolution's `(N, C, H, W)` per channel over axes (0, 2, 3) —
///
///     μ = mean(X),  σ² = mean((X − μ)²)   (biased),   X̂ = (X − μ) / √(σ² + ε)
///
/// and move the running statistics toward them, `moving ← momentum·moving + (1 − momentum)·batch`
/// (momentum weighs the *old* value: 0.9 here is PyTorch's 0.1). Inference (`training`
/// false): normalise with the moving statistics. Output `Y = γ ⊙ X̂ + β`.
/// γ, β and the moving statistics have shape (1, C) or (1, C, 1, 1), so they broadcast.
func batchNorm(_ X: Tensor, gamma: Tensor, beta: Tensor, movingMean: Tensor, movingVar: Tensor,
               eps: Float, momentum: Float, training: Bool) -> (Y: Tensor, movingMean: Tensor, movingVar: Tensor) {
    var movingMean = movingMean, movingVar = movingVar
    let XHat: Tensor
    if !training {
        XHat = (X - movingMean) / (movingVar + eps).sqrt()          // the moving statistics
    } else {
        shapeCheck(X.rank == 2 || X.rank == 4, "batchNorm: X \(describeShape(X.shape)) must be (N, C) or (N, C, H, W)",
                   file: #fileID, line: #line)
        let axes = X.rank == 2 ? [0] : [0, 2, 3]                      // per feature / per channel
        let mean = X.mean(alongAxes: axes, keepDims: true)          // (1, C) or (1, C, 1, 1)
        let centered = X - mean
        let variance = (centered * centered).mean(alongAxes: axes, keepDims: true)   // biased
        XHat = centered / (variance + eps).sqrt()
        movingMean = momentum * movingMean + (1 - momentum) * mean.detached()
        movingVar = momentum * movingVar + (1 - momentum) * variance.detached()
    }
    let Y = gamma * XHat + beta                                     // scale and shift
    return (Y, movingMean, movingVar)
}

/// The book's `BatchNorm(num_features, num_dims)` module (§7.5.3) around `batchNorm`:
/// γ (`gamma`, ones) and β (`beta`, zeros) are parameters; the moving mean (zeros) and
/// variance (ones) are buffers. `numDims` is 2 after a dense layer, 4 after a convolution.
final class BatchNormScratch: ModuleBase, Layer {
    let gamma: Parameter
    let beta: Parameter
    let movingMean: Buffer
    let movingVar: Buffer

    init(numFeatures: Int, numDims: Int) {
        let shape = numDims == 2 ? [1, numFeatures] : [1, numFeatures, 1, 1]
        gamma = Parameter(Tensor.ones(shape), name: "gamma")
        beta = Parameter(Tensor.zeros(shape), name: "beta")
        movingMean = Buffer(Tensor.zeros(shape))
        movingVar = Buffer(Tensor.ones(shape))
    }

    var ownParameters: [(name: String, parameter: Parameter)] { [("gamma", gamma), ("beta", beta)] }
    var ownBuffers: [(name: String, buffer: Buffer)] { [("moving_mean", movingMean), ("moving_var", movingVar)] }

    func callAsFunction(_ X: Tensor) -> Tensor {
        let r = batchNorm(X, gamma: gamma.value, beta: beta.value, movingMean: movingMean.value,
                          movingVar: movingVar.value, eps: 1e-5, momentum: 0.9, training: isTraining)
        movingMean.value = r.movingMean
        movingVar.value = r.movingVar
        return r.Y
    }
}

/// The book's LeNet with its own `BatchNorm` (§7.5.4): LeNet without padding, batch norm after
/// every convolution and dense layer, before the sigmoid.
func lenetBNScratch() -> Sequential {
    Sequential(
        Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5), BatchNormScratch(numFeatures: 6, numDims: 4), Sigmoid(),
        AvgPool2d(kernelSize: 2, stride: 2),
        Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5), BatchNormScratch(numFeatures: 16, numDims: 4), Sigmoid(),
        AvgPool2d(kernelSize: 2, stride: 2),
        Flatten(),
        Linear(inputSize: 16 * 4 * 4, outputSize: 120), BatchNormScratch(numFeatures: 120, numDims: 2), Sigmoid(),
        Linear(inputSize: 120, outputSize: 84), BatchNormScratch(numFeatures: 84, numDims: 2), Sigmoid(),
        Linear(inputSize: 84, outputSize: 10))
}

// MARK: §7.6 The residual block as a function

/// The weights of one residual block, held explicitly: two 3×3 convolutions with their batch
/// norms' γ and β, and the optional 1×1 convolution of the shortcut.
struct ResidualParams {
    var conv1: (weight: Parameter, bias: Parameter)
    var bn1: (gamma: Parameter, beta: Parameter)
    var conv2: (weight: Parameter, bias: Parameter)
    var bn2: (gamma: Parameter, beta: Parameter)
    var conv3: (weight: Parameter, bias: Parameter)?
    var strides: Int

    /// Fresh weights for `Residual(inputChannels, numChannels, use1x1conv, strides)`: N(0, 0.01²)
    /// convolutions, zero biases, γ = 1, β = 0.
    init(inputChannels: Int, numChannels: Int, use1x1conv: Bool = false, strides: Int = 1) {
        func conv(_ cin: Int, _ k: Int) -> (weight: Parameter, bias: Parameter) {
            (Parameter(Tensor.randn([numChannels, cin, k, k]) * 0.01, name: "weight"),
             Parameter(Tensor.zeros([numChannels]), name: "bias"))
        }
        func bn() -> (gamma: Parameter, beta: Parameter) {
            (Parameter(Tensor.ones([1, numChannels, 1, 1]), name: "gamma"),
             Parameter(Tensor.zeros([1, numChannels, 1, 1]), name: "beta"))
        }
        conv1 = conv(inputChannels, 3); bn1 = bn()
        conv2 = conv(numChannels, 3); bn2 = bn()
        conv3 = use1x1conv ? conv(inputChannels, 1) : nil
        self.strides = strides
    }

    /// Every parameter, in the order `Residual.parameters()` lists its own (conv1, conv2, conv3, bn1, bn2).
    var all: [Parameter] {
        [conv1.weight, conv1.bias, conv2.weight, conv2.bias] + (conv3.map { [$0.weight, $0.bias] } ?? [])
            + [bn1.gamma, bn1.beta, bn2.gamma, bn2.beta]
    }
}

/// Batch norm in training mode over a convolution's channels (the moving statistics are not
/// needed inside one step).
private func batchNormTraining(_ X: Tensor, _ bn: (gamma: Parameter, beta: Parameter)) -> Tensor {
    let C = X.shape[1]
    return batchNorm(X, gamma: bn.gamma.value, beta: bn.beta.value, movingMean: Tensor.zeros([1, C, 1, 1]),
                     movingVar: Tensor.ones([1, C, 1, 1]), eps: 1e-5, momentum: 0.9, training: true).Y
}

/// The book's residual block (§7.6.1) as a function of its input and weights (training mode):
///
///     Y   = ReLU(BN₁(conv₁(X)))          3×3, padding 1, stride `strides`
///     Y   = BN₂(conv₂(Y))                3×3, padding 1
///     X'  = conv₃(X) or X                1×1, stride `strides` (when the shape changes)
///     out = ReLU(Y + X')
func residual(_ X: Tensor, _ p: ResidualParams) -> Tensor {
    var Y = Tensor.conv2d(X, weight: p.conv1.weight.value, bias: p.conv1.bias.value, stride: p.strides, padding: 1)
    Y = batchNormTraining(Y, p.bn1).relu()
    Y = Tensor.conv2d(Y, weight: p.conv2.weight.value, bias: p.conv2.bias.value, padding: 1)
    Y = batchNormTraining(Y, p.bn2)
    var shortcut = X
    if let conv3 = p.conv3 {
        shortcut = Tensor.conv2d(X, weight: conv3.weight.value, bias: conv3.bias.value, stride: p.strides)
    }
    return (Y + shortcut).relu()
}
