import Tensor

/// A character-level language model over a recurrent network: what the book's `train_ch8` and
/// `predict_ch8` (§8.5) work with, from scratch (`RNNModelScratch`) or concise (`RNNModel`).
///
/// `callAsFunction(X, state)` takes token ids `X` `(B, T)` (whole-number `Float`s) and a state
/// from `beginState`, and returns the logits of all steps, time-major, `(T·B, vocabSize)` (row
/// `t·B + b` predicts the token after `X[b, t]`), with the final state. The state is a list of
/// tensors: `[H]` for an RNN or GRU, `[H, C]` for an LSTM.
public protocol RecurrentLanguageModel: Module {
    /// Number of tokens in the vocabulary (the one-hot width and the number of outputs).
    var vocabSize: Int { get }
    /// A zero state for `batchSize` sequences (the book's `begin_state`).
    func beginState(batchSize: Int) -> [Tensor]
    /// Logits `(T·B, vocabSize)` for ids `X` `(B, T)`, and the state after the last step.
    func callAsFunction(_ X: Tensor, _ state: [Tensor]) -> (output: Tensor, state: [Tensor])
}

/// The book's concise language model (§8.6 `RNNModel`): one-hot inputs, a recurrent layer
/// (`RNN`, `GRU` or `LSTM`, any depth, one or two directions), and a `Linear` head from the
/// `directions·H` outputs to the vocabulary.
///
/// ```swift
/// let net = RNNModel(RNN(inputSize: 28, hiddenSize: 256), vocabSize: 28)
/// let state = net.beginState(batchSize: 32)            // [(1, 32, 256)]
/// let (Y, newState) = net(X, state)                    // X (32, 35) → Y (35·32, 28)
/// ```
public final class RNNModel: ModuleBase, RecurrentLanguageModel {
    /// The recurrent layer (`rnn` in PyTorch's state dict).
    public let rnn: RNNBase
    public let vocabSize: Int
    /// The output layer `directions·H → vocabSize` (`linear`).
    public let linear: Linear

    public init(_ rnnLayer: RNNBase, vocabSize: Int, file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(rnnLayer.inputSize == vocabSize,
                   "RNNModel: the recurrent layer's inputSize \(rnnLayer.inputSize) must be the vocabulary size "
                   + "\(vocabSize) (its inputs are one-hot)", file: file, line: line)
        rnn = rnnLayer
        self.vocabSize = vocabSize
        linear = Linear(inputSize: rnnLayer.hiddenSize * rnnLayer.numDirections, outputSize: vocabSize,
                        file: file, line: line)
    }

    public var children: [(name: String, module: Module)] { [("rnn", rnn), ("linear", linear)] }

    /// Zeros `(numLayers·directions, B, H)`: `[h]`, or `[h, c]` for an LSTM.
    public func beginState(batchSize: Int) -> [Tensor] {
        let zeros = rnn.beginState(batchSize: batchSize)
        return rnn.mode == .lstm ? [zeros, zeros] : [zeros]
    }

    public func callAsFunction(_ X: Tensor, _ state: [Tensor]) -> (output: Tensor, state: [Tensor]) {
        callAsFunction(X, state, file: #fileID, line: #line)
    }

    public func callAsFunction(_ X: Tensor, _ state: [Tensor],
                               file: StaticString, line: UInt) -> (output: Tensor, state: [Tensor]) {
        shapeCheck(X.rank == 2, "RNNModel: input \(describeShape(X.shape)) must be token ids (batch, steps)",
                   file: file, line: line)
        let isLSTM = rnn.mode == .lstm
        shapeCheck(state.count == (isLSTM ? 2 : 1),
                   "RNNModel: the state has \(state.count) tensors, the \(isLSTM ? "LSTM" : "layer") needs "
                   + "\(isLSTM ? 2 : 1) (use beginState)", file: file, line: line)
        // One-hot inputs (T, B, V), given to the layer as their ids: its input projection is a lookup.
        let r = rnn.forward(tokens: X.transposed(), hidden: state[0], cell: isLSTM ? state[1] : nil, file: file, line: line)
        let Y = r.output                                                                       // (T, B, d·H)
        let output = linear(Y.reshaped(to: [-1, Y.shape[2]]), file: file, line: line)           // (T·B, V)
        return (output, [r.hidden] + (r.cell.map { [$0] } ?? []))
    }
}
