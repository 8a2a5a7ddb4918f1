import D2L
import Foundation
import NN
import Tensor

// The exercises of book §6.6, built beside the lesson: LeNet with other pooling, activations,
// kernel sizes, channels, blocks, dense widths and initialisation (`--pool`, `--activation`,
// `--kernel-size`, `--channels`, `--conv-layers`, `--fc`, `--init`), the MNIST data set
// (`--dataset mnist`) and the activation maps of the first two blocks (`--show-activations`).
// Without these flags the chapter trains the lesson's `lenet()` and `LeNetScratch`.

/// The architecture knobs of LeNet that the exercises turn. The defaults are the book's LeNet:
/// two blocks `Conv(k5) → sigmoid → AvgPool(2, 2)` with 6 and 16 channels (the first convolution
/// padded so 28×28 stays 28×28), then dense layers 120 → 84 → 10.
struct LeNetConfig: Equatable {
    enum Activation: String, CaseIterable { case sigmoid, relu, tanh }

    var channels = [6, 16]
    var kernelSize = 5
    var pool = PoolMode.avg
    var activation = Activation.sigmoid
    var fc = [120, 84]
    var imageSize = 28
    var numClasses = 10

    /// Number of convolution blocks.
    var convLayers: Int { channels.count }

    /// `channels 6,16, kernel 5, avg pooling, sigmoid, fc 120,84`.
    var summary: String {
        "channels \(channels.map(String.init).joined(separator: ",")), kernel \(kernelSize), \(pool) pooling, "
            + "\(activation), fc \(fc.map(String.init).joined(separator: ","))"
    }

    /// The number of inputs of the first dense layer (400 for the book's LeNet); stops with the
    /// `mapSides` message for a configuration whose feature map vanishes.
    var flattenedSize: Int {
        switch mapSides() {
        case .success(let sides): return channels.last! * sides.last! * sides.last!
        case .failure(let e): fatalError("LeNetConfig: \(e)")
        }
    }

    /// Padding of block `i`: the first convolution keeps the image size ("same" padding,
    /// `(k − 1) / 2`, which is the book's 2 for k = 5); later ones are unpadded, as in LeNet.
    func padding(block i: Int) -> Int { i == 0 ? (kernelSize - 1) / 2 : 0 }

    /// The side of the feature map after each block (convolution `n + 2p − k + 1`, then
    /// 2×2 pooling with stride 2, `⌊n / 2⌋`), or a message saying where the map becomes too small.
    func mapSides() -> Result<[Int], OptionError> {
        var n = imageSize, sides: [Int] = []
        for i in 0..<convLayers {
            let padded = n + 2 * padding(block: i)
            guard padded >= kernelSize else {
                return .failure(.checkFailed(option: "kernel-size", value: "\(kernelSize)",
                    message: "block \(i + 1): a \(kernelSize)×\(kernelSize) kernel does not fit the \(n)×\(n) "
                        + "feature map; use fewer --conv-layers or a smaller --kernel-size"))
            }
            n = padded - kernelSize + 1
            guard n >= 2 else {
                return .failure(.checkFailed(option: "conv-layers", value: "\(convLayers)",
                    message: "block \(i + 1): the \(n)×\(n) map after the convolution is too small for 2×2 "
                        + "pooling; use fewer --conv-layers or a smaller --kernel-size"))
            }
            n /= 2
            sides.append(n)
        }
        return .success(sides)
    }

    /// The activation as a layer (concise model).
    func activationLayer() -> Layer {
        switch activation {
        case .sigmoid: return Sigmoid()
        case .relu: return ReLU()
        case .tanh: return Tanh()
        }
    }
    /// The activation as a tensor function (scratch model).
    func activate(_ x: Tensor) -> Tensor {
        switch activation {
        case .sigmoid: return x.sigmoid()
        case .relu: return x.relu()
        case .tanh: return x.tanh()
        }
    }
    /// The 2×2, stride-2 pooling as a layer (concise model).
    func poolLayer() -> Layer {
        pool == .avg ? AvgPool2d(kernelSize: 2, stride: 2) : MaxPool2d(kernelSize: 2, stride: 2)
    }
    /// The 2×2, stride-2 pooling as a tensor function (scratch model).
    func poolOp(_ x: Tensor) -> Tensor {
        pool == .avg ? x.avgPool2d(kernelSize: 2, stride: 2) : x.maxPool2d(kernelSize: 2, stride: 2)
    }
}

