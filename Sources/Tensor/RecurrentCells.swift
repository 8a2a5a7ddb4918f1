/// One time step of the recurrent cells (book §8.4 RNN, §9.1 GRU, §9.2 LSTM) as fused ops:
/// every gate nonlinearity and the new state in one kernel (`Kernels.*CellForward`), with a
/// hand-written backward (`Kernels.*CellBackward`) instead of a graph of a dozen elementwise ops.
///
/// The ops take the two projections PyTorch's cells compute, in its gate order and layout:
/// `inputGates = x·W_ihᵀ + b_ih` and `hiddenGates = h·W_hhᵀ + b_hh`, each `(B, G·H)`:
///
/// ```swift
/// let gx = linear(x, weight: wIH, bias: bIH), gh = linear(h, weight: wHH, bias: bHH)
/// let (h1, c1) = Tensor.lstmCell(inputGates: gx, hiddenGates: gh, cell: c)   // torch.nn.LSTMCell
/// ```
///
/// A whole sequence runs through `Tensor.recurrentSequence`, which loops these kernels over time
/// with one recurrent matrix product per step.
extension Tensor {
    static func checkCellShapes(_ op: String, _ gx: Tensor, _ gh: Tensor, gates: Int, state: Tensor?,
                                file: StaticString, line: UInt) -> (batch: Int, hidden: Int) {
        shapeCheck(gx.rank == 2 && gx.shape == gh.shape && gx.shape[1] % gates == 0,
                   "\(op): inputGates \(describeShape(gx.shape)) and hiddenGates \(describeShape(gh.shape)) must both be "
                   + "(batch, \(gates)·hidden)", file: file, line: line)
        let batch = gx.shape[0], hidden = gx.shape[1] / gates
        if let s = state {
            shapeCheck(s.shape == [batch, hidden],
                       "\(op): state \(describeShape(s.shape)) must be (batch, hidden) = \(describeShape([batch, hidden]))",
                       file: file, line: line)
        }
        return (batch, hidden)
    }

    /// The RNN cell `h' = tanh(inputGates + hiddenGates)` (book §8.4.2, `nn.RNNCell`), `(B, H)`.
    /// Backward: both inputs get `g·(1 − h'²)`.
    public static func rnnTanhCell(inputGates gx: Tensor, hiddenGates gh: Tensor,
                                   file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (batch, hidden) = checkCellShapes("rnnTanhCell", gx, gh, gates: 1, state: nil, file: file, line: line)
        let out = TensorStorage(uninitializedCount: batch &* hidden)
        Kernels.rnnTanhCellForward(h: out.pointer, gx: gx.storage.pointer, gh: gh.storage.pointer, biasX: nil, biasH: nil,
                                   batch: batch, hidden: hidden)
        let r = Tensor(shape: [batch, hidden], storage: out)
        return record("rnnTanhCell", r, inputs: [gx, gh]) { g, needs in
            let d = TensorStorage(uninitializedCount: batch &* hidden)
            Kernels.rnnTanhCellBackward(dPre: d.pointer, h: out.pointer, dh: g.storage.pointer, batch: batch, hidden: hidden)
            let dt = Tensor(shape: [batch, hidden], storage: d)
            return [needs[0] ? dt : nil, needs[1] ? dt : nil]
        }
    }

