import NN
import Tensor

// Book §9.6 "Encoder–decoder architecture": an encoder turns a variable-length source sequence
// into some state; a decoder, started from that state (`initState`), emits the target sequence
// one token at a time. The seq2seq models of §9.7 and the attention models of chapter 10 plug
// into these three types, and `trainSeq2seq` / `predictSeq2seq` work with any of them.

/// §9.6 `Encoder`: token ids `(B, T)` (whole-number `Float`s) and the source valid lengths
/// `(B)` (nil: all valid) → whatever the decoder's `initState` needs (`Output`).
public protocol Encoder: Module {
    associatedtype Output
    func callAsFunction(_ x: Tensor, validLen: Tensor?) -> Output
}

/// §9.6 `Decoder`: `initState` builds the decoder state from the encoder's output and the
/// source valid lengths; a call maps target-side ids `(B, T)` and the state to logits
/// `(B, T, V)` and the next state. Prediction calls it with `T = 1`, one token at a time.
public protocol Decoder: Module {
    associatedtype EncoderOutput
    associatedtype State
    func initState(_ encoderOutput: EncoderOutput, validLen: Tensor?) -> State
    func callAsFunction(_ x: Tensor, _ state: State) -> (output: Tensor, state: State)
    /// The attention weights of the last call, for an attention decoder (chapter 10); nil for
    /// decoders without attention. `predictSeq2seq(saveAttentionWeights: true)` collects them.
    var attentionWeights: Tensor? { get }
}

extension Decoder {
    public var attentionWeights: Tensor? { nil }
}

/// §9.6 `EncoderDecoder`: `net(encX, decX, validLen:)` encodes the source, initialises the
/// decoder's state from it and decodes the (teacher-forced) target input in one call.
///
/// ```swift
/// let net = EncoderDecoder(Seq2SeqEncoder(vocabSize: 184, embedSize: 32, numHiddens: 32, numLayers: 2),
///                          Seq2SeqDecoder(vocabSize: 201, embedSize: 32, numHiddens: 32, numLayers: 2))
/// let (yHat, _) = net(X, decInput, validLen: XValidLen)     // (B, T, 201)
/// ```
public final class EncoderDecoder<E: Encoder, D: Decoder>: ModuleBase, Module where D.EncoderOutput == E.Output {
    public let encoder: E
    public let decoder: D

    public init(_ encoder: E, _ decoder: D) {
        self.encoder = encoder
        self.decoder = decoder
    }

    public var children: [(name: String, module: Module)] { [("encoder", encoder), ("decoder", decoder)] }

    public func callAsFunction(_ encX: Tensor, _ decX: Tensor, validLen: Tensor?) -> (output: Tensor, state: D.State) {
        let encoded = encoder(encX, validLen: validLen)
        return decoder(decX, decoder.initState(encoded, validLen: validLen))
    }
}