// MARK: The command line of the exercises

/// Largest `--channels` value: 256 channels of 28×28 at batch 256 are already 200 MB per map.
let maxChannels = 256
/// Largest `--fc` width.
let maxWidth = 4096

/// Declares the exercise options (`ChapterCommand.exercises`).
func declareExerciseOptions(_ p: inout OptionParser) {
    p.choice("pool", PoolMode.allCases.map(\.rawValue).reversed(), default: "avg", help: "pooling after each convolution")
    p.choice("activation", LeNetConfig.Activation.allCases.map(\.rawValue), default: "sigmoid",
             help: "activation after each convolution and hidden dense layer")
    p.int("kernel-size", default: 5, help: "convolution kernel size", check: .within(1...28))
    p.ints("channels", default: [6, 16], help: "output channels of each convolution block",
           check: .within(1...maxChannels))
    p.int("conv-layers", default: 2, help: "number of convolution blocks (without --channels: 6, 16, 32, …)",
          check: .within(1...6))
    p.ints("fc", default: [120, 84], help: "hidden dense layer widths (the output layer has 10)",
           check: .within(1...maxWidth))
    p.choice("init", ["xavier", "normal"], default: "xavier", help: "weights: Xavier uniform (train_ch6) or N(0, 0.01²)")
    p.choice("dataset", ["fashion-mnist", "mnist"], default: "fashion-mnist", help: "training data")
    p.flag("show-activations", help: "after training, save the first two conv layers' activations for a "
               + "pullover and a coat test image (SVG)")
}

/// What the exercise flags ask for.
struct LeNetExercise {
    var config = LeNetConfig()
    var xavierInit = true
    var dataset = ImageDataset.fashionMNIST
    var showActivations = false

    /// True when the architecture and initialisation are the lesson's (then `lenet()` and
    /// `LeNetScratch` are trained, not the variants).
    var isLesson: Bool { config == LeNetConfig() && xavierInit }

    /// Reads the exercise flags, checking the combinations the parser cannot.
    init(_ o: ParsedOptions) throws {
        var c = LeNetConfig()
        c.pool = PoolMode(rawValue: o.string("pool"))!
        c.activation = LeNetConfig.Activation(rawValue: o.string("activation"))!
        c.kernelSize = o.int("kernel-size")
        c.fc = o.ints("fc")
        c.channels = o.ints("channels")
        let blocks = o.int("conv-layers")
        if o.isSet("conv-layers") && blocks != c.channels.count {
            if o.isSet("channels") {
                throw OptionError.checkFailed(option: "conv-layers", value: "\(blocks)",
                    message: "needs \(blocks) values in --channels, got \(c.channels.count) "
                        + "(\(c.channels.map(String.init).joined(separator: ",")))")
            }
            // Keep the book's 6, 16 and double the channels for every further block.
            while c.channels.count < blocks { c.channels.append(min(c.channels.last! * 2, maxChannels)) }
            c.channels = Array(c.channels.prefix(blocks))
        }
        if case .failure(let e) = c.mapSides() { throw e }
        config = c
        xavierInit = o.string("init") == "xavier"
        dataset = o.string("dataset") == "mnist" ? .mnist : .fashionMNIST
        showActivations = o.flag("show-activations")
    }

    init() {}
}

// MARK: The variant models

/// LeNet as a `Sequential` following `config` (the lesson's `lenet()` for the default).
/// The input size of the first `Linear` (400 for the book's LeNet) is found by running a
/// dummy `(1, 1, 28, 28)` image through the convolution blocks.
func lenetVariant(_ config: LeNetConfig) -> Sequential {
    var layers: [Layer] = []
    var inChannels = 1
    for (i, out) in config.channels.enumerated() {
        layers += [Conv2d(inChannels: inChannels, outChannels: out, kernelSize: config.kernelSize,
                          padding: config.padding(block: i)),
                   config.activationLayer(), config.poolLayer()]
        inChannels = out
    }
    layers.append(Flatten())
    let dummy = Tensor.zeros([1, 1, config.imageSize, config.imageSize])
    var width = withNoGrad { Sequential(layers)(dummy) }.count
    for hidden in config.fc {
        layers += [Linear(inputSize: width, outputSize: hidden), config.activationLayer()]
        width = hidden
    }
    layers.append(Linear(inputSize: width, outputSize: config.numClasses))
    return Sequential(layers)
}

