import NN
import Tensor

// Book §10.7 "The Transformer architecture": an encoder of self-attention blocks and a decoder
// of masked self-attention + encoder–decoder attention blocks, over token embeddings scaled by
// √d plus the sinusoidal positional encoding. The blocks are a protocol, so the same encoder and
// decoder hold the book's scratch blocks (Chapter09-Transformer Scratch.swift) or the library's
// `NN.TransformerEncoderLayer` / `NN.TransformerDecoderLayer` (concise, and the benchmark).

/// A block of the Transformer encoder: `(B, T, d)` and the source valid lengths (one per batch
/// element, nil: all valid) → `(B, T, d)`.
public protocol TransformerEncoderBlock: Module {
    func callAsFunction(_ x: Tensor, validLens: [Int]?) -> Tensor
    /// Keep the self-attention weights of each call (for heat maps).
    var keepsAttentionWeights: Bool { get set }
    /// `(B, heads, T, T)` of the last call, when kept.
    var attentionWeights: Tensor? { get }
}

/// A block of the Transformer decoder. `x` `(B, T, d)` are target positions `t₀…t₀+T−1`, where
/// `cache` `(B, t₀, d)` holds the block's inputs of the earlier positions (nil: t₀ = 0): the
/// masked self-attention reads keys and values from `[cache; x]`, and the query at position
/// `t₀ + i` sees keys `0…t₀ + i` (the book's `dec_valid_lens` = 1…T in training; at inference, one
/// token at a time, every cached key). Then attention over the encoder outputs (masked by
/// `encValidLens`) and the feed-forward network.
public protocol TransformerDecoderBlock: Module {
    func callAsFunction(_ x: Tensor, encOutputs: Tensor, encValidLens: [Int]?, cache: Tensor?) -> Tensor
    var keepsAttentionWeights: Bool { get set }
    /// `(B, heads, T, t₀ + T)` of the last call, when kept.
    var selfAttentionWeights: Tensor? { get }
    /// `(B, heads, T, T_src)` of the last call, when kept.
    var crossAttentionWeights: Tensor? { get }
}

/// The book's causal `dec_valid_lens` for queries at positions `t₀…t₀+T−1`: `t₀ + i + 1` for
/// query `i`, the same row for each of the `batch` elements, flattened `(B·T)`.
public func causalValidLens(batch: Int, steps: Int, offset: Int = 0) -> [Int] {
    Array((0..<batch).map { _ in (0..<steps).map { offset + $0 + 1 } }.joined())
}

/// PyTorch's `key_padding_mask` `(B, keys)` for the book's valid lengths: 1 marks a padded key.
public func keyPaddingMask(validLens: [Int], keys: Int) -> Tensor {
    Tensor(shape: [validLens.count, keys],
           scalars: validLens.flatMap { len in (0..<keys).map { $0 < len ? Float(0) : 1 } })
}

/// The additive causal mask `(T, t₀ + T)` for queries at positions `t₀…t₀+T−1`: `−∞` at keys
/// after the query's position (`MultiheadAttention.causalMask(T)` when `t₀ = 0`).
public func causalMask(steps: Int, offset: Int) -> Tensor {
    let k = offset + steps
    var m = [Float](repeating: 0, count: steps * k)
    for i in 0..<steps { for j in (offset + i + 1)..<max(k, offset + i + 1) { m[i * k + j] = -.infinity } }
    return Tensor(shape: [steps, k], scalars: m)
}

