import NN
import Tensor
import TestSupport
import XCTest

/// `RNNBase.forward(tokens:)`: the first layer's input projection looked up by token id must
/// equal the product with the one-hot inputs, in the outputs, the states and every gradient.
final class RecurrentTokensTests: XCTestCase {
    func check(_ layer: RNNBase, label: String) {
        let (T, B, V) = (4, 3, layer.inputSize)
        var gen = SeededGenerator(seed: 7)
        let ids = Tensor(shape: [T, B], scalars: (0..<(T * B)).map { _ in Float(Int(gen.next() % UInt64(V))) })
        let lstm = layer.mode == .lstm
        let state = Tensor.full([layer.numLayers * layer.numDirections, B, layer.hiddenSize], 0.1)
        func run(_ tokens: Bool) -> (out: [Float], grads: [[Float]]) {
            for p in layer.parameters() { p.zeroGrad() }
            let r = tokens ? layer.forward(tokens: ids, hidden: state, cell: lstm ? state : nil)
                : layer.forward(Tensor.oneHot(ids, depth: V), hidden: state, cell: lstm ? state : nil)
            let weights = Tensor.uniform(r.output.shape, low: -1, high: 1, generator: &gen)
            var loss = (r.output * weights).sum() + r.hidden.sum()
            if let c = r.cell { loss = loss + c.sum() }
            loss.backward()
            return (r.output.scalars + r.hidden.scalars + (r.cell?.scalars ?? []),
                    layer.parameters().map { $0.grad?.scalars ?? [] })
        }
        let savedGen = gen
        let dense = run(false)
        gen = savedGen
        let looked = run(true)
        let r = compare(Tensor(looked.out), Tensor(dense.out), atol: 1e-5, label: "\(label) outputs and states")
        XCTAssertTrue(r.ok, r.description)
        XCTAssertEqual(looked.grads.count, dense.grads.count)
        for (i, (g, d)) in zip(looked.grads, dense.grads).enumerated() {
            XCTAssertFalse(d.isEmpty, "\(label) parameter \(i) has no gradient")
            let c = compare(Tensor(g), Tensor(d), atol: 1e-5, label: "\(label) gradient of parameter \(i)")
            XCTAssertTrue(c.ok, c.description)
        }
    }

    func testLookupEqualsOneHotProduct() {
        Tensor.manualSeed(3)
        check(RNN(inputSize: 5, hiddenSize: 6), label: "RNN")
        check(GRU(inputSize: 5, hiddenSize: 4, numLayers: 2), label: "GRU 2 layers")
        check(LSTM(inputSize: 7, hiddenSize: 3, numLayers: 2, bidirectional: true), label: "BiLSTM")
    }

    /// `RNNModel` (which runs on ids) gives the logits of the one-hot formulation.
    func testRNNModelMatchesOneHotLayer() {
        Tensor.manualSeed(4)
        let net = RNNModel(GRU(inputSize: 6, hiddenSize: 5), vocabSize: 6)
        let X = Tensor(shape: [2, 3], scalars: [0, 5, 2, 3, 3, 1])   // (B, T)
        let (y, _) = net(X, net.beginState(batchSize: 2))
        let h = net.rnn.forward(Tensor.oneHot(X.transposed(), depth: 6), hidden: nil, cell: nil).output
        let expected = net.linear(h.reshaped(to: [-1, 5]))
        let r = compare(y, expected, atol: 1e-6, label: "RNNModel logits")
        XCTAssertTrue(r.ok, r.description)
    }
}
