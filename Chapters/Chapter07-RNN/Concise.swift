import NN
import Tensor

// The concise models of §8.6 and §9.1–9.4: the library's recurrent layers (PyTorch's layout,
// names and initialisation) inside the book's `RNNModel` (one-hot inputs, Linear head).

/// §8.6: `nn.RNN(len(vocab), num_hiddens)` in an `RNNModel`.
func rnnConcise(vocabSize: Int, numHiddens: Int) -> RNNModel {
    RNNModel(RNN(inputSize: vocabSize, hiddenSize: numHiddens), vocabSize: vocabSize)
}

/// §9.1.3: `nn.GRU(num_inputs, num_hiddens)` in an `RNNModel`.
func gruConcise(vocabSize: Int, numHiddens: Int) -> RNNModel {
    RNNModel(GRU(inputSize: vocabSize, hiddenSize: numHiddens), vocabSize: vocabSize)
}

/// §9.2.3: `nn.LSTM(num_inputs, num_hiddens)` in an `RNNModel`.
func lstmConcise(vocabSize: Int, numHiddens: Int) -> RNNModel {
    RNNModel(LSTM(inputSize: vocabSize, hiddenSize: numHiddens), vocabSize: vocabSize)
}

/// §9.3.2: `nn.LSTM(num_inputs, num_hiddens, num_layers)`, two layers in the book.
func deepLSTM(vocabSize: Int, numHiddens: Int, numLayers: Int = 2) -> RNNModel {
    RNNModel(LSTM(inputSize: vocabSize, hiddenSize: numHiddens, numLayers: numLayers), vocabSize: vocabSize)
}

/// §9.4.3: `nn.LSTM(num_inputs, num_hiddens, num_layers, bidirectional=True)`; the head reads
/// both directions (2H → V).
func biLSTM(vocabSize: Int, numHiddens: Int, numLayers: Int = 2) -> RNNModel {
    RNNModel(LSTM(inputSize: vocabSize, hiddenSize: numHiddens, numLayers: numLayers, bidirectional: true),
             vocabSize: vocabSize)
}
