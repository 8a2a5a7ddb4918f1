import Tensor
import TestSupport
import XCTest

/// The fused recurrent cell kernels against their naive references, the fused cell ops against
/// the same cell written with unfused Tensor ops (and finite differences), and the whole-sequence
/// op against a loop of cells.
final class RecurrentKernelTests: XCTestCase {
    func rand(_ shape: [Int], _ gen: inout SeededGenerator, scale: Float = 1.5) -> Tensor {
        Tensor.uniform(shape, low: -scale, high: scale, generator: &gen)
    }

    /// Runs a kernel on fresh output buffers of the given sizes and returns them.
    func run(_ sizes: [Int], _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
        let bufs = sizes.map { TensorStorage(repeating: .nan, count: $0) }
        body(bufs.map { $0.pointer })
        return bufs.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) }
    }

    func assertClose(_ a: [[Float]], _ b: [[Float]], _ label: String, tol: Float = 2e-6) {
        for (k, (x, y)) in zip(a, b).enumerated() {
            let c = compare(Tensor(x), Tensor(y), atol: tol, rtol: tol, label: "\(label) output \(k)")
            XCTAssertTrue(c.ok, "\(c)")
        }
    }

    /// Hidden sizes 21 (one vector chunk and a 5-lane tail) and 32 (two full chunks); 32 rows of
    /// 272 are enough work to be split over two threads.
    func testFastKernelsMatchNaive() {
        var gen = SeededGenerator(seed: 11)
        for (B, H) in [(3, 21), (3, 32), (32, 272)] {
            let bias = rand([4 * H], &gen), biasH = rand([4 * H], &gen), hPrev = rand([B, H], &gen), dh = rand([B, H], &gen), dc = rand([B, H], &gen)
            // RNN
            do {
                let gx = rand([B, H], &gen), gh = rand([B, H], &gen)
                let f = { (naive: Bool) in self.run([B * H]) { o in
                    (naive ? Kernels.rnnTanhCellForwardNaive : Kernels.rnnTanhCellForward)(
                        o[0], gx.storage.pointer, gh.storage.pointer, bias.storage.pointer, biasH.storage.pointer, B, H) } }
                assertClose(f(false), f(true), "rnn forward H=\(H)")
                let h = Tensor(shape: [B, H], scalars: f(true)[0])
                let bw = { (naive: Bool) in self.run([B * H]) { o in
                    (naive ? Kernels.rnnTanhCellBackwardNaive : Kernels.rnnTanhCellBackward)(
                        o[0], h.storage.pointer, dh.storage.pointer, B, H) } }
                assertClose(bw(false), bw(true), "rnn backward H=\(H)")
            }
            // GRU
            do {
                let gx = rand([B, 3 * H], &gen), gh = rand([B, 3 * H], &gen)
                let f = { (naive: Bool) in self.run([B * H, B * 4 * H]) { o in
                    (naive ? Kernels.gruCellForwardNaive : Kernels.gruCellForward)(
                        o[0], o[1], gx.storage.pointer, gh.storage.pointer, bias.storage.pointer, biasH.storage.pointer, hPrev.storage.pointer, B, H) } }
                assertClose(f(false), f(true), "gru forward H=\(H)")
                let saved = Tensor(f(true)[1])
                let bw = { (naive: Bool) in self.run([B * 3 * H, B * 3 * H, B * H]) { o in
                    (naive ? Kernels.gruCellBackwardNaive : Kernels.gruCellBackward)(
                        o[0], o[1], o[2], saved.storage.pointer, hPrev.storage.pointer, dh.storage.pointer, B, H) } }
                assertClose(bw(false), bw(true), "gru backward H=\(H)")
            }
            // LSTM
            do {
                let gx = rand([B, 4 * H], &gen), gh = rand([B, 4 * H], &gen)
                let f = { (naive: Bool) in self.run([B * H, B * H, B * 4 * H, B * H]) { o in
                    (naive ? Kernels.lstmCellForwardNaive : Kernels.lstmCellForward)(
                        o[0], o[1], o[2], o[3], gx.storage.pointer, gh.storage.pointer, nil, biasH.storage.pointer, hPrev.storage.pointer, B, H) } }
                assertClose(f(false), f(true), "lstm forward H=\(H)")
                let ref = f(true)
                let gates = Tensor(ref[2]), tanhC = Tensor(ref[3])
                let bw = { (naive: Bool) in self.run([B * 4 * H, B * H]) { o in
                    (naive ? Kernels.lstmCellBackwardNaive : Kernels.lstmCellBackward)(
                        o[0], o[1], gates.storage.pointer, tanhC.storage.pointer, hPrev.storage.pointer,
                        dh.storage.pointer, dc.storage.pointer, B, H) } }
                assertClose(bw(false), bw(true), "lstm backward H=\(H)")
            }
        }
    }

    // MARK: The same cells from unfused Tensor ops (PyTorch's formulas written out)

    static func block(_ t: Tensor, _ k: Int, _ H: Int) -> Tensor { t.slice(axis: 1, (k * H)..<((k + 1) * H)) }

    static func gruUnfused(_ gx: Tensor, _ gh: Tensor, _ h: Tensor) -> Tensor {
        let H = h.shape[1]
        let r = (block(gx, 0, H) + block(gh, 0, H)).sigmoid()
        let z = (block(gx, 1, H) + block(gh, 1, H)).sigmoid()
        let n = (block(gx, 2, H) + r * block(gh, 2, H)).tanh()
        return (1 - z) * n + z * h
    }

    static func lstmUnfused(_ gx: Tensor, _ gh: Tensor, _ c: Tensor) -> (h: Tensor, c: Tensor) {
        let H = c.shape[1]
        let i = (block(gx, 0, H) + block(gh, 0, H)).sigmoid(), f = (block(gx, 1, H) + block(gh, 1, H)).sigmoid()
        let g = (block(gx, 2, H) + block(gh, 2, H)).tanh(), o = (block(gx, 3, H) + block(gh, 3, H)).sigmoid()
        let c1 = f * c + i * g
        return (o * c1.tanh(), c1)
    }

    func assertSameValuesAndGradients(_ inputs: [Tensor], _ label: String, tol: Float = 1e-5,
                                      fused: @escaping ([Tensor]) -> Tensor, unfused: @escaping ([Tensor]) -> Tensor) {
        let a = withNoGrad { fused(inputs) }, b = withNoGrad { unfused(inputs) }
        let c = compare(a, b, atol: tol, rtol: tol, label: "\(label) forward")
        XCTAssertTrue(c.ok, "\(c)")
        var gen = SeededGenerator(seed: 5)
        let cot = Tensor.uniform(a.shape, low: -1, high: 1, generator: &gen)
        let ga = autogradGradients(inputs, cotangent: cot, fused), gb = autogradGradients(inputs, cotangent: cot, unfused)
        for (k, (x, y)) in zip(ga, gb).enumerated() {
            let c = compare(x, y, atol: tol, rtol: tol, label: "\(label) d/dinput\(k)")
            XCTAssertTrue(c.ok, "\(c)")
        }
    }

    func testFusedCellsMatchUnfusedOpsAndFiniteDifferences() {
        var gen = SeededGenerator(seed: 3)
        let B = 2, H = 18
        let h = rand([B, H], &gen)
        let rnnIn = [rand([B, H], &gen), rand([B, H], &gen)]
        assertSameValuesAndGradients(rnnIn, "rnnTanhCell",
                                     fused: { Tensor.rnnTanhCell(inputGates: $0[0], hiddenGates: $0[1]) },
                                     unfused: { ($0[0] + $0[1]).tanh() })
        let gruIn = [rand([B, 3 * H], &gen), rand([B, 3 * H], &gen), h]
        assertSameValuesAndGradients(gruIn, "gruCell",
                                     fused: { Tensor.gruCell(inputGates: $0[0], hiddenGates: $0[1], state: $0[2]) },
                                     unfused: { Self.gruUnfused($0[0], $0[1], $0[2]) })
        let lstmIn = [rand([B, 4 * H], &gen), rand([B, 4 * H], &gen), h]
        let both = { (p: (h: Tensor, c: Tensor)) in Tensor.concatenate([p.h, p.c], axis: 1) }
        assertSameValuesAndGradients(lstmIn, "lstmCell",
                                     fused: { both(Tensor.lstmCell(inputGates: $0[0], hiddenGates: $0[1], cell: $0[2])) },
                                     unfused: { both(Self.lstmUnfused($0[0], $0[1], $0[2])) })
        // Finite differences on a small case (independent of both implementations).
        let small = [rand([2, 12], &gen, scale: 1), rand([2, 12], &gen, scale: 1), rand([2, 3], &gen, scale: 1)]
        for c in gradCheck(small, h: 1e-2, label: "lstmCell",
                           { both(Tensor.lstmCell(inputGates: $0[0], hiddenGates: $0[1], cell: $0[2])) }) {
            XCTAssertTrue(c.ok, "\(c)")
        }
        let smallGRU = [rand([2, 9], &gen, scale: 1), rand([2, 9], &gen, scale: 1), rand([2, 3], &gen, scale: 1)]
        for c in gradCheck(smallGRU, h: 1e-2, label: "gruCell",
                           { Tensor.gruCell(inputGates: $0[0], hiddenGates: $0[1], state: $0[2]) }) {
            XCTAssertTrue(c.ok, "\(c)")
        }
    }

    // MARK: Whole sequences against a loop of cells

    /// `[output, hidden, cell?]` flattened into one vector, from a loop of the fused cells.
    static func sequenceByCells(_ mode: RecurrentMode, _ xs: [Tensor], reverse: Bool) -> Tensor {
        let (xg, h0, w, bx, bh) = (xs[0], xs[1], xs[xs.count - 3], xs[xs.count - 2], xs[xs.count - 1])
        var h = h0, c = mode == .lstm ? xs[2] : h0
        let T = xg.shape[0]
        var outs = [Tensor](repeating: h0, count: T)
        for s in 0..<T {
            let t = reverse ? T - 1 - s : s
            let gx = xg.slice(axis: 0, t..<(t + 1)).squeezed(0) + bx
            let gh = linear(h, weight: w, bias: bh)
            switch mode {
            case .rnnTanh: h = Tensor.rnnTanhCell(inputGates: gx, hiddenGates: gh)
            case .gru: h = Tensor.gruCell(inputGates: gx, hiddenGates: gh, state: h)
            case .lstm: (h, c) = Tensor.lstmCell(inputGates: gx, hiddenGates: gh, cell: c)
            }
            outs[t] = h
        }
        var parts = [Tensor.stack(outs).reshaped(to: [-1]), h.reshaped(to: [-1])]
        if mode == .lstm { parts.append(c.reshaped(to: [-1])) }
        return Tensor.concatenate(parts)
    }

    static func sequenceFused(_ mode: RecurrentMode, _ xs: [Tensor], reverse: Bool) -> Tensor {
        let r = Tensor.recurrentSequence(mode, inputGates: xs[0], hidden: xs[1], cell: mode == .lstm ? xs[2] : nil,
                                         weightHH: xs[xs.count - 3], biasIH: xs[xs.count - 2], biasHH: xs[xs.count - 1],
                                         reverse: reverse)
        var parts = [r.output.reshaped(to: [-1]), r.hidden.reshaped(to: [-1])]
        if let c = r.cell { parts.append(c.reshaped(to: [-1])) }
        return Tensor.concatenate(parts)
    }

    func testSequenceMatchesLoopOfCells() {
        var gen = SeededGenerator(seed: 8)
        let T = 4, B = 3, H = 17
        for mode in [RecurrentMode.rnnTanh, .gru, .lstm] {
            let G = mode.gateCount
            var xs = [rand([T, B, G * H], &gen, scale: 1), rand([B, H], &gen, scale: 1)]
            if mode == .lstm { xs.append(rand([B, H], &gen, scale: 1)) }
            xs += [rand([G * H, H], &gen, scale: 0.3), rand([G * H], &gen, scale: 0.3), rand([G * H], &gen, scale: 0.3)]
            for reverse in [false, true] {
                assertSameValuesAndGradients(xs, "\(mode) reverse \(reverse)", tol: 2e-5,
                                             fused: { Self.sequenceFused(mode, $0, reverse: reverse) },
                                             unfused: { Self.sequenceByCells(mode, $0, reverse: reverse) })
            }
        }
    }

    func testSequenceFiniteDifferences() {
        var gen = SeededGenerator(seed: 4)
        let xs = [rand([3, 2, 8], &gen, scale: 1), rand([2, 2], &gen, scale: 1), rand([2, 2], &gen, scale: 1),
                  rand([8, 2], &gen, scale: 0.5), rand([8], &gen, scale: 0.5), rand([8], &gen, scale: 0.5)]
        for c in gradCheck(xs, h: 1e-2, label: "lstm sequence", { Self.sequenceFused(.lstm, $0, reverse: true) }) {
            XCTAssertTrue(c.ok, "\(c)")
        }
    }
}
