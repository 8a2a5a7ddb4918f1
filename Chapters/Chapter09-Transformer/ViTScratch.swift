import D2L
import Foundation
import NN
import Tensor

// The Vision Transformer ("Transformers for vision") from tensor primitives: the patch
// embedding as "cut into patches, flatten, multiply" instead of a convolution, layer
// normalisation from means and variances (the chapter's `LayerNormScratch`, Scratch.swift), and
// the attention chapter's scratch `MultiHeadAttention` (D2L/Models/AttentionScratch.swift). The concise model (NN layers) is
// `ViT` in D2L/Models/ViT.swift; `copyWeights(from:to:)` makes the two compute the same thing.

/// The patch embedding from primitives: `(B, C, H, W)` → `(B, C, H/p, p, W/p, p)` →
/// `(B, H/p, W/p, C, p, p)` → `(B, numPatches, C·p²)`, then `· Wᵀ + b`. A `p × p` convolution
/// with stride `p` computes exactly this (its kernel is `W` reshaped to `(d, C, p, p)`).
final class PatchEmbeddingScratch: ModuleBase, Layer {
    let patchSize: Int
    /// `(numHiddens, C·p²)`.
    let W: Parameter
    let b: Parameter

    init(patchSize: Int, numHiddens: Int, inChannels: Int = 1) {
        self.patchSize = patchSize
        let fanIn = inChannels * patchSize * patchSize, bound = 1 / Float(fanIn).squareRoot()
        W = Parameter(Tensor.uniform([numHiddens, fanIn], low: -bound, high: bound), name: "W")
        b = Parameter(Tensor.uniform([numHiddens], low: -bound, high: bound), name: "b")
    }
    var ownParameters: [(name: String, parameter: Parameter)] { [("W", W), ("b", b)] }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let (n, c, h, w, p) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], patchSize)
        let patches = x.reshaped(to: [n, c, h / p, p, w / p, p])
            .permuted([0, 2, 4, 1, 3, 5])                               // (B, H/p, W/p, C, p, p)
            .reshaped(to: [n * (h / p) * (w / p), c * p * p])          // one row per patch
        return (patches.matmul(W.value.transposed()) + b.value)         // (B·numPatches, d)
            .reshaped(to: [n, (h / p) * (w / p), -1])
    }
}

/// The ViT block of the book with the scratch pieces: `X + MHA(LN₁(X))`, then `X + MLP(LN₂(X))`.
/// The MLP is `ViTMLP` (two `Linear`s, GELU, dropout), as in the book.
final class ViTBlockScratch: ModuleBase, Layer {
    let ln1: LayerNormScratch
    let attention: MultiHeadAttention
    let ln2: LayerNormScratch
    let mlp: ViTMLP

    init(numHiddens: Int, mlpNumHiddens: Int, numHeads: Int, dropout: Float, useBias: Bool = false) {
        ln1 = LayerNormScratch(numHiddens)
        attention = MultiHeadAttention(keySize: numHiddens, querySize: numHiddens, valueSize: numHiddens,
                                       numHiddens: numHiddens, numHeads: numHeads, dropout: dropout, bias: useBias)
        ln2 = LayerNormScratch(numHiddens)
        mlp = ViTMLP(numInputs: numHiddens, mlpNumHiddens: mlpNumHiddens, mlpNumOutputs: numHiddens, dropout: dropout)
    }
    var children: [(name: String, module: Module)] { [("ln1", ln1), ("attention", attention), ("ln2", ln2), ("mlp", mlp)] }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let normed = ln1(x)
        let y = x + attention(normed, normed, normed, validLens: nil)
        return y + mlp(ln2(y))
    }
}

/// The whole ViT from the scratch pieces: patches, `<cls>` in front, plus position embeddings,
/// dropout, the blocks, LayerNorm + Linear on the `<cls>` step.
final class ViTScratch: ModuleBase, Layer {
    let numHiddens: Int
    let patchEmbedding: PatchEmbeddingScratch
    let clsToken: Parameter, posEmbedding: Parameter
    let dropout: Dropout
    let blks: [ViTBlockScratch]
    let headNorm: LayerNormScratch
    let headLinear: Linear

