import D2L
import Foundation
import NN
import Tensor

// The `vit` section: the book's "Transformers for vision" (Dosovitskiy et al. 2021) on
// Fashion-MNIST. The concise model is `ViT` (D2L/Models/ViT.swift), the scratch one
// `ViTScratch` (ViTScratch.swift). Both train with `trainCh6` (SGD, cross-entropy); the
// section ends with a heat map of where the `<cls>` token looks in a few test images.

/// One ViT training run: the model's sizes and the training settings.
struct ViTConfig: Equatable {
    var imgSize: Int, patchSize: Int, numHiddens: Int, mlpNumHiddens: Int, numHeads: Int, numBlks: Int
    var embDropout: Float, blkDropout: Float
    var lr: Float, batchSize: Int, epochs: Int
    /// The first `trainSize` training images; nil: all 60000.
    var trainSize: Int?

    var summary: String {
        "image \(imgSize), patch \(patchSize), d \(numHiddens), MLP \(mlpNumHiddens), \(numHeads) heads, "
            + "\(numBlks) blocks, dropout \(blkDropout), lr \(lr), "
            + "batch \(batchSize), \(epochs) epochs, "
            + (trainSize.map { "first \($0) training images" } ?? "all 60000 training images")
    }

    /// The settings with the command line's `--epochs`, `--lr`, `--batch-size`, `--train-size`.
    func overridden(by o: ChapterOptions) -> ViTConfig {
        var c = self
        c.epochs = o.epochs(book: epochs)
        c.lr = o.lr(book: lr)
        c.batchSize = o.batchSize(book: batchSize)
        let n = o.parsed.int("train-size")
        if n > 0 { c.trainSize = n == 60_000 ? nil : n }
        return c
    }

    /// The concise model of this configuration.
    func concise() -> ViT {
        ViT(imgSize: imgSize, patchSize: patchSize, numHiddens: numHiddens, mlpNumHiddens: mlpNumHiddens,
            numHeads: numHeads, numBlks: numBlks, embDropout: embDropout, blkDropout: blkDropout)
    }
}

/// The book's configuration: Fashion-MNIST resized to 96, 16×16 patches (36 of them), d 512,
/// MLP 2048, 8 heads, 2 blocks, dropout 0.1, SGD lr 0.1, batch 128, 10 epochs.
let vitBookConfig = ViTConfig(imgSize: 96, patchSize: 16, numHiddens: 512, mlpNumHiddens: 2048, numHeads: 8,
                              numBlks: 2, embDropout: 0.1, blkDropout: 0.1, lr: 0.1, batchSize: 128, epochs: 10)

/// The quick configuration (the default): 28×28 images as they are, 7×7 patches (16 of them, so
/// 17 steps with `<cls>`), d 64, MLP 128, 4 heads, 2 blocks, the book's dropout and batch size,
/// 5 epochs at 3× the book's learning rate (with Xavier init, after 4 epochs: test acc 0.837 at
/// lr 0.3, 0.814 at 0.1; this configuration: 0.841 after 5 epochs, 73 s of CPU time in all).
/// Trains in well under 3 minutes on a 2-core CPU (chapter README).
let vitQuickConfig = ViTConfig(imgSize: 28, patchSize: 7, numHiddens: 64, mlpNumHiddens: 128, numHeads: 4,
                               numBlks: 2, embDropout: 0.1, blkDropout: 0.1, lr: 0.3, batchSize: 128, epochs: 5)

