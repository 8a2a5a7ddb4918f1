import NN
import Tensor
import TestSupport
import XCTest

/// Shapes, parameters, initialisation, states and dropout of `RNN`, `GRU`, `LSTM`.
final class RecurrentLayerTests: XCTestCase {
    func testDeepBidirectionalShapesAndNames() {
        Tensor.manualSeed(1)
        let T = 5, B = 3, F = 4, H = 6
        let lstm = LSTM(inputSize: F, hiddenSize: H, numLayers: 3, bidirectional: true)
        let (y, (h, c)) = lstm(Tensor.randn([T, B, F]))
        XCTAssertEqual(y.shape, [T, B, 2 * H])
        XCTAssertEqual(h.shape, [6, B, H])
        XCTAssertEqual(c.shape, [6, B, H])
        XCTAssertEqual(lstm.weights[2].weightIH.shape, [4 * H, 2 * H], "layer 1 reads both directions")
        XCTAssertEqual(lstm.namedParameters().count, 3 * 2 * 4)
        XCTAssertEqual(lstm.namedParameters().last?.name, "bias_hh_l2_reverse")

        let gru = GRU(inputSize: F, hiddenSize: H, numLayers: 2)
        let (gy, gh) = gru(Tensor.randn([T, B, F]))
        XCTAssertEqual(gy.shape, [T, B, H])
        XCTAssertEqual(gh.shape, [2, B, H])
        XCTAssertEqual(gru.parameterCount, (3 * H * F + 3 * H * H + 6 * H) + (3 * H * H + 3 * H * H + 6 * H))

        let rnn = RNN(inputSize: F, hiddenSize: H, bias: false, bidirectional: true)
        XCTAssertEqual(rnn.namedParameters().map { $0.name },
                       ["weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse"])
        let (ry, rh) = rnn(Tensor.randn([T, B, F]))
        XCTAssertEqual(ry.shape, [T, B, 2 * H])
        XCTAssertEqual(rh.shape, [2, B, H])
    }

    /// The final states are the last forward output and the first reverse output.
    func testFinalStateIsTheOutputAtTheEndOfEachDirection() {
        Tensor.manualSeed(2)
        let H = 4
        let gru = GRU(inputSize: 3, hiddenSize: H, bidirectional: true)
        let (y, h) = gru(Tensor.randn([5, 2, 3]))
        XCTAssertEqual(h.slice(axis: 0, 0..<1).scalars, y.slice(axis: 0, 4..<5).slice(axis: 2, 0..<H).scalars)
        XCTAssertEqual(h.slice(axis: 0, 1..<2).scalars, y.slice(axis: 0, 0..<1).slice(axis: 2, H..<(2 * H)).scalars)
    }

    /// Running a sequence in two halves, carrying the state, equals running it whole.
    func testStateCarriesAcrossCalls() {
        Tensor.manualSeed(3)
        let lstm = LSTM(inputSize: 3, hiddenSize: 5, numLayers: 2)
        let x = Tensor.randn([6, 2, 3])
        let (whole, s) = lstm(x)
        let (first, s1) = lstm(x.slice(axis: 0, 0..<2))
        let (second, s2) = lstm(x.slice(axis: 0, 2..<6), s1)
        let c = compare(Tensor.concatenate([first, second]), whole, atol: 1e-6, rtol: 1e-5, label: "split run")
        XCTAssertTrue(c.ok, "\(c)")
        XCTAssertTrue(compare(s2.h, s.h, atol: 1e-6, rtol: 1e-5).ok)
        XCTAssertTrue(compare(s2.c, s.c, atol: 1e-6, rtol: 1e-5).ok)
    }

    /// The initial state receives gradients (the §9.7 decoder starts from the encoder's state).
    func testGradientReachesTheInitialState() {
        Tensor.manualSeed(4)
        let gru = GRU(inputSize: 2, hiddenSize: 3, numLayers: 2)
        var h0 = Tensor.randn([2, 4, 3])
        h0.requiresGrad = true
        let (y, _) = gru(Tensor.randn([3, 4, 2]), h0)
        y.sum().backward()
        let g = h0.grad!
        XCTAssertEqual(g.shape, [2, 4, 3])
        XCTAssertGreaterThan(g.abs().sum().item(), 0.01)
    }

    func testDefaultInitIsUniformInverseSqrtHidden() {
        Tensor.manualSeed(5)
        let H = 64
        let lstm = LSTM(inputSize: 10, hiddenSize: H)
        let bound = 1 / Float(H).squareRoot()
        for (name, p) in lstm.namedParameters() {
            let v = p.value.scalars
            XCTAssertLessThanOrEqual(v.map { abs($0) }.max()!, bound, name)
            // Spread like U(−k, k): the largest draw of hundreds is near the bound.
            XCTAssertGreaterThan(v.map { abs($0) }.max()!, 0.9 * bound, name)
        }
    }

    func testDropoutBetweenLayersOnlyWhenTraining() {
        Tensor.manualSeed(6)
        let net = LSTM(inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5)
        let plain = LSTM(inputSize: 3, hiddenSize: 8, numLayers: 2)
        try! plain.loadStateDict(net.stateDict())
        let x = Tensor.randn([4, 2, 3])
        net.eval()
        XCTAssertEqual(net(x).output.scalars, plain(x).output.scalars)
        net.train()
        let a = net(x).output.scalars, b = net(x).output.scalars
        XCTAssertNotEqual(a, b, "a new dropout mask per call")
        XCTAssertNotEqual(a, plain(x).output.scalars)
        // A one-layer network has no layer to drop between.
        let single = LSTM(inputSize: 3, hiddenSize: 8, dropout: 0.5)
        XCTAssertEqual(single(x).output.scalars, single(x).output.scalars)
    }

    func testDescription() {
        XCTAssertEqual(LSTM(inputSize: 28, hiddenSize: 256, numLayers: 2, bidirectional: true).description,
                       "LSTM(inputSize: 28, hiddenSize: 256, numLayers: 2, bidirectional: true)")
        XCTAssertEqual(GRU(inputSize: 32, hiddenSize: 32, numLayers: 2, dropout: 0.1).description,
                       "GRU(inputSize: 32, hiddenSize: 32, numLayers: 2, dropout: 0.1)")
    }
}
