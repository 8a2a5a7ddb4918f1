import D2L
import NN
import Tensor

// §3.6 Softmax regression from scratch: the model, softmax and cross-entropy written from
// tensor primitives, trained with the book's `sgd` through `trainCh3`'s custom updater.

/// softmax(X)ᵢⱼ = exp(Xᵢⱼ) / Σₖ exp(Xᵢₖ), row by row (§3.6.2). X: (n, q) → (n, q).
/// Written from `exp` and `sum` as the book does (no max subtraction: large logits overflow;
/// the concise version uses the stable `logSoftmax`).
func softmax(_ X: Tensor) -> Tensor {
    let XExp = X.exp()
    let partition = XExp.sum(alongAxes: [1], keepDims: true)  // (n, 1)
    return XExp / partition                                   // broadcast over columns
}

/// Cross-entropy −log ŷ[y] per example (§3.6.4): picks each row's probability of its true
/// class. yHat: (n, q) probabilities, y: (n) labels → (n).
func crossEntropy(_ yHat: Tensor, _ y: Tensor) -> Tensor {
    -yHat.pick(y).log()
}

/// The §3.6.1–3.6.3 model: ŷ = softmax(X·W + b) with W ~ N(0, 0.01²) (784, 10) and b = 0 (10).
/// A `Layer` holding its two parameters, so `trainCh3` trains it like the concise net.
final class SoftmaxRegressionScratch: Layer {
    let numInputs: Int
    let W: Parameter  // (784, 10)
    let b: Parameter  // (10)
    var isTraining = true

    init(numInputs: Int = 784, numOutputs: Int = 10) {
        self.numInputs = numInputs
        W = Parameter(Tensor.normal([numInputs, numOutputs], mean: 0, std: 0.01))
        b = Parameter(Tensor.zeros([numOutputs]))
    }

    var params: [Parameter] { [W, b] }
    var ownParameters: [(name: String, parameter: Parameter)] { [("W", W), ("b", b)] }

    /// X: (B, 1, 28, 28) → flattened (B, 784) → probabilities (B, 10).
    func callAsFunction(_ X: Tensor) -> Tensor {
        softmax(X.reshaped(to: [-1, numInputs]).matmul(W.value) + b.value)
    }

    /// The scratch updater of §3.6.6: `sgd([W, b], lr, batchSize)`.
    func updater(lr: Float) -> Updater {
        .custom { batchSize in sgd(self.params, lr: lr, batchSize: batchSize) }
    }
}
