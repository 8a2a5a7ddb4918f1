import Tensor
import TestSupport
import XCTest

/// `Tensor.bidirectionalSequence` (the two directions of a bidirectional layer, book §9.4, run at
/// once) against two `recurrentSequence` calls on one thread: the same outputs, final states and
/// gradients of every input, bit for bit, with 1 and 2 threads.
final class BidirectionalSequenceTests: XCTestCase {
    /// One direction's inputs `[inputGates, hidden, cell?, weightHH, biasIH, biasHH]`.
    static func directionInputs(_ mode: RecurrentMode, T: Int, B: Int, H: Int, zeroState: Bool,
                                _ gen: inout SeededGenerator) -> [Tensor] {
        let G = mode.gateCount
        func rand(_ shape: [Int], _ scale: Float) -> Tensor { Tensor.uniform(shape, low: -scale, high: scale, generator: &gen) }
        var xs = [rand([T, B, G * H], 1), zeroState ? Tensor.zeros([B, H]) : rand([B, H], 1)]
        if mode == .lstm { xs.append(rand([B, H], 1)) }
        return xs + [rand([G * H, H], 0.3), rand([G * H], 0.3), rand([G * H], 0.3)]
    }

    static func direction(_ xs: ArraySlice<Tensor>) -> RecurrentDirectionInputs {
        let x = Array(xs)
        return RecurrentDirectionInputs(inputGates: x[0], hidden: x[1], cell: x.count == 6 ? x[2] : nil,
                                        weightHH: x[x.count - 3], biasIH: x[x.count - 2], biasHH: x[x.count - 1])
    }

    /// Outputs, hidden and cell states of both directions, flattened into one vector.
    static func flat(_ rs: [RecurrentSequenceResult]) -> Tensor {
        Tensor.concatenate(rs.flatMap { r in [r.output, r.hidden] + (r.cell.map { [$0] } ?? []) }.map { $0.reshaped(to: [-1]) })
    }

    func testPairEqualsTwoSequencesBitForBit() {
        var gen = SeededGenerator(seed: 11)
        let T = 5, B = 3, H = 40
        for mode in [RecurrentMode.rnnTanh, .gru, .lstm] {
            for zeroState in [false, true] {
                let xs = Self.directionInputs(mode, T: T, B: B, H: H, zeroState: zeroState, &gen)
                    + Self.directionInputs(mode, T: T, B: B, H: H, zeroState: zeroState, &gen)
                let n = xs.count / 2
                let sequential: ([Tensor]) -> Tensor = { x in
                    Parallel.withThreads(1) {
                        Self.flat([false, true].map { reverse in
                            let d = Self.direction(reverse ? x[n...] : x[..<n])
                            return Tensor.recurrentSequence(mode, inputGates: d.inputGates, hidden: d.hidden, cell: d.cell,
                                                            weightHH: d.weightHH, biasIH: d.biasIH, biasHH: d.biasHH,
                                                            reverse: reverse)
                        })
                    }
                }
                let expected = sequential(xs)
                let cot = Tensor.uniform(expected.shape, low: -1, high: 1, generator: &gen)
                let expectedGrads = Parallel.withThreads(1) { autogradGradients(xs, cotangent: cot, sequential) }
                for threads in [1, 2] {
                    let label = "\(mode) zero state \(zeroState), \(threads) threads"
                    let pair: ([Tensor]) -> Tensor = { x in
                        let r = Tensor.bidirectionalSequence(mode, forward: Self.direction(x[..<n]), reverse: Self.direction(x[n...]))
                        return Self.flat([r.forward, r.reverse])
                    }
                    let got = Parallel.withThreads(threads) { withNoGrad { pair(xs) } }
                    let c = compare(got, expected, atol: 0, rtol: 0, label: "\(label) forward")
                    XCTAssertTrue(c.ok, "\(c)")
                    let grads = Parallel.withThreads(threads) { autogradGradients(xs, cotangent: cot, pair) }
                    for (k, (g, e)) in zip(grads, expectedGrads).enumerated() {
                        let c = compare(g, e, atol: 0, rtol: 0, label: "\(label) d/dinput\(k)")
                        XCTAssertTrue(c.ok, "\(c)")
                    }
                }
            }
        }
    }
}