/// The section: the book's shape checks, a scratch = concise check, training, the attention map.
func runViT(_ o: ChapterOptions) throws {
    let start = Date()
    let useBook = o.parsed.flag("book")
    let config = (useBook ? vitBookConfig : vitQuickConfig).overridden(by: o)
    print("Transformers for vision (ViT), \(useBook ? "the book's configuration" : "quick configuration"): \(config.summary)")
    if !useBook { print("  (book: \(vitBookConfig.summary); --book runs it, hours on a CPU)") }
    for line in vitShapeChecks() { print(line) }
    print(vitScratchCheck(config))
    o.reseed()   // the same weights whether or not the checks ran

    let data = try loadDataFashionMNIST(batchSize: config.batchSize, resize: config.imgSize == 28 ? nil : config.imgSize,
                                        seed: o.seed, trainSize: config.trainSize)
    // `--model both` (the default) trains the concise model only: one ViT run fills the time budget.
    let model: ModelVersion = o.models == [.scratch] ? .scratch : .concise
    let net: ViTModel = model == .scratch ? vitScratchModel(config) : config.concise()
    print("training the \(model) ViT (\(net.parameterCount) parameters)")
    // The book trains its ViT with PyTorch's default initialisation (no Xavier re-initialisation
    // as in `train_ch6`); with Xavier the book's configuration diverges faster in its first steps
    // (measured in PyTorch too: loss 13.6 vs 5.6 after 3 steps at lr 0.1).
    try trainCh6(net: net, trainIter: data.train, testIter: data.test, numEpochs: config.epochs, lr: config.lr,
                 xavierInit: false, maxBatches: o.maxBatches, report: o.report(section: "vit", model: model))
    if !o.parsed.flag("no-figures") { try saveCLSAttention(net, config, testIter: data.test, o) }
    print(String(format: "section time %.0f s", Date().timeIntervalSince(start)))
}

/// The book's shape checks: the patch embedding of a (4, 3, 96, 96) batch, a `ViTBlock(24, 48,
/// 8 heads)` on ones (2, 100, 24), and the whole book-sized ViT on (2, 1, 96, 96).
func vitShapeChecks() -> [String] {
    withNoGrad {
        let emb = PatchEmbedding(imgSize: 96, patchSize: 16, numHiddens: 512, inChannels: 3)
        let patches = emb(Tensor.zeros([4, 3, 96, 96]))
        let blk = ViTBlock(numHiddens: 24, mlpNumHiddens: 48, numHeads: 8, dropout: 0.5)
        blk.eval()
        let blkOut = blk(Tensor.ones([2, 100, 24]))
        let net = vitBookConfig.concise()
        net.eval()
        let logits = net(Tensor.zeros([2, 1, 96, 96]))
        return ["PatchEmbedding(96, 16, 512) on X (4, 3, 96, 96):   \(describeShape(patches.shape))   (book: (4, 36, 512))",
                "ViTBlock(24, 24, 48, 8, 0.5) on ones (2, 100, 24):  \(describeShape(blkOut.shape))   (book: X.shape)",
                "ViT(96, 16, 512, 2048, 8, 2) on (2, 1, 96, 96):     \(describeShape(logits.shape))"]
    }
}

/// A ViT of the chapter, concise or scratch, that can report its attention weights.
protocol ViTModel: Layer {
    /// The attention weights of every block for `x`, `(B, numHeads, n + 1, n + 1)` each (row 0:
    /// the `<cls>` token's attention over itself and the patches). Run in evaluation mode.
    func blockAttentionWeights(_ x: Tensor) -> [Tensor]
}

extension ViT: ViTModel {
    func blockAttentionWeights(_ x: Tensor) -> [Tensor] { attentionWeights(x) }
}

/// The `<cls>` token's attention over the patches, averaged over the heads, for each block:
/// `(B, numPatches)` per block.
func clsAttention(_ net: ViTModel, _ x: Tensor) -> [Tensor] {
    net.eval()
    defer { net.train() }
    return withNoGrad { net.blockAttentionWeights(x) }.map { w in                // (B, heads, n+1, n+1)
        let n = w.shape[3]
        return w.slice(axis: 2, 0..<1).slice(axis: 3, 1..<n).mean(alongAxes: [1, 2])   // (B, n − 1)
    }
}

/// Saves the first test images and, for each block, the `<cls>` token's attention over their
/// patches as a heat map on the patch grid (rows: blocks; columns: images, titled with the
/// true label and the prediction).
func saveCLSAttention(_ net: ViTModel, _ config: ViTConfig, testIter: DataIterator, _ o: ChapterOptions) throws {
    guard let (X, y) = testIter.first(where: { _ in true }) else { return }
    let count = min(4, X.shape[0])
    let images = X.slice(axis: 0, 0..<count)
    net.eval()
    let predicted = withNoGrad { net(images) }.argmaxIndices(axis: 1)
    net.train()
    let truth = y.scalars.prefix(count).map { Int($0) }
    let titles = zip(getFashionMNISTLabels(truth), getFashionMNISTLabels(predicted)).map { "\($0) (\($1))" }
    let side = config.imgSize / config.patchSize
    let maps = clsAttention(net, images)
    let grid = maps.map { m in (0..<count).map { i in m.slice(axis: 0, i..<i + 1).reshaped(to: [side, side]) } }
    let imageFile = o.figureName("vit", "test-images"), mapFile = o.figureName("vit", "cls-attention")
    if let url = Figures.saveOrWarn(imageFile, {
        try showImages(batch: images, numRows: 1, numCols: count, titles: titles, file: imageFile)
    }) { print("saved \(url.path)") }
    if let url = Figures.saveOrWarn(mapFile, {
        try showHeatmaps(grid, xlabel: "patch column", ylabel: "patch row", titles: titles,
                         figsize: (2.0 * Double(count), 2.0 * Double(maps.count)), file: mapFile)
    }) { print("saved \(url.path) (<cls> attention over the \(side)×\(side) patches, one row per block)") }
}
