/// One direction of one layer of a recurrent network over a whole sequence, forward and
/// backward (book §8.7, back-propagation through time): the work behind
/// `Tensor.recurrentSequence` and `Tensor.bidirectionalSequence`, kept apart from the graph so
/// that the two directions of a bidirectional layer (§9.4) can run on two threads.
///
/// - `forward()`, per step: one matrix product `h·W_hhᵀ` `(B, H)·(H, G·H)` (`W_hhᵀ` packed once
///   for all steps, `Kernels.GEMMPackedB`) and one fused cell kernel (`Kernels.*CellForward`)
///   that adds `inputGates[t]` and both biases, applies every gate nonlinearity and writes the
///   new state; the activations the backward needs are saved;
/// - `backward(_:needs:)`, per step in reverse: one fused kernel for the gradients of the gate
///   pre-activations and one product `dGates·W_hh` for the previous state's gradient; then
///   `dW_hh = Σₜ dGatesₜᵀ·hₜ₋₁` in two products over all steps and `db = Σ dGates`.
///
/// Every product uses `Parallel.threads` as set by the caller, and no result depends on it.
final class RecurrentPass {
    let mode: RecurrentMode, reverse: Bool
    let steps: Int, batch: Int, hidden: Int
    /// Rows of `(B, H)` states in the result: the `T` hidden states, then (LSTM) the last cell state.
    var rows: Int { mode == .lstm ? steps &+ 1 : steps }
    /// The graph inputs `[inputGates, hidden, cell?, weightHH, biasIH?, biasHH?]` (cleared once
    /// recorded) and the position of each optional one among them (−1 when absent).
    private(set) var inputs: [Tensor]
    let iCell: Int, iWeight: Int, iBiasIH: Int, iBiasHH: Int
    // Detached values and buffers shared by the forward and the backward.
    private let xg: Tensor, h0: Tensor, c0: Tensor?, w: Tensor, biasIH: Tensor?, biasHH: Tensor?
    /// The result (`write(to:offset:)`) and the storage that holds it.
    private var outOwner: TensorStorage? = nil
    private var out: UnsafeMutablePointer<Float>! = nil
    private let saved: TensorStorage, cells: TensorStorage, tanhC: TensorStorage
    private var h0IsZero = false

    /// Checks the shapes (`Tensor.recurrentSequence` documents them) and allocates the saved
    /// activations; `write(to:offset:)` must then say where the result goes.
    init(_ mode: RecurrentMode, inputGates xg: Tensor, hidden h0: Tensor, cell c0: Tensor?, weightHH w: Tensor,
         biasIH: Tensor?, biasHH: Tensor?, reverse: Bool, file: StaticString, line: UInt) {
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
        let T = xg.shape[0], B = xg.shape[1], bh = B &* H
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
        self.mode = mode
        self.reverse = reverse
        steps = T
        batch = B
        hidden = H
        var inputs = [xg, h0]
        func add(_ t: Tensor?) -> Int {
            guard let t = t else { return -1 }
            inputs.append(t)
            return inputs.count - 1
        }
        iCell = add(c0)
        iWeight = add(w)
        iBiasIH = add(biasIH)
        iBiasHH = add(biasHH)
        self.inputs = inputs
        self.xg = xg.detached()
        self.h0 = h0.detached()
        self.c0 = c0?.detached()
        self.w = w.detached()
        self.biasIH = biasIH?.detached()
        self.biasHH = biasHH?.detached()
        saved = TensorStorage(uninitializedCount: gru || lstm ? T &* B &* 4 &* H : 0)
        cells = TensorStorage(uninitializedCount: lstm ? T &* bh : 0)
        tanhC = TensorStorage(uninitializedCount: lstm ? T &* bh : 0)
    }

    /// Sets where the result goes: `rows·B·H` floats of `storage` from `offset`.
    func write(to storage: TensorStorage, offset: Int) {
        outOwner = storage
        out = storage.pointer + offset
    }

    /// Forgets the graph inputs once the graph node holds them.
    func recorded() { inputs = [] }

    /// Time index of processing step `s`, and of the step before time `t`.
    @inline(__always) private func time(_ s: Int) -> Int { reverse ? steps &- 1 &- s : s }
    @inline(__always) private func before(_ t: Int) -> Int { reverse ? t &+ 1 : t &- 1 }
    /// Time of the last step computed: `T − 1`, or 0 in reverse.
    var lastTime: Int { time(steps &- 1) }

    /// Runs the cell over every step, writing the hidden states (and the last cell state).
    func forward() {
        let T = steps, B = batch, H = hidden, G = mode.gateCount, GH = G &* H, bh = B &* H, bgh = B &* GH
        let gh = TensorStorage(uninitializedCount: bgh)
        let px = xg.storage.pointer, pw = w.storage.pointer
        let pbx = biasIH.map { UnsafePointer($0.storage.pointer) }, pbh = biasHH.map { UnsafePointer($0.storage.pointer) }
        let ph0 = h0.storage.pointer, pc0 = c0?.storage.pointer
        let po: UnsafeMutablePointer<Float> = out
        // W_hhᵀ packed once for the T products h·W_hhᵀ (the small-M GEMM path).
        let packedWT = GH >= Kernels.gemmSmallNR / 2 ? Kernels.GEMMPackedB(transB: true, k: H, n: GH, b: pw, ldb: H) : nil
        // A zero initial state (begin_state, and every minibatch with random sampling) needs no
        // first product, forward or in dW_hh.
        h0IsZero = (0..<bh).allSatisfy { ph0[$0] == 0 }
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
        if mode == .lstm { (po + T &* bh).update(from: cells.pointer + lastTime &* bh, count: bh) }
    }

    /// The gradients of the graph inputs (nil where `needs` is false) from the gradient `gp` of
    /// the result (`rows·B·H` floats, laid out like it).
    func backward(_ gp: UnsafePointer<Float>, needs: ArraySlice<Bool>) -> [Tensor?] {
        let needs = Array(needs)
        let T = steps, B = batch, H = hidden, GH = mode.gateCount &* H, bh = B &* H, bgh = B &* GH
        let lstm = mode == .lstm, gru = mode == .gru
        let ph0 = h0.storage.pointer, pw = w.storage.pointer, tLast = lastTime
        let po: UnsafeMutablePointer<Float> = out
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
                                         cPrev: s == 0 ? c0!.storage.pointer : cells.pointer + tp &* bh,
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
        if iCell >= 0 && needs[iCell] { grads[iCell] = Tensor(shape: [B, H], storage: dc) }
        if needs[iWeight] {
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
            grads[iWeight] = Tensor(shape: [GH, H], storage: dW)
        }
        // db = Σ over all rows of the gate gradients (one sum serves both biases unless GRU).
        func rowSum(_ d: TensorStorage) -> Tensor {
            let r = TensorStorage(repeating: 0, count: GH)
            for row in 0..<(T &* B) { Kernels.addInPlace(r.pointer, d.pointer + row &* GH, GH) }
            return Tensor(shape: [GH], storage: r)
        }
        if iBiasHH >= 0 && needs[iBiasHH] { grads[iBiasHH] = rowSum(dGh) }
        if iBiasIH >= 0 && needs[iBiasIH] {
            grads[iBiasIH] = !gru && iBiasHH >= 0 && needs[iBiasHH] ? grads[iBiasHH] : rowSum(dGx)
        }
        return grads
    }
}
