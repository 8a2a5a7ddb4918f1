import Tensor

/// The activation between the two linear layers of a Transformer layer's feed-forward network
/// (PyTorch's `activation` argument: `"relu"`, `"gelu"` or a callable). `.relu` is the default;
/// another one is a name (shown by `print(layer)`) and a function, e.g.
/// `TransformerActivation("tanh") { $0.tanh() }`.
public struct TransformerActivation {
    public let name: String
    public let function: (Tensor) -> Tensor

    public init(_ name: String, _ function: @escaping (Tensor) -> Tensor) {
        self.name = name
        self.function = function
    }

    /// `max(x, 0)`, PyTorch's default.
    public static var relu: TransformerActivation { TransformerActivation("relu") { $0.relu() } }
}

/// One encoder layer of the Transformer (book §10.7 `EncoderBlock`; PyTorch's
/// `nn.TransformerEncoderLayer`, same parameter names so state dicts load both ways): multi-head
/// self-attention, then a position-wise feed-forward network
/// `FFN(x) = linear2(dropout(activation(linear1(x))))`, each wrapped in a residual connection
/// and layer normalisation:
///
/// - post-LN (`normFirst: false`, the book and the original paper):
///   `x = norm1(x + dropout1(SA(x)))`, `x = norm2(x + dropout2(FFN(x)))`;
/// - pre-LN (`normFirst: true`): `x = x + dropout1(SA(norm1(x)))`, `x = x + dropout2(FFN(norm2(x)))`
///   (a stack of these needs a final `LayerNorm`, PyTorch's `nn.TransformerEncoder(norm:)`).
///
/// Inputs are `(batch, steps, dModel)` with `batchFirst: true`, else `(steps, batch, dModel)`.
/// Masks as in `MultiheadAttention`: `srcMask` additive `(S, S)` or `(batch·nhead, S, S)`,
/// `srcKeyPaddingMask` `(batch, S)`, nonzero = ignore that key. With `keepsAttentionWeights` the
/// per-head self-attention weights of the last call are kept, `(batch, nhead, S, S)`.
///
/// ```swift
/// let layer = TransformerEncoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, dropout: 0.1, batchFirst: true)
/// let y = layer(Tensor.randn([2, 10, 32]))          // (2, 10, 32)
/// ```
public final class TransformerEncoderLayer: ModuleBase, Layer {
    public let dModel: Int, nhead: Int, dimFeedforward: Int
    public let normFirst: Bool, batchFirst: Bool
    public let activation: TransformerActivation
    public let selfAttn: MultiheadAttention
    public let linear1: Linear, linear2: Linear
    public let norm1: LayerNorm, norm2: LayerNorm
    /// Inside the feed-forward network (`dropout`), after the attention (`dropout1`) and after
    /// the feed-forward network (`dropout2`).
    public let dropout: Dropout, dropout1: Dropout, dropout2: Dropout
    /// Keep the self-attention weights of each call in `attentionWeights` (for heat maps).
    public var keepsAttentionWeights = false
    /// `(batch, nhead, S, S)` of the last call, when `keepsAttentionWeights`.
    public private(set) var attentionWeights: Tensor?

    /// PyTorch's defaults: `dimFeedforward` 2048, `dropout` 0.1, ReLU, `layerNormEps` 1e-5,
    /// sequence-first, post-LN, biases everywhere (`bias: false` drops them from every linear
    /// layer, the attention and the layer norms).
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Float = 0.1,
                activation: TransformerActivation = .relu, layerNormEps: Float = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(dimFeedforward > 0, "TransformerEncoderLayer: dimFeedforward must be positive, got \(dimFeedforward)",
                   file: file, line: line)
        (self.dModel, self.nhead, self.dimFeedforward) = (dModel, nhead, dimFeedforward)
        (self.normFirst, self.batchFirst, self.activation) = (normFirst, batchFirst, activation)
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias,
                                      batchFirst: batchFirst, file: file, line: line)
        linear1 = Linear(inputSize: dModel, outputSize: dimFeedforward, bias: bias)
        linear2 = Linear(inputSize: dimFeedforward, outputSize: dModel, bias: bias)
        norm1 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, bias: bias)
        norm2 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, bias: bias)
        (self.dropout, dropout1, dropout2) = (Dropout(dropout), Dropout(dropout), Dropout(dropout))
    }

    public var children: [(name: String, module: Module)] {
        [("self_attn", selfAttn), ("linear1", linear1), ("dropout", dropout), ("linear2", linear2),
         ("norm1", norm1), ("norm2", norm2), ("dropout1", dropout1), ("dropout2", dropout2)]
    }

    public var extraDescription: String {
        "dModel: \(dModel), nhead: \(nhead), dimFeedforward: \(dimFeedforward), activation: \(activation.name), "
            + "normFirst: \(normFirst), batchFirst: \(batchFirst)"
    }

    public func callAsFunction(_ src: Tensor) -> Tensor { callAsFunction(src, srcMask: nil) }

    public func callAsFunction(_ src: Tensor, srcMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        func selfAttention(_ x: Tensor) -> Tensor {
            let (y, w) = selfAttn(x, x, x, keyPaddingMask: srcKeyPaddingMask, needWeights: keepsAttentionWeights,
                                  attnMask: srcMask, averageAttnWeights: false, file: file, line: line)
            attentionWeights = w
            return dropout1(y)
        }
        if normFirst {
            let x = src + selfAttention(norm1(src))
            return x + dropout2(feedForward(norm2(x)))
        }
        let x = norm1(src + selfAttention(src))
        return norm2(x + dropout2(feedForward(x)))
    }

    /// `linear2(dropout(activation(linear1(x))))`.
    public func feedForward(_ x: Tensor) -> Tensor {
        linear2(dropout(activation.function(linear1(x))))
    }
}
