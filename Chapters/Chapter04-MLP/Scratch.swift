import D2L
import NN
import Tensor

// The from-scratch parts of chapter 4: the MLP of §4.2 with a hand-made ReLU, the L2 penalty of
// §4.5 and the dropout layer of §4.6, all from tensor primitives.

/// ReLU(x) = max(x, 0) elementwise (§4.2.2), from `Tensor.maximum`.
func relu(_ X: Tensor) -> Tensor {
    Tensor.maximum(X, Tensor.zeros(like: X))
}

/// The §4.2 model: H = ReLU(X·W1 + b1), O = H·W2 + b2, with W = randn·0.01 and b = 0.
/// X: (B, 784), W1: (784, 256), b1: (256), W2: (256, 10), b2: (10) → logits (B, 10).
/// A `Layer` holding its four parameters, so `trainCh3` trains it like the concise net.
final class MLPScratch: Layer {
    let numInputs: Int
    let W1, b1, W2, b2: Parameter
    var isTraining = true

    init(numInputs: Int = 784, numOutputs: Int = 10, numHiddens: Int = 256) {
        self.numInputs = numInputs
        W1 = Parameter(Tensor.randn([numInputs, numHiddens]) * 0.01)
        b1 = Parameter(Tensor.zeros([numHiddens]))
        W2 = Parameter(Tensor.randn([numHiddens, numOutputs]) * 0.01)
        b2 = Parameter(Tensor.zeros([numOutputs]))
    }

    var params: [Parameter] { [W1, b1, W2, b2] }
    var ownParameters: [(name: String, parameter: Parameter)] { [("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)] }

    func callAsFunction(_ X: Tensor) -> Tensor {
        let X = X.reshaped(to: [-1, numInputs])         // (B, 784)
        let H = relu(X.matmul(W1.value) + b1.value)     // (B, 256)
        return H.matmul(W2.value) + b2.value            // (B, 10)
    }
}

/// The L2 penalty ‖w‖² / 2 of §4.5.2.
func l2Penalty(_ w: Tensor) -> Tensor {
    w.pow(2).sum() / 2
}

/// §4.6.4 `dropout_layer`: zeroes each element with probability `dropout` and scales the
/// survivors by 1/(1 − p), so E[h'] = h. mask = (u > p), u ~ U(0, 1) from the global generator.
func dropoutLayer(_ X: Tensor, _ dropout: Float) -> Tensor {
    if !(dropout >= 0 && dropout <= 1) { fatalError("dropoutLayer: dropout must be in [0, 1], got \(dropout)") }
    if dropout == 1 { return Tensor.zeros(like: X) }  // every element dropped
    if dropout == 0 { return X }                      // every element kept
    let mask = Tensor.rand(X.shape) .> dropout        // 1 where kept, 0 where dropped
    return mask * X / (1 - dropout)
}

/// §4.6.4's `Net`: 784 → 256 → 256 → 10 with ReLU, dropout after each hidden layer while
/// training (p = 0.2 then 0.5). The linear layers keep the PyTorch default initialisation,
/// as in the book. A `Layer`, so `trainCh3` switches it between training and evaluation.
final class DropoutMLPScratch: Layer {
    let numInputs: Int
    let lin1, lin2, lin3: Linear
    let dropout1: Float, dropout2: Float
    var isTraining = true

    init(numInputs: Int = 784, numOutputs: Int = 10, numHiddens1: Int = 256, numHiddens2: Int = 256,
         dropout1: Float = 0.2, dropout2: Float = 0.5) {
        self.numInputs = numInputs
        lin1 = Linear(inputSize: numInputs, outputSize: numHiddens1)
        lin2 = Linear(inputSize: numHiddens1, outputSize: numHiddens2)
        lin3 = Linear(inputSize: numHiddens2, outputSize: numOutputs)
        self.dropout1 = dropout1
        self.dropout2 = dropout2
    }

    var children: [(name: String, module: Module)] { [("lin1", lin1), ("lin2", lin2), ("lin3", lin3)] }

    func callAsFunction(_ X: Tensor) -> Tensor {
        var H1 = relu(lin1(X.reshaped(to: [-1, numInputs])))  // (B, 256)
        if isTraining { H1 = dropoutLayer(H1, dropout1) }
        var H2 = relu(lin2(H1))                               // (B, 256)
        if isTraining { H2 = dropoutLayer(H2, dropout2) }
        return lin3(H2)                                       // (B, 10)
    }
}