extension TransformerEncoderLayer: TransformerEncoderBlock {
    /// The book's call: valid lengths become `srcKeyPaddingMask` (batch-first layers only).
    public func callAsFunction(_ x: Tensor, validLens: [Int]?) -> Tensor {
        shapeCheck(batchFirst, "TransformerEncoderLayer as a book encoder block needs batchFirst: true",
                   file: #fileID, line: #line)
        return self(x, srcKeyPaddingMask: validLens.map { keyPaddingMask(validLens: $0, keys: x.shape[1]) })
    }
}

extension TransformerDecoderLayer: TransformerDecoderBlock {
    /// The book's call: the causal mask over `[cache; x]` and the encoder valid lengths as
    /// `memoryKeyPaddingMask` (batch-first layers only).
    public func callAsFunction(_ x: Tensor, encOutputs: Tensor, encValidLens: [Int]?, cache: Tensor?) -> Tensor {
        shapeCheck(batchFirst, "TransformerDecoderLayer as a book decoder block needs batchFirst: true",
                   file: #fileID, line: #line)
        let (steps, offset) = (x.shape[1], cache?.shape[1] ?? 0)
        return self(x, memory: encOutputs, tgtMask: steps == 1 ? nil : causalMask(steps: steps, offset: offset),
                    memoryKeyPaddingMask: encValidLens.map { keyPaddingMask(validLens: $0, keys: encOutputs.shape[1]) },
                    cache: cache)
    }
}

/// Embeds ids `(B, T)` at positions `offset…offset+T−1` as the book does:
/// `dropout(embedding(x)·√d + P[offset…])`.
func embedPositions(_ x: Tensor, _ embedding: Embedding, _ pe: PositionalEncoding, offset: Int = 0) -> Tensor {
    let d = Float(pe.numHiddens)
    let table = pe.table.slice(axis: 1, offset..<(offset + x.shape[1]))
    return pe.dropout(embedding(x) * Tensor(d.squareRoot()) + table)
}

/// §10.7.4 the book's `TransformerEncoder(vocab_size, …, num_hiddens, …, num_layers, dropout)`:
/// `Embedding(V, d)`, `PositionalEncoding(d, dropout)`, the blocks, and (pre-LN stacks,
/// `finalNorm: true`) a last `LayerNorm(d)`. Ids `(B, T)` and valid lengths `(B)` → the outputs
/// `(B, T, d)` and the valid lengths as integers (what the decoder's state needs).
///
/// ```swift
/// let encoder = TransformerEncoder(vocabSize: 200, numHiddens: 24, dropout: 0.5,
///                                  blocks: (0..<2).map { _ in myBlock() })
/// let (y, _) = encoder(Tensor.ones([2, 100]), validLen: Tensor([3, 2]))   // (2, 100, 24)
/// ```
public final class TransformerEncoder: ModuleBase, Encoder {
    public let numHiddens: Int
    public let embedding: Embedding
    public let posEncoding: PositionalEncoding
    public let blocks: [TransformerEncoderBlock]
    public let norm: LayerNorm?

    public init(vocabSize: Int, numHiddens: Int, dropout: Float, blocks: [TransformerEncoderBlock], finalNorm: Bool = false) {
        self.numHiddens = numHiddens
        embedding = Embedding(numEmbeddings: vocabSize, embeddingDim: numHiddens)
        posEncoding = PositionalEncoding(numHiddens: numHiddens, dropout: dropout)
        self.blocks = blocks
        norm = finalNorm ? LayerNorm(normalizedShape: numHiddens) : nil
    }

    public var children: [(name: String, module: Module)] {
        [("embedding", embedding), ("pos_encoding", posEncoding)]
            + blocks.enumerated().map { ("blks.\($0.offset)", $0.element as Module) }
            + (norm.map { [("norm", $0 as Module)] } ?? [])
    }

    /// Each block's self-attention weights of the last call `(B, heads, T, T)` (the book's
    /// `attention_weights`), empty unless `keepAttentionWeights(true)`.
    public var attentionWeights: [Tensor] { blocks.compactMap(\.attentionWeights) }

    public func keepAttentionWeights(_ keep: Bool) { for b in blocks { b.keepsAttentionWeights = keep } }

    public func callAsFunction(_ x: Tensor, validLen: Tensor?) -> (output: Tensor, validLens: [Int]?) {
        let lens = validLen.map { $0.scalars.map { Int($0) } }
        var h = embedPositions(x, embedding, posEncoding)                // (B, T, d)
        for block in blocks { h = block(h, validLens: lens) }
        return (norm.map { $0(h) } ?? h, lens)
    }
}

/// §10.7.5 the book's `TransformerDecoder`: `Embedding(V, d)`, `PositionalEncoding(d, dropout)`,
/// the blocks, a last `LayerNorm(d)` for pre-LN stacks (`finalNorm`), `Linear(d, V)`.
///
/// The state is the book's three items: the encoder outputs, their valid lengths and, per
/// block, the block's inputs at every position decoded so far (the key/value cache, nil before
/// the first call). A call on `T` new positions embeds them at positions `t₀…t₀+T−1`, runs each
/// block with its cache and appends the block's inputs to it. Training calls it once on the
/// whole (teacher-forced) target, causally masked; prediction calls it one token at a time.
/// (The book's code adds the positional encoding of position 0 to every token at prediction;
/// here a token gets its own position, so step-by-step decoding computes exactly what one
/// masked call on the whole sequence computes.)
public final class TransformerDecoder: ModuleBase, Decoder {
    public struct State {
        /// `(B, T_src, d)`.
        public var encOutputs: Tensor
        public var encValidLens: [Int]?
        /// Per block: its inputs `(B, t₀, d)` so far, or nil.
        public var keyValues: [Tensor?]
    }