    /// The GRU cell of `nn.GRUCell` (book §9.1 with PyTorch's reset placement), gates r, z, n:
    /// `r = σ(gx_r + gh_r)`, `z = σ(gx_z + gh_z)`, `n = tanh(gx_n + r ⊙ gh_n)`,
    /// `h' = (1 − z) ⊙ n + z ⊙ h`. `inputGates`, `hiddenGates` `(B, 3H)`, `state` `(B, H)`.
    public static func gruCell(inputGates gx: Tensor, hiddenGates gh: Tensor, state h: Tensor,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (batch, hidden) = checkCellShapes("gruCell", gx, gh, gates: 3, state: h, file: file, line: line)
        let out = TensorStorage(uninitializedCount: batch &* hidden)
        let saved = TensorStorage(uninitializedCount: batch &* 4 &* hidden)
        Kernels.gruCellForward(h: out.pointer, saved: saved.pointer, gx: gx.storage.pointer, gh: gh.storage.pointer,
                               biasX: nil, biasH: nil, hPrev: h.storage.pointer, batch: batch, hidden: hidden)
        let r = Tensor(shape: [batch, hidden], storage: out)
        let hv = h.detached(), gShape = gx.shape
        return record("gruCell", r, inputs: [gx, gh, h]) { g, needs in
            let dGx = TensorStorage(uninitializedCount: batch &* 3 &* hidden)
            let dGh = TensorStorage(uninitializedCount: batch &* 3 &* hidden)
            let dh = TensorStorage(uninitializedCount: batch &* hidden)
            Kernels.gruCellBackward(dGx: dGx.pointer, dGh: dGh.pointer, dhPrev: dh.pointer, saved: saved.pointer,
                                    hPrev: hv.storage.pointer, dh: g.storage.pointer, batch: batch, hidden: hidden)
            return [needs[0] ? Tensor(shape: gShape, storage: dGx) : nil,
                    needs[1] ? Tensor(shape: gShape, storage: dGh) : nil,
                    needs[2] ? Tensor(shape: [batch, hidden], storage: dh) : nil]
        }
    }

    /// The LSTM cell of `nn.LSTMCell` (book §9.2), gates i, f, g, o:
    /// `c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)`, `h' = σ(o) ⊙ tanh(c')`. `inputGates`, `hiddenGates`
    /// `(B, 4H)`, `cell` `(B, H)`; returns `(h', c')`.
    public static func lstmCell(inputGates gx: Tensor, hiddenGates gh: Tensor, cell c: Tensor,
                                file: StaticString = #fileID, line: UInt = #line) -> (h: Tensor, c: Tensor) {
        let (batch, hidden) = checkCellShapes("lstmCell", gx, gh, gates: 4, state: c, file: file, line: line)
        let bh = batch &* hidden
        // h' and c' side by side in one (2, B, H) result, split below (the graph has one node).
        let out = TensorStorage(uninitializedCount: 2 &* bh)
        let gates = TensorStorage(uninitializedCount: 4 &* bh), tanhC = TensorStorage(uninitializedCount: bh)
        Kernels.lstmCellForward(h: out.pointer, c: out.pointer + bh, gates: gates.pointer, tanhC: tanhC.pointer,
                                gx: gx.storage.pointer, gh: gh.storage.pointer, biasX: nil, biasH: nil, cPrev: c.storage.pointer,
                                batch: batch, hidden: hidden)
        let cv = c.detached(), gShape = gx.shape
        let both = record("lstmCell", Tensor(shape: [2, batch, hidden], storage: out), inputs: [gx, gh, c]) { g, needs in
            let dG = TensorStorage(uninitializedCount: 4 &* bh), dc = TensorStorage(uninitializedCount: bh)
            Kernels.lstmCellBackward(dGates: dG.pointer, dcPrev: dc.pointer, gates: gates.pointer, tanhC: tanhC.pointer,
                                     cPrev: cv.storage.pointer, dh: g.storage.pointer, dc: g.storage.pointer + bh,
                                     batch: batch, hidden: hidden)
            let dGt = Tensor(shape: gShape, storage: dG)
            return [needs[0] ? dGt : nil, needs[1] ? dGt : nil, needs[2] ? Tensor(shape: [batch, hidden], storage: dc) : nil]
        }
        return (both.slice(axis: 0, 0..<1).reshaped(to: [batch, hidden]),
                both.slice(axis: 0, 1..<2).reshaped(to: [batch, hidden]))
    }
}
