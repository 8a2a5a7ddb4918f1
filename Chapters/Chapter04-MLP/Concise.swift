import D2L
import NN
import Tensor

// The concise versions of chapter 4 with the NN library: the MLP of §4.3 and the dropout
// MLP of §4.6 (`Sequential`, `Linear`, `ReLU`, `Dropout`), and the weight decay of §4.5
// through `SGD` parameter groups.

/// Sets every `Linear` weight of `net` to N(0, 0.01²) (the book's `init_weights`; biases keep
/// Linear's default).
func initWeights(_ net: Module) {
    net.apply { m in
        if let linear = m as? Linear { Init.normal(linear.weight, std: 0.01) }
    }
}

/// §4.3: Flatten → Linear(784, 256) → ReLU → Linear(256, 10). (B, 1, 28, 28) → logits (B, 10).
func mlpConcise() -> Sequential {
    let net = Sequential(Flatten(), Linear(inputSize: 784, outputSize: 256), ReLU(), Linear(inputSize: 256, outputSize: 10))
    initWeights(net)
    return net
}

/// §4.6.5: Flatten → Linear(784, 256) → ReLU → Dropout(0.2) → Linear(256, 256) → ReLU →
/// Dropout(0.5) → Linear(256, 10).
func dropoutMLPConcise(dropout1: Float = 0.2, dropout2: Float = 0.5) -> Sequential {
    let net = Sequential(Flatten(),
                         Linear(inputSize: 784, outputSize: 256), ReLU(), Dropout(dropout1),
                         Linear(inputSize: 256, outputSize: 256), ReLU(), Dropout(dropout2),
                         Linear(inputSize: 256, outputSize: 10))
    initWeights(net)
    return net
}

/// Per-example cross-entropy on logits (`reduction: .none`; `trainCh3` backprops the mean).
let crossEntropyLoss: PerExampleLoss = { CrossEntropyLoss(reduction: .none)($0, $1) }
