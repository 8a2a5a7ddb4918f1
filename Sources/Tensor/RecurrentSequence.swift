/// The cell a recurrent sequence runs (book §8.4 RNN, §9.1 GRU, §9.2 LSTM) and its number of
/// gate blocks in PyTorch's weight layout.
public enum RecurrentMode: Sendable {
    /// `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`, one block.
    case rnnTanh
    /// Gates r, z, n.
    case gru
    /// Gates i, f, g, o, with a cell state.
    case lstm

    public var gateCount: Int {
        switch self {
        case .rnnTanh: return 1
        case .gru: return 3
        case .lstm: return 4
        }
    }
}

/// What `Tensor.recurrentSequence` returns.
public struct RecurrentSequenceResult {
    /// The hidden state at every time step, `(T, B, H)`, in time order (also when run in reverse).
    public let output: Tensor
    /// The last state computed, `(B, H)`: time `T − 1`, or time 0 when run in reverse.
    public let hidden: Tensor
    /// The LSTM's last cell state `(B, H)`; nil for the other cells.
    public let cell: Tensor?
}

/// The inputs of one direction of `Tensor.bidirectionalSequence`, as `Tensor.recurrentSequence`
/// takes them.
public struct RecurrentDirectionInputs {
    public var inputGates: Tensor, hidden: Tensor, cell: Tensor?, weightHH: Tensor, biasIH: Tensor?, biasHH: Tensor?

    public init(inputGates: Tensor, hidden: Tensor, cell: Tensor? = nil, weightHH: Tensor, biasIH: Tensor?, biasHH: Tensor?) {
        self.inputGates = inputGates
        self.hidden = hidden
        self.cell = cell
        self.weightHH = weightHH
        self.biasIH = biasIH
        self.biasHH = biasHH
    }
}

extension Tensor {
    /// Runs a recurrent cell over a whole sequence (back-propagation through time, book §8.7)
    /// as one op of the graph, the way cuDNN does (`RecurrentPass` has the loops): per step one
    /// recurrent product `h·W_hhᵀ` and one fused cell kernel; backward per step in reverse, then
    /// `dW_hh` in two products over all steps.
    ///
    /// `inputGates` is `x·W_ihᵀ` for every step, `(T, B, G·H)`: the caller computes it with one
    /// product over all `T·B` rows (`x.matmul(W_ih, transB)`), and its gradient is the gate
    /// gradients of all steps. `weightHH` is `(G·H, H)`; `biasIH` and `biasHH` `(G·H)` (or nil) are
    /// added inside the cell kernel, which saves a pass over `(T, B, G·H)` each way; `hidden` and
    /// `cell` (LSTM only) are the initial states `(B, H)`. With `reverse`, time runs from `T − 1`
    /// down to 0 (the backward direction of a bidirectional layer, §9.4).
    public static func recurrentSequence(_ mode: RecurrentMode, inputGates xg: Tensor, hidden h0: Tensor,
                                         cell c0: Tensor? = nil, weightHH w: Tensor, biasIH: Tensor?, biasHH: Tensor?,
                                         reverse: Bool = false,
                                         file: StaticString = #fileID, line: UInt = #line) -> RecurrentSequenceResult {
        let pass = RecurrentPass(mode, inputGates: xg, hidden: h0, cell: c0, weightHH: w, biasIH: biasIH, biasHH: biasHH,
                                 reverse: reverse, file: file, line: line)
        let size = pass.rows &* pass.batch &* pass.hidden
        let out = TensorStorage(uninitializedCount: size)
        pass.write(to: out, offset: 0)
        pass.forward()
        let all = record("recurrentSequence(\(mode))", Tensor(shape: [pass.rows, pass.batch, pass.hidden], storage: out),
                         inputs: pass.inputs) { g, needs in
            pass.backward(g.storage.pointer, needs: needs[...])
        }
        pass.recorded()
        return result(all, pass)
    }

    /// Both directions of a bidirectional layer (book §9.4) as one op of the graph: the forward
    /// direction over `forward` and the reverse direction over `reverse`, the same as two
    /// `recurrentSequence` calls (`reverse: false` and `true`) bit for bit, but the two run at once,
    /// each on half of `Parallel.threads` (one thread each on two cores), in the forward and in
    /// the backward — with a batch of 32 the per-step products are too small to share out.
    public static func bidirectionalSequence(_ mode: RecurrentMode, forward f: RecurrentDirectionInputs,
                                             reverse r: RecurrentDirectionInputs, file: StaticString = #fileID,
                                             line: UInt = #line) -> (forward: RecurrentSequenceResult, reverse: RecurrentSequenceResult) {
        let passes = [(f, false), (r, true)].map { d, rev in
            RecurrentPass(mode, inputGates: d.inputGates, hidden: d.hidden, cell: d.cell, weightHH: d.weightHH,
                          biasIH: d.biasIH, biasHH: d.biasHH, reverse: rev, file: file, line: line)
        }
        let (p0, p1) = (passes[0], passes[1])
        shapeCheck(p0.steps == p1.steps && p0.batch == p1.batch && p0.hidden == p1.hidden,
                   "bidirectionalSequence(\(mode)): the directions' inputGates \(describeShape(f.inputGates.shape)) and "
                   + "\(describeShape(r.inputGates.shape)) must have the same steps, batch and hidden size", file: file, line: line)
        let size = p0.rows &* p0.batch &* p0.hidden
        let out = TensorStorage(uninitializedCount: 2 &* size)
        p0.write(to: out, offset: 0)
        p1.write(to: out, offset: size)
        eachDirection { passes[$0].forward() }
        let inputs = p0.inputs + p1.inputs, n0 = p0.inputs.count
        let all = record("bidirectionalSequence(\(mode))", Tensor(shape: [2, p0.rows, p0.batch, p0.hidden], storage: out),
                         inputs: inputs) { g, needs in
            let gp = g.storage.pointer
            var grads: [[Tensor?]] = [[], []]
            grads.withUnsafeMutableBufferPointer { box in
                eachDirection { d in
                    box[d] = passes[d].backward(gp + d &* size, needs: d == 0 ? needs[..<n0] : needs[n0...])
                }
            }
            return grads[0] + grads[1]
        }
        p0.recorded()
        p1.recorded()
        return (result(all.slice(axis: 0, 0..<1).reshaped(to: [p0.rows, p0.batch, p0.hidden]), p0),
                result(all.slice(axis: 0, 1..<2).reshaped(to: [p0.rows, p0.batch, p0.hidden]), p1))
    }

    /// Runs `body(0)` and `body(1)` at once, each with half of `Parallel.threads` (in order when
    /// there is one thread).
    private static func eachDirection(_ body: (Int) -> Void) {
        let threads = Parallel.threads
        if threads < 2 {
            body(0)
            body(1)
        } else {
            Parallel.forEach(2) { d in Parallel.withThreads(threads / 2) { body(d) } }
        }
    }

    /// The output, last hidden state and (LSTM) last cell state in a pass's result `all`.
    private static func result(_ all: Tensor, _ pass: RecurrentPass) -> RecurrentSequenceResult {
        let T = pass.steps, B = pass.batch, H = pass.hidden, tLast = pass.lastTime
        return RecurrentSequenceResult(
            output: pass.mode == .lstm ? all.slice(axis: 0, 0..<T) : all,
            hidden: all.slice(axis: 0, tLast..<(tLast + 1)).reshaped(to: [B, H]),
            cell: pass.mode == .lstm ? all.slice(axis: 0, T..<(T + 1)).reshaped(to: [B, H]) : nil)
    }
}
