import NN
import Tensor

// The Vision Transformer of the book's "Transformers for vision" section (Dosovitskiy et al.
// 2021), with the NN library's layers: a strided-convolution patch embedding, a learned
// `<cls>` token and position embeddings, pre-LayerNorm encoder blocks (multi-head
// self-attention and a GELU MLP), and a LayerNorm + Linear head on the `<cls>` output.
// It lives in the library (not in the chapter) so `Benchmarks step vit-small` / `vit-book`
// train the same model as the chapter's `vit` section.

/// Book `PatchEmbedding(img_size, patch_size, num_hiddens)`: splits an image into
/// non-overlapping `patchSize × patchSize` patches and projects each flattened patch
/// (`inChannels·patchSize²` values) linearly to `numHiddens` — one convolution whose kernel
/// and stride are both the patch size.
/// `(B, inChannels, imgSize, imgSize) → (B, numPatches, numHiddens)`,
/// `numPatches = (imgSize / patchSize)²`.
///
/// ```swift
/// let emb = PatchEmbedding(imgSize: 96, patchSize: 16, numHiddens: 512, inChannels: 3)
/// emb(Tensor.zeros([4, 3, 96, 96])).shape   // [4, 36, 512]
/// ```
public final class PatchEmbedding: ModuleBase, Layer {
    public let imgSize: Int
    public let patchSize: Int
    public let numPatches: Int
    public let conv: Conv2d

    public init(imgSize: Int = 96, patchSize: Int = 16, numHiddens: Int = 512, inChannels: Int = 1,
                file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(patchSize > 0 && imgSize >= patchSize,
                   "PatchEmbedding: patchSize \(patchSize) must be positive and at most imgSize \(imgSize)",
                   file: file, line: line)
        self.imgSize = imgSize
        self.patchSize = patchSize
        numPatches = (imgSize / patchSize) * (imgSize / patchSize)
        conv = Conv2d(inChannels: inChannels, outChannels: numHiddens, kernelSize: patchSize, stride: patchSize)
    }

    public var children: [(name: String, module: Module)] { [("conv", conv)] }
    public var extraDescription: String { "imgSize: \(imgSize), patchSize: \(patchSize), numPatches: \(numPatches)" }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        // (B, d, H/p, W/p) → (B, d, numPatches) → (B, numPatches, d)
        conv(x).flattened(startAxis: 2).transposed(1, 2)
    }
}

/// Book `ViTMLP(mlp_num_hiddens, mlp_num_outputs, dropout)`: the position-wise MLP of a ViT
/// block, `dropout(dense2(dropout(GELU(dense1(x)))))` — unlike the Transformer's
/// `PositionWiseFFN`, GELU instead of ReLU and dropout after each dense layer.
public final class ViTMLP: ModuleBase, Layer {
    public let dense1: Linear
    public let gelu = GELU()
    public let dropout1: Dropout
    public let dense2: Linear
    public let dropout2: Dropout

    public init(numInputs: Int, mlpNumHiddens: Int, mlpNumOutputs: Int, dropout: Float = 0.5) {
        dense1 = Linear(inputSize: numInputs, outputSize: mlpNumHiddens)
        dropout1 = Dropout(dropout)
        dense2 = Linear(inputSize: mlpNumHiddens, outputSize: mlpNumOutputs)
        dropout2 = Dropout(dropout)
    }

    public var children: [(name: String, module: Module)] {
        [("dense1", dense1), ("gelu", gelu), ("dropout1", dropout1), ("dense2", dense2), ("dropout2", dropout2)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        dropout2(dense2(dropout1(gelu(dense1(x)))))
    }
}

/// Book `ViTBlock(num_hiddens, norm_shape, mlp_num_hiddens, num_heads, dropout, use_bias)`: a
/// pre-normalisation Transformer encoder block, normalisation *before* each sublayer:
///
///     X ← X + MultiHeadAttention(LN₁(X), LN₁(X), LN₁(X))
///     X ← X + ViTMLP(LN₂(X))
///
/// (the original Transformer's "add & norm" puts LayerNorm after the residual sum).
/// `(B, steps, numHiddens) → (B, steps, numHiddens)`. The attention is `NN.MultiheadAttention`
/// (batch first; `useBias: false` as in the book: no bias in the four projections) with
/// dropout on its attention weights.
public final class ViTBlock: ModuleBase, Layer {
    public let ln1: LayerNorm
    public let attention: MultiheadAttention
    public let ln2: LayerNorm
    public let mlp: ViTMLP

    public init(numHiddens: Int, mlpNumHiddens: Int, numHeads: Int, dropout: Float, useBias: Bool = false) {
        ln1 = LayerNorm(normalizedShape: numHiddens)
        attention = MultiheadAttention(embedDim: numHiddens, numHeads: numHeads, dropout: dropout, bias: useBias,
                                       batchFirst: true)
        ln2 = LayerNorm(normalizedShape: numHiddens)
        mlp = ViTMLP(numInputs: numHiddens, mlpNumHiddens: mlpNumHiddens, mlpNumOutputs: numHiddens, dropout: dropout)
    }

