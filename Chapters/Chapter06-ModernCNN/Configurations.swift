import D2L
import NN
import Tensor

/// The settings of one training run: data (image side, how many training images), batch
/// size, epochs and learning rate.
struct TrainConfig: Equatable {
    /// Image side after resizing; nil keeps Fashion-MNIST's 28×28.
    var resize: Int?
    var batchSize: Int
    var epochs: Int
    var lr: Float
    /// The first `trainSize` training images; nil: all 60000.
    var trainSize: Int?
    /// He (Kaiming) uniform weights instead of the book's Xavier (`heInit`): see `kaimingInitWeights`.
    var heInit = false
    /// The learning rate falls from `lr` to 0 along a half cosine over the run's steps
    /// (`CosineAnnealingLR` stepped per batch, book §12.11) instead of the book's fixed rate.
    var cosineLR = false
    /// With `cosineLR`: the rate first rises linearly over this many steps (from `lr / warmup` at
    /// the first step to `lr`), then the cosine decays it to 0 (the book's `CosineScheduler` with
    /// `warmup_steps`, §12.11). 0: no warm-up.
    var warmup = 0

    /// `resize 96, first 20000 images, batch 256, 3 epochs, lr 0.05`.
    var summary: String {
        let side = resize.map { "resize \($0)" } ?? "28×28"
        let data = trainSize.map { "first \($0) training images" } ?? "all 60000 training images"
        return "\(side), \(data), batch \(batchSize), \(epochs) epoch\(epochs == 1 ? "" : "s"), lr \(formatLR(lr))"
            + (cosineLR && warmup > 0 ? " warmed up over \(warmup) steps, then" : "")
            + (cosineLR ? " decayed to 0 along a cosine over the steps" : "")
            + (heInit ? ", He (Kaiming) init instead of the book's Xavier" : "")
    }

    /// The book's settings with the command line's `--epochs`, `--lr`, `--batch-size`,
    /// `--train-size`, `--resize` where given.
    func overridden(by o: ChapterOptions) -> TrainConfig {
        var c = self
        c.epochs = o.epochs(book: epochs)
        c.lr = o.lr(book: lr)
        c.batchSize = o.batchSize(book: batchSize)
        let trainSize = o.parsed.int("train-size"), resize = o.parsed.int("resize")
        if trainSize > 0 { c.trainSize = trainSize == 60_000 ? nil : trainSize }
        if resize > 0 { c.resize = resize == 28 ? nil : resize }
        if o.parsed.flag("he-init") { c.heInit = true }
        if o.parsed.flag("cosine-lr") { c.cosineLR = true }
        let warmup = o.parsed.int("warmup")
        if warmup > 0 { c.warmup = warmup; c.cosineLR = true }
        return c
    }
}

private func formatLR(_ lr: Float) -> String {
    var s = String(lr)
    if s.hasSuffix(".0") { s.removeLast(2) }
    return s
}

/// One trained network of the chapter: its section, the book's settings and printed result,
/// our quick settings, how to build it for a given image side, and the shape walk's input.
struct ModelSection {
    let name: String
    let title: String
    let book: TrainConfig
    let quick: TrainConfig
    let bookResult: BookResult
    /// The network for images of side `inputSize` (only AlexNet's and VGG's dense layers depend on it).
    let build: (_ inputSize: Int) -> Sequential
    /// The book's shape-walk input side (1×1×side×side).
    let walkSide: Int
}