    public let numHiddens: Int
    public let embedding: Embedding
    public let posEncoding: PositionalEncoding
    public let blocks: [TransformerDecoderBlock]
    public let norm: LayerNorm?
    public let dense: Linear

    public init(vocabSize: Int, numHiddens: Int, dropout: Float, blocks: [TransformerDecoderBlock], finalNorm: Bool = false) {
        self.numHiddens = numHiddens
        embedding = Embedding(numEmbeddings: vocabSize, embeddingDim: numHiddens)
        posEncoding = PositionalEncoding(numHiddens: numHiddens, dropout: dropout)
        self.blocks = blocks
        norm = finalNorm ? LayerNorm(normalizedShape: numHiddens) : nil
        dense = Linear(inputSize: numHiddens, outputSize: vocabSize)
    }

    public var children: [(name: String, module: Module)] {
        [("embedding", embedding), ("pos_encoding", posEncoding)]
            + blocks.enumerated().map { ("blks.\($0.offset)", $0.element as Module) }
            + (norm.map { [("norm", $0 as Module)] } ?? []) + [("dense", dense)]
    }

    public func initState(_ encoderOutput: (output: Tensor, validLens: [Int]?), validLen: Tensor?) -> State {
        State(encOutputs: encoderOutput.output, encValidLens: encoderOutput.validLens,
              keyValues: Array(repeating: nil, count: blocks.count))
    }

    public func keepAttentionWeights(_ keep: Bool) { for b in blocks { b.keepsAttentionWeights = keep } }

    /// Each block's masked self-attention weights of the last call `(B, heads, T, t₀ + T)`.
    public var selfAttentionWeights: [Tensor] { blocks.compactMap(\.selfAttentionWeights) }
    /// Each block's encoder–decoder attention weights of the last call `(B, heads, T, T_src)`.
    public var crossAttentionWeights: [Tensor] { blocks.compactMap(\.crossAttentionWeights) }
    /// The encoder–decoder attention weights of the last block, `(B, heads, T, T_src)`.
    public var attentionWeights: Tensor? { blocks.last?.crossAttentionWeights }

    public func callAsFunction(_ x: Tensor, _ state: State) -> (output: Tensor, state: State) {
        var state = state
        let offset = state.keyValues.first.flatMap { $0?.shape[1] } ?? 0
        var h = embedPositions(x, embedding, posEncoding, offset: offset)         // (B, T, d)
        for (i, block) in blocks.enumerated() {
            let cache = state.keyValues[i]
            state.keyValues[i] = cache.map { Tensor.concatenate([$0, h], axis: 1) } ?? h
            h = block(h, encOutputs: state.encOutputs, encValidLens: state.encValidLens, cache: cache)
        }
        return (dense(norm.map { $0(h) } ?? h), state)                             // (B, T, V)
    }
}

/// The book's Transformer with library blocks (the concise version of §10.7): `numLayers` `TransformerEncoderLayer`s and
/// `TransformerDecoderLayer`s (`dModel` = numHiddens, `dimFeedforward` = ffnNumHiddens, batch-first,
/// biases everywhere as PyTorch's default); pre-LN stacks get a final layer norm.
public func conciseTransformer(srcVocab: Int, tgtVocab: Int, numHiddens: Int, ffnNumHiddens: Int, numHeads: Int,
                        numLayers: Int, dropout: Float, normFirst: Bool = false) -> EncoderDecoder<TransformerEncoder, TransformerDecoder> {
    let encoder = TransformerEncoder(vocabSize: srcVocab, numHiddens: numHiddens, dropout: dropout, blocks: (0..<numLayers).map { _ in
        TransformerEncoderLayer(dModel: numHiddens, nhead: numHeads, dimFeedforward: ffnNumHiddens, dropout: dropout,
                                batchFirst: true, normFirst: normFirst)
    }, finalNorm: normFirst)
    let decoder = TransformerDecoder(vocabSize: tgtVocab, numHiddens: numHiddens, dropout: dropout, blocks: (0..<numLayers).map { _ in
        TransformerDecoderLayer(dModel: numHiddens, nhead: numHeads, dimFeedforward: ffnNumHiddens, dropout: dropout,
                                batchFirst: true, normFirst: normFirst)
    }, finalNorm: normFirst)
    return EncoderDecoder(encoder, decoder)
}