    public var children: [(name: String, module: Module)] {
        [("ln1", ln1), ("attention", attention), ("ln2", ln2), ("mlp", mlp)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x, needWeights: false).output }

    /// The block's output and, with `needWeights`, its attention weights per head
    /// `(B, numHeads, steps, steps)` (query rows, key columns).
    public func forward(_ x: Tensor, needWeights: Bool) -> (output: Tensor, weights: Tensor?) {
        let normed = ln1(x)
        let (attended, weights) = attention(normed, normed, normed, needWeights: needWeights, averageAttnWeights: false)
        let y = x + attended
        return (y + mlp(ln2(y)), weights)
    }
}

/// Book `ViT(img_size, patch_size, num_hiddens, mlp_num_hiddens, num_heads, num_blks,
/// emb_dropout, blk_dropout, use_bias=False, num_classes=10)`:
///
/// 1. `PatchEmbedding`: the image as `numPatches` vectors of size `numHiddens`;
/// 2. a learned `<cls>` token (zeros at start) in front: `numPatches + 1` steps;
/// 3. plus learned position embeddings `(1, numPatches + 1, numHiddens)` (standard normal at
///    start), then dropout `embDropout`;
/// 4. `numBlks` `ViTBlock`s (dropout `blkDropout`);
/// 5. the head, `LayerNorm` then `Linear(numHiddens → numClasses)`, on the `<cls>` step only.
///
/// `(B, inChannels, imgSize, imgSize) → (B, numClasses)`.
///
/// ```swift
/// let net = ViT(imgSize: 96, patchSize: 16, numHiddens: 512, mlpNumHiddens: 2048, numHeads: 8, numBlks: 2,
///               embDropout: 0.1, blkDropout: 0.1)            // the book's configuration
/// net(Tensor.zeros([2, 1, 96, 96])).shape                     // [2, 10]
/// ```
public final class ViT: ModuleBase, Layer {
    public let numHiddens: Int
    public let patchEmbedding: PatchEmbedding
    /// `(1, 1, numHiddens)`.
    public let clsToken: Parameter
    /// `(1, numPatches + 1, numHiddens)`.
    public let posEmbedding: Parameter
    public let dropout: Dropout
    public let blks: [ViTBlock]
    public let head: Sequential

    public init(imgSize: Int, patchSize: Int, numHiddens: Int, mlpNumHiddens: Int, numHeads: Int, numBlks: Int,
                embDropout: Float, blkDropout: Float, useBias: Bool = false, numClasses: Int = 10, inChannels: Int = 1) {
        self.numHiddens = numHiddens
        patchEmbedding = PatchEmbedding(imgSize: imgSize, patchSize: patchSize, numHiddens: numHiddens,
                                        inChannels: inChannels)
        clsToken = Parameter(Tensor.zeros([1, 1, numHiddens]), name: "cls_token")
        let numSteps = patchEmbedding.numPatches + 1   // the <cls> token and the patches
        posEmbedding = Parameter(Tensor.randn([1, numSteps, numHiddens]), name: "pos_embedding")
        dropout = Dropout(embDropout)
        blks = (0..<numBlks).map { _ in
            ViTBlock(numHiddens: numHiddens, mlpNumHiddens: mlpNumHiddens, numHeads: numHeads, dropout: blkDropout,
                     useBias: useBias)
        }
        head = Sequential(LayerNorm(normalizedShape: numHiddens), Linear(inputSize: numHiddens, outputSize: numClasses))
    }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("cls_token", clsToken), ("pos_embedding", posEmbedding)]
    }
    public var children: [(name: String, module: Module)] {
        [("patch_embedding", patchEmbedding), ("dropout", dropout)]
            + blks.enumerated().map { ("blks.\($0.offset)", $0.element as Module) } + [("head", head)]
    }

    /// Steps 1–3: `(B, C, H, W) → (B, numPatches + 1, numHiddens)`.
    public func embed(_ x: Tensor) -> Tensor {
        let patches = patchEmbedding(x)                                       // (B, n, d)
        let cls = clsToken.value.broadcast(to: [x.shape[0], 1, numHiddens])   // (B, 1, d)
        return dropout(Tensor.concatenate([cls, patches], axis: 1) + posEmbedding.value)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = blks.reduce(embed(x)) { h, blk in blk(h) }
        return head(h.slice(axis: 1, 0..<1).reshaped(to: [x.shape[0], numHiddens]))   // the <cls> step
    }

    /// The attention weights of every block, `(B, numHeads, n + 1, n + 1)` each (row 0 is the
    /// `<cls>` token's attention over itself and the patches). Run it in evaluation mode.
    public func attentionWeights(_ x: Tensor) -> [Tensor] {
        var h = embed(x), weights: [Tensor] = []
        for blk in blks {
            let r = blk.forward(h, needWeights: true)
            h = r.output
            weights.append(r.weights!)
        }
        return weights
    }
}
