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

extension Tensor {
    /// Runs a recurrent cell over a whole sequence (back-propagation through time, book §8.7)
    /// as one op of the graph, the way cuDNN does:
    ///
    /// - forward, per step: one matrix product `h·W_hhᵀ` `(B, H)·(H, G·H)` (`W_hhᵀ` packed once for
    ///   all steps, `Kernels.GEMMPackedB`; likewise `W_hh` for the backward) and one fused cell
    ///   kernel (`Kernels.*CellForward`) that adds `inputGates[t]` and both biases, applies every gate
    ///   nonlinearity and writes the new state; the activations the backward needs are saved;
    /// - backward, per step in reverse: one fused kernel for the gradients of the gate
    ///   pre-activations and one product `dGates·W_hh` for the previous state's gradient;
    ///   then `dW_hh = Σₜ dGatesₜᵀ·hₜ₋₁` in two products over all steps at once and
    ///   `db = Σ dGates` over all steps.
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
        let op = "recurrentSequence(\(mode))"
        let G = mode.gateCount, lstm = mode == .lstm, gru = mode == .gru
        shapeCheck(w.rank == 2, "\(op): weightHH must be (\(G)·hidden, hidden), got \(describeShape(w.shape))",
                   file: file, line: line)
        let H = w.shape[1], GH = G &* H
        shapeCheck(w.shape[0] == GH, "\(op): weightHH \(describeShape(w.shape)) must be (\(G)·hidden, hidden)",
                   file: file, line: line)
        shapeCheck(xg.rank == 3 && xg.shape[0] >= 1 && xg.shape[2] == GH,
                   "\(op): inputGates \(describeShape(xg.shape)) must be (steps ≥ 1, batch, \(GH)) for weightHH \(describeShape(w.shape))",
                   file: file, line: line)
        let T = xg.shape[0], B = xg.shape[1], bh = B &* H, bgh = B &* GH
        shapeCheck(h0.shape == [B, H], "\(op): hidden \(describeShape(h0.shape)) must be (batch, hidden) = \(describeShape([B, H]))",
                   file: file, line: line)
        shapeCheck(lstm == (c0 != nil), lstm ? "\(op): the LSTM needs an initial cell state" : "\(op): only the LSTM takes a cell state",
                   file: file, line: line)
        if let c = c0 {
            shapeCheck(c.shape == [B, H], "\(op): cell \(describeShape(c.shape)) must be (batch, hidden) = \(describeShape([B, H]))",
                       file: file, line: line)
        }
        for (name, b) in [("biasIH", biasIH), ("biasHH", biasHH)] {
            if let b = b {
                shapeCheck(b.shape == [GH], "\(op): \(name) \(describeShape(b.shape)) must be (\(GH))", file: file, line: line)
            }
        }
        // Time index of processing step s, and of the step before it.
        @inline(__always) func time(_ s: Int) -> Int { reverse ? T &- 1 &- s : s }
        @inline(__always) func before(_ t: Int) -> Int { reverse ? t &+ 1 : t &- 1 }

