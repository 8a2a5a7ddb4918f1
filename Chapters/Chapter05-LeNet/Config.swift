import D2L
import NN
import Tensor

/// The architecture knobs of LeNet that the book's §6.6 exercises turn: pooling, activation,
/// kernel size, channels per convolution block, number of blocks, fully connected widths.
/// The defaults are the book's LeNet-5: two blocks `Conv(k5) → sigmoid → AvgPool(2, 2)` with
/// 6 and 16 channels (the first convolution padded by 2 so 28×28 stays 28×28), then dense
/// layers 120 → 84 → 10.
struct LeNetConfig: Equatable {
    enum Pool: String, CaseIterable { case avg, max }
    enum Activation: String, CaseIterable { case sigmoid, relu, tanh }

    var channels = [6, 16]
    var kernelSize = 5
    var pool = Pool.avg
    var activation = Activation.sigmoid
    var fc = [120, 84]
    var imageSize = 28
    var numClasses = 10

    /// Number of convolution blocks.
    var convLayers: Int { channels.count }

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
    func mapSides() -> Result<[Int], ConfigError> {
        var n = imageSize, sides: [Int] = []
        for i in 0..<convLayers {
            let padded = n + 2 * padding(block: i)
            guard padded >= kernelSize else {
                return .failure(ConfigError("block \(i + 1): a \(kernelSize)×\(kernelSize) kernel does not fit the "
                    + "\(n)×\(n) feature map; use fewer --conv-layers or a smaller --kernel-size"))
            }
            n = padded - kernelSize + 1
            guard n >= 2 else {
                return .failure(ConfigError("block \(i + 1): the \(n)×\(n) map after the convolution is too small "
                    + "for 2×2 pooling; use fewer --conv-layers or a smaller --kernel-size"))
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

/// A configuration error, shown to the user with the usage text.
struct ConfigError: Error, CustomStringConvertible, Equatable {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Everything the program was asked to do.
struct RunOptions {
    enum Model: String { case scratch, concise }
    var config = LeNetConfig()
    var model = Model.concise
    var lr: Float = 0.9
    var epochs = 10
    var batchSize = 256
    var seed: UInt64 = 0
    var xavierInit = true
    var dataset = ImageDataset.fashionMNIST
    var showActivations = false
    var maxBatches: Int?
    var runDemos = true
    var runTraining = true
}

/// The chapter's command line (shared `OptionParser`).
func makeParser() -> OptionParser {
    var p = OptionParser(program: "Chapter05-LeNet",
                         overview: "Convolutional neural networks (book §6.2–6.6): convolution, padding and stride, "
                             + "channels and pooling from scratch, then LeNet trained on Fashion-MNIST.")
    p.sections([("demos", "§6.2–6.5: corr2d, edge detection, learning a kernel, padding/stride, channels, pooling"),
                ("lenet", "§6.6: LeNet (layer shapes, training with trainCh6)")])
    p.choice("model", ["concise", "scratch"], default: "concise",
             help: "LeNet built from NN layers (concise) or from tensor ops with its own parameters (scratch)")
    p.choice("pool", LeNetConfig.Pool.allCases.map(\.rawValue), default: "avg", help: "pooling after each convolution")
    p.choice("activation", LeNetConfig.Activation.allCases.map(\.rawValue), default: "sigmoid",
             help: "activation after each convolution and hidden dense layer")
    p.int("kernel-size", default: 5, help: "convolution kernel size", check: .within(1...28))
    p.ints("channels", default: [6, 16], help: "output channels of each convolution block", check: .positive)
    p.int("conv-layers", default: 2, help: "number of convolution blocks (without --channels: 6, 16, 32, …)",
          check: .within(1...6))
    p.ints("fc", default: [120, 84], help: "hidden dense layer widths (the output layer has 10)", check: .positive)
    p.float("lr", default: 0.9, help: "SGD learning rate", check: .positive)
    p.int("epochs", default: 10, help: "training epochs", check: .positive)
    p.int("batch-size", default: 256, help: "minibatch size", check: .positive)
    p.int("seed", default: 0, help: "random seed (weights and shuffling)", check: .nonNegative)
    p.choice("init", ["xavier", "normal"], default: "xavier",
             help: "weights: Xavier uniform (train_ch6) or N(0, 0.01²)")
    p.choice("dataset", ["fashion-mnist", "mnist"], default: "fashion-mnist", help: "training data")
    p.int("max-batches", default: 0, help: "use at most this many batches per epoch (0: all)", check: .nonNegative)
    p.flag("show-activations", help: "after training, save the first two conv layers' activations for a "
               + "pullover and a coat test image (SVG)")
    return p
}

/// Turns parsed flags into run options, checking the combinations the parser cannot.
func runOptions(from o: ParsedOptions) -> Result<RunOptions, ConfigError> {
    var r = RunOptions()
    var c = LeNetConfig()
    c.pool = LeNetConfig.Pool(rawValue: o.string("pool"))!
    c.activation = LeNetConfig.Activation(rawValue: o.string("activation"))!
    c.kernelSize = o.int("kernel-size")
    c.fc = o.ints("fc")
    c.channels = o.ints("channels")
    let blocks = o.int("conv-layers")
    if o.isSet("conv-layers") && blocks != c.channels.count {
        if o.isSet("channels") {
            return .failure(ConfigError("--conv-layers \(blocks) needs \(blocks) values in --channels, "
                + "got \(c.channels.count) (\(c.channels.map(String.init).joined(separator: ",")))"))
        }
        // Keep the book's 6, 16 and double the channels for every further block.
        while c.channels.count < blocks { c.channels.append(c.channels.last! * 2) }
        c.channels = Array(c.channels.prefix(blocks))
    }
    if case .failure(let e) = c.mapSides() { return .failure(e) }
    r.config = c
    r.model = RunOptions.Model(rawValue: o.string("model"))!
    r.lr = o.float("lr")
    r.epochs = o.int("epochs")
    r.batchSize = o.int("batch-size")
    r.seed = UInt64(o.int("seed"))
    r.xavierInit = o.string("init") == "xavier"
    r.dataset = o.string("dataset") == "mnist" ? .mnist : .fashionMNIST
    r.showActivations = o.flag("show-activations")
    r.maxBatches = o.int("max-batches") == 0 ? nil : o.int("max-batches")
    r.runDemos = o.runs("demos")
    r.runTraining = o.runs("lenet")
    return .success(r)
}
