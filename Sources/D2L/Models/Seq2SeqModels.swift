import NN
import Tensor

// Book §9.7 "Sequence to sequence learning": a GRU encoder reads the source sentence; a GRU
// decoder, started from the encoder's final state, reads the target sentence and predicts its
// next token at every step, with the encoder's summary (the context) appended to each input.

/// §9.7.1 `Seq2SeqEncoder(vocab_size, embed_size, num_hiddens, num_layers, dropout)`: an
/// `Embedding(V, E)` and a `GRU(E, H, numLayers, dropout)`. Source ids `(B, T)` → outputs
/// `(T, B, H)` (time-major, the top layer at every step) and the final state `(L, B, H)`.
/// The valid lengths are not used (padding is read like any token, as in the book).
///
/// ```swift
/// let encoder = Seq2SeqEncoder(vocabSize: 10, embedSize: 8, numHiddens: 16, numLayers: 2)
/// let (output, state) = encoder(Tensor.zeros([4, 7]), validLen: nil)   // (7, 4, 16), (2, 4, 16)
/// ```
public final class Seq2SeqEncoder: ModuleBase, Encoder {
    public let embedding: Embedding
    public let rnn: GRU

    public init(vocabSize: Int, embedSize: Int, numHiddens: Int, numLayers: Int, dropout: Float = 0) {
        embedding = Embedding(numEmbeddings: vocabSize, embeddingDim: embedSize)
        rnn = GRU(inputSize: embedSize, hiddenSize: numHiddens, numLayers: numLayers, dropout: dropout)
    }

    public var children: [(name: String, module: Module)] { [("embedding", embedding), ("rnn", rnn)] }

    public func callAsFunction(_ x: Tensor, validLen: Tensor? = nil) -> (output: Tensor, state: Tensor) {
        let embedded = embedding(x).permuted([1, 0, 2])             // (T, B, E)
        let (output, state) = rnn(embedded)
        return (output, state)
    }
}

/// §9.7.2 the book's `Seq2SeqDecoder(vocab_size, embed_size, num_hiddens, num_layers, dropout)`:
/// `Embedding(V, E)`, `GRU(E + H, H, numLayers, dropout)`, `Linear(H, V)`.
///
/// The state starts as the encoder's final state `(L, B, H)`. A call embeds the ids `(B, T)`,
/// appends to every step the **context** — `state[L − 1]`, the top layer of the state it is
/// given, repeated over the `T` steps —, runs the GRU from the state and maps its outputs to
/// logits `(B, T, V)`. In training the whole target is one call, so the context is the
/// encoder's summary. At prediction, one call per token is fed the previous call's state, so —
/// exactly as in the book's code — the context becomes the decoder's own latest top-layer state
/// after the first step (d2l-en issue #2134). With `keepsEncoderContext` the state also carries
/// the encoder's top layer and every call uses it, so step-by-step decoding computes what one
/// teacher-forced call computes (training is the same either way).
public final class Seq2SeqDecoder: ModuleBase, Decoder {
    /// The GRU state `(L, B, H)` and the encoder's top layer `(1, B, H)`.
    public struct State {
        public var hidden: Tensor
        public var encoderContext: Tensor
    }

    public let embedding: Embedding
    public let rnn: GRU
    public let dense: Linear
    /// false (the book's code): the context is the top layer of the state passed in; true: the
    /// encoder's top layer at every step.
    public var keepsEncoderContext = false

    public init(vocabSize: Int, embedSize: Int, numHiddens: Int, numLayers: Int, dropout: Float = 0) {
        embedding = Embedding(numEmbeddings: vocabSize, embeddingDim: embedSize)
        rnn = GRU(inputSize: embedSize + numHiddens, hiddenSize: numHiddens, numLayers: numLayers, dropout: dropout)
        dense = Linear(inputSize: numHiddens, outputSize: vocabSize)
    }

    public var children: [(name: String, module: Module)] {
        [("embedding", embedding), ("rnn", rnn), ("dense", dense)]
    }

    /// The encoder's final state.
    public func initState(_ encoderOutput: (output: Tensor, state: Tensor), validLen: Tensor?) -> State {
        State(hidden: encoderOutput.state, encoderContext: topLayer(encoderOutput.state))
    }

    func topLayer(_ state: Tensor) -> Tensor { state.slice(axis: 0, (state.shape[0] - 1)...) }   // (1, B, H)

    public func callAsFunction(_ x: Tensor, _ state: State) -> (output: Tensor, state: State) {
        let embedded = embedding(x).permuted([1, 0, 2])             // (T, B, E)
        let (T, B, H) = (embedded.shape[0], embedded.shape[1], state.hidden.shape[2])
        let top = keepsEncoderContext ? state.encoderContext : topLayer(state.hidden)
        let context = top.broadcast(to: [T, B, H])
        let (output, hidden) = rnn(Tensor.concatenate([embedded, context], axis: 2), state.hidden)
        return (dense(output).permuted([1, 0, 2]), State(hidden: hidden, encoderContext: state.encoderContext))  // (B, T, V)
    }
}

/// §9.7.3: `xavier_uniform_` on every `Linear` weight and every GRU `weight_ih` / `weight_hh`
/// (what the book's `train_seq2seq` does first); biases and embeddings keep their defaults.
public func xavierInitSeq2seq(_ net: Module) {
    for module in net.modules() {
        if let linear = module as? Linear {
            Init.xavierUniform(linear.weight)
        } else if let rnn = module as? RNNBase, rnn.mode == .gru {
            for w in rnn.weights {
                Init.xavierUniform(w.weightIH)
                Init.xavierUniform(w.weightHH)
            }
        }
    }
}