        // Result: the T hidden states, then (LSTM) the last cell state as row T.
        let out = TensorStorage(uninitializedCount: (lstm ? T &+ 1 : T) &* bh)
        let saved = TensorStorage(uninitializedCount: gru || lstm ? T &* B &* 4 &* H : 0)
        let cells = TensorStorage(uninitializedCount: lstm ? T &* bh : 0)
        let tanhC = TensorStorage(uninitializedCount: lstm ? T &* bh : 0)
        let gh = TensorStorage(uninitializedCount: bgh)
        let px = xg.storage.pointer, pw = w.storage.pointer
        let pbx = biasIH.map { UnsafePointer($0.storage.pointer) }, pbh = biasHH.map { UnsafePointer($0.storage.pointer) }
        let ph0 = h0.storage.pointer, pc0 = c0?.storage.pointer
        let po = out.pointer
        // W_hhᵀ packed once for the T products h·W_hhᵀ (the small-M GEMM path).
        let packedWT = GH >= Kernels.gemmSmallNR / 2 ? Kernels.GEMMPackedB(transB: true, k: H, n: GH, b: pw, ldb: H) : nil
        // A zero initial state (begin_state, and every minibatch with random sampling) needs no
        // first product, forward or in dW_hh.
        let h0IsZero = (0..<bh).allSatisfy { ph0[$0] == 0 }
        for s in 0..<T {
            let t = time(s), tp = before(t)
            let hPrev = s == 0 ? ph0 : po + tp &* bh
            if s == 0 && h0IsZero {
                gh.pointer.update(repeating: 0, count: bgh)
            } else if let packed = packedWT {
                Kernels.gemm(transA: false, m: B, a: hPrev, lda: H, packedB: packed, c: gh.pointer, ldc: GH)
            } else {
                Kernels.gemm(transA: false, transB: true, m: B, n: GH, k: H, a: hPrev, lda: H, b: pw, ldb: H,
                             c: gh.pointer, ldc: GH)
            }
            switch mode {
            case .rnnTanh:
                Kernels.rnnTanhCellForward(h: po + t &* bh, gx: px + t &* bgh, gh: gh.pointer, biasX: pbx, biasH: pbh, batch: B, hidden: H)
            case .gru:
                Kernels.gruCellForward(h: po + t &* bh, saved: saved.pointer + t &* 4 &* bh, gx: px + t &* bgh,
                                       gh: gh.pointer, biasX: pbx, biasH: pbh, hPrev: hPrev, batch: B, hidden: H)
            case .lstm:
                Kernels.lstmCellForward(h: po + t &* bh, c: cells.pointer + t &* bh, gates: saved.pointer + t &* bgh,
                                        tanhC: tanhC.pointer + t &* bh, gx: px + t &* bgh, gh: gh.pointer, biasX: pbx, biasH: pbh,
                                        cPrev: s == 0 ? pc0! : cells.pointer + tp &* bh, batch: B, hidden: H)
            }
        }
        let tLast = time(T &- 1)
        if lstm { (po + T &* bh).update(from: cells.pointer + tLast &* bh, count: bh) }

