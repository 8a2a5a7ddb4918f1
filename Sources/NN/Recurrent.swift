import Tensor

/// The weights of one layer and direction of a recurrent network, under PyTorch's names:
/// `weight_ih_l{k}` `(G·H, in)`, `weight_hh_l{k}` `(G·H, H)`, `bias_ih_l{k}`, `bias_hh_l{k}`
/// `(G·H)`, with the suffix `_reverse` for the backward direction.
public final class RecurrentWeights {
    public let weightIH: Parameter
    public let weightHH: Parameter
    public let biasIH: Parameter?
    public let biasHH: Parameter?
    /// `l0`, `l1_reverse`, …
    public let suffix: String

    init(gates: Int, inputSize: Int, hiddenSize: Int, bias: Bool, suffix: String) {
        let gh = gates * hiddenSize
        // PyTorch's default for every weight and bias of nn.RNN/GRU/LSTM: U(−1/√H, 1/√H).
        let k = 1 / Float(hiddenSize).squareRoot()
        func draw(_ shape: [Int], _ name: String) -> Parameter {
            Parameter(Tensor.uniform(shape, low: -k, high: k), name: name + "_" + suffix)
        }
        weightIH = draw([gh, inputSize], "weight_ih")
        weightHH = draw([gh, hiddenSize], "weight_hh")
        biasIH = bias ? draw([gh], "bias_ih") : nil
        biasHH = bias ? draw([gh], "bias_hh") : nil
        self.suffix = suffix
    }

    /// The parameters in PyTorch's order (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`).
    var named: [(name: String, parameter: Parameter)] {
        [("weight_ih_" + suffix, weightIH), ("weight_hh_" + suffix, weightHH)]
            + (biasIH.map { [("bias_ih_" + suffix, $0)] } ?? [])
            + (biasHH.map { [("bias_hh_" + suffix, $0)] } ?? [])
    }
}

/// What `RNN`, `GRU` and `LSTM` share (PyTorch's `nn.RNNBase`, the concise layers of book §8.6,
/// §9.1–9.4): a stack of `numLayers` recurrent layers, each one or two directions, over input
/// `(T, B, inputSize)` in time-major layout, with state `(numLayers·directions, B, H)`.
///
/// Layer `k > 0` reads the outputs of layer `k − 1` (both directions concatenated, `2H` wide for
/// a bidirectional network), with dropout `p = dropout` between layers in training mode. Each
/// layer and direction runs `Tensor.recurrentSequence` (the two directions of a bidirectional
/// layer at once, `Tensor.bidirectionalSequence`): the input projection of all `T·B` rows in one
/// matrix product, then one recurrent product and one fused gate kernel per step.
public class RNNBase: Module {
    public let mode: RecurrentMode
    public let inputSize: Int
    public let hiddenSize: Int
    public let numLayers: Int
    public let bias: Bool
    /// Dropout probability on the outputs of every layer but the last (training mode only).
    public let dropout: Float
    public let bidirectional: Bool
    public var isTraining = true
    /// `weights[layer · directions + direction]`.
    public let weights: [RecurrentWeights]

    /// Number of directions: 2 for a bidirectional network, else 1.
    public var numDirections: Int { bidirectional ? 2 : 1 }

