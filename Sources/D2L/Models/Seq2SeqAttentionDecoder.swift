import NN
import Tensor

// Book §10.4 "Bahdanau attention": the seq2seq decoder of §9.7, but its context is no longer the
// encoder's last state: at every step it is the additive-attention pooling of all the encoder's
// outputs, queried by the decoder's latest top-layer hidden state.

/// §10.4.1 the book's `Seq2SeqAttentionDecoder(vocab_size, embed_size, num_hiddens, num_layers,
/// dropout)`: `AdditiveAttention(H, H, H, dropout)`, `Embedding(V, E)`,
/// `GRU(E + H, H, numLayers, dropout)`, `Linear(H, V)`.
///
/// The state is the book's three items: the encoder outputs batch-first `(B, T_src, H)` (the
/// keys and values), the GRU state `(L, B, H)` (starting as the encoder's final state) and the
/// source valid lengths. At each target step `t`, one after the other:
///
///     q_t = h_{t−1}[L − 1]                       (B, 1, H)   the top layer as the query
///     c_t = Σ_i α(q_t, k_i) v_i                  (B, 1, H)   masked past enc_valid_lens
///     h_t = GRU([c_t ; embed(x_t)], h_{t−1})     input (1, B, H + E)
///
/// and the logits are `Linear(h_t[L − 1])` for every step, `(B, T, V)`. The attention weights
/// `α` of every step of the last call are kept (`attentionWeights`, `(B, T, T_src)`).
///
/// The keys' projection `W_k k` is the same at every step, so a call computes it once
/// (`AdditiveAttention.projectKeys`) instead of once per step as the book's code does; the
/// values and gradients are the same.
///
/// ```swift
/// let decoder = Seq2SeqAttentionDecoder(vocabSize: 10, embedSize: 8, numHiddens: 16, numLayers: 2)
/// let state = decoder.initState(encoder(X, validLen: nil), validLen: nil)   // X (4, 7)
/// let (y, _) = decoder(X, state)                                           // (4, 7, 10)
/// ```
public final class Seq2SeqAttentionDecoder: ModuleBase, Decoder {
    /// The book's `[enc_outputs, hidden_state, enc_valid_lens]`.
    public struct State {
        /// `(B, T_src, H)`.
        public var encOutputs: Tensor
        /// `(L, B, H)`.
        public var hidden: Tensor
        /// One per batch element; nil: every key is valid.
        public var encValidLens: [Int]?
    }

    public let attention: AdditiveAttention
    public let embedding: Embedding
    public let rnn: GRU
    public let dense: Linear
    /// The attention weights `(B, 1, T_src)` of each step of the last call.
    public private(set) var stepWeights: [Tensor] = []

    public init(vocabSize: Int, embedSize: Int, numHiddens: Int, numLayers: Int, dropout: Float = 0) {
        attention = AdditiveAttention(keySize: numHiddens, querySize: numHiddens, numHiddens: numHiddens, dropout: dropout)
        embedding = Embedding(numEmbeddings: vocabSize, embeddingDim: embedSize)
        rnn = GRU(inputSize: embedSize + numHiddens, hiddenSize: numHiddens, numLayers: numLayers, dropout: dropout)
        dense = Linear(inputSize: numHiddens, outputSize: vocabSize)
    }

    public var children: [(name: String, module: Module)] {
        [("attention", attention), ("embedding", embedding), ("rnn", rnn), ("dense", dense)]
    }

    /// The encoder's outputs `(T_src, B, H)` made batch-first, its final state, the valid lengths.
    public func initState(_ encoderOutput: (output: Tensor, state: Tensor), validLen: Tensor?) -> State {
        State(encOutputs: encoderOutput.output.permuted([1, 0, 2]), hidden: encoderOutput.state,
              encValidLens: validLen.map { $0.scalars.map { Int($0) } })
    }

    /// The attention weights of every step of the last call, `(B, T, T_src)`.
    public var attentionWeights: Tensor? {
        stepWeights.isEmpty ? nil : Tensor.concatenate(stepWeights, axis: 1)
    }

    /// Target-side ids `(B, T)` → logits `(B, T, V)` and the state after the last step.
    public func callAsFunction(_ x: Tensor, _ state: State) -> (output: Tensor, state: State) {
        let embedded = embedding(x).permuted([1, 0, 2])               // (T, B, E)
        let (L, B, H) = (state.hidden.shape[0], state.hidden.shape[1], state.hidden.shape[2])
        let keys = attention.projectKeys(state.encOutputs)             // (B, T_src, H), once for all steps
        var hidden = state.hidden
        var outputs: [Tensor] = [], weights: [Tensor] = []
        for t in 0..<embedded.shape[0] {
            let query = hidden.slice(axis: 0, (L - 1)..<L).reshaped(to: [B, 1, H])       // (B, 1, H)
            let context = attention.attend(projectedQueries: attention.W_q(query), projectedKeys: keys,
                                           values: state.encOutputs, validLens: state.encValidLens)  // (B, 1, H)
            let step = embedded.slice(axis: 0, t..<(t + 1))                              // (1, B, E)
            let input = Tensor.concatenate([context.reshaped(to: [1, B, H]), step], axis: 2)  // (1, B, H + E)
            let (output, next) = rnn(input, hidden)
            hidden = next
            outputs.append(output)                                                      // (1, B, H)
            weights.append(attention.attentionWeights)
        }
        stepWeights = weights
        let logits = dense(Tensor.concatenate(outputs, axis: 0)).permuted([1, 0, 2])    // (B, T, V)
        return (logits, State(encOutputs: state.encOutputs, hidden: hidden, encValidLens: state.encValidLens))
    }
}
