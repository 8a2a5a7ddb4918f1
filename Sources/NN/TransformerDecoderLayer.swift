import Tensor

/// One decoder layer of the Transformer (book §10.7 `DecoderBlock`; PyTorch's
/// `nn.TransformerDecoderLayer`, same parameter names): masked self-attention over the target,
/// encoder–decoder attention (queries from the target, keys and values from the encoder's
/// output `memory`), and the feed-forward network
/// `FFN(x) = linear2(dropout(activation(linear1(x))))`, each in a residual connection with
/// layer normalisation:
///
/// - post-LN (`normFirst: false`, the book): `x = norm1(x + dropout1(SA(x)))`,
///   `x = norm2(x + dropout2(MHA(x, memory)))`, `x = norm3(x + dropout3(FFN(x)))`;
/// - pre-LN (`normFirst: true`): `x = x + dropout1(SA(norm1(x)))`, `x = x + dropout2(MHA(norm2(x), memory))`,
///   `x = x + dropout3(FFN(norm3(x)))`.
///
/// Masks as in `MultiheadAttention` (`tgtMask` is usually `MultiheadAttention.causalMask(T)`).
///
/// Beyond PyTorch, for step-by-step inference (the book's per-block key/value cache): `cache`
/// holds this layer's inputs of the earlier steps `(batch, t₀, dModel)` (sequence-first: `(t₀,
/// batch, dModel)`); the self-attention then reads keys and values from `[cache; tgt]`, so
/// `tgtMask` (if any) is `(T, t₀ + T)`. Feeding one token at a time with the growing cache and no
/// mask computes what one causal-masked call on the whole sequence computes.
/// With `keepsAttentionWeights` the per-head weights of the last call are kept:
/// `selfAttentionWeights` `(batch, nhead, T, t₀ + T)`, `crossAttentionWeights` `(batch, nhead, T, S)`.
///
/// ```swift
/// let layer = TransformerDecoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, batchFirst: true)
/// let y = layer(tgt, memory: memory, tgtMask: MultiheadAttention.causalMask(tgt.shape[1]))
/// ```
public final class TransformerDecoderLayer: ModuleBase, Module {
    public let dModel: Int, nhead: Int, dimFeedforward: Int
    public let normFirst: Bool, batchFirst: Bool
    public let activation: TransformerActivation
    public let selfAttn: MultiheadAttention, multiheadAttn: MultiheadAttention
    public let linear1: Linear, linear2: Linear
    public let norm1: LayerNorm, norm2: LayerNorm, norm3: LayerNorm
    public let dropout: Dropout, dropout1: Dropout, dropout2: Dropout, dropout3: Dropout
    public var keepsAttentionWeights = false
    public private(set) var selfAttentionWeights: Tensor?
    public private(set) var crossAttentionWeights: Tensor?

    /// PyTorch's defaults, as `TransformerEncoderLayer`.
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Float = 0.1,
                activation: TransformerActivation = .relu, layerNormEps: Float = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(dimFeedforward > 0, "TransformerDecoderLayer: dimFeedforward must be positive, got \(dimFeedforward)",
                   file: file, line: line)
        (self.dModel, self.nhead, self.dimFeedforward) = (dModel, nhead, dimFeedforward)
        (self.normFirst, self.batchFirst, self.activation) = (normFirst, batchFirst, activation)
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias,
                                      batchFirst: batchFirst, file: file, line: line)
        multiheadAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias,
                                           batchFirst: batchFirst, file: file, line: line)
        linear1 = Linear(inputSize: dModel, outputSize: dimFeedforward, bias: bias)
        linear2 = Linear(inputSize: dimFeedforward, outputSize: dModel, bias: bias)
        norm1 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, bias: bias)
        norm2 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, bias: bias)
        norm3 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, bias: bias)
        (self.dropout, dropout1, dropout2, dropout3) = (Dropout(dropout), Dropout(dropout), Dropout(dropout), Dropout(dropout))
    }

    public var children: [(name: String, module: Module)] {
        [("self_attn", selfAttn), ("multihead_attn", multiheadAttn), ("linear1", linear1), ("dropout", dropout),
         ("linear2", linear2), ("norm1", norm1), ("norm2", norm2), ("norm3", norm3),
         ("dropout1", dropout1), ("dropout2", dropout2), ("dropout3", dropout3)]
    }

    public var extraDescription: String {
        "dModel: \(dModel), nhead: \(nhead), dimFeedforward: \(dimFeedforward), activation: \(activation.name), "
            + "normFirst: \(normFirst), batchFirst: \(batchFirst)"
    }

    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               cache: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let keep = keepsAttentionWeights
        /// Self-attention of the (normalised) queries `q` over the (normalised) `[cache; tgt]`.
        func selfAttention(_ q: Tensor, _ kv: Tensor) -> Tensor {
            let (y, w) = selfAttn(q, kv, kv, keyPaddingMask: tgtKeyPaddingMask, needWeights: keep, attnMask: tgtMask,
                                  averageAttnWeights: false, file: file, line: line)
            selfAttentionWeights = w
            return dropout1(y)
        }
        func crossAttention(_ q: Tensor) -> Tensor {
            let (y, w) = multiheadAttn(q, memory, memory, keyPaddingMask: memoryKeyPaddingMask, needWeights: keep,
                                       attnMask: memoryMask, averageAttnWeights: false, file: file, line: line)
            crossAttentionWeights = w
            return dropout2(y)
        }
        let history = cache.map { Tensor.concatenate([$0, tgt], axis: batchFirst ? 1 : 0) } ?? tgt
        if normFirst {
            let q = norm1(tgt)
            var x = tgt + selfAttention(q, cache == nil ? q : norm1(history))
            x = x + crossAttention(norm2(x))
            return x + dropout3(feedForward(norm3(x)))
        }
        var x = norm1(tgt + selfAttention(tgt, history))
        x = norm2(x + crossAttention(x))
        return norm3(x + dropout3(feedForward(x)))
    }

    /// `linear2(dropout(activation(linear1(x))))`.
    public func feedForward(_ x: Tensor) -> Tensor {
        linear2(dropout(activation.function(linear1(x))))
    }
}