/// Every Conv2d and Linear weight N(0, 0.01²) (`--init normal`).
func initNormal(_ net: Module) {
    net.apply { m in
        if let conv = m as? Conv2d { Init.normal(conv.weight, std: 0.01) }
        if let linear = m as? Linear { Init.normal(linear.weight, std: 0.01) }
    }
}

/// `LeNetScratch` following `config`: per block a convolution weight and bias, per dense
/// layer a weight and bias, and the forward pass as a loop over them.
final class LeNetScratchVariant: Layer {
    let config: LeNetConfig
    /// Per convolution block: weight `[Cout, Cin, k, k]` and bias `[Cout]`.
    let convWeights: [Parameter], convBiases: [Parameter]
    /// Per dense layer: weight `[out, in]` and bias `[out]`.
    let fcWeights: [Parameter], fcBiases: [Parameter]
    var isTraining = true

    /// Draws weights with Xavier uniform or `N(0, 0.01²)`; biases start at zero.
    init(_ config: LeNetConfig = LeNetConfig(), xavier: Bool = true) {
        self.config = config
        let k = config.kernelSize
        let inChannels = [1] + config.channels.dropLast()
        convWeights = zip(inChannels, config.channels).map { Parameter(Tensor.zeros([$1, $0, k, k])) }
        convBiases = config.channels.map { Parameter(Tensor.zeros([$0])) }
        let widths = [config.flattenedSize] + config.fc + [config.numClasses]
        fcWeights = zip(widths.dropLast(), widths.dropFirst()).map { Parameter(Tensor.zeros([$1, $0])) }
        fcBiases = widths.dropFirst().map { Parameter(Tensor.zeros([$0])) }
        for w in convWeights + fcWeights {
            if xavier { Init.xavierUniform(w) } else { Init.normal(w, std: 0.01) }
        }
    }

    /// In `lenetVariant`'s order (conv1 w, b, conv2 w, b, fc1 w, b, …).
    var ownParameters: [(name: String, parameter: Parameter)] {
        zip(convWeights, convBiases).enumerated().flatMap { i, p in [("conv\(i + 1).weight", p.0), ("conv\(i + 1).bias", p.1)] }
            + zip(fcWeights, fcBiases).enumerated().flatMap { i, p in [("fc\(i + 1).weight", p.0), ("fc\(i + 1).bias", p.1)] }
    }

    /// The outputs of each convolution block's activation (before pooling), for `--show-activations`.
    func activations(_ x: Tensor) -> [Tensor] {
        var maps: [Tensor] = []
        _ = run(x) { maps.append($0) }
        return maps
    }

    /// Logits `(B, numClasses)` for images `(B, 1, 28, 28)`.
    func callAsFunction(_ x: Tensor) -> Tensor { run(x) { _ in } }

    private func run(_ x: Tensor, afterActivation: (Tensor) -> Void) -> Tensor {
        var h = x
        for i in 0..<convWeights.count {
            h = Tensor.conv2d(h, weight: convWeights[i].value, bias: convBiases[i].value, stride: 1,
                              padding: config.padding(block: i))
            h = config.activate(h)
            afterActivation(h)
            h = config.poolOp(h)
        }
        h = h.flattened(startAxis: 1)
        for i in 0..<fcWeights.count {
            h = Tensor.matmul(h, fcWeights[i].value, transB: true) + fcBiases[i].value
            if i < fcWeights.count - 1 { h = config.activate(h) }
        }
        return h
    }
}

// MARK: Activation maps (exercise: "display the activations of the first and second layer")

