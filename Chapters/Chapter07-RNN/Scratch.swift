import D2L
import NN
import Tensor

// §8.5 "Implementation of recurrent neural networks from scratch": the parameters, the state,
// the RNN computed one time step at a time from tensor primitives, and the model that wraps
// them (`RNNModelScratch`, which §9.1 and §9.2 reuse for the GRU and the LSTM).

/// The book's `normal(shape)`: N(0, 1) draws scaled by 0.01 (the scratch models' weights).
func normal(_ shape: [Int], name: String) -> Parameter {
    Parameter(Tensor.randn(shape) * 0.01, name: name)
}

/// A zero bias, as a named parameter.
func zerosParam(_ n: Int, name: String) -> Parameter {
    Parameter(Tensor.zeros([n]), name: name)
}

/// §8.5.2 `get_params`: the hidden layer `W_xh` (V, H), `W_hh` (H, H), `b_h` (H) and the output
/// layer `W_hq` (H, V), `b_q` (V); weights N(0, 0.01²), biases zero.
func getParams(vocabSize: Int, numHiddens: Int) -> [Parameter] {
    let (numInputs, numOutputs) = (vocabSize, vocabSize)
    return [normal([numInputs, numHiddens], name: "W_xh"), normal([numHiddens, numHiddens], name: "W_hh"),
            zerosParam(numHiddens, name: "b_h"),
            normal([numHiddens, numOutputs], name: "W_hq"), zerosParam(numOutputs, name: "b_q")]
}

/// §8.5.3 `init_rnn_state`: the hidden state `H` (B, H), zeros, as a one-element list (the
/// LSTM's state has two).
func initRNNState(batchSize: Int, numHiddens: Int) -> [Tensor] {
    [Tensor.zeros([batchSize, numHiddens])]
}

/// The `t`-th step of time-major inputs `(T, B, V)`: `X` (B, V).
func step(_ inputs: Tensor, _ t: Int) -> Tensor {
    inputs.slice(axis: 0, t..<(t + 1)).reshaped(to: Array(inputs.shape.dropFirst()))
}

/// §8.5.3 `rnn`: one hidden layer, one time step at a time,
/// `H_t = tanh(X_t W_xh + H_{t−1} W_hh + b_h)`, `O_t = H_t W_hq + b_q`.
/// `inputs` (T, B, V) one-hot → outputs (T·B, V) (step t in rows t·B..<(t+1)·B) and `[H_T]`.
func rnn(_ inputs: Tensor, _ state: [Tensor], _ params: [Parameter]) -> (Tensor, [Tensor]) {
    let p = params.map(\.value)
    let (W_xh, W_hh, b_h, W_hq, b_q) = (p[0], p[1], p[2], p[3], p[4])
    var H = state[0]                                            // (B, H)
    var outputs: [Tensor] = []
    for t in 0..<inputs.shape[0] {
        let X = step(inputs, t)                                 // (B, V)
        H = (X.matmul(W_xh) + H.matmul(W_hh) + b_h).tanh()      // (B, H)
        outputs.append(H.matmul(W_hq) + b_q)                    // (B, V)
    }
    return (Tensor.concatenate(outputs, axis: 0), [H])
}

/// §8.5.3 `RNNModelScratch`: a language model from a parameter list, a state initialiser and a
/// step function (`rnn`, `gru`, `lstm`). The ids `X` (B, T) are transposed and one-hot encoded
/// to (T, B, V) before the step function runs over them.
final class RNNModelScratch: RecurrentLanguageModel {
    typealias ForwardFn = (Tensor, [Tensor], [Parameter]) -> (Tensor, [Tensor])
    let vocabSize: Int
    let numHiddens: Int
    let params: [Parameter]
    let initState: (Int, Int) -> [Tensor]
    let forwardFn: ForwardFn
    var isTraining = true

    init(vocabSize: Int, numHiddens: Int, getParams: (Int, Int) -> [Parameter],
         initState: @escaping (Int, Int) -> [Tensor], forwardFn: @escaping ForwardFn) {
        self.vocabSize = vocabSize
        self.numHiddens = numHiddens
        params = getParams(vocabSize, numHiddens)
        self.initState = initState
        self.forwardFn = forwardFn
    }

    var ownParameters: [(name: String, parameter: Parameter)] {
        params.enumerated().map { ($1.name ?? "param\($0)", $1) }
    }

    func callAsFunction(_ X: Tensor, _ state: [Tensor]) -> (output: Tensor, state: [Tensor]) {
        let inputs = Tensor.oneHot(X.transposed(), depth: vocabSize)   // (T, B, V)
        return forwardFn(inputs, state, params)
    }

    func beginState(batchSize: Int) -> [Tensor] { initState(batchSize, numHiddens) }
}

/// The §8.5 scratch RNN with `numHiddens` units.
func rnnScratch(vocabSize: Int, numHiddens: Int) -> RNNModelScratch {
    RNNModelScratch(vocabSize: vocabSize, numHiddens: numHiddens, getParams: getParams,
                    initState: initRNNState, forwardFn: rnn)
}
