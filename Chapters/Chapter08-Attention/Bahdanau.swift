import D2L
import Foundation
import NN
import Tensor

// §10.4 Bahdanau attention: the seq2seq decoder of §9.7, but its context is no longer the
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
/// ```swift
/// let decoder = Seq2SeqAttentionDecoder(vocabSize: 10, embedSize: 8, numHiddens: 16, numLayers: 2)
/// let state = decoder.initState(encoder(X, validLen: nil), validLen: nil)   // X (4, 7)
/// let (y, _) = decoder(X, state)                                           // (4, 7, 10)
/// ```
final class Seq2SeqAttentionDecoder: ModuleBase, Decoder {
    /// The book's `[enc_outputs, hidden_state, enc_valid_lens]`.
    struct State {
        /// `(B, T_src, H)`.
        var encOutputs: Tensor
        /// `(L, B, H)`.
        var hidden: Tensor
        /// One per batch element; nil: every key is valid.
        var encValidLens: [Int]?
    }

    let attention: AdditiveAttention
    let embedding: Embedding
    let rnn: GRU
    let dense: Linear
    /// The attention weights `(B, 1, T_src)` of each step of the last call.
    private(set) var stepWeights: [Tensor] = []

    init(vocabSize: Int, embedSize: Int, numHiddens: Int, numLayers: Int, dropout: Float = 0) {
        attention = AdditiveAttention(keySize: numHiddens, querySize: numHiddens, numHiddens: numHiddens, dropout: dropout)
        embedding = Embedding(numEmbeddings: vocabSize, embeddingDim: embedSize)
        rnn = GRU(inputSize: embedSize + numHiddens, hiddenSize: numHiddens, numLayers: numLayers, dropout: dropout)
        dense = Linear(inputSize: numHiddens, outputSize: vocabSize)
    }

    var children: [(name: String, module: Module)] {
        [("attention", attention), ("embedding", embedding), ("rnn", rnn), ("dense", dense)]
    }

    /// The encoder's outputs `(T_src, B, H)` made batch-first, its final state, the valid lengths.
    func initState(_ encoderOutput: (output: Tensor, state: Tensor), validLen: Tensor?) -> State {
        State(encOutputs: encoderOutput.output.permuted([1, 0, 2]), hidden: encoderOutput.state,
              encValidLens: validLen.map { $0.scalars.map { Int($0) } })
    }

    /// The attention weights of every step of the last call, `(B, T, T_src)`.
    var attentionWeights: Tensor? {
        stepWeights.isEmpty ? nil : Tensor.concatenate(stepWeights, axis: 1)
    }

    /// Target-side ids `(B, T)` → logits `(B, T, V)` and the state after the last step.
    func callAsFunction(_ x: Tensor, _ state: State) -> (output: Tensor, state: State) {
        let embedded = embedding(x).permuted([1, 0, 2])               // (T, B, E)
        let (L, B, H) = (state.hidden.shape[0], state.hidden.shape[1], state.hidden.shape[2])
        var hidden = state.hidden
        var outputs: [Tensor] = [], weights: [Tensor] = []
        for t in 0..<embedded.shape[0] {
            let query = hidden.slice(axis: 0, (L - 1)..<L).reshaped(to: [B, 1, H])       // (B, 1, H)
            let context = attention(query, state.encOutputs, state.encOutputs, validLens: state.encValidLens)  // (B, 1, H)
            let step = embedded.slice(axis: 0, t..<(t + 1)).permuted([1, 0, 2])          // (B, 1, E)
            let input = Tensor.concatenate([context, step], axis: 2).permuted([1, 0, 2])  // (1, B, H + E)
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

/// §10.4.2: the book's encoder (embeddings 32, 32 hidden, 2 layers, dropout 0.1) with
/// `Seq2SeqAttentionDecoder`, trained on `load_data_nmt(64, 10)` with Adam (lr 0.005) for 250
/// epochs, θ = 1; the book's four sentences translated greedily with BLEU, and the heat map of
/// the attention weights of the last one (`ch08-bahdanau-attention`, keys up to its `<eos>`).
/// `data` replaces the fra-eng loader (tests).
@discardableResult
func runBahdanau(_ o: ChapterOptions, data: (iterator: NMTDataIterator, srcVocab: Vocab, tgtVocab: Vocab)? = nil,
                 report: Reporting? = nil) throws -> TrainingHistory {
    let report = report ?? o.report(section: "bahdanau")
    let (embedSize, numHiddens, numLayers, dropout, numSteps) = (32, 32, 2, Float(0.1), 10)
    let lr = o.lr(book: 0.005), epochs = o.epochs(book: 250), theta: Float = 1
    let (trainIter, srcVocab, tgtVocab) = try data ?? loadDataNMT(batchSize: o.batchSize(book: 64), numSteps: numSteps,
                                                                  seed: o.seed)
    let net = EncoderDecoder(
        Seq2SeqEncoder(vocabSize: srcVocab.count, embedSize: embedSize, numHiddens: numHiddens, numLayers: numLayers,
                       dropout: dropout),
        Seq2SeqAttentionDecoder(vocabSize: tgtVocab.count, embedSize: embedSize, numHiddens: numHiddens,
                                numLayers: numLayers, dropout: dropout))
    report.say("§10.4 Bahdanau attention: GRU encoder–decoder with additive attention, embeddings \(embedSize), "
               + "\(numHiddens) hidden, \(numLayers) layers, dropout \(dropout); \(trainIter.numExamples) pairs, vocabularies "
               + "\(srcVocab.count)/\(tgtVocab.count), batch \(trainIter.batchSize), \(numSteps) steps, Adam lr \(lr), "
               + "\(epochs) epochs, θ = \(theta) (\(net.parameterCount) parameters)")
    let history = try trainSeq2seq(net: net, dataIter: trainIter, lr: lr, numEpochs: epochs, tgtVocab: tgtVocab,
                                   theta: theta, maxBatches: o.maxBatches, report: report)
    report.say(BookResult("loss 0.021, 4948.7 tokens/sec on cuda:0", spread: "loss 0.019–0.022").line)
    report.say(String(format: "%.1f s of training, %.1f tokens/sec over all epochs", history.trainingSeconds,
                      history.examplesPerSecond))
    let lastWeights = translateExamples(net, srcVocab: srcVocab, tgtVocab: tgtVocab, numSteps: numSteps,
                                        saveAttentionWeights: true, report: report)
    report.say(BookResult("go . => va !, bleu 1.000; i lost . => j'ai perdu ., bleu 1.000; "
                          + "he's calm . => il est paresseux ., bleu 0.658; i'm home . => je suis chez moi ., bleu 1.000",
                          spread: "he's calm 0–0.658, the others 1.000").line)
    if o.parsed.flag("no-figures") || lastWeights.isEmpty { return history }
    // One row per decoding step (the `<eos>` step included), keys up to the source's `<eos>`.
    let keys = bookTranslationExamples[bookTranslationExamples.count - 1].eng.split(separator: " ").count + 1
    let steps = Tensor.concatenate(lastWeights, axis: 1)                                // (1, steps, numSteps)
    let matrix = steps.slice(axis: 2, 0..<keys).reshaped(to: [1, 1, steps.shape[1], keys])
    let name = o.figureName("bahdanau", "attention")
    if let url = Figures.saveOrWarn(name, warnings: report.warnings, {
        try showHeatmaps(matrix, xlabel: "Key positions", ylabel: "Query positions", file: name)
    }) {
        report.say("saved \(url.path)")
    }
    return history
}