/// The chapter's sections in the book's order. Book settings and results: ../shared/BOOK.md §2.
/// Quick settings: chosen from the CPU time of a few steps to train in about 3 minutes on an idle
/// 2-core x86-64 CPU (see README.md). The networks without batch norm (AlexNet, VGG, NiN,
/// GoogLeNet) sat at loss 2.30 with the book's Xavier init at these small sizes (even on 16
/// images for 150 steps); their quick settings use He init (`kaimingInitWeights`), batch 64 and a
/// learning rate at or below the book's (GoogLeNet, AlexNet and VGG decayed along the cosine below).
///
/// ResNet and DenseNet (batch norm): with the book's fixed rate over a few hundred steps the
/// test accuracy fell in the second epoch (ResNet at 28 px, 20000 images, batch 256, lr 0.05:
/// train 0.851, test 0.733 → 0.680, another run 0.487; DenseNet at 32 px, batch 256, lr 0.1: train 0.843, test 0.578) although the batch-norm code is right (golden
/// tests; evaluating with the test batches' own statistics gave 0.736): the weights still move
/// fast at the end, so the running statistics (momentum 0.1, about the last 10 batches) do not
/// fit the final weights — even the training images scored 0.604 in evaluation mode. Their quick
/// settings decay the rate to 0 along a cosine over the run (`cosineLR`, book §12.11), so the
/// last steps barely move the weights, and use batch 128 for twice the steps of one epoch.
/// Measured again on 2026-11-30 with the machine at load 4–10 (three helpers), seed 0; CPU is
/// user + sys of the whole process (`/usr/bin/time`), which the earlier runs at load 15–26 had
/// inflated by up to 2× (GoogLeNet's 24000-image run: 272.6 s then, 125.1 s now).
/// ResNet-18 at 28 px, batch 128, one epoch, lr 0.1 with the cosine: 24000 images gave test acc
/// 0.829 (the old default); 40000 images (313 steps) give **0.854** (train 0.781 averaged over
/// the epoch) in 204.5 s of CPU.
/// DenseNet at 32 px (the smallest side its three 2×2 average pools allow after the stem),
/// 40000 images, batch 128, one epoch, lr 0.1 with the cosine: test acc 0.871 in 141.9 s of CPU.
/// GoogLeNet at 28 px, batch 64, one epoch, He init, the book's lr 0.1: 24000 images at a fixed
/// rate 0.735 (train 0.385 averaged over the epoch), with the cosine 0.759 (125.1 s); 45000
/// images with the cosine 0.789 (220.8 s); a higher peak with a warm-up (lr 0.2, 75 warm-up
/// steps, 45000 images) was worse, 0.738. 54000 images (844 steps)
/// with the cosine: **0.812** (train 0.601 averaged over the epoch) in 256.2 s of CPU (run beside
/// the AlexNet run below).
/// AlexNet at 67 px (its smallest side up to 65), batch 64, one epoch, He init: 24000 images at
/// a fixed lr 0.02 gave 0.781 (399.1 s of CPU at load ~22, 220.6 s at load ~6 for the same
/// steps), with the cosine from 0.02 0.772 and from 0.04 0.757 (215 s): the cosine does not help
/// it much. 30000 images at the fixed 0.02: 0.740 (the fixed rate leaves the last test
/// accuracy noisy); 30000 images (469 steps) with the cosine from 0.02: **0.783** (train 0.674
/// averaged over the epoch) in 261.2 s of CPU, 226 s wall at load ~3 — short of 0.80. Measured
/// on 2026-12-01 (one thread, seed 0): batch 32 doubles the steps of the same images; from lr
/// 0.01 with the cosine it gave 0.789 on 30000 images and 0.801 on 40000; from **lr 0.015,
/// 30000 images (938 steps): 0.803** (train 0.709 averaged over the epoch) — the default until
/// the dense layers' products changed their order of summation (the dot-product GEMM path, commit
/// 9e79f17): then 0.799 in 189 s wall, on a host in a slow phase. Measured there (2 threads, seed 0,
/// one after another): 28000 images from lr 0.02: 0.800 in 176 s; **26000 images (813 steps) from
/// lr 0.025 with the cosine: 0.808** (train 0.709 averaged over the epoch) in 159 s — the default.
/// Its time goes where its FLOPs are: a step at batch 64 is ≈ 30 GFLOP (forward ≈ 78 M
/// multiply-adds per image, ×3 with the two gradients; the 5×5 convolution 96 → 256 at 7×7 is
/// 38 % of them, the three dense layers 23 %), so 375 steps are ≈ 11 TFLOP, ≈ 52 GFLOP per
/// CPU-second (not profiled per kernel with perf for lack of time).
/// VGG-11 (a quarter of the channels) at 32 px, 16000 images, batch 64, 3 epochs, lr 0.02, He
/// init: at the fixed rate 0.819, then 0.791 once the dense layers summed in another order (commit
/// 9e79f17): the last epoch's test accuracy at a fixed rate is that noisy. With the cosine, on
/// the same commit: 0.763, 0.816, **0.826** after epochs 1–3 — the default.
/// NiN at the book's lr 0.1 (one epoch, 24000 images, batch 64, He init) never left loss 2.302
/// (the last block's ReLUs all 0): with a 100-step warm-up
/// before the cosine from 0.1 it moved, to 0.202 (145.8 s of CPU). Its old quick setting (12000
/// images, 2 epochs, fixed lr 0.05) gave 0.373 on an earlier checkout's kernels and stays dead
/// (0.100) on today's, whose convolutions sum in another order: NiN is that unstable. Measured on
/// 2026-12-01 (12000 images, 2 threads, seed 0): lr 0.03 fixed 0.254, lr 0.03 with the cosine
/// 0.333 (2 epochs); **lr 0.02 with the cosine over 3 epochs: 0.439** (114 s wall), the default;
/// 4 epochs 0.412 (154 s).
/// Each quick configuration's budget: about 300 s of CPU time (user + sys) on the 2 threads,
/// i.e. ≤ 3 minutes wall on an idle 2-core machine. Measured results: README.md.
let modelSections: [ModelSection] = [
    ModelSection(
        name: "alexnet", title: "§7.1 AlexNet",
        book: TrainConfig(resize: 224, batchSize: 128, epochs: 10, lr: 0.01),
        quick: TrainConfig(resize: 67, batchSize: 32, epochs: 1, lr: 0.025, trainSize: 26_000, heInit: true,
                           cosineLR: true),
        bookResult: BookResult("loss 0.331, train acc 0.878, test acc 0.883", spread: "loss 0.326–0.333, test 0.866–0.885"),
        build: { alexnet(inputSize: $0) }, walkSide: 224),
    ModelSection(
        name: "vgg", title: "§7.2 VGG-11 with a quarter of the channels",
        book: TrainConfig(resize: 224, batchSize: 128, epochs: 10, lr: 0.05),
        quick: TrainConfig(resize: 32, batchSize: 64, epochs: 3, lr: 0.02, trainSize: 16_000, heInit: true,
                           cosineLR: true),
        bookResult: BookResult("loss 0.178, train acc 0.935, test acc 0.920", spread: "loss 0.171–0.220, test 0.900–0.924"),
        build: { vgg11Small(inputSize: $0) }, walkSide: 224),
    ModelSection(
        name: "nin", title: "§7.3 Network in network (NiN)",
        book: TrainConfig(resize: 224, batchSize: 128, epochs: 10, lr: 0.1),
        quick: TrainConfig(resize: 67, batchSize: 64, epochs: 3, lr: 0.02, trainSize: 12_000, heInit: true,
                           cosineLR: true),
        bookResult: BookResult("loss 0.563, train acc 0.786, test acc 0.790",
                               spread: "unstable: loss 0.321–2.303, median test 0.834"),
        build: { _ in nin() }, walkSide: 224),
    ModelSection(
        name: "googlenet", title: "§7.4 GoogLeNet",
        book: TrainConfig(resize: 96, batchSize: 128, epochs: 10, lr: 0.1),
        quick: TrainConfig(resize: nil, batchSize: 64, epochs: 1, lr: 0.1, trainSize: 54_000, heInit: true,
                           cosineLR: true),
        bookResult: BookResult("loss 0.262, train acc 0.900, test acc 0.886", spread: "loss 0.235–0.267, median test 0.889"),
        build: { _ in googlenet() }, walkSide: 96),
    ModelSection(
        name: "batch-norm", title: "§7.5 Batch normalization (LeNet with batch norm, scratch and concise)",
        book: TrainConfig(resize: nil, batchSize: 256, epochs: 10, lr: 1.0),
        quick: TrainConfig(resize: nil, batchSize: 256, epochs: 10, lr: 1.0),
        bookResult: BookResult("loss 0.267, train acc 0.902, test acc 0.708", spread: "loss 0.244–0.281, test 0.708–0.879"),
        build: { _ in lenetBN() }, walkSide: 28),
    ModelSection(
        name: "resnet", title: "§7.6 ResNet-18",
        book: TrainConfig(resize: 96, batchSize: 256, epochs: 10, lr: 0.05),
        quick: TrainConfig(resize: nil, batchSize: 128, epochs: 1, lr: 0.1, trainSize: 40_000, cosineLR: true),
        bookResult: BookResult("loss 0.012, train acc 0.997, test acc 0.893", spread: "loss 0.008–0.019, test 0.838–0.922"),
        build: { _ in resnet18() }, walkSide: 224),
    ModelSection(
        name: "densenet", title: "§7.7 DenseNet",
        book: TrainConfig(resize: 96, batchSize: 256, epochs: 10, lr: 0.1),
        quick: TrainConfig(resize: 32, batchSize: 128, epochs: 1, lr: 0.1, trainSize: 40_000, cosineLR: true),
        bookResult: BookResult("loss 0.140, train acc 0.948, test acc 0.885", spread: "loss 0.139–0.166, median test 0.855"),
        build: { _ in densenet() }, walkSide: 96),
]

/// The book's scratch LeNet-BN result (§7.5), printed beside ours; the concise one is the section's `bookResult`.
let bookBatchNormScratch = BookResult("loss 0.273, train acc 0.899, test acc 0.807",
                                      spread: "loss 0.247–0.273, test 0.59–0.885")

/// The first batch norm layer's γ and β after the book's scratch run (`net[1].gamma`, `net[1].beta`).
let bookBatchNormGammaBeta = (gamma: "[0.4863, 2.8573, 2.3190, 4.3188, 3.8588, 1.7942]",
                              beta: "[-0.0124, 1.4839, -1.7753, 2.3564, -3.8801, -2.1589]")