/// The output of each activation that follows a convolution (the feature maps of each block
/// before pooling), for `--show-activations`.
func convActivations(_ net: Sequential, _ x: Tensor) -> [Tensor] {
    var h = x, maps: [Tensor] = []
    var afterConv = false
    withNoGrad {
        for layer in net.layers {
            h = layer(h)
            if afterConv && (layer is Sigmoid || layer is ReLU || layer is Tanh) { maps.append(h) }
            afterConv = layer is Conv2d
        }
    }
    return maps
}

/// The first test images labelled pullover (2) and coat (4), as a `(2, 1, 28, 28)` batch.
func pulloverAndCoat(_ testIter: DataIterator) -> Tensor? {
    var found: [Int: Tensor] = [:]
    for (X, y) in testIter {
        for (i, label) in classIndices(y).enumerated() where (label == 2 || label == 4) && found[label] == nil {
            found[label] = X.slice(axis: 0, i..<(i + 1))
        }
        if found.count == 2 { break }
    }
    guard let pullover = found[2], let coat = found[4] else { return nil }
    return Tensor.concatenate([pullover, coat], axis: 0)
}

/// Writes one SVG per convolution block (the first two at most): row 1 the pullover, row 2 the
/// coat; the input image first, then each channel's activation map. Each channel (column) has
/// its own gray scale, from its minimum to its maximum over both images, so a channel's
/// spatial pattern is visible and pullover and coat can be compared. Returns the files written.
func saveActivations(_ maps: [Tensor], images: Tensor, prefix: String) throws -> [URL] {
    try maps.prefix(2).enumerated().map { block, a in
        let (channels, plane) = (a.shape[1], a.shape[2] * a.shape[3])
        let values = a.scalars
        func map(_ row: Int, _ c: Int) -> ArraySlice<Float> {
            values[((row * channels + c) * plane)..<((row * channels + c + 1) * plane)]
        }
        var cells: [GrayImage] = [], titles: [String] = []
        for (row, name) in ["pullover", "coat"].enumerated() {
            cells.append(GrayImage(images.slice(axis: 0, row..<(row + 1)).reshaped(to: Array(images.shape.dropFirst()))))
            titles.append(name)
            for c in 0..<channels {
                let both = map(0, c) + map(1, c)
                let (lo, hi) = (both.min()!, both.max()!)
                let scaled = map(row, c).map { hi > lo ? ($0 - lo) / (hi - lo) : 0 }
                cells.append(GrayImage(width: a.shape[3], height: a.shape[2], pixels: scaled))
                titles.append("ch \(c + 1)")
            }
        }
        return try showImages(cells, numRows: 2, numCols: channels + 1, titles: titles, scale: 0.7,
                              valueRange: 0...1, file: Figures.name(prefix, "conv\(block + 1)-activations"))
    }
}


/// The activation maps of the first two blocks of a trained net, for a pullover and a coat
/// test image, as SVGs named `<name>-conv1-activations` (warns and goes on if they cannot be saved).
func saveActivationFigures(_ net: Layer, _ testIter: DataIterator, name: String, _ report: Reporting) {
    guard let images = pulloverAndCoat(testIter) else {
        return report.say("no pullover/coat test images found: no activation figures")
    }
    net.eval()
    let maps: [Tensor]
    switch net {
    case let sequential as Sequential: maps = convActivations(sequential, images)
    case let variant as LeNetScratchVariant: maps = withNoGrad { variant.activations(images) }
    case let scratch as LeNetScratch:
        maps = withNoGrad {
            let a1 = Tensor.conv2d(images, weight: scratch.conv1W.value, bias: scratch.conv1B.value, padding: 2).sigmoid()
            let a2 = Tensor.conv2d(a1.avgPool2d(kernelSize: 2, stride: 2), weight: scratch.conv2W.value,
                                   bias: scratch.conv2B.value).sigmoid()
            return [a1, a2]
        }
    default: return
    }
    if let urls = Figures.saveOrWarn(name + "-activations", warnings: report.warnings, {
        try saveActivations(maps, images: images, prefix: name).last!
    }) {
        report.say("saved \(urls.deletingLastPathComponent().path)/\(name)-conv{1,2}-activations.svg")
    }
}
