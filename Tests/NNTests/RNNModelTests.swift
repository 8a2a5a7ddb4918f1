import NN
import Tensor
import Testing

/// The book's `RNNModel` (§8.6): PyTorch's state-dict names, the state per layer kind, output
/// layout, and messages for a wrong vocabulary size or state.
@Suite struct RNNModelTests {
    private func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func namesStateAndOutputShape() {
        Tensor.manualSeed(0)
        let net = RNNModel(GRU(inputSize: 6, hiddenSize: 4, numLayers: 2), vocabSize: 6)
        #expect(net.namedParameters().map(\.name) == [
            "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
            "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1",
            "linear.weight", "linear.bias"])
        #expect(net.beginState(batchSize: 3).map(\.shape) == [[2, 3, 4]])
        let X = Tensor(shape: [3, 5], scalars: (0..<15).map { Float($0 % 6) })
        let (y, state) = net(X, net.beginState(batchSize: 3))
        #expect(y.shape == [15, 6])
        #expect(state.map(\.shape) == [[2, 3, 4]])
        let lstm = RNNModel(LSTM(inputSize: 6, hiddenSize: 4), vocabSize: 6)
        #expect(lstm.beginState(batchSize: 2).map(\.shape) == [[1, 2, 4], [1, 2, 4]])
    }

    /// Row t·B + b of the output is sequence b at step t (time-major, as the book's labels `Yᵀ`).
    @Test func outputRowsAreTimeMajor() {
        Tensor.manualSeed(1)
        let net = RNNModel(RNN(inputSize: 4, hiddenSize: 3), vocabSize: 4)
        let X = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 2, 1])
        let (y, _) = net(X, net.beginState(batchSize: 2))
        // Sequence 1 alone gives the rows of b = 1 at each step.
        let (y1, _) = net(Tensor(shape: [1, 3], scalars: [3, 2, 1]), net.beginState(batchSize: 1))
        for t in 0..<3 {
            for v in 0..<4 {
                #expect(abs(y.scalars[(t * 2 + 1) * 4 + v] - y1.scalars[t * 4 + v]) < 1e-6)
            }
        }
    }

    @Test func wrongStateCountStopsWithAMessage() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let net = RNNModel(LSTM(inputSize: 5, hiddenSize: 2), vocabSize: 5)
            _ = net(Tensor.zeros([1, 2]), [Tensor.zeros([1, 1, 2])])
        }
        #expect(stderr(r).contains("RNNModel: the state has 1 tensors, the LSTM needs 2"), "\(stderr(r))")
    }

    @Test func vocabularyMismatchStopsWithAMessage() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = RNNModel(RNN(inputSize: 5, hiddenSize: 2), vocabSize: 7)
        }
        #expect(stderr(r).contains("RNNModel: the recurrent layer's inputSize 5 must be the vocabulary size 7"), "\(stderr(r))")
    }
}
