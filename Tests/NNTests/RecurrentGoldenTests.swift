import Foundation
import NN
import Tensor
import TestSupport
import XCTest

/// PyTorch reference values (golden `rnn` and `rnn_layers`): the three cells, a 2-layer
/// bidirectional `nn.LSTM` and a 2-layer `nn.GRU`, forward and every gradient, to atol 1e-5 +
/// rtol 1e-4.
final class RecurrentGoldenTests: XCTestCase {
    func check(_ got: Tensor, _ expected: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let c = compare(got, expected, label: label)
        XCTAssertTrue(c.ok, "\(c)", file: file, line: line)
    }

    func testCells() throws {
        let cases = try Golden.cases("rnn")
        XCTAssertEqual(cases.map { $0.name }, ["rnn_tanh_cell", "gru_cell", "lstm_cell"])
        for c in cases {
            let names = ["x", "h"] + (c.name == "lstm_cell" ? ["c"] : []) + ["w_ih", "w_hh", "b_ih", "b_hh"]
            let xs = names.map { c.input($0) }
            let f: ([Tensor]) -> Tensor = { v in
                let named = Dictionary(uniqueKeysWithValues: zip(names, v))
                let gx = linear(named["x"]!, weight: named["w_ih"]!, bias: named["b_ih"]!)
                let gh = linear(named["h"]!, weight: named["w_hh"]!, bias: named["b_hh"]!)
                switch c.name {
                case "rnn_tanh_cell": return Tensor.rnnTanhCell(inputGates: gx, hiddenGates: gh)
                case "gru_cell": return Tensor.gruCell(inputGates: gx, hiddenGates: gh, state: named["h"]!)
                default:
                    let (h1, c1) = Tensor.lstmCell(inputGates: gx, hiddenGates: gh, cell: named["c"]!)
                    return Tensor.concatenate([h1, c1], axis: 1)
                }
            }
            check(withNoGrad { f(xs) }, c.output, "\(c.name) forward")
            for (name, g) in zip(names, autogradGradients(xs, cotangent: c.cotangent, f)) {
                check(g, c.grad(name), "\(c.name) d/d\(name)")
            }
        }
    }

    /// Loads the case's weights by PyTorch name, runs the network on `X`, back-propagates the
    /// cotangent and compares the output layout of the case note and every gradient by name.
    func checkLayer(_ net: RNNBase, _ c: GoldenCase) throws {
        var state = c.inputs
        let x0 = state.removeValue(forKey: "X")!
        try net.loadStateDict(state)
        var x = x0
        x.requiresGrad = true
        let r = net.forward(x, hidden: nil, cell: nil)
        let flat = Tensor.concatenate([r.output, r.hidden] .map { $0.reshaped(to: [-1]) }
                                      + (r.cell.map { [$0.reshaped(to: [-1])] } ?? []))
        check(flat, c.output, "\(c.name) forward")
        (flat * c.cotangent!).sum().backward()
        check(x.grad!, c.grad("X"), "\(c.name) d/dX")
        let named = net.namedParameters()
        XCTAssertEqual(Set(named.map { $0.name }), Set(c.grads.keys).subtracting(["X"]))
        for (name, p) in named { check(p.grad!, c.grad(name), "\(c.name) d/d\(name)") }
    }

    func testTwoLayerBidirectionalLSTM() throws {
        let c = try Golden.case("rnn_layers", "lstm_2layer_bidirectional_seq")
        let net = LSTM(inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true)
        try checkLayer(net, c)
        // PyTorch's state_dict order: per layer, forward then reverse, weights before biases.
        XCTAssertEqual(net.namedParameters().prefix(5).map { $0.name },
                       ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse"])
    }

    func testTwoLayerGRU() throws {
        try checkLayer(GRU(inputSize: 3, hiddenSize: 5, numLayers: 2), try Golden.case("rnn_layers", "gru_2layer_seq"))
    }

    /// The golden weights under PyTorch's names go through a safetensors file into a fresh
    /// network, which then computes the golden output.
    func testSafetensorsRoundTripWithPyTorchNames() throws {
        let c = try Golden.case("rnn_layers", "lstm_2layer_bidirectional_seq")
        var weights = c.inputs
        let x = weights.removeValue(forKey: "X")!
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("rnn-golden-\(ProcessInfo.processInfo.processIdentifier).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveSafetensors(weights, to: url)
        let net = LSTM(inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true)
        try net.loadParameters(from: url)
        let (y, _) = net(x)
        check(y.reshaped(to: [-1]), c.output.slice(axis: 0, 0..<y.count), "LSTM after loading safetensors")
        // And back out: the saved file has PyTorch's keys and the same values.
        try net.saveParameters(to: url)
        let back = try loadSafetensors(from: url)
        XCTAssertEqual(Set(back.keys), Set(weights.keys))
        for (k, v) in weights { XCTAssertEqual(back[k]?.scalars, v.scalars, k) }
    }
}