    init(imgSize: Int, patchSize: Int, numHiddens: Int, mlpNumHiddens: Int, numHeads: Int, numBlks: Int,
         embDropout: Float, blkDropout: Float, numClasses: Int = 10) {
        self.numHiddens = numHiddens
        patchEmbedding = PatchEmbeddingScratch(patchSize: patchSize, numHiddens: numHiddens)
        let numSteps = (imgSize / patchSize) * (imgSize / patchSize) + 1
        clsToken = Parameter(Tensor.zeros([1, 1, numHiddens]), name: "cls_token")
        posEmbedding = Parameter(Tensor.randn([1, numSteps, numHiddens]), name: "pos_embedding")
        dropout = Dropout(embDropout)
        blks = (0..<numBlks).map { _ in
            ViTBlockScratch(numHiddens: numHiddens, mlpNumHiddens: mlpNumHiddens, numHeads: numHeads, dropout: blkDropout)
        }
        headNorm = LayerNormScratch(numHiddens)
        headLinear = Linear(inputSize: numHiddens, outputSize: numClasses)
    }
    var ownParameters: [(name: String, parameter: Parameter)] { [("cls_token", clsToken), ("pos_embedding", posEmbedding)] }
    var children: [(name: String, module: Module)] {
        [("patch_embedding", patchEmbedding), ("dropout", dropout)]
            + blks.enumerated().map { ("blks.\($0.offset)", $0.element as Module) }
            + [("head_norm", headNorm), ("head_linear", headLinear)]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let batch = x.shape[0]
        let patches = patchEmbedding(x)                                            // (B, n, d)
        let cls = clsToken.value.broadcast(to: [batch, 1, numHiddens])             // (B, 1, d)
        var h = dropout(Tensor.concatenate([cls, patches], axis: 1) + posEmbedding.value)
        for blk in blks { h = blk(h) }
        return headLinear(headNorm(h.slice(axis: 1, 0..<1).reshaped(to: [batch, numHiddens])))
    }

}

extension ViTScratch: ViTModel {
    /// Runs `x` through the model and returns what each block's `DotProductAttention` kept,
    /// `(B·heads, n + 1, n + 1)`, as `(B, heads, n + 1, n + 1)`.
    func blockAttentionWeights(_ x: Tensor) -> [Tensor] {
        _ = self(x)
        return blks.map { blk in
            let w = blk.attention.attention.attentionWeights
            return w.reshaped(to: [x.shape[0], blk.attention.numHeads, w.shape[1], w.shape[2]])
        }
    }
}

extension ViTConfig {
    /// The scratch model of this configuration.
    func scratch() -> ViTScratch {
        ViTScratch(imgSize: imgSize, patchSize: patchSize, numHiddens: numHiddens, mlpNumHiddens: mlpNumHiddens,
                   numHeads: numHeads, numBlks: numBlks, embDropout: embDropout, blkDropout: blkDropout)
    }
}

/// The scratch ViT of `config` (the section's `--model scratch`).
func vitScratchModel(_ config: ViTConfig) -> ViTModel { config.scratch() }

/// Builds the configuration's concise and scratch models, gives the scratch one the concise
/// weights, and reports the largest difference of their logits on two random images.
func vitScratchCheck(_ config: ViTConfig) -> String {
    let net = config.concise(), scratch = config.scratch()
    copyWeights(from: net, to: scratch)
    net.eval()
    scratch.eval()
    let x = Tensor.rand([2, 1, config.imgSize, config.imgSize])
    let diff = withNoGrad { (net(x) - scratch(x)).abs().max().item() }
    return "scratch ViT with the concise ViT's weights: largest logit difference \(String(format: "%.1e", diff))"
}

/// Copies the concise model's weights into the scratch one (the convolution kernel flattened to
/// `W`, the packed `in_proj_weight` split into `W_q`, `W_k`, `W_v`), so both compute the same
/// function. The concise model must have the book's bias-free attention (`useBias: false`).
func copyWeights(from net: ViT, to scratch: ViTScratch) {
    withNoGrad {
        let conv = net.patchEmbedding.conv
        scratch.patchEmbedding.W.value = conv.weight.value.reshaped(to: [conv.outChannels, -1])
        scratch.patchEmbedding.b.value = conv.bias!.value
        scratch.clsToken.value = net.clsToken.value
        scratch.posEmbedding.value = net.posEmbedding.value
        func copyNorm(_ ln: LayerNorm, _ to: LayerNormScratch) {
            to.weight.value = ln.weight!.value
            to.bias.value = ln.bias!.value
        }
        func copyLinear(_ from: Linear, _ to: Linear) {
            to.weight.value = from.weight.value
            if let b = from.bias { to.bias!.value = b.value }
        }
        for (c, s) in zip(net.blks, scratch.blks) {
            if c.attention.inProjBias != nil { fatalError("copyWeights: the concise ViT has attention biases; the scratch one has none") }
            let d = c.attention.embedDim, w = c.attention.inProjWeight.value
            s.attention.W_q.weight.value = w.slice(axis: 0, 0..<d)
            s.attention.W_k.weight.value = w.slice(axis: 0, d..<2 * d)
            s.attention.W_v.weight.value = w.slice(axis: 0, 2 * d..<3 * d)
            copyLinear(c.attention.outProj, s.attention.W_o)
            copyNorm(c.ln1, s.ln1)
            copyNorm(c.ln2, s.ln2)
            copyLinear(c.mlp.dense1, s.mlp.dense1)
            copyLinear(c.mlp.dense2, s.mlp.dense2)
        }
        copyNorm(net.head[0] as! LayerNorm, scratch.headNorm)
        copyLinear(net.head[1] as! Linear, scratch.headLinear)
    }
}
