import D2L
import NN
import Tensor

// §3.7 Softmax regression, concisely: `Flatten` + `Linear(784, 10)`, `CrossEntropyLoss` on
// the logits (log-sum-exp, no overflow), and the NN `SGD` optimizer.

/// The §3.7.1 net: Flatten (B, 1, 28, 28) → (B, 784), then Linear → logits (B, 10). The
/// weights start as N(0, 0.01²) (the book's `init_weights`); the bias keeps Linear's default.
func softmaxRegressionConcise() -> Sequential {
    let net = Sequential(Flatten(), Linear(inputSize: 784, outputSize: 10))
    net.apply { m in
        if let linear = m as? Linear { Init.normal(linear.weight, std: 0.01) }
    }
    return net
}

/// Per-example cross-entropy on logits (`reduction: .none`; `trainCh3` backprops the mean).
let conciseLoss: PerExampleLoss = { CrossEntropyLoss(reduction: .none)($0, $1) }
