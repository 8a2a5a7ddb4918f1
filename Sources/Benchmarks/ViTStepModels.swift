import D2L
import NN

/// torch_bench.py's `ViT(img, patch, d, mlp, heads, blks)` (book "Transformers for vision"):
/// patch embedding by a strided convolution, `<cls>` token, learned positions, dropout 0.1,
/// `blks` pre-LN blocks with GELU, LayerNorm + Linear head. torch_bench builds its blocks from
/// `nn.TransformerEncoderLayer(norm_first=True, activation="gelu")`, whose attention has biases,
/// so ours does too (`useBias: true`; the book's blocks have none). One difference in work: the
/// PyTorch layer also applies dropout to the attention output before the residual sum (the
/// book's block does not), one dropout over `(batch, steps, d)` per block.
func vitForBenchmark(img: Int, patch: Int, d: Int, mlp: Int, heads: Int, blks: Int) -> Sequential {
    Sequential(ViT(imgSize: img, patchSize: patch, numHiddens: d, mlpNumHiddens: mlp, numHeads: heads, numBlks: blks,
                   embDropout: 0.1, blkDropout: 0.1, useBias: true))
}

/// `step vit-book` (the book's configuration, 96×96 images, batch 128) and `step vit-small`
/// (the chapter's quick configuration: 28×28, patch 4, d 64, batch 256), SGD lr 0.1 as in torch_bench.
let vitStepModels: [StepModel] = [
    imageModel("vit-book", batch: 128, side: 96, lr: 0.1) { vitForBenchmark(img: 96, patch: 16, d: 512, mlp: 2048, heads: 8, blks: 2) },
    imageModel("vit-small", batch: 256, side: 28, lr: 0.1) { vitForBenchmark(img: 28, patch: 4, d: 64, mlp: 128, heads: 4, blks: 2) },
]