        let hv = h0.detached(), cv = c0?.detached(), wv = w.detached()
        // Graph inputs, with the position of each optional one (-1 when absent).
        var inputs = [xg, h0]
        func add(_ t: Tensor?) -> Int {
            guard let t = t else { return -1 }
            inputs.append(t)
            return inputs.count - 1
        }
        let ic = add(c0), iw = add(w), ibx = add(biasIH), ibh = add(biasHH)
        let all = record(op, Tensor(shape: [lstm ? T &+ 1 : T, B, H], storage: out), inputs: inputs) { g, needs in
            // Pointers from the captured buffers (they keep the forward's results alive).
            let gp = g.storage.pointer, ph0 = hv.storage.pointer, pw = wv.storage.pointer, po = out.pointer
            let dGx = TensorStorage(uninitializedCount: T &* bgh)
            // The hidden-side gate gradients: the same as the input side except in the GRU's n block.
            let dGh = gru ? TensorStorage(uninitializedCount: T &* bgh) : dGx
            let dh = TensorStorage(uninitializedCount: bh), dz = TensorStorage(uninitializedCount: gru ? bh : 0)
            dh.pointer.update(from: gp + tLast &* bh, count: bh)
            let dc = TensorStorage(uninitializedCount: lstm ? bh : 0)
            if lstm { dc.pointer.update(from: gp + T &* bh, count: bh) }
            var dh0: TensorStorage? = nil
            // W_hh packed once for the T products dGates·W_hh.
            let packedW = H >= Kernels.gemmSmallNR / 2 ? Kernels.GEMMPackedB(transB: false, k: GH, n: H, b: pw, ldb: H) : nil
            for s in stride(from: T &- 1, through: 0, by: -1) {
                let t = time(s), tp = before(t)
                let hPrev = s == 0 ? ph0 : po + tp &* bh
                switch mode {
                case .rnnTanh:
                    Kernels.rnnTanhCellBackward(dPre: dGx.pointer + t &* bgh, h: po + t &* bh, dh: dh.pointer, batch: B, hidden: H)
                case .gru:
                    Kernels.gruCellBackward(dGx: dGx.pointer + t &* bgh, dGh: dGh.pointer + t &* bgh, dhPrev: dz.pointer,
                                            saved: saved.pointer + t &* 4 &* bh, hPrev: hPrev, dh: dh.pointer, batch: B, hidden: H)
                case .lstm:
                    Kernels.lstmCellBackward(dGates: dGx.pointer + t &* bgh, dcPrev: dc.pointer, gates: saved.pointer + t &* bgh,
                                             tanhC: tanhC.pointer + t &* bh,
                                             cPrev: s == 0 ? cv!.storage.pointer : cells.pointer + tp &* bh,
                                             dh: dh.pointer, dc: dc.pointer, batch: B, hidden: H)
                }
                // The gradient reaching the previous state: its own output's gradient (none for
                // the initial state), the GRU's direct term z ⊙ dh, and dGates·W_hh.
                let target: UnsafeMutablePointer<Float>
                if s > 0 {
                    target = dh.pointer
                    target.update(from: gp + tp &* bh, count: bh)
                } else {
                    guard needs[1] else { break }
                    let d = TensorStorage(repeating: 0, count: bh)
                    dh0 = d
                    target = d.pointer
                }
                if gru { Kernels.addInPlace(target, dz.pointer, bh) }
                if let packed = packedW {
                    Kernels.gemm(transA: false, m: B, a: dGh.pointer + t &* bgh, lda: GH, packedB: packed, c: target, ldc: H, beta: 1)
                } else {
                    Kernels.gemm(transA: false, transB: false, m: B, n: H, k: GH, a: dGh.pointer + t &* bgh, lda: GH,
                                 b: pw, ldb: H, c: target, ldc: H, beta: 1)
                }
            }
            var grads = [Tensor?](repeating: nil, count: needs.count)
            if needs[0] { grads[0] = Tensor(shape: [T, B, GH], storage: dGx) }
            grads[1] = dh0.map { Tensor(shape: [B, H], storage: $0) }
            if ic >= 0 && needs[ic] { grads[ic] = Tensor(shape: [B, H], storage: dc) }
            if needs[iw] {
                // dW_hh = Σₜ dGhₜᵀ·hₜ₋₁: the first step's previous state is h0; the others' are the
                // outputs of the neighbouring steps, contiguous in both time directions.
                let dW = TensorStorage(uninitializedCount: GH &* H)
                if h0IsZero {
                    dW.pointer.update(repeating: 0, count: GH &* H)
                } else {
                    Kernels.gemm(transA: true, transB: false, m: GH, n: H, k: B, a: dGh.pointer + time(0) &* bgh, lda: GH,
                                 b: ph0, ldb: H, c: dW.pointer, ldc: H)
                }
                if T > 1 {
                    Kernels.gemm(transA: true, transB: false, m: GH, n: H, k: (T &- 1) &* B,
                                 a: dGh.pointer + (reverse ? 0 : bgh), lda: GH, b: po + (reverse ? bh : 0), ldb: H,
                                 c: dW.pointer, ldc: H, beta: 1)
                }
                grads[iw] = Tensor(shape: [GH, H], storage: dW)
            }
            // db = Σ over all rows of the gate gradients (one sum serves both biases unless GRU).
            func rowSum(_ d: TensorStorage) -> Tensor {
                let r = TensorStorage(repeating: 0, count: GH)
                for row in 0..<(T &* B) { Kernels.addInPlace(r.pointer, d.pointer + row &* GH, GH) }
                return Tensor(shape: [GH], storage: r)
            }
            if ibh >= 0 && needs[ibh] { grads[ibh] = rowSum(dGh) }
            if ibx >= 0 && needs[ibx] { grads[ibx] = !gru && ibh >= 0 && needs[ibh] ? grads[ibh] : rowSum(dGx) }
            return grads
        }
        let output = lstm ? all.slice(axis: 0, 0..<T) : all
        return RecurrentSequenceResult(
            output: output,
            hidden: all.slice(axis: 0, tLast..<(tLast + 1)).reshaped(to: [B, H]),
            cell: lstm ? all.slice(axis: 0, T..<(T + 1)).reshaped(to: [B, H]) : nil)
    }
}