    init(mode: RecurrentMode, inputSize: Int, hiddenSize: Int, numLayers: Int, bias: Bool, dropout: Float,
         bidirectional: Bool, file: StaticString, line: UInt) {
        let name = String(describing: mode)
        shapeCheck(inputSize > 0 && hiddenSize > 0 && numLayers > 0,
                   "\(name): inputSize \(inputSize), hiddenSize \(hiddenSize) and numLayers \(numLayers) must be positive",
                   file: file, line: line)
        shapeCheck(dropout >= 0 && dropout < 1, "\(name): dropout must be in [0, 1), got \(dropout)", file: file, line: line)
        self.mode = mode
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.bias = bias
        self.dropout = dropout
        self.bidirectional = bidirectional
        let dirs = bidirectional ? 2 : 1
        var w: [RecurrentWeights] = []
        for layer in 0..<numLayers {
            for d in 0..<dirs {
                w.append(RecurrentWeights(gates: mode.gateCount, inputSize: layer == 0 ? inputSize : hiddenSize * dirs,
                                          hiddenSize: hiddenSize, bias: bias, suffix: "l\(layer)" + (d == 1 ? "_reverse" : "")))
            }
        }
        weights = w
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { weights.flatMap { $0.named } }

    public var extraDescription: String {
        var s = "inputSize: \(inputSize), hiddenSize: \(hiddenSize)"
        if numLayers != 1 { s += ", numLayers: \(numLayers)" }
        if !bias { s += ", bias: false" }
        if dropout != 0 { s += ", dropout: \(dropout)" }
        if bidirectional { s += ", bidirectional: true" }
        return s
    }

    /// A zero state `(numLayers·directions, batchSize, hiddenSize)` (the book's `begin_state`).
    public func beginState(batchSize: Int) -> Tensor {
        Tensor.zeros([numLayers * numDirections, batchSize, hiddenSize])
    }

    /// Runs the whole stack. `x` is `(T, B, inputSize)`; `hidden` and `cell` (LSTM) are
    /// `(numLayers·directions, B, H)` or nil for zeros. Returns the top layer's outputs
    /// `(T, B, directions·H)` and the final states of every layer and direction.
    public func forward(_ x: Tensor, hidden: Tensor?, cell: Tensor?,
                        file: StaticString = #fileID, line: UInt = #line) -> (output: Tensor, hidden: Tensor, cell: Tensor?) {
        shapeCheck(x.rank == 3 && x.shape[2] == inputSize,
                   "\(String(describing: type(of: self)))(inputSize: \(inputSize), hiddenSize: \(hiddenSize)): input "
                   + "\(describeShape(x.shape)) must be (steps, batch, \(inputSize))", file: file, line: line)
        return run(x, tokens: nil, batch: x.shape[1], hidden: hidden, cell: cell, file: file, line: line)
    }

    /// `forward` on one-hot inputs given by their token ids `(T, B)` (whole-number `Float`s below
    /// `inputSize`): the same as `forward(Tensor.oneHot(ids, depth: inputSize), …)`, but the first
    /// layer's input projection `oneHot(id)·W_ihᵀ` is column `id` of `W_ih`, looked up instead of
    /// multiplied (its gradient a scatter-add into those columns). `RNNModel` runs this way.
    public func forward(tokens ids: Tensor, hidden: Tensor?, cell: Tensor?,
                        file: StaticString = #fileID, line: UInt = #line) -> (output: Tensor, hidden: Tensor, cell: Tensor?) {
        shapeCheck(ids.rank == 2, "\(String(describing: type(of: self))): token ids \(describeShape(ids.shape)) must be (steps, batch)",
                   file: file, line: line)
        return run(nil, tokens: ids, batch: ids.shape[1], hidden: hidden, cell: cell, file: file, line: line)
    }

    /// The stack over dense inputs `x`, or over one-hot inputs given by `tokens`.
    func run(_ x: Tensor?, tokens: Tensor?, batch B: Int, hidden: Tensor?, cell: Tensor?,
             file: StaticString, line: UInt) -> (output: Tensor, hidden: Tensor, cell: Tensor?) {
        let name = String(describing: type(of: self))
        let H = hiddenSize, dirs = numDirections, stateShape = [numLayers * dirs, B, H]
        for (label, s) in [("hidden", hidden), ("cell", cell)] {
            if let s = s {
                shapeCheck(s.shape == stateShape, "\(name): \(label) state \(describeShape(s.shape)) must be "
                           + "(numLayers·directions, batch, hidden) = \(describeShape(stateShape))", file: file, line: line)
            }
        }
        func initial(_ s: Tensor?, _ k: Int) -> Tensor {
            guard let s = s else { return Tensor.zeros([B, H]) }
            return s.slice(axis: 0, k..<(k + 1)).reshaped(to: [B, H])
        }
        var layerInput = x ?? Tensor.zeros([0])
        var hs: [Tensor] = [], cs: [Tensor] = []
        for layer in 0..<numLayers {
            // The input projection of all T·B rows in one product per direction; the biases go into the cell kernel.
            let directions = (0..<dirs).map { d -> RecurrentDirectionInputs in
                let k = layer * dirs + d, w = weights[k]
                let xg: Tensor
                if layer == 0, let ids = tokens {
                    xg = w.weightIH.value.transposed().gather(indices: ids, axis: 0, file: file, line: line)   // (T, B, G·H)
                } else {
                    xg = linear(layerInput, weight: w.weightIH.value, bias: nil, file: file, line: line)
                }
                return RecurrentDirectionInputs(inputGates: xg, hidden: initial(hidden, k),
                                                cell: mode == .lstm ? initial(cell, k) : nil,
                                                weightHH: w.weightHH.value, biasIH: w.biasIH?.value, biasHH: w.biasHH?.value)
            }
            // Two directions run at once (`bidirectionalSequence`), one alone as `recurrentSequence`.
            let results: [RecurrentSequenceResult]
            if dirs == 2 {
                let r = Tensor.bidirectionalSequence(mode, forward: directions[0], reverse: directions[1], file: file, line: line)
                results = [r.forward, r.reverse]
            } else {
                let d = directions[0]
                results = [Tensor.recurrentSequence(mode, inputGates: d.inputGates, hidden: d.hidden, cell: d.cell,
                                                    weightHH: d.weightHH, biasIH: d.biasIH, biasHH: d.biasHH,
                                                    file: file, line: line)]
            }
            let outs = results.map { $0.output }
            hs += results.map { $0.hidden }
            cs += results.compactMap { $0.cell }
            layerInput = dirs == 1 ? outs[0] : Tensor.concatenate(outs, axis: 2)
            if isTraining && dropout > 0 && layer < numLayers - 1 {
                layerInput = layerInput * Dropout.mask(layerInput.shape, p: dropout, generator: &GlobalRandom.generator)
            }
        }
        return (layerInput, Tensor.stack(hs), mode == .lstm ? Tensor.stack(cs) : nil)
    }
}

/// `RNN` and `GRU`, whose state is one tensor.
public protocol SingleStateRecurrent: RNNBase {}

extension SingleStateRecurrent {
    /// `x` `(T, B, inputSize)`, `state` `(numLayers·directions, B, H)` (nil: zeros) →
    /// outputs `(T, B, directions·H)` and the final state.
    public func callAsFunction(_ x: Tensor, _ state: Tensor? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> (output: Tensor, state: Tensor) {
        let r = forward(x, hidden: state, cell: nil, file: file, line: line)
        return (r.output, r.hidden)
    }
}

/// The Elman RNN with tanh, `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)` (book §8.4,
/// concise in §8.6; PyTorch's `nn.RNN`).
///
/// ```swift
/// let rnn = RNN(inputSize: 28, hiddenSize: 256)
/// let (y, h) = rnn(x)               // x (35, 32, 28) → y (35, 32, 256), h (1, 32, 256)
/// ```
public final class RNN: RNNBase, SingleStateRecurrent {
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, dropout: Float = 0,
                bidirectional: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        super.init(mode: .rnnTanh, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   dropout: dropout, bidirectional: bidirectional, file: file, line: line)
    }
}

/// The gated recurrent unit (book §9.1, PyTorch's `nn.GRU`), gates in PyTorch's order r, z, n:
/// `r = σ(W_ir x + b_ir + W_hr h + b_hr)`, `z = σ(W_iz x + b_iz + W_hz h + b_hz)`,
/// `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))`, `h' = (1 − z) ⊙ n + z ⊙ h`.
/// (The book's scratch GRU applies r before the product, `W_hh (r ⊙ h)`; PyTorch after it.)
///
/// ```swift
/// let gru = GRU(inputSize: 32, hiddenSize: 32, numLayers: 2, dropout: 0.1)   // §9.7 encoder
/// let (y, h) = gru(x)
/// ```
public final class GRU: RNNBase, SingleStateRecurrent {
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, dropout: Float = 0,
                bidirectional: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        super.init(mode: .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   dropout: dropout, bidirectional: bidirectional, file: file, line: line)
    }
}

/// Long short-term memory (book §9.2, PyTorch's `nn.LSTM`), gates in PyTorch's order i, f, g, o:
/// `c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)`, `h' = σ(o) ⊙ tanh(c')`; the state is the pair `(h, c)`.
///
/// ```swift
/// let lstm = LSTM(inputSize: 28, hiddenSize: 256, numLayers: 2, bidirectional: true)   // §9.4
/// let (y, state) = lstm(x)          // y (T, B, 512), state.h and state.c (4, B, 256)
/// ```
public final class LSTM: RNNBase {
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, dropout: Float = 0,
                bidirectional: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        super.init(mode: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   dropout: dropout, bidirectional: bidirectional, file: file, line: line)
    }

    /// `x` `(T, B, inputSize)`, `state` `(h, c)`, each `(numLayers·directions, B, H)` (nil: zeros)
    /// → outputs `(T, B, directions·H)` and the final `(h, c)`.
    public func callAsFunction(_ x: Tensor, _ state: (h: Tensor, c: Tensor)? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        let r = forward(x, hidden: state?.h, cell: state?.c, file: file, line: line)
        return (r.output, (r.hidden, r.cell!))
    }
}
