import D2L
import Foundation
import NN
import Tensor

// The chapter's sections with the NN library's layers: each prints the book's shape walk,
// then trains the network with `trainCh6` and prints the book's result under ours. The
// networks read like the book's `nn.Sequential`s in Sources/D2L/Models/ModernCNN.swift
// (`alexnet()`, `vgg11Small()`, `nin()`, `googlenet()`, `lenetBN()`, `resnet18()`,
// `densenet()`), their blocks in ModernCNNBlocks.swift (`vggBlock`, `ninBlock`, `Inception`,
// `Residual`, `convBlock`, `DenseBlock`, `transitionBlock`).

/// One section: the book's extra block examples, the network's shape walk, then training
/// (both versions for batch norm).
func runModelSection(_ section: ModelSection, _ o: ChapterOptions) throws {
    let start = Date()
    let useBook = o.parsed.flag("book") || section.name == "batch-norm"
    let config = (useBook ? section.book : section.quick).overridden(by: o)
    print("\n\(section.title): \(useBook ? "the book's configuration" : "quick configuration"): \(config.summary)")
    if config != section.book { print("  (book: \(section.book.summary); --book runs it)") }

    for line in blockExamples(section.name) { print(line) }
    if section.name != "batch-norm" {
        let walkNet = section.name == "vgg" ? vgg(convArch: vgg11ConvArch) : section.build(section.walkSide)
        print("Shapes for one \(section.walkSide)×\(section.walkSide) image"
              + (section.name == "vgg" ? " (the full-width VGG-11, as the book prints it):" : ":"))
        print(shapeWalkText(shapeWalk(walkNet, input: Tensor.rand([1, 1, section.walkSide, section.walkSide]))))
        o.reseed()   // the same weights whether or not the walk ran
    }

    let data = try loadDataFashionMNIST(batchSize: config.batchSize, resize: config.resize, seed: o.seed,
                                        trainSize: config.trainSize)
    if section.name == "batch-norm" {
        try o.forEachModel { model in
            let net = model == .scratch ? lenetBNScratch() : lenetBN()
            print("\nLeNet with batch norm, \(model):")
            try train(net, section, config, data, o, report: o.report(section: section.name, model: model))
            print(model == .scratch ? bookBatchNormScratch.line : section.bookResult.line)
            printGammaBeta(net)
        }
    } else {
        let net = section.build(config.resize ?? 28)
        try train(net, section, config, data, o, report: o.report(section: section.name, model: .concise))
        print(section.bookResult.line)
    }
    print(String(format: "section time %.0f s", Date().timeIntervalSince(start)))
}

/// `trainCh6` with the configuration's epochs and learning rate.
private func train(_ net: Sequential, _ section: ModelSection, _ config: TrainConfig,
                   _ data: (train: DataIterator, test: DataIterator), _ o: ChapterOptions, report: Reporting) throws {
    if config.heInit { kaimingInitWeights(net) }
    let steps = min(data.train.count, o.maxBatches ?? .max) * config.epochs
    try trainCh6(net: net, trainIter: data.train, testIter: data.test, numEpochs: config.epochs, lr: config.lr,
                 xavierInit: !config.heInit, maxBatches: o.maxBatches,
                 lrSchedule: config.cosineLR ? { cosineSchedule($0, steps: steps, warmup: config.warmup) } : nil,
                 report: report)
}

/// `CosineAnnealingLR` over `steps` batches with `warmup` linear warm-up steps; the first step
/// already runs at the schedule's step-0 rate (`lr / warmup` with a warm-up, else `lr`).
func cosineSchedule(_ optimizer: Optimizer, steps: Int, warmup: Int) -> LRScheduler {
    let w = min(warmup, steps - 1)
    let s = CosineAnnealingLR(optimizer: optimizer, tMax: steps, warmupEpochs: w,
                              warmupStartLR: w > 0 ? optimizer.lr / Float(w) : 0)
    optimizer.lr = s.lr(at: 0)
    return s
}

/// He (Kaiming) uniform initialisation of every `Conv2d` and `Linear` weight, `U(−b, b)` with
/// `b = √(6 / fanIn)` (variance `2 / fanIn`, which keeps the second moment through ReLU; book
/// §5.4 notes on initialisation). The quick configurations of the networks without batch norm
/// use it: with Xavier's `2 / (fanIn + fanOut)` every ReLU layer halves the signal, and at small
/// image sizes the first dense layer's fan-in (VGG at 32 px: 128, AlexNet at 67 px: 256, against
/// 6272 and 6400 at 224 px) shrinks it a further 16–30×, so the logits ignore the input and the
/// loss stays at ln 10 = 2.30 for hundreds of steps. Biases keep their default initialisation.
func kaimingInitWeights(_ net: Module) {
    net.apply { m in
        if let conv = m as? Conv2d { Init.kaimingUniform(conv.weight) }
        if let linear = m as? Linear { Init.kaimingUniform(linear.weight) }
    }
}

/// The book's `net[1].gamma.reshape((-1,))` and `net[1].beta.reshape((-1,))`: the learned
/// scale and shift of the first batch norm layer.
func printGammaBeta(_ net: Sequential) {
    let (gamma, beta) = firstBatchNormGammaBeta(net)
    func list(_ t: Tensor) -> String { "[" + t.scalars.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]" }
    print("gamma \(list(gamma))\nbeta  \(list(beta))")
    print("book:  gamma \(bookBatchNormGammaBeta.gamma)\n       beta  \(bookBatchNormGammaBeta.beta)")
}

/// γ and β of `net[1]`, flattened, for either batch norm.
func firstBatchNormGammaBeta(_ net: Sequential) -> (gamma: Tensor, beta: Tensor) {
    switch net[1] {
    case let bn as BatchNormScratch: return (bn.gamma.value.reshaped(to: [-1]), bn.beta.value.reshaped(to: [-1]))
    case let bn as BatchNormLayer: return (bn.weight!.value, bn.bias!.value)
    default: fatalError("firstBatchNormGammaBeta: net[1] is \(type(of: net[1])), not a batch norm")
    }
}

/// The book's examples of single blocks before each network (§7.6 `Residual`, §7.7
/// `DenseBlock` and `transition_block`), as printed lines.
func blockExamples(_ section: String) -> [String] {
    let x = Tensor.rand([4, 3, 6, 6])
    switch section {
    case "resnet":
        let same = Residual(inputChannels: 3, numChannels: 3)
        let down = Residual(inputChannels: 3, numChannels: 6, use1x1conv: true, strides: 2)
        let scratch = residual(x, ResidualParams(inputChannels: 3, numChannels: 6, use1x1conv: true, strides: 2))
        return withNoGrad {
            ["Residual(3, 3) on X (4, 3, 6, 6):                      \(describeShape(same(x).shape))",
             "Residual(3, 6, use_1x1conv=True, strides=2):           \(describeShape(down(x).shape))",
             "residual(X, params) from scratch, 3 → 6, strides 2:    \(describeShape(scratch.shape))"]
        }
    case "densenet":
        let X = Tensor.rand([4, 3, 8, 8])
        let blk = DenseBlock(numConvs: 2, inputChannels: 3, numChannels: 10)
        return withNoGrad {
            let Y = blk(X)
            return ["DenseBlock(2, 3, 10) on X (4, 3, 8, 8):  \(describeShape(Y.shape))",
                    "transition_block(23, 10) on Y:           \(describeShape(transitionBlock(inputChannels: 23, numChannels: 10)(Y).shape))"]
        }
    default:
        return []
    }
}
